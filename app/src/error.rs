//! The error a server function returns: serialisable, with a message a person can act on.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// The service could not answer right now (the cause is logged on the server).
    #[error("serialtrace could not answer just now. Please try again in a moment.")]
    Unavailable,
    /// The request itself could not be carried out (transport, encoding).
    #[error("The request could not be completed: {0}")]
    Request(String),
    #[error("Please sign in to see this page.")]
    SignInRequired,
    #[error("Your account does not have access to this.")]
    Forbidden,
    #[error("{0}")]
    NotFound(String),
    /// Input that cannot be used, with the reason.
    #[error("{0}")]
    Invalid(String),
}

impl AppError {
    /// The HTTP status this error is answered with.
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::Unavailable => 503,
            AppError::Request(_) | AppError::Invalid(_) => 400,
            AppError::SignInRequired => 401,
            AppError::Forbidden => 403,
            AppError::NotFound(_) => 404,
        }
    }

    #[cfg(feature = "ssr")]
    pub fn status(&self) -> axum::http::StatusCode {
        axum::http::StatusCode::from_u16(self.status_code())
            .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        // Arguments that cannot be read are the caller's mistake: 400, not 500.
        #[cfg(feature = "ssr")]
        if matches!(
            value,
            ServerFnErrorErr::Args(_)
                | ServerFnErrorErr::MissingArg(_)
                | ServerFnErrorErr::Deserialization(_)
        ) {
            set_status(axum::http::StatusCode::BAD_REQUEST);
        }
        AppError::Request(value.to_string())
    }
}

#[cfg(feature = "ssr")]
impl From<serialtrace::store::StoreError> for AppError {
    fn from(error: serialtrace::store::StoreError) -> Self {
        tracing::error!(%error, "store error in a server function");
        AppError::Unavailable
    }
}

/// A workflow's refusal, with the status it is answered with: 400 for input that cannot be
/// used, 404, 403, 429 for a limit reached (said in words, as input is), 503 for the store.
#[cfg(feature = "ssr")]
impl From<serialtrace::service::Error> for AppError {
    fn from(error: serialtrace::service::Error) -> Self {
        use axum::http::StatusCode;
        use serialtrace::service::Error;
        let (status, answer) = match error {
            Error::Invalid(_) => (StatusCode::BAD_REQUEST, AppError::Invalid(error.message())),
            Error::NotFound(message) => (StatusCode::NOT_FOUND, AppError::NotFound(message)),
            Error::Forbidden(_) => (StatusCode::FORBIDDEN, AppError::Forbidden),
            Error::Limited(message) => (StatusCode::TOO_MANY_REQUESTS, AppError::Invalid(message)),
            Error::Store(error) => return error.into(),
        };
        set_status(status);
        answer
    }
}

/// Sets the HTTP status of the page or server function response being made on the server.
#[cfg(feature = "ssr")]
pub fn set_status(status: axum::http::StatusCode) {
    if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(status);
    }
}
