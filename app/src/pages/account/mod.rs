//! Accounts: `/signup`, `/signin`, `/account` (password change, sign-out) and the password
//! reset by e-mailed link (`/forgot-password`, `/reset-password`).

pub mod reset;
pub mod settings;
pub mod signin;
pub mod signup;
pub mod verify;

use leptos::prelude::*;

/// A short confirmation after a redirect (`?done=…`), from a fixed list so the query string
/// cannot put arbitrary words on the page.
#[component]
pub fn DoneNotice(done: Option<String>) -> impl IntoView {
    let message = match done.as_deref() {
        Some("signed-out") => Some("You have signed out on every device."),
        Some("reset") => Some("Your password has been changed. Sign in with the new one."),
        Some("password") => {
            Some("Your password has been changed. Other devices have been signed out.")
        }
        Some("confirmed") => {
            Some("Your address is confirmed. Sign in with your password to start.")
        }
        Some("welcome") => Some("Welcome to serialtrace: your account is ready."),
        Some("check-email") => Some(
            "Check your e-mail: we have sent a message to the address you gave. Follow its link within 24 hours to finish.",
        ),
        Some("sent") => Some(
            "If an account exists for that address, we have sent it a link to choose a new password. The link works once, for one hour.",
        ),
        Some("granted") => Some("The role has been granted."),
        Some("revoked") => Some("The role has been removed."),
        Some("product-created") => Some("The product has been added to the catalogue."),
        Some("product-saved") => Some("The product has been saved."),
        Some("retired") => Some("The product is retired: its units stay, no new serials are made."),
        Some("reinstated") => Some("The product is current again."),
        Some("lot-created") => Some("The lot has been added."),
        _ => None,
    };
    message.map(|m| view! { <p class="notice" role="status">{m}</p> })
}

#[cfg(feature = "ssr")]
pub use server::*;

#[cfg(feature = "ssr")]
mod server {
    use crate::state::AppState;
    use crate::web::forms::{FormFeedback, rerender, rerender_retry, validation_errors};

    use axum::http::StatusCode;
    use axum::http::request::Parts;
    use axum::response::Response;
    use serde::Deserialize;

    use serialtrace::account::{Email, Password};
    use serialtrace::service::accounts::AccountError;
    use validator::Validate;

    /// A new password, typed twice.
    #[derive(Deserialize, Default, Validate)]
    #[serde(default)]
    pub struct NewPassword {
        #[validate(length(min = 12, max = 128, message = "A password has 12 to 128 characters."))]
        pub password: String,
        #[validate(must_match(
            other = "password",
            message = "The two passwords are not the same."
        ))]
        pub confirm: String,
    }

    impl NewPassword {
        /// The password if it meets the policy (and is not `email`); else the problems go
        /// into `feedback` next to their fields.
        pub fn check(
            &self,
            email: Option<&Email>,
            feedback: &mut FormFeedback,
        ) -> Option<Password> {
            if let Err(errors) = self.validate() {
                validation_errors(&errors, feedback);
            }
            let password = Password::parse(&self.password, email)
                .map_err(|e| feedback.add_error("password", e.to_string()))
                .ok();
            password.filter(|_| feedback.error("confirm").is_none())
        }
    }

    /// Answers an account error that is not about one field.
    pub async fn account_error(
        state: &AppState,
        parts: Parts,
        mut feedback: FormFeedback,
        error: AccountError,
    ) -> Response {
        let status = match &error {
            AccountError::BadCredentials | AccountError::WrongCurrentPassword => {
                StatusCode::UNAUTHORIZED
            }
            AccountError::Busy => {
                feedback.add_error("form", error.to_string());
                return rerender_retry(state, parts, feedback, StatusCode::SERVICE_UNAVAILABLE, 5)
                    .await;
            }
            AccountError::Store(_) | AccountError::Hashing(_) => {
                tracing::error!(%error, "account service");
                feedback.add_error(
                    "form",
                    "serialtrace could not do that just now. Please try again in a moment.",
                );
                return rerender(state, parts, feedback, StatusCode::SERVICE_UNAVAILABLE).await;
            }
            AccountError::EmailTaken(_) => StatusCode::CONFLICT,
            AccountError::LinkInvalid => StatusCode::BAD_REQUEST,
            AccountError::Unverified { .. } => StatusCode::FORBIDDEN,
            AccountError::NoSuchUser => StatusCode::NOT_FOUND,
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        };
        feedback.add_error("form", error.to_string());
        rerender(state, parts, feedback, status).await
    }

    /// The page again with a "too many attempts" message and Retry-After.
    pub async fn too_many(
        state: &AppState,
        parts: Parts,
        mut feedback: FormFeedback,
        what: &str,
        wait: u64,
    ) -> Response {
        feedback.add_error(
            "form",
            format!("Too many {what} attempts. Please wait {wait} seconds and try again."),
        );
        rerender_retry(state, parts, feedback, StatusCode::TOO_MANY_REQUESTS, wait).await
    }
}

/// This group's form posts, for the server to mount.
#[cfg(feature = "ssr")]
pub fn routes() -> crate::web::routes::Routes {
    crate::web::routes::Routes::new()
        .post("/signin", signin::submit)
        .post("/signup", signup::submit)
        .post("/signout", settings::sign_out)
        .post("/account/password", settings::change_password)
        .post("/forgot-password", reset::request_reset)
        .post("/reset-password", reset::submit_reset)
        .post("/verify-email", verify::submit)
}
