//! Per-client rate limits on public lookups (the client is the socket's address, or what a
//! configured trusted proxy says it is: `client_ip`). Over the limit: 429 with Retry-After,
//! as problem+json for the API and as a readable page otherwise.

use crate::client_ip::ClientIp;
use crate::problem::Problem;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serialtrace_app::limits::network_key as client_key;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

/// The limits, from configuration.
#[derive(Clone, Copy, Debug)]
pub struct RateLimits {
    pub enabled: bool,
    pub lookups_per_minute: u32,
    pub lookup_burst: u32,
}

impl RateLimits {
    pub const OFF: Self = Self {
        enabled: false,
        lookups_per_minute: 1,
        lookup_burst: 1,
    };
}

/// The routes that answer a lookup, as the route table names them (a test walks the table
/// and holds this list to it): the page, the API, the page's server function, GS1 Digital
/// Links, photo scans and the partners' stolen checks. Paths reach the limiter in their one
/// canonical spelling (`canonical`).
pub const LOOKUP_ROUTES: [(&str, &str); 6] = [
    ("GET", "/lookup"),
    ("GET", "/api/v1/lookup"),
    ("POST", "/_fn/lookup"),
    ("GET", "/01/{*rest}"),
    ("POST", "/lookup/scan"),
    ("POST", "/api/v1/stolen-checks"),
];

/// Whether `path` is one of [`LOOKUP_ROUTES`].
pub fn is_lookup(path: &str) -> bool {
    LOOKUP_ROUTES
        .iter()
        .any(|(_, route)| match route.strip_suffix("{*rest}") {
            Some(prefix) => path.starts_with(prefix),
            None => path == *route,
        })
}

#[derive(Clone)]
pub struct LookupLimiter(Option<Arc<DefaultKeyedRateLimiter<IpAddr>>>);

impl LookupLimiter {
    pub fn new(limits: RateLimits) -> Self {
        if !limits.enabled {
            return Self(None);
        }
        let per_minute =
            NonZeroU32::new(limits.lookups_per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(limits.lookup_burst.max(1)).unwrap_or(NonZeroU32::MIN);
        let limiter = Arc::new(RateLimiter::keyed(
            Quota::per_minute(per_minute).allow_burst(burst),
        ));
        // Forget clients that have been quiet, so memory follows the active ones.
        let weak = Arc::downgrade(&limiter);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(60)).await;
                let Some(limiter) = weak.upgrade() else { break };
                limiter.retain_recent();
                limiter.shrink_to_fit();
            }
        });
        Self(Some(limiter))
    }
}

pub async fn limit_lookups(
    State(limiter): State<LookupLimiter>,
    request: Request,
    next: Next,
) -> Response {
    // A partner's call carries its key, whose own quotas meter it (and a bad key gets 401).
    let keyed = request.uri().path().starts_with("/api/")
        && request
            .headers()
            .contains_key(axum::http::header::AUTHORIZATION);
    let Some(limiter) = limiter
        .0
        .as_ref()
        .filter(|_| is_lookup(request.uri().path()) && !keyed)
    else {
        return next.run(request).await;
    };
    let client = request
        .extensions()
        .get::<ClientIp>()
        .map(|c| c.0)
        .or_else(|| {
            request
                .extensions()
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip())
        });
    let Some(client) = client else {
        return next.run(request).await;
    };
    let Err(not_until) = limiter.check_key(&client_key(client)) else {
        return next.run(request).await;
    };
    let wait = not_until.wait_time_from(governor::clock::Clock::now(
        &governor::clock::DefaultClock::default(),
    ));
    let seconds = wait.as_secs().max(1);
    let detail =
        format!("Too many lookups from your network. Please wait {seconds} seconds and try again.");
    let mut response = if request.uri().path().starts_with("/api/") {
        Problem::too_many_requests(detail).into_response()
    } else {
        crate::security::plain_page(StatusCode::TOO_MANY_REQUESTS, "Too many lookups", &detail)
    };
    if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_paths_and_client_keys() {
        assert!(is_lookup("/lookup") && is_lookup("/api/v1/lookup") && is_lookup("/01/095/21/X"));
        assert!(!is_lookup("/recalls") && !is_lookup("/healthz") && !is_lookup("/"));
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().expect("ip");
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().expect("ip");
        assert_eq!(client_key(a), client_key(b));
        let v4: IpAddr = "192.0.2.7".parse().expect("ip");
        assert_eq!(client_key(v4), v4);
    }
}
