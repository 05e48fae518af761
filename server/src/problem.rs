//! RFC 9457 problem details for the JSON API.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub title: &'static str,
    pub status: u16,
    pub detail: String,
}

impl Problem {
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self {
            kind: "https://serialtrace.example/problems/bad-request",
            title: "The request is not a lookup",
            status: 400,
            detail: detail.into(),
        }
    }

    pub fn unavailable() -> Self {
        Self {
            kind: "https://serialtrace.example/problems/unavailable",
            title: "Service unavailable",
            status: 503,
            detail: "serialtrace could not answer just now. Please try again in a moment.".into(),
        }
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self {
            kind: "https://serialtrace.example/problems/forbidden",
            title: "Forbidden",
            status: 403,
            detail: detail.into(),
        }
    }

    pub fn too_many_requests(detail: impl Into<String>) -> Self {
        Self {
            kind: "https://serialtrace.example/problems/too-many-requests",
            title: "Too many requests",
            status: 429,
            detail: detail.into(),
        }
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self {
            kind: "https://serialtrace.example/problems/not-found",
            title: "Not found",
            status: 404,
            detail: detail.into(),
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, axum::Json(&self)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        response
    }
}
