//! The one error every workflow service returns. Pages turn it into their error
//! (`serialtrace_app::error::AppError`) and the API into its problem+json (`Problem`), each in
//! one place, so handlers and server functions pass it on with `?`.

use crate::store::StoreError;

/// Why a service did not do what it was asked.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input cannot be used: problems by form field, each in words a person can act on.
    #[error("{}", .0.first().map(|(_, m)| m.as_str()).unwrap_or("The form has problems."))]
    Invalid(Vec<(String, String)>),
    /// There is no such record, or not one the caller may know of.
    #[error("{0}")]
    NotFound(String),
    /// The record is there, and the caller may not do this to it.
    #[error("{0}")]
    Forbidden(String),
    /// The caller has done this as often as one may for now.
    #[error("{0}")]
    Limited(String),
    /// The database could not answer (logged where it is turned into a response).
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A service's answer: `Result<T>` for the workflow error, `Result<T, E>` for any other.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// One field's problem.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid(vec![(field.to_owned(), message.into())])
    }

    /// Problems by field, as the domain's form parsers give them.
    pub fn fields(problems: crate::catalogue::Problems) -> Self {
        Self::Invalid(
            problems
                .into_iter()
                .map(|(field, message)| (field.to_owned(), message))
                .collect(),
        )
    }

    /// Every problem in one sentence, for answers that cannot point at a field.
    pub fn message(&self) -> String {
        match self {
            Self::Invalid(problems) => problems
                .iter()
                .map(|(_, m)| m.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            other => other.to_string(),
        }
    }
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        Self::Store(e.into())
    }
}
