//! The owner's pages (`/my/…`): my products with their live status, registering a unit,
//! one unit's page (transfer code, stolen or lost report, proof of purchase), redeeming a
//! transfer code, recall notices and warranty claims. Every page is for the signed-in user's
//! own units only; the anonymous are sent to sign in and brought back.
//!
//! One file per screen: `products` (my products and one product's page with its transfer,
//! report and dispute panels), `register`, `transfers`, `notices`, `claims`, `disputes`, and
//! `files` (proofs and photos). Multipart reading is the web layer's (`crate::web::uploads`).

pub mod claims;
pub mod disputes;
mod files;
mod notices;
mod products;
mod register;
mod transfers;

pub use notices::{NoticesPage, my_notices};
pub use products::{MyProductPage, MyProductsPage, my_product, my_products};
pub use register::RegisterPage;
pub use transfers::TransfersPage;

#[cfg(feature = "ssr")]
pub use files::attachment;
#[cfg(feature = "ssr")]
pub use notices::read_notice;
#[cfg(feature = "ssr")]
pub use products::change_product;
#[cfg(feature = "ssr")]
pub use register::register_unit;
#[cfg(feature = "ssr")]
pub use transfers::redeem_transfer;

use leptos::prelude::*;

/// Confirmations after an owner's action.
#[component]
pub(crate) fn MyDone(done: Option<String>) -> impl IntoView {
    let message = match done.as_deref() {
        Some("registered") => Some("Registered: the product is yours on serialtrace."),
        Some("transferred") => Some("The product is now registered to you."),
        Some("reported") => {
            Some("Reported. Public lookups of this serial now say it is reported stolen or lost.")
        }
        Some("recovered") => Some("Marked recovered: public lookups no longer flag it."),
        Some("withdrawn") => Some("Report withdrawn: public lookups no longer flag it."),
        Some("cancelled") => Some("The transfer code is cancelled."),
        Some("read") => Some("Marked read."),
        Some("claim") => Some("Your claim has been filed. You will hear by e-mail when it moves."),
        Some("replied") => Some("Your side is sent to the support agent deciding the dispute."),
        _ => None,
    };
    message.map(|m| view! { <p class="notice" role="status">{m}</p> })
}

#[cfg(feature = "ssr")]
pub use server::*;

#[cfg(feature = "ssr")]
mod server {
    use crate::state::AppState;
    use crate::web::responses::answer;
    use axum::http::request::Parts;
    use axum::response::Response;
    use serialtrace::account::SignedInUser;
    use serialtrace::service::Error as ServiceError;
    use std::collections::HashMap;

    /// The largest registration form (a proof of purchase and a few fields).
    pub const MAX_REGISTER_BYTES: usize = 8 * 1024 * 1024;
    /// The largest claim form (three photos and the description).
    pub const MAX_CLAIM_BYTES: usize = 20 * 1024 * 1024;

    /// An owner acting on their own account, for the audit log.
    pub fn owner_caller(user: &SignedInUser, parts: &Parts) -> crate::auth::Caller {
        crate::auth::Caller::new(user, parts, "owner")
    }

    pub(super) fn text(value: &str) -> Option<String> {
        let value: String = value.trim().chars().take(200).collect();
        (!value.is_empty()).then_some(value)
    }

    /// The id of one of the owner's units; otherwise the "not found" answer, given before a
    /// form is judged or an upload read, so that nothing of another owner's unit shows.
    pub async fn owned(
        state: &AppState,
        user: &SignedInUser,
        id: &str,
        parts: &Parts,
    ) -> Result<i64, Response> {
        let problem = match id.parse::<i64>() {
            Ok(unit) => {
                match serialtrace::service::owners::owns(&state.services.db, user.id, unit).await {
                    Ok(true) => return Ok(unit),
                    Ok(false) => ServiceError::NotFound("You have no such product.".into()),
                    Err(error) => ServiceError::Store(error),
                }
            }
            Err(_) => ServiceError::NotFound("You have no such product.".into()),
        };
        let outcome: Result<(), _> = Err(problem);
        let no_fields: HashMap<String, String> = HashMap::new();
        Err(answer(state, parts.clone(), &no_fields, outcome, |_| String::new()).await)
    }
}

/// This group's form posts and files, for the server to mount.
#[cfg(feature = "ssr")]
pub fn routes() -> crate::web::routes::Routes {
    crate::web::routes::Routes::new()
        .post("/my/products/{id}", change_product)
        .post("/my/transfers", redeem_transfer)
        .post("/my/notices", read_notice)
        .get("/files/{id}", attachment)
}

/// This group's uploads, each with the body limit it needs.
#[cfg(feature = "ssr")]
pub fn uploads() -> Vec<(crate::web::routes::Routes, usize)> {
    use crate::web::routes::Routes;
    vec![
        (
            Routes::new()
                .post("/my/register", register_unit)
                .post("/my/disputes/new", disputes::file_dispute)
                .post("/my/products/{id}/dispute", disputes::reply_dispute),
            MAX_REGISTER_BYTES,
        ),
        (
            Routes::new().post("/my/products/{id}/claim", claims::file_claim),
            MAX_CLAIM_BYTES,
        ),
    ]
}
