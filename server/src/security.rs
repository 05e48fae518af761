//! Request guards and headers every response gets: cross-site request rejection, the
//! Content-Security-Policy for non-HTML responses (pages set their own, with a nonce), and a
//! panic in one request answered as a 500 instead of ending the process.

use crate::problem::Problem;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use std::net::SocketAddr;
use std::sync::Arc;

/// The policy for responses that are not pages (JSON, files): nothing may run or frame them.
pub const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/// The origins a browser may post to this site from: the configured public origin, or, for a
/// development server on loopback without one, its own address under the names loopback goes
/// by (`127.0.0.1`, `localhost`, `[::1]`, same port). Never the request's own `Host`: a page
/// whose name was re-pointed at this machine (DNS rebinding) would pass that test.
#[derive(Clone, Debug)]
pub struct SiteOrigin(Arc<[String]>);

impl SiteOrigin {
    pub fn configured(origin: &str) -> Self {
        Self(Arc::new([origin
            .trim_end_matches('/')
            .to_ascii_lowercase()]))
    }

    pub fn loopback(addr: SocketAddr) -> Self {
        let port = addr.port();
        Self(
            ["127.0.0.1", "localhost", "[::1]"]
                .iter()
                .map(|host| format!("http://{host}:{port}"))
                .collect(),
        )
    }

    fn accepts(&self, origin: &str) -> bool {
        let origin = origin.trim_end_matches('/');
        self.0.iter().any(|site| site.eq_ignore_ascii_case(origin))
    }
}

/// Rejects state-changing requests a browser sends from another site: an `Origin` that is not
/// the site's, or, without one, a `Sec-Fetch-Site` other than same-origin. Requests with
/// neither (not from a browser) pass; they carry no ambient cookies to abuse.
pub async fn reject_cross_site(
    State(site): State<SiteOrigin>,
    request: Request,
    next: Next,
) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) || same_site(request.headers(), &site)
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

fn same_site(headers: &HeaderMap, site: &SiteOrigin) -> bool {
    let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(origin) = header(header::ORIGIN) {
        return site.accepts(origin);
    }
    !matches!(
        header(header::HeaderName::from_static("sec-fetch-site")),
        Some(fetch_site) if fetch_site != "same-origin" && fetch_site != "none"
    )
}

/// A short page of its own (no app around it) for answers the middleware gives before or
/// instead of the app: a heading, one paragraph of `detail` (text, escaped by the caller), a
/// way back. It loads only this site's stylesheet; nothing runs.
pub fn plain_page(status: StatusCode, title: &str, detail: &str) -> Response {
    let mut response = (
        status,
        Html(format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} · serialtrace</title>\
             <link rel=\"stylesheet\" href=\"/pkg/serialtrace.css\"></head><body><main id=\"main\">\
             <section class=\"result rejected\" role=\"alert\"><h1>{title}</h1><p>{detail}</p>\
             <p><a href=\"/\">Back to the lookup</a></p></section></main></body></html>"
        )),
    )
        .into_response();
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'self'; frame-ancestors 'none'"),
    );
    response
}

/// Answers a request whose handler panicked with a 500 (problem+json for the API, a short
/// page otherwise) and logs it; every other request goes on. The server unwinds on panic
/// (the release profile does not abort), so a panic costs one request, never the process; one
/// raised while a streamed page body is being sent ends that response's connection only.
pub async fn catch_panics(request: Request, next: Next) -> Response {
    use futures_util::FutureExt as _;
    let uri = request.uri().clone(); // shares the bytes: no copy on the way in
    match std::panic::AssertUnwindSafe(next.run(request))
        .catch_unwind()
        .await
    {
        Ok(response) => response,
        Err(panic) => {
            let why = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            tracing::error!(path = %uri.path(), panic = %why, "a request panicked; answered 500");
            if uri.path().starts_with("/api/") {
                Problem::internal().into_response()
            } else {
                plain_page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "serialtrace failed to answer this request; the fault is logged. Nothing you saved is lost. Please try again later.",
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{SiteOrigin, same_site};
    use axum::http::HeaderMap;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().expect("header value"));
        }
        h
    }

    #[test]
    fn configured_origin_is_the_only_one() {
        let site = SiteOrigin::configured("https://serialtrace.example/");
        let accepts = |pairs| same_site(&headers(pairs), &site);
        assert!(accepts(&[("origin", "https://serialtrace.example")]));
        assert!(accepts(&[("origin", "https://SerialTrace.example")]));
        assert!(!accepts(&[
            ("origin", "http://serialtrace.example"),
            ("host", "serialtrace.example")
        ]));
        assert!(!accepts(&[("origin", "https://evil.example")]));
        // A browser that calls a rebound name "same-origin" still names the wrong origin.
        assert!(!accepts(&[
            ("origin", "https://evil.example"),
            ("sec-fetch-site", "same-origin")
        ]));
    }

    #[test]
    fn loopback_names_and_fetch_metadata() {
        let site = SiteOrigin::loopback("127.0.0.1:3000".parse().expect("address"));
        let accepts = |pairs| same_site(&headers(pairs), &site);
        assert!(accepts(&[]));
        assert!(accepts(&[("sec-fetch-site", "same-origin")]));
        assert!(accepts(&[("sec-fetch-site", "none")]));
        assert!(!accepts(&[("sec-fetch-site", "cross-site")]));
        assert!(!accepts(&[("sec-fetch-site", "same-site")]));
        assert!(accepts(&[("origin", "http://127.0.0.1:3000")]));
        assert!(accepts(&[("origin", "http://localhost:3000")]));
        assert!(accepts(&[("origin", "http://[::1]:3000")]));
        assert!(!accepts(&[("origin", "http://127.0.0.1:3001")]));
        // DNS rebinding: the attacker's name, now pointing here, matches its own Host only.
        assert!(!accepts(&[
            ("origin", "http://rebound.example:3000"),
            ("host", "rebound.example:3000")
        ]));
        assert!(!accepts(&[("origin", "null"), ("host", "127.0.0.1:3000")]));
    }

    async fn boom() -> &'static str {
        panic!("boom")
    }

    #[tokio::test]
    async fn a_panicking_request_is_answered_500_and_the_next_one_is_served() {
        use axum::body::Body;
        use axum::extract::Request;
        use axum::response::Response;
        use axum::routing::get;
        use tower::ServiceExt as _;
        let router = axum::Router::new()
            .route("/api/v1/boom", get(boom))
            .route("/boom", get(boom))
            .route("/ok", get(|| async { "fine" }))
            .layer(axum::middleware::from_fn(super::catch_panics));
        let call = |path: &str| {
            let router = router.clone();
            let request = Request::builder().uri(path).body(Body::empty()).unwrap();
            async move { router.oneshot(request).await.unwrap() }
        };
        let body = |response: Response| async move {
            String::from_utf8(
                axum::body::to_bytes(response.into_body(), 1 << 20)
                    .await
                    .unwrap()
                    .to_vec(),
            )
            .unwrap()
        };
        let api = call("/api/v1/boom").await;
        assert_eq!(api.status().as_u16(), 500);
        assert_eq!(api.headers()["content-type"], "application/problem+json");
        assert!(body(api).await.contains("\"status\":500"));
        let page = call("/boom").await;
        assert_eq!(page.status().as_u16(), 500);
        assert!(body(page).await.contains("Something went wrong"));
        let ok = call("/ok").await;
        assert_eq!(ok.status().as_u16(), 200);
        assert_eq!(body(ok).await, "fine");
    }
}
