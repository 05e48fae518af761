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
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
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
