//! `/signup`: make an account with an e-mail address and a password. Every account is an
//! owner's; other roles are granted by an administrator.

use super::DoneNotice;
use crate::auth::viewer;
use crate::web::forms::{Check, Field, FormProblem, feedback, safe_next};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serialtrace::account::{MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};

#[component]
pub fn SignUpPage() -> impl IntoView {
    let query = use_query_map().get_untracked();
    let next = feedback()
        .value("next")
        .or_else(|| safe_next(query.get("next").as_deref()));
    let hint = format!(
        "{MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters. A few unrelated words make a good one."
    );
    let done = query.get("done");
    view! {
        <Title text="Create an account" />
        <section class="panel narrow">
            <h1>"Create an account"</h1>
            <DoneNotice done=done />
            <p class="lede">"Register the products you own, get recall notices and file warranty claims."</p>
            {viewer().map(|user| view! {
                <p class="notice">"You are signed in as " {user.email} ". " <a href="/account">"Go to your account"</a></p>
            })}
            <form method="post" action="/signup" class="stack-form" novalidate>
                <FormProblem />
                <input type="hidden" name="next" value=next.unwrap_or_default() />
                <Field name="email" label="E-mail address" kind="email" autocomplete="email" check=Check::Email />
                <Field name="password" label="Password" kind="password" autocomplete="new-password" keep=false
                    hint=hint check=Check::NewPassword />
                <Field name="confirm" label="The same password again" kind="password" autocomplete="new-password" keep=false />
                <button type="submit">"Create account"</button>
            </form>
            <p class="aside">"Already have an account? " <a href="/signin">"Sign in"</a></p>
        </section>
    }
}

#[cfg(feature = "ssr")]
pub use server::submit;

#[cfg(feature = "ssr")]
mod server {
    use crate::pages::account::{NewPassword, account_error, too_many};
    use crate::state::{AppState, client_ip};
    use crate::web::forms::PageForm;
    use crate::web::forms::{FormFeedback, done, rerender, safe_next, validation_errors};
    use axum::extract::State;
    use axum::http::StatusCode;
    use axum::response::Response;
    use serde::Deserialize;
    use serialtrace::account::Email;
    use serialtrace::service::accounts;
    use validator::Validate;

    #[derive(Deserialize, Default, Validate)]
    #[serde(default)]
    pub struct SignUpForm {
        #[validate(length(min = 1, message = "Enter your e-mail address."))]
        email: String,
        #[serde(flatten)]
        #[validate(skip)]
        new: NewPassword,
        next: String,
    }

    pub async fn submit(
        State(state): State<AppState>,
        PageForm { parts, form }: PageForm<SignUpForm>,
    ) -> Response {
        let next = safe_next(Some(&form.next));
        let mut feedback = FormFeedback::default()
            .keep("email", form.email.trim())
            .keep("next", next.as_deref().unwrap_or_default());
        if let Err(errors) = form.validate() {
            validation_errors(&errors, &mut feedback);
        }
        let email = Email::parse(&form.email)
            .map_err(|e| feedback.add_error("email", e.to_string()))
            .ok();
        let password = form.new.check(email.as_ref(), &mut feedback);
        let (Some(email), Some(password), true) = (email, password, feedback.is_empty()) else {
            return rerender(&state, parts, feedback, StatusCode::UNPROCESSABLE_ENTITY).await;
        };
        let ip = client_ip(&parts);
        if let Err(wait) = state
            .auth_limits
            .attempt("sign-up", ip, Some(email.as_str()))
        {
            return too_many(&state, parts, feedback, "sign-up", wait).await;
        }
        let ip_text = ip.map(|ip| ip.to_string());
        // The same answer whether or not the address already has an account: the mailbox
        // learns which (a confirmation link, or a note on how to get in).
        match accounts::sign_up(
            &state.services.db,
            &state.services.hasher,
            &email,
            &password,
            &state.site_origin,
            ip_text.as_deref(),
        )
        .await
        {
            Ok(()) => done("/signup?done=check-email"),
            Err(error) => account_error(&state, parts, feedback, error).await,
        }
    }
}
