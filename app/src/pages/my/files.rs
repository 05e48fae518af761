//! Proofs of purchase and claim photos (`/files/{id}`), for the few who may open them.

#[cfg(feature = "ssr")]
pub use server::*;

#[cfg(feature = "ssr")]
mod server {
    use crate::auth::{RequireRole, SignedIn};
    use crate::state::AppState;
    use axum::extract::{Path, State};
    use axum::http::{HeaderValue, StatusCode, header};
    use axum::response::{IntoResponse, Response};

    /// A proof of purchase or claim photo: for its owner, support agents, and the staff of
    /// the unit's manufacturer; a dispute's proof, for its claimant and support agents only.
    /// Anyone else gets 404, as if it did not exist.
    pub async fn attachment(
        State(state): State<AppState>,
        viewer: RequireRole<SignedIn>,
        Path(id): Path<String>,
    ) -> Response {
        let user = viewer.user();
        let not_found = || (StatusCode::NOT_FOUND, "There is no such file.").into_response();
        let Ok(id) = id.parse::<i64>() else {
            return not_found();
        };
        let file = match serialtrace::service::owners::file_for(&state.services.db, user, id).await
        {
            Ok(Some(file)) => file,
            Ok(None) => return not_found(),
            Err(error) => {
                tracing::error!(%error, "reading an attachment");
                return (StatusCode::SERVICE_UNAVAILABLE, "Try again in a moment.").into_response();
            }
        };
        let mut response = file.bytes.into_response();
        let headers = response.headers_mut();
        if let Ok(kind) = HeaderValue::from_str(&file.content_type) {
            headers.insert(header::CONTENT_TYPE, kind);
        }
        let name: String = file
            .filename
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
            .collect();
        if let Ok(disposition) = HeaderValue::from_str(&format!("inline; filename=\"{name}\"")) {
            headers.insert(header::CONTENT_DISPOSITION, disposition);
        }
        // A file shown on its own can run nothing and load nothing.
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
            ),
        );
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
        response
    }
}
