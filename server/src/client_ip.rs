//! The client's address: the socket's peer, or — only when that peer is a trusted proxy —
//! the last address the proxy appended to the configured forwarding header.

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

    fn client(&self, peer: IpAddr, header_value: Option<&str>) -> IpAddr {
        if !self.proxies.contains(&peer) {
            return peer;
        }
        // The proxy appends the address it saw last: anything before it could be forged.
        header_value
            .and_then(|v| v.rsplit(',').next())
            .and_then(|last| last.trim().parse().ok())
            .unwrap_or(peer)
    }
}

pub async fn attribute(
    State(trusted): State<Arc<TrustedProxies>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    mut request: Request,
    next: Next,
) -> Response {
    let header_value = trusted
        .header
        .as_deref()
        .and_then(|name| request.headers().get(name))
        .and_then(|v| v.to_str().ok());
    let ip = trusted.client(peer.ip(), header_value);
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
            trusted.client(proxy, Some("203.0.113.5")).to_string(),
            "203.0.113.5"
        );
        assert_eq!(
            trusted
                .client(proxy, Some("1.1.1.1, 203.0.113.5"))
                .to_string(),
            "203.0.113.5",
            "only the last hop"
        );
        assert_eq!(trusted.client(proxy, Some("garbage")), proxy);
        assert_eq!(trusted.client(proxy, None), proxy);
        assert_eq!(
            trusted.client(stranger, Some("203.0.113.5")),
            stranger,
            "a forged header from a stranger is ignored"
        );
        assert!(TrustedProxies::parse(Some("x-forwarded-for"), "").is_err());
        assert!(TrustedProxies::parse(None, "not-an-ip").is_err());
        assert_eq!(
            TrustedProxies::parse(None, "")
                .expect("valid")
                .client(stranger, Some("1.2.3.4")),
            stranger
        );
    }
}
