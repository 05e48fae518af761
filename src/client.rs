//! A client's address as limits count it: one IPv4 address, or one IPv6 client's /64 (which
//! one household holds, and can change addresses within at will).

use std::net::{IpAddr, Ipv6Addr};

/// IPv4 addresses count one by one (an IPv4-mapped IPv6 address as the IPv4 one); IPv6
/// clients by their /64.
pub fn network_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
        v4 => v4,
    }
}

/// The network of an address as stored (`client_ip` text); text that is not an address is
/// its own network.
pub fn network_of(client_ip: &str) -> String {
    client_ip
        .parse::<IpAddr>()
        .map(|ip| network_key(ip).to_string())
        .unwrap_or_else(|_| client_ip.to_owned())
}

#[cfg(test)]
mod tests {
    use super::{network_key, network_of};
    use std::net::IpAddr;

    #[test]
    fn ipv4_mapped_clients_count_as_their_ipv4_address() {
        let key = |ip: &str| network_key(ip.parse::<IpAddr>().unwrap()).to_string();
        assert_eq!(key("::ffff:192.0.2.9"), "192.0.2.9");
        assert_ne!(key("::ffff:192.0.2.9"), key("::ffff:192.0.2.10"));
        assert_eq!(key("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::");
    }

    #[test]
    fn stored_addresses_count_by_network() {
        assert_eq!(
            network_of("2001:db8:1:2::5"),
            network_of("2001:db8:1:2:ffff::1")
        );
        assert_ne!(network_of("2001:db8:1:2::5"), network_of("2001:db8:1:3::5"));
        assert_eq!(network_of("203.0.113.7"), "203.0.113.7");
        assert_eq!(network_of("not an address"), "not an address");
    }
}
