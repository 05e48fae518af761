//! One spelling per path. `/lookup/`, `//lookup`, `/lookup//`, `/%6Cookup` and
//! `/x/../lookup` all mean `/lookup`; answered as they came, they would reach the page's
//! router (which takes them) past every rule written for `/lookup`, such as the lookup rate
//! limit (security review, finding 3). So any other spelling is answered with a permanent
//! redirect (308, which keeps the method and body) to the canonical path, before anything
//! else runs: no rule downstream ever sees a second spelling.

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The canonical spelling of `path`, when it is not already canonical: percent-encoded
/// unreserved characters decoded (RFC 3986 §6.2.2.2), `.` and `..` segments resolved, runs of
/// `/` made one, and no trailing `/` (but for `/` itself).
pub fn canonical_path(path: &str) -> Option<String> {
    // Nearly every request is canonical already: tell without allocating.
    let plain =
        !path.contains(['%', '.']) && !path.contains("//") && (path == "/" || !path.ends_with('/'));
    if plain {
        return None;
    }
    let decoded = decode_unreserved(path);
    let mut segments: Vec<&str> = Vec::new();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            other => segments.push(other),
        }
    }
    let canonical = format!("/{}", segments.join("/"));
    (canonical != path).then_some(canonical)
}

/// `%41` → `A` and the like, for letters, digits and `-._~` only: decoding anything else
/// (`%2F`, `%20`) would change what the path means.
fn decode_unreserved(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = String::with_capacity(path.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(byte) = bytes
                .get(i + 1..i + 3)
                .and_then(|hex| std::str::from_utf8(hex).ok())
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                .filter(|b| b.is_ascii_alphanumeric() || b"-._~".contains(b))
        {
            out.push(char::from(byte));
            i += 3;
            continue;
        }
        // Paths are ASCII on the wire (anything else arrives percent-encoded).
        out.push(char::from(bytes[i]));
        i += 1;
    }
    out
}

/// The middleware: 400 for an address holding a NUL character; 308 to the canonical path
/// (the query kept) for any other spelling.
pub async fn redirect_to_canonical(request: Request, next: Next) -> Response {
    if request
        .uri()
        .path_and_query()
        .is_some_and(|p| serialtrace_app::web::forms::holds_nul(p.as_str().as_bytes()))
    {
        let detail = "The address holds a NUL character (%00), which nothing here can take.";
        return if request.uri().path().starts_with("/api/") {
            crate::problem::Problem::bad_request(detail).into_response()
        } else {
            crate::security::plain_page(StatusCode::BAD_REQUEST, "Bad address", detail)
        };
    }
    let Some(canonical) = canonical_path(request.uri().path()) else {
        return next.run(request).await;
    };
    let location = match request.uri().query() {
        Some(query) => format!("{canonical}?{query}"),
        None => canonical,
    };
    match HeaderValue::from_str(&location) {
        Ok(location) => (
            StatusCode::PERMANENT_REDIRECT,
            [(header::LOCATION, location)],
        )
            .into_response(),
        Err(_) => (StatusCode::BAD_REQUEST, "This address cannot be read.").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::canonical_path;

    #[test]
    fn canonical_paths_stay_as_they_are() {
        for path in [
            "/",
            "/lookup",
            "/api/v1/lookup",
            "/01/09506000134352/21/AB%2F12",
            "/01/09506000134352/21/A%20B",
            "/recalls/R-2026-01",
        ] {
            assert_eq!(canonical_path(path), None, "{path}");
        }
    }

    #[test]
    fn other_spellings_have_one_canonical_form() {
        for (path, canonical) in [
            ("/lookup/", "/lookup"),
            ("//lookup", "/lookup"),
            ("/lookup//", "/lookup"),
            ("/api//v1/lookup", "/api/v1/lookup"),
            ("/%6Cookup", "/lookup"),
            ("/%6cookup", "/lookup"),
            ("/x/../lookup", "/lookup"),
            ("/./lookup", "/lookup"),
            ("/../../lookup", "/lookup"),
            ("/01/09506000134352/21/A%2DB/", "/01/09506000134352/21/A-B"),
            ("//", "/"),
        ] {
            assert_eq!(canonical_path(path).as_deref(), Some(canonical), "{path}");
        }
        // A reserved character stays encoded; a broken escape stays as sent.
        assert_eq!(canonical_path("/a%2Fb/").as_deref(), Some("/a%2Fb"));
        assert_eq!(canonical_path("/a%zz/").as_deref(), Some("/a%zz"));
    }
}
