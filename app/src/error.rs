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

/// Sets the HTTP status of the page or server function response being made on the server.
#[cfg(feature = "ssr")]
pub fn set_status(status: axum::http::StatusCode) {
    if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(status);
    }
}
