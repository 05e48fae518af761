//! `/signin`: e-mail and password; then back where the person was going.

use super::DoneNotice;
use crate::auth::viewer;
use crate::web::forms::{Check, Field, FormProblem, encode, feedback, safe_next};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SignInPage() -> impl IntoView {
    let query = use_query_map().get_untracked();
    let next = feedback()
        .value("next")
        .or_else(|| safe_next(query.get("next").as_deref()));
    let signup_href = match &next {
        Some(next) => format!("/signup?next={}", encode(next)),
        None => "/signup".to_owned(),
    };
    view! {
        <Title text="Sign in" />
        <section class="panel narrow">
            <h1>"Sign in"</h1>
            <DoneNotice done=query.get("done") />
            {viewer().map(|user| view! {
                <p class="notice">"You are signed in as " {user.email} ". " <a href="/account">"Go to your account"</a></p>
            })}
            <form method="post" action="/signin" class="stack-form" novalidate>
                <FormProblem />
                <input type="hidden" name="next" value=next.unwrap_or_default() />
                <Field name="email" label="E-mail address" kind="email" autocomplete="username" check=Check::Email />
                <Field name="password" label="Password" kind="password" autocomplete="current-password" keep=false />
                <button type="submit">"Sign in"</button>
            </form>
            <p class="aside">
                <a href="/forgot-password">"Forgot your password?"</a>
                " · New here? "
                <a href=signup_href>"Create an account"</a>
            </p>
        </section>
    }
}

#[cfg(feature = "ssr")]
pub use server::submit;

#[cfg(feature = "ssr")]
mod server {
    use crate::auth::start_session;
    use crate::pages::account::{account_error, too_many};
    use crate::state::{AppState, client_ip};
    use crate::web::forms::PageForm;
    use crate::web::forms::{FormFeedback, done, rerender, safe_next};
    use axum::extract::State;
    use axum::http::StatusCode;
    use axum::response::Response;
    use serde::Deserialize;
    use serialtrace::service::accounts;
    use serialtrace::service::accounts::user_record;
    use tower_sessions::Session;

    #[derive(Deserialize, Default)]
    #[serde(default)]
    pub struct SignInForm {
        email: String,
        password: String,
        next: String,
    }

    pub async fn submit(
        State(state): State<AppState>,
        session: Session,
        PageForm { parts, form }: PageForm<SignInForm>,
    ) -> Response {
        let next = safe_next(Some(&form.next));
        let mut feedback = FormFeedback::default()
            .keep("email", form.email.trim())
            .keep("next", next.as_deref().unwrap_or_default());
        if form.email.trim().is_empty() {
            feedback.add_error("email", "Enter your e-mail address.");
        }
        if form.password.is_empty() {
            feedback.add_error("password", "Enter your password.");
        }
        if !feedback.is_empty() {
            return rerender(&state, parts, feedback, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        let ip = client_ip(&parts);
        let limits = &state.auth_limits;
        if let Err(wait) = limits.password_attempt(ip, &form.email) {
            return too_many(&state, parts, feedback, "sign-in", wait).await;
        }
        let db = &state.services.db;
        let ip_text = ip.map(|ip| ip.to_string());
        let user_id = match accounts::sign_in(
            db,
            &state.services.hasher,
            &form.email,
            &form.password,
            ip_text.as_deref(),
        )
        .await
        {
            Ok(user_id) => user_id,
            Err(accounts::AccountError::Unverified { user_id, email }) => {
                // The right password, an address not yet confirmed: a fresh link (at most
                // as often as the account's limit allows).
                if limits.attempt("verify", None, Some(email.as_str())).is_ok()
                    && let Err(error) =
                        accounts::resend_verification(db, user_id, &email, &state.site_origin).await
                {
                    tracing::error!(%error, "resending a confirmation link");
                }
                let error = accounts::AccountError::Unverified { user_id, email };
                return account_error(&state, parts, feedback, error).await;
            }
            Err(error) => {
                if matches!(error, accounts::AccountError::BadCredentials)
                    && let Err(wait) = limits.password_failed(&form.email)
                {
                    return too_many(&state, parts, feedback, "sign-in", wait).await;
                }
                return account_error(&state, parts, feedback, error).await;
            }
        };
        let epoch = match user_record(db, user_id).await {
            Ok(Some(record)) => record.auth_epoch,
            _ => 0,
        };
        if let Err(error) = start_session(&session, user_id, epoch).await {
            tracing::error!(%error, "starting a session");
            let mut feedback = feedback;
            feedback.add_error("form", "Signing in failed just now. Please try again.");
            return rerender(&state, parts, feedback, StatusCode::SERVICE_UNAVAILABLE).await;
        }
        done(next.as_deref().unwrap_or("/account"))
    }
}
