//! The client's address: the socket's peer, or — only when that peer is a trusted proxy —
//! the last address the proxy appended to the configured forwarding header. Addresses are
//! canonical: an IPv4 client reaching a dual-stack (`[::]`) listener as `::ffff:a.b.c.d` is
//! `a.b.c.d`, for the proxy match, the limits and the lookup log alike.

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

pub use serialtrace_app::state::ClientIp;

/// Which proxies may tell us the client's address, and in which header.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies {
    /// e.g. `x-forwarded-for`; none means the socket's peer is always the client.
    pub header: Option<String>,
    pub proxies: Vec<IpAddr>,
}

impl TrustedProxies {
    /// Parses `--trusted-proxies`: a comma-separated list of addresses.
    pub fn parse(header: Option<&str>, proxies: &str) -> Result<Self, String> {
        let proxies = proxies
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| {
                p.parse::<IpAddr>()
                    .map(|ip| ip.to_canonical())
                    .map_err(|_| format!("'{p}' is not an IP address"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let header = header
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .map(str::to_lowercase);
        if header.is_some() && proxies.is_empty() {
            return Err(
                "a forwarding header needs the proxies it may come from (--trusted-proxies)".into(),
            );
        }
        Ok(Self { header, proxies })
    }

    /// The client, given the socket's peer and the forwarding header's lines in order.
    fn client<'a>(&self, peer: IpAddr, header_lines: impl IntoIterator<Item = &'a str>) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.proxies.contains(&peer) {
            return peer;
        }
        // The proxy appends the address it saw last, to the last line if the header has
        // several: anything before it could be forged.
        header_lines
            .into_iter()
            .last()
            .and_then(|line| line.rsplit(',').next())
            .and_then(forwarded_address)
            .map(|ip| ip.to_canonical())
            .unwrap_or(peer)
    }
}

/// One hop of a forwarding header: `203.0.113.5`, `203.0.113.5:4711`, `2001:db8::1`,
/// `[2001:db8::1]:4711`, or RFC 7239's `for=...` (with `by=`, `proto=` beside it).
fn forwarded_address(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    let value = hop
        .split(';')
        .map(str::trim)
        .find_map(|pair| {
            pair.split_once('=')
                .filter(|(key, _)| key.trim().eq_ignore_ascii_case("for"))
                .map(|(_, value)| value.trim().trim_matches('"'))
        })
        .unwrap_or(hop);
    value
        .parse::<IpAddr>()
        .ok()
        .or_else(|| value.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| {
            value
                .strip_prefix('[')
                .and_then(|v| v.strip_suffix(']'))
                .and_then(|v| v.parse().ok())
        })
}

pub async fn attribute(
    State(trusted): State<Arc<TrustedProxies>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    mut request: Request,
    next: Next,
) -> Response {
    let lines = trusted
        .header
        .as_deref()
        .map(|name| request.headers().get_all(name))
        .into_iter()
        .flatten()
        .filter_map(|v| v.to_str().ok());
    let ip = trusted.client(peer.ip(), lines);
    request.extensions_mut().insert(ClientIp(ip));
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_trusted_proxies_are_believed() {
        let trusted =
            TrustedProxies::parse(Some("X-Forwarded-For"), "10.0.0.1, ::1").expect("valid");
        let proxy: IpAddr = "10.0.0.1".parse().expect("ip");
        let stranger: IpAddr = "192.0.2.9".parse().expect("ip");
        assert_eq!(
            trusted.client(proxy, ["203.0.113.5"]).to_string(),
            "203.0.113.5"
        );
        assert_eq!(
            trusted.client(proxy, ["1.1.1.1, 203.0.113.5"]).to_string(),
            "203.0.113.5",
            "only the last hop"
        );
        assert_eq!(trusted.client(proxy, ["garbage"]), proxy);
        assert_eq!(trusted.client(proxy, []), proxy);
        assert_eq!(
            trusted.client(stranger, ["203.0.113.5"]),
            stranger,
            "a forged header from a stranger is ignored"
        );
        assert!(TrustedProxies::parse(Some("x-forwarded-for"), "").is_err());
        assert!(TrustedProxies::parse(None, "not-an-ip").is_err());
        assert_eq!(
            TrustedProxies::parse(None, "")
                .expect("valid")
                .client(stranger, ["1.2.3.4"]),
            stranger
        );
    }

    #[test]
    fn ipv4_clients_of_a_dual_stack_listener_are_ipv4() {
        let trusted = TrustedProxies::parse(Some("x-forwarded-for"), "10.0.0.1").expect("valid");
        let mapped_client: IpAddr = "::ffff:192.0.2.9".parse().expect("ip");
        assert_eq!(trusted.client(mapped_client, []).to_string(), "192.0.2.9");
        // The proxy, arriving mapped, is still the proxy; what it forwards is canonical too.
        let mapped_proxy: IpAddr = "::ffff:10.0.0.1".parse().expect("ip");
        assert_eq!(
            trusted.client(mapped_proxy, ["203.0.113.5"]).to_string(),
            "203.0.113.5"
        );
        assert_eq!(
            trusted
                .client(mapped_proxy, ["::ffff:203.0.113.6"])
                .to_string(),
            "203.0.113.6"
        );
    }

    #[test]
    fn every_line_of_the_forwarding_header_is_read() {
        let trusted = TrustedProxies::parse(Some("x-forwarded-for"), "10.0.0.1").expect("valid");
        let proxy: IpAddr = "10.0.0.1".parse().expect("ip");
        // A client's forged first line, then the line the proxy added: the proxy's counts.
        assert_eq!(
            trusted
                .client(proxy, ["6.6.6.6", "1.1.1.1, 203.0.113.5"])
                .to_string(),
            "203.0.113.5"
        );
    }

    #[test]
    fn hops_with_ports_and_rfc_7239_syntax() {
        for (hop, ip) in [
            ("203.0.113.5:4711", "203.0.113.5"),
            ("[2001:db8::1]:4711", "2001:db8::1"),
            ("[2001:db8::1]", "2001:db8::1"),
            ("for=192.0.2.60;proto=http;by=203.0.113.43", "192.0.2.60"),
            ("For=\"[2001:db8:cafe::17]:4711\"", "2001:db8:cafe::17"),
        ] {
            assert_eq!(
                forwarded_address(hop).map(|a| a.to_string()),
                Some(ip.to_owned()),
                "{hop}"
            );
        }
        assert_eq!(forwarded_address("for=unknown"), None);
        assert_eq!(forwarded_address(""), None);
    }
}
