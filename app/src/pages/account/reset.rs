//! Password reset: `/forgot-password` asks for the address and mails a single-use link
//! valid for an hour; `/reset-password?token=…` sets a new password and ends every session.

use super::DoneNotice;
use crate::error::AppError;
use crate::web::forms::{Check, Field, FormProblem, feedback};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serialtrace::account::{MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let query = use_query_map().get_untracked();
    view! {
        <Title text="Forgot your password?" />
        <section class="panel narrow">
            <h1>"Forgot your password?"</h1>
            <DoneNotice done=query.get("done") />
            <p>"Enter the e-mail address of your account and we will send you a link to choose a new password."</p>
            <form method="post" action="/forgot-password" class="stack-form" novalidate>
                <FormProblem />
                <Field name="email" label="E-mail address" kind="email" autocomplete="username" check=Check::Email />
                <button type="submit">"Send the link"</button>
            </form>
            <p class="aside"><a href="/signin">"Back to sign in"</a></p>
        </section>
    }
}

/// Whether a mailed link (`kind`: "reset" or "verify") can still be used.
#[server(prefix = "/_fn", endpoint = "link")]
pub async fn link_usable(kind: String, token: String) -> Result<bool, AppError> {
    use serialtrace::service::accounts::{self, Link};
    let link = match kind.as_str() {
        "reset" => Link::Reset,
        "verify" => Link::Verify,
        _ => {
            return Err(AppError::Invalid(format!(
                "'{kind}' is not a kind of link."
            )));
        }
    };
    let services = crate::state::services()?;
    accounts::link_usable(&services.db, link, &token)
        .await
        .map_err(|error| {
            tracing::error!(%error, "checking a mailed link");
            AppError::Unavailable
        })
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let hint = format!("{MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters.");
    view! {
        <Title text="Choose a new password" />
        <section class="panel narrow">
            <h1>"Choose a new password"</h1>
            <MailedLink
                kind="reset"
                instead=|| view! { <p><a href="/forgot-password">"Ask for a new link"</a></p> }.into_any()
                form=move |token| {
                    view! {
                        <form method="post" action="/reset-password" class="stack-form" novalidate>
                            <FormProblem />
                            <input type="hidden" name="token" value=token />
                            <Field name="password" label="New password" kind="password" autocomplete="new-password" keep=false
                                hint=hint.clone() check=Check::NewPassword />
                            <Field name="confirm" label="The new password again" kind="password" autocomplete="new-password" keep=false />
                            <button type="submit">"Set the new password"</button>
                        </form>
                    }
                }
            />
        </section>
    }
}

/// The body of a mailed link's page: `form(token)` while the link (`kind`: "reset" or
/// "verify") can be used; otherwise a 400 saying so, and `instead`.
#[component]
pub fn MailedLink<F, V>(kind: &'static str, form: F, instead: fn() -> AnyView) -> impl IntoView
where
    F: Fn(String) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let query = use_query_map().get_untracked();
    let token = feedback()
        .value("token")
        .or_else(|| query.get("token"))
        .unwrap_or_default();
    let usable = Resource::new(
        {
            let token = token.clone();
            move || token.clone()
        },
        move |token| link_usable(kind.to_owned(), token),
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Checking the link…"</p> }>
            {move || {
                let token = token.clone();
                let form = form.clone();
                Suspend::new(async move {
                    match usable.await {
                        Ok(true) => form(token).into_any(),
                        Ok(false) => {
                            crate::web::responses::set_status(400);
                            view! {
                                <p class="form-problem" role="alert">"This link has expired or has already been used."</p>
                                {instead()}
                            }
                            .into_any()
                        }
                        Err(error) => {
                            crate::web::responses::set_status(503);
                            view! { <p class="form-problem" role="alert">{error.to_string()}</p> }.into_any()
                        }
                    }
                })
            }}
        </Suspense>
    }
}

#[cfg(feature = "ssr")]
pub use server::{request_reset, submit_reset};

#[cfg(feature = "ssr")]
mod server {
    use crate::pages::account::{NewPassword, account_error, too_many};
    use crate::state::{AppState, client_ip};
    use crate::web::forms::PageForm;
    use crate::web::forms::{FormFeedback, done, rerender};
    use axum::extract::State;
    use axum::http::StatusCode;
    use axum::response::Response;
    use serde::Deserialize;
    use serialtrace::account::Email;
    use serialtrace::service::accounts;

    #[derive(Deserialize, Default)]
    #[serde(default)]
    pub struct ForgotForm {
        email: String,
    }

    pub async fn request_reset(
        State(state): State<AppState>,
        PageForm { parts, form }: PageForm<ForgotForm>,
    ) -> Response {
        let mut feedback = FormFeedback::default().keep("email", form.email.trim());
        let email = match Email::parse(&form.email) {
            Ok(email) => email,
            Err(error) => {
                feedback.add_error("email", error.to_string());
                return rerender(&state, parts, feedback, StatusCode::UNPROCESSABLE_ENTITY).await;
            }
        };
        let ip = client_ip(&parts);
        if let Err(wait) = state.auth_limits.attempt("reset", ip, Some(email.as_str())) {
            return too_many(&state, parts, feedback, "password reset", wait).await;
        }
        // Answered at once, the work done after: how long the answer takes says nothing
        // about whether the address has an account.
        let db = state.services.db.clone();
        let origin = state.site_origin.clone();
        let ip = ip.map(|ip| ip.to_string());
        tokio::spawn(async move {
            if let Err(error) =
                accounts::request_password_reset(&db, &email, &origin, ip.as_deref()).await
            {
                tracing::error!(%error, "password reset request");
            }
        });
        // The same answer whether or not the address has an account.
        done("/forgot-password?done=sent")
    }

    #[derive(Deserialize, Default)]
    #[serde(default)]
    pub struct ResetForm {
        token: String,
        #[serde(flatten)]
        new: NewPassword,
    }

    pub async fn submit_reset(
        State(state): State<AppState>,
        PageForm { parts, form }: PageForm<ResetForm>,
    ) -> Response {
        let mut feedback = FormFeedback::default().keep("token", &form.token);
        let Some(password) = form.new.check(None, &mut feedback) else {
            return rerender(&state, parts, feedback, StatusCode::UNPROCESSABLE_ENTITY).await;
        };
        let ip = client_ip(&parts);
        if let Err(wait) = state.auth_limits.attempt("reset", ip, None) {
            return too_many(&state, parts, feedback, "password reset", wait).await;
        }
        let ip = ip.map(|ip| ip.to_string());
        match accounts::reset_password(
            &state.services.db,
            &state.services.hasher,
            &form.token,
            &password,
            ip.as_deref(),
        )
        .await
        {
            Ok(_) => done("/signin?done=reset"),
            Err(error) => account_error(&state, parts, feedback, error).await,
        }
    }
}
