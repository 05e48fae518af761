//! `/admin/api-keys`: partner API keys — make one (shown once), see each key's scope and
//! quotas, revoke. Every change is in the audit log.

#[cfg(feature = "ssr")]
use crate::auth::{Access, require};
use crate::components::load::Loaded;
use crate::error::AppError;
use crate::web::forms::{Choice, Field, FormProblem, feedback};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
#[cfg(feature = "ssr")]
use serialtrace::account::Role;
use serialtrace::admin::ApiKey;

#[server(prefix = "/_fn", endpoint = "admin_api_keys")]
pub async fn api_keys() -> Result<Vec<ApiKey>, AppError> {
    require(Access::Role(Role::Admin))?;
    let services = crate::state::services()?;
    Ok(serialtrace::service::partners::keys(&services.db).await?)
}

#[component]
pub fn ApiKeysPage() -> impl IntoView {
    let done = use_query_map().get_untracked().get("done");
    let made = feedback().value("new_key");
    let keys = Resource::new(|| (), |_| api_keys());
    view! {
        <Title text="API keys" />
        <h1>"Partner API keys"</h1>
        <p>"Keys for pawn shops, resellers, repairers and insurers (stolen checks) and for a manufacturer's own systems (staff). See the " <a href="/api/docs">"API reference"</a> "."</p>
        {(done.as_deref() == Some("revoked")).then(|| view! { <p class="notice" role="status">"The key is revoked: its next request gets 401."</p> })}
        {made.map(|key| view! {
            <p class="notice" role="status">"The new key — shown only now, copy it to its user: " <code class="new-key">{key}</code></p>
        })}
        <section class="panel">
            <h2 id="new-key">"Make a key"</h2>
            <form method="post" action="/admin/api-keys" class="stack-form" aria-labelledby="new-key">
                <FormProblem />
                <input type="hidden" name="action" value="create" />
                <Field name="name" label="Who uses it" hint="e.g. Corner Pawn, High St" />
                <Choice name="scope" label="Scope" options=vec![("stolen-check", "stolen checks"), ("staff", "staff (one manufacturer)")] />
                <Field name="manufacturer" label="Manufacturer (staff keys)" required=false hint="Its short name, e.g. hallmark." />
                <Field name="per_minute" label="Requests a minute" kind="number" initial="60".to_owned() />
                <Field name="per_day" label="Requests a day" kind="number" initial="10000".to_owned() />
                <button type="submit">"Make the key"</button>
            </form>
        </section>
        <Loaded resource=keys loading="Loading…" show=move |data| match data {
                    list if list.is_empty() => view! { <p class="count">"No keys yet."</p> }.into_any(),
                    list => view! {
                        <table class="report">
                            <thead><tr><th>"Id"</th><th>"Key"</th><th>"Who"</th><th>"Scope"</th><th>"Quota"</th><th>"Made"</th><th></th></tr></thead>
                            <tbody>{list.into_iter().map(|k| view! {
                                <tr data-key=k.id.to_string()>
                                    <td>{k.id}</td><td><code>{format!("{}…", k.prefix)}</code></td><td>{k.name.clone()}</td>
                                    <td>{format!("{}{}", k.scope, k.manufacturer.as_deref().map(|m| format!(" ({m})")).unwrap_or_default())}</td>
                                    <td>{format!("{}/min, {}/day", k.per_minute, k.per_day)}</td><td>{k.made_on().to_owned()}</td>
                                    <td>{match k.revoked_on() {
                                        Some(on) => view! { {format!("revoked {on}")} }.into_any(),
                                        None => view! {
                                            <form method="post" action="/admin/api-keys" class="inline-form">
                                                <input type="hidden" name="action" value="revoke" />
                                                <input type="hidden" name="key" value=k.id.to_string() />
                                                <button type="submit" class="danger">"Revoke"</button>
                                            </form>
                                        }.into_any(),
                                    }}</td>
                                </tr>
                            }).collect_view()}</tbody>
                        </table>
                    }.into_any(),
                } />
    }
    .into_any()
}

#[cfg(feature = "ssr")]
pub use server::change_api_keys;

#[cfg(feature = "ssr")]
mod server {
    use crate::auth::{Admin, RequireRole};
    use crate::state::AppState;
    use crate::web::forms::PageForm;
    use crate::web::forms::{FormFeedback, keep_all, rerender};
    use axum::extract::State;
    use axum::http::StatusCode;
    use axum::response::{IntoResponse, Redirect, Response};
    use serde::{Deserialize, Serialize};
    use serialtrace::service::accounts::Actor;
    use serialtrace::service::partners::{self, KeyError, KeySpec};

    #[derive(Deserialize, Serialize, Default)]
    #[serde(default)]
    pub struct KeyForm {
        action: String,
        name: String,
        scope: String,
        manufacturer: String,
        per_minute: String,
        per_day: String,
        key: String,
    }

    pub async fn change_api_keys(
        State(state): State<AppState>,
        admin: RequireRole<Admin>,
        PageForm { parts, form }: PageForm<KeyForm>,
    ) -> Response {
        let ip = crate::state::client_ip(&parts).map(|ip| ip.to_string());
        let actor = Actor {
            user_id: Some(admin.user().id),
            role: "admin",
            client_ip: ip.as_deref(),
        };
        let db = &state.services.db;
        let outcome = match form.action.as_str() {
            "create" => {
                let number = |v: &str| v.trim().parse::<i64>().unwrap_or(0);
                let spec = KeySpec {
                    name: form.name.clone(),
                    scope: form.scope.clone(),
                    manufacturer: Some(form.manufacturer.clone()),
                    per_minute: number(&form.per_minute),
                    per_day: number(&form.per_day),
                };
                match partners::create(db, &spec, &actor).await {
                    Ok((key, _)) => {
                        // Shown once, on the page the POST answers (never in a URL).
                        let feedback = FormFeedback::default().keep("new_key", &key);
                        return rerender(&state, parts, feedback, StatusCode::OK).await;
                    }
                    Err(error) => Err(error),
                }
            }
            "revoke" => partners::revoke(db, &form.key, &actor).await.map(|_| ()),
            _ => Err(KeyError::Invalid(
                "That is not something this page can do.".into(),
            )),
        };
        match outcome {
            Ok(()) => Redirect::to("/admin/api-keys?done=revoked").into_response(),
            Err(KeyError::Invalid(why)) => {
                let mut feedback = FormFeedback::default();
                feedback.add_error("form", why);
                keep_all(&form, &mut feedback);
                rerender(&state, parts, feedback, StatusCode::UNPROCESSABLE_ENTITY).await
            }
            Err(KeyError::Store(error)) => {
                tracing::error!(%error, "api keys");
                let mut feedback = FormFeedback::default();
                feedback.add_error(
                    "form",
                    "The change could not be saved just now; try again in a moment.",
                );
                rerender(&state, parts, feedback, StatusCode::SERVICE_UNAVAILABLE).await
            }
        }
    }
}
