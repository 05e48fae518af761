//! RFC 9457 problem details for the JSON API.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An error as the API answers it (`application/problem+json`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    #[schema(rename = "type")]
    pub kind: &'static str,
    /// The kind of problem, in words.
    pub title: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong with this request, and what to do.
    pub detail: String,
    /// Seconds to wait before trying again (also the Retry-After header).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

impl Problem {
    fn new(
        kind: &'static str,
        title: &'static str,
        status: u16,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            kind,
            title,
            status,
            detail: detail.into(),
            retry_after: None,
        }
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(
            "https://serialtrace.example/problems/bad-request",
            "The request cannot be read",
            400,
            detail,
        )
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(
            "https://serialtrace.example/problems/unauthorized",
            "An API key is needed",
            401,
            detail,
        )
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(
            "https://serialtrace.example/problems/forbidden",
            "Forbidden",
            403,
            detail,
        )
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(
            "https://serialtrace.example/problems/not-found",
            "Not found",
            404,
            detail,
        )
    }

    /// A request that names more than one record (give more to pick one).
    pub fn ambiguous(detail: impl Into<String>) -> Self {
        Self::new(
            "https://serialtrace.example/problems/ambiguous",
            "Several records match",
            409,
            detail,
        )
    }

    pub fn unprocessable(detail: impl Into<String>) -> Self {
        Self::new(
            "https://serialtrace.example/problems/unprocessable",
            "The request cannot be carried out",
            422,
            detail,
        )
    }

    pub fn too_many_requests(detail: impl Into<String>) -> Self {
        Self::new(
            "https://serialtrace.example/problems/too-many-requests",
            "Too many requests",
            429,
            detail,
        )
    }

    pub fn unavailable() -> Self {
        Self::new(
            "https://serialtrace.example/problems/unavailable",
            "Service unavailable",
            503,
            "serialtrace could not answer just now. Please try again in a moment.",
        )
        .retry_after(5)
    }

    /// A fault of ours (a panic caught while answering): nothing the client can fix.
    pub fn internal() -> Self {
        Self::new(
            "https://serialtrace.example/problems/internal",
            "Internal error",
            500,
            "serialtrace failed to answer this request; the fault is logged. Please try again later.",
        )
    }

    /// A 4xx for a body or query that could not be read, with the status axum chose (400,
    /// 413, 415 or 422).
    pub fn with_status(status: u16, detail: impl Into<String>) -> Self {
        match status {
            413 => Self::new(
                "https://serialtrace.example/problems/too-large",
                "The body is too large",
                413,
                detail,
            ),
            415 => Self::new(
                "https://serialtrace.example/problems/unsupported-media-type",
                "The body must be JSON (Content-Type: application/json)",
                415,
                detail,
            ),
            422 => Self::unprocessable(detail),
            _ => Self::bad_request(detail),
        }
    }

    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds.max(1));
        self
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, axum::Json(&self)).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(seconds) = self.retry_after
            && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
        {
            headers.insert(header::RETRY_AFTER, value);
        }
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"serialtrace\""),
            );
        }
        response
    }
}

/// A workflow's refusal as the API answers it; the store's failures are logged here, once.
impl From<serialtrace::service::Error> for Problem {
    fn from(error: serialtrace::service::Error) -> Self {
        use serialtrace::service::Error;
        match error {
            Error::Invalid(_) => Problem::unprocessable(error.message()),
            Error::NotFound(message) => Problem::not_found(message),
            Error::Forbidden(message) => Problem::forbidden(message),
            Error::Limited(message) => Problem::too_many_requests(message),
            Error::Store(error) => error.into(),
        }
    }
}

impl From<serialtrace::store::StoreError> for Problem {
    fn from(error: serialtrace::store::StoreError) -> Self {
        tracing::error!(%error, "the store failed while answering an API request");
        Problem::unavailable()
    }
}

/// A key refused at the door: 401, 403 or 429 with when to try again.
impl From<serialtrace::service::partners::AdmitError> for Problem {
    fn from(error: serialtrace::service::partners::AdmitError) -> Self {
        use serialtrace::service::partners::{AdmitError, Refusal};
        match error {
            AdmitError::Refused(Refusal::Unauthorized(why)) => Problem::unauthorized(why),
            AdmitError::Refused(Refusal::Forbidden(why)) => Problem::forbidden(why),
            AdmitError::Refused(Refusal::OverQuota(why, wait)) => {
                Problem::too_many_requests(why).retry_after(wait)
            }
            AdmitError::Store(error) => error.into(),
        }
    }
}

/// An import the API refuses as a whole: the file's first problem by line and column.
impl From<serialtrace::service::import::ImportError> for Problem {
    fn from(error: serialtrace::service::import::ImportError) -> Self {
        use serialtrace::service::import::ImportError;
        match error {
            ImportError::File(problem) => Problem::bad_request(format!(
                "line {}: {}: {}",
                problem.line, problem.column, problem.reason
            )),
            ImportError::Store(error) => error.into(),
        }
    }
}
