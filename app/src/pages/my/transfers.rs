//! Redeeming a transfer code (`/my/transfers`): the unit moves to me.

use crate::web::forms::{Field, FormProblem};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn TransfersPage() -> impl IntoView {
    let code = use_query_map().get_untracked().get("code");
    view! {
        <Title text="Redeem a transfer code" />
        <h1>"Redeem a transfer code"</h1>
        <p>"The previous owner made this code on their product's page. Redeeming it moves the product to your account; each code works once."</p>
        <section class="panel">
            <form method="post" action="/my/transfers" class="stack-form" aria-label="Redeem a transfer code">
                <FormProblem />
                <Field name="code" label="Transfer code" autocomplete="off" initial=code.unwrap_or_default() hint="Like 7K4M-Q2XP-9HDT." />
                <button type="submit">"Redeem"</button>
            </form>
        </section>
    }
    .into_any()
}

#[cfg(feature = "ssr")]
pub use server::*;

#[cfg(feature = "ssr")]
mod server {
    use super::super::owner_caller;
    use crate::auth::{RequireRole, SignedIn};
    use crate::state::AppState;
    use crate::web::forms::PageForm;
    use crate::web::responses::answer;
    use axum::extract::State;
    use axum::response::Response;
    use serde::{Deserialize, Serialize};
    use serialtrace::service::owners;

    #[derive(Deserialize, Serialize, Default)]
    #[serde(default)]
    pub struct RedeemForm {
        code: String,
    }

    pub async fn redeem_transfer(
        State(state): State<AppState>,
        owner: RequireRole<SignedIn>,
        PageForm { parts, form }: PageForm<RedeemForm>,
    ) -> Response {
        let user = owner.user();
        let caller = owner_caller(user, &parts);
        let services = &state.services;
        let outcome =
            owners::redeem_transfer(&services.db, user.id, &form.code, &caller.actor()).await;
        answer(&state, parts, &form, outcome, |unit| {
            format!("/my/products/{unit}?done=transferred")
        })
        .await
    }
}
