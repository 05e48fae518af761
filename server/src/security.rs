//! Request guards and headers every response gets: cross-site request rejection and the
//! Content-Security-Policy for non-HTML responses (pages set their own, with a nonce).

use crate::problem::Problem;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The policy for responses that are not pages (JSON, files): nothing may run or frame them.
pub const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/// The site's configured public origin (`https://host`), if any.
#[derive(Clone, Debug, Default)]
pub struct SiteOrigin(pub Option<std::sync::Arc<str>>);

/// Rejects state-changing requests a browser sends from another site: `Sec-Fetch-Site` says
/// so directly; otherwise an `Origin` that is not the configured site origin (or, when none
/// is configured, whose host is not the request's). Requests without either (not from a
/// browser) pass; they carry no ambient cookies to abuse.
pub async fn reject_cross_site(
    State(site): State<SiteOrigin>,
    request: Request,
    next: Next,
) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) || same_site(request.headers(), site.0.as_deref())
    {
        next.run(request).await
    } else {
        tracing::warn!(path = %request.uri().path(), "cross-site request rejected");
        Problem::forbidden(
            "Cross-site requests are not accepted: submit the form from serialtrace itself.",
        )
        .into_response()
    }
}

fn same_site(headers: &HeaderMap, site: Option<&str>) -> bool {
    let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
    match header(header::HeaderName::from_static("sec-fetch-site")) {
        Some("same-origin" | "none") => return true,
        Some(_) => return false,
        None => {}
    }
    if let (Some(origin), Some(site)) = (header(header::ORIGIN), site) {
        return origin.trim_end_matches('/').eq_ignore_ascii_case(site);
    }
    match (header(header::ORIGIN), header(header::HOST)) {
        (None, _) => true,
        (Some(origin), Some(host)) => origin
            .split_once("://")
            .map(|(_, authority)| authority.trim_end_matches('/'))
            .is_some_and(|authority| authority.eq_ignore_ascii_case(host)),
        (Some(_), None) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::same_site;
    use axum::http::HeaderMap;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().expect("header value"));
        }
        h
    }

    fn same_site_here(h: &HeaderMap) -> bool {
        same_site(h, None)
    }

    #[test]
    fn configured_origin_is_the_only_one() {
        let site = Some("https://serialtrace.example");
        assert!(same_site(
            &headers(&[("origin", "https://serialtrace.example")]),
            site
        ));
        assert!(!same_site(
            &headers(&[
                ("origin", "http://serialtrace.example"),
                ("host", "serialtrace.example")
            ]),
            site
        ));
        assert!(!same_site(
            &headers(&[("origin", "https://evil.example")]),
            site
        ));
    }

    #[test]
    fn same_site_rules() {
        assert!(same_site_here(&headers(&[])));
        assert!(same_site_here(&headers(&[(
            "sec-fetch-site",
            "same-origin"
        )])));
        assert!(!same_site_here(&headers(&[(
            "sec-fetch-site",
            "cross-site"
        )])));
        assert!(!same_site_here(&headers(&[(
            "sec-fetch-site",
            "same-site"
        )])));
        assert!(same_site_here(&headers(&[
            ("origin", "http://127.0.0.1:3000"),
            ("host", "127.0.0.1:3000")
        ])));
        assert!(!same_site_here(&headers(&[
            ("origin", "https://evil.example"),
            ("host", "127.0.0.1:3000")
        ])));
        assert!(!same_site_here(&headers(&[
            ("origin", "null"),
            ("host", "127.0.0.1:3000")
        ])));
    }
}
