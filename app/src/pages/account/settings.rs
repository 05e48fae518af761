//! `/account`: who you are signed in as, your roles, a password change, and sign-out (a
//! POST from a button; it ends every session of the account).

use super::DoneNotice;
use crate::auth::{Access, require};
use crate::components::access::Refused;
use crate::web::forms::{Check, Field, FormProblem};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serialtrace::account::{Grant, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};

fn grant_text(grant: &Grant) -> String {
    match (&grant.manufacturer, &grant.agency) {
        (Some(m), _) => format!("{} for {m}", grant.role.label()),
        (_, Some(a)) => format!("{} ({a})", grant.role.label()),
        _ => grant.role.label().to_owned(),
    }
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let query = use_query_map().get_untracked();
    let user = match require(Access::SignedIn) {
        Ok(user) => user,
        Err(error) => return view! { <Refused error /> }.into_any(),
    };
    let hint = format!("{MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters.");
    view! {
        <Title text="Your account" />
        <h1>"Your account"</h1>
        <DoneNotice done=query.get("done") />
        <section class="panel">
            <h2>"Signed in as " <span class="email">{user.email.clone()}</span></h2>
            <p>"Your roles:"</p>
            <ul class="roles">
                {user.grants.iter().map(|g| view! { <li>{grant_text(g)}</li> }).collect_view()}
            </ul>
            <form method="post" action="/signout" class="inline-form">
                <button type="submit" class="secondary">"Sign out"</button>
            </form>
        </section>
        <section class="panel">
            <h2>"Change your password"</h2>
            <p class="hint">"Changing it signs you out on every other device."</p>
            <form method="post" action="/account/password" class="stack-form" novalidate>
                <FormProblem />
                <Field name="current" label="Current password" kind="password" autocomplete="current-password" keep=false />
                <Field name="password" label="New password" kind="password" autocomplete="new-password" keep=false
                    hint=hint check=Check::NewPassword />
                <Field name="confirm" label="The new password again" kind="password" autocomplete="new-password" keep=false />
                <button type="submit">"Change password"</button>
            </form>
        </section>
    }
    .into_any()
}

#[cfg(feature = "ssr")]
pub use server::{change_password, sign_out};

#[cfg(feature = "ssr")]
mod server {
    use crate::auth::{RequireRole, SignedIn, start_session};
    use crate::pages::account::{NewPassword, account_error, too_many};
    use crate::state::{AppState, client_ip};
    use crate::web::forms::PageForm;
    use crate::web::forms::{FormFeedback, done, rerender};
    use axum::extract::{Request, State};
    use axum::http::StatusCode;
    use axum::response::Response;
    use serde::Deserialize;
    use serialtrace::account::Email;
    use serialtrace::service::accounts;
    use serialtrace::service::sessions;
    use tower_sessions::Session;

    #[derive(Deserialize, Default)]
    #[serde(default)]
    pub struct PasswordForm {
        current: String,
        #[serde(flatten)]
        new: NewPassword,
    }

    pub async fn change_password(
        State(state): State<AppState>,
        signed_in: RequireRole<SignedIn>,
        session: Session,
        PageForm { parts, form }: PageForm<PasswordForm>,
    ) -> Response {
        let user = signed_in.user();
        let mut feedback = FormFeedback::default();
        if form.current.is_empty() {
            feedback.add_error("current", "Enter your current password.");
        }
        let email = Email::parse(&user.email).ok();
        let password = form.new.check(email.as_ref(), &mut feedback);
        let (Some(password), true) = (password, feedback.is_empty()) else {
            return rerender(&state, parts, feedback, StatusCode::UNPROCESSABLE_ENTITY).await;
        };
        let ip = client_ip(&parts);
        if let Err(wait) = state.auth_limits.password_attempt(ip, &user.email) {
            return too_many(&state, parts, feedback, "password", wait).await;
        }
        let ip = ip.map(|ip| ip.to_string());
        let db = &state.services.db;
        if let Err(error) = accounts::change_password(
            db,
            &state.services.hasher,
            user.id,
            &form.current,
            &password,
            ip.as_deref(),
        )
        .await
        {
            if matches!(error, accounts::AccountError::WrongCurrentPassword) {
                if let Err(wait) = state.auth_limits.password_failed(&user.email) {
                    return too_many(&state, parts, feedback, "password", wait).await;
                }
                feedback.add_error("current", error.to_string());
                return rerender(&state, parts, feedback, StatusCode::UNAUTHORIZED).await;
            }
            return account_error(&state, parts, feedback, error).await;
        }
        // Every session of the account ends; this device goes on in a new one.
        if let Err(error) = sessions::delete_for_user(db, user.id, None).await {
            tracing::error!(%error, "ending sessions after a password change");
        }
        let epoch = match serialtrace::service::accounts::user_record(db, user.id).await {
            Ok(Some(record)) => record.auth_epoch,
            _ => 0,
        };
        if let Err(error) = start_session(&session, user.id, epoch).await {
            tracing::error!(%error, "renewing the session after a password change");
        }
        done("/account?done=password")
    }

    /// Signs out: this session and every other session of the account end.
    pub async fn sign_out(
        State(state): State<AppState>,
        session: Session,
        request: Request,
    ) -> Response {
        let db = &state.services.db;
        if let Some(user_id) = crate::auth::session_user_id(&session).await {
            let ip = client_ip(&request.into_parts().0).map(|ip| ip.to_string());
            if let Err(error) = accounts::record_sign_out(db, user_id, ip.as_deref()).await {
                tracing::error!(%error, "recording a sign-out");
            }
            if let Err(error) = sessions::delete_for_user(db, user_id, None).await {
                tracing::error!(%error, "ending sessions at sign-out");
            }
        }
        let _ = session.flush().await;
        done("/signin?done=signed-out")
    }
}
