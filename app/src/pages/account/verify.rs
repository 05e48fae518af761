//! `/verify-email?token=…`: the link a new account's confirmation mail carries. The page
//! asks for one click (a POST), so mail scanners that open links do not use it up; the
//! click confirms the address, and nothing more: signing in asks for the password, so a
//! link mailed to someone else's account cannot sign a victim's browser into it.

use super::reset::MailedLink;
use crate::web::forms::FormProblem;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    view! {
        <Title text="Confirm your address" />
        <section class="panel narrow">
            <h1>"Confirm your address"</h1>
            <MailedLink
                kind="verify"
                instead=|| view! {
                    <p>"If your account is not confirmed yet, " <a href="/signin">"sign in"</a> " and we will send you a new link."</p>
                }.into_any()
                form=|token| view! {
                    <form method="post" action="/verify-email" class="stack-form">
                        <FormProblem />
                        <input type="hidden" name="token" value=token />
                        <p>"One step left: confirm that this e-mail address is yours, and your account is ready."</p>
                        <button type="submit">"Confirm my address"</button>
                    </form>
                }
            />
        </section>
    }
}

#[cfg(feature = "ssr")]
pub use server::submit;

#[cfg(feature = "ssr")]
mod server {
    use crate::pages::account::account_error;
    use crate::state::{AppState, client_ip};
    use crate::web::forms::PageForm;
    use crate::web::forms::{FormFeedback, done};
    use axum::extract::State;
    use axum::response::Response;
    use serde::Deserialize;
    use serialtrace::service::accounts;

    #[derive(Deserialize, Default)]
    #[serde(default)]
    pub struct VerifyForm {
        token: String,
    }

    pub async fn submit(
        State(state): State<AppState>,
        PageForm { parts, form }: PageForm<VerifyForm>,
    ) -> Response {
        let feedback = FormFeedback::default().keep("token", &form.token);
        let ip = client_ip(&parts).map(|ip| ip.to_string());
        match accounts::verify_email(&state.services.db, &form.token, ip.as_deref()).await {
            Ok(_) => done("/signin?done=confirmed&next=%2Faccount%3Fdone%3Dwelcome"),
            Err(error) => account_error(&state, parts, feedback, error).await,
        }
    }
}
