//! A service's outcome as a page's answer: 303 to where the person goes next, or the same
//! page again with each problem by its field, what they typed, and the status that says why
//! (422 invalid, 404 not found, 403 refused, 429 limited, 503 when the store failed); and
//! the status of a page rendered on the server.

/// Sets the HTTP status of the page being rendered on the server.
pub fn set_status(code: u16) {
    #[cfg(feature = "ssr")]
    if let Ok(status) = axum::http::StatusCode::from_u16(code) {
        crate::error::set_status(status);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = code;
}

#[cfg(feature = "ssr")]
pub use server::*;

#[cfg(feature = "ssr")]
mod server {
    use crate::state::AppState;
    use crate::web::forms::{FormFeedback, done, field_problems, keep_all, rerender};
    use axum::http::StatusCode;
    use axum::http::request::Parts;
    use axum::response::Response;
    use serde::Serialize;
    use serialtrace::service::Error as ServiceError;

    /// The page again with the problems, or 303 to `to`.
    pub async fn answer<T>(
        state: &AppState,
        parts: Parts,
        form: &impl Serialize,
        outcome: Result<T, ServiceError>,
        to: impl FnOnce(T) -> String,
    ) -> Response {
        let mut feedback = FormFeedback::default();
        let status = match outcome {
            Ok(value) => return done(&to(value)),
            Err(ServiceError::Invalid(problems)) => {
                field_problems(&problems, &mut feedback);
                StatusCode::UNPROCESSABLE_ENTITY
            }
            Err(ServiceError::NotFound(message)) => {
                feedback.add_error("form", message);
                StatusCode::NOT_FOUND
            }
            Err(ServiceError::Forbidden(message)) => {
                feedback.add_error("form", message);
                StatusCode::FORBIDDEN
            }
            Err(ServiceError::Limited(message)) => {
                feedback.add_error("form", message);
                StatusCode::TOO_MANY_REQUESTS
            }
            Err(ServiceError::Store(error)) => {
                tracing::error!(%error, "a change from a page");
                feedback.add_error(
                    "form",
                    "The change could not be saved just now; nothing was changed. Try again in a moment.",
                );
                StatusCode::SERVICE_UNAVAILABLE
            }
        };
        keep_all(form, &mut feedback);
        rerender(state, parts, feedback, status).await
    }
}
