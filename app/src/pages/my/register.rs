//! Registering a unit (`/my/register`): the serial, purchase date, retailer and an optional
//! proof of purchase; the way to a transfer code or a dispute when someone else has it.

use crate::web::forms::{Field, FormProblem, feedback};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn RegisterPage() -> impl IntoView {
    let query = use_query_map().get_untracked();
    let proof_problem = feedback().error("proof");
    let typed = feedback()
        .value("serial")
        .or_else(|| query.get("serial"))
        .unwrap_or_default();
    view! {
        <Title text="Register a product" />
        <h1>"Register a product"</h1>
        <p>"Registering starts the warranty where the manufacturer's policy says so, and brings you its recall notices."</p>
        <section class="panel">
            <form method="post" action="/my/register" enctype="multipart/form-data" class="stack-form" aria-label="Register a product">
                <FormProblem />
                <Field name="serial" label="Serial number" autocomplete="off" initial=query.get("serial").unwrap_or_default()
                    hint="As printed, the text a scanner reads from the barcode, or the link in the product's QR code." />
                <Field name="gtin" label="Product number (GTIN)" required=false initial=query.get("gtin").unwrap_or_default()
                    hint="Only needed when we ask: the 13 or 14 digits under the barcode." />
                <Field name="purchase_date" label="Date of purchase" kind="date" />
                <Field name="retailer" label="Bought from" hint="A shop, a website, or \"private sale\"." />
                <div class="field" class:invalid=proof_problem.is_some()>
                    <label for="f-proof">"Proof of purchase (optional)"</label>
                    <p class="hint">"A photo or PDF of the receipt, up to 5 MB. Only you, support agents and the manufacturer's staff can open it."</p>
                    <input id="f-proof" name="proof" type="file" accept="image/jpeg,image/png,image/webp,application/pdf" />
                    <p class="field-problem" id="f-proof-problem">{proof_problem.clone()}</p>
                </div>
                <button type="submit">"Register"</button>
            </form>
        </section>
        <p>"Bought it second-hand from someone who registered it? Ask them for a transfer code and "
            <a href="/my/transfers">"redeem it here"</a> "."</p>
        <p>"Registered by someone who has no right to it? "
            <a href=format!("/my/disputes/new?serial={}", crate::web::forms::encode(&typed))>"Dispute the registration"</a>
            " with your proof of purchase."</p>
    }
    .into_any()
}

#[cfg(feature = "ssr")]
pub use server::*;

#[cfg(feature = "ssr")]
mod server {
    use super::super::{owner_caller, text};
    use crate::auth::{RequireRole, SignedIn};
    use crate::state::AppState;
    use crate::web::responses::answer;
    use crate::web::uploads::{read_multipart, upload_problem};
    use axum::extract::State;
    use axum::response::Response;
    use serialtrace::service::owners::{self, Registration};

    pub async fn register_unit(
        State(state): State<AppState>,
        owner: RequireRole<SignedIn>,
        request: axum::extract::Request,
    ) -> Response {
        let user = owner.user().clone();
        let form = read_multipart(&state, request).await;
        if let Some(problem) = form.problem.clone() {
            return upload_problem(&state, form, "proof", problem).await;
        }
        let registration = Registration {
            serial: form.text("serial"),
            gtin: text(&form.text("gtin")),
            purchase_date: form.text("purchase_date"),
            retailer: form.text("retailer"),
            proof: form
                .files
                .iter()
                .find(|(name, _)| name == "proof")
                .map(|(_, u)| u.clone()),
        };
        let caller = owner_caller(&user, &form.parts);
        let services = &state.services;
        let outcome = owners::register(&services.db, user.id, &registration, &caller.actor()).await;
        answer(&state, form.parts.clone(), &form.fields, outcome, |id| {
            format!("/my/products/{id}?done=registered")
        })
        .await
    }
}
