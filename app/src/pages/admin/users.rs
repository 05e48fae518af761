//! `/admin/users`: find users, grant and revoke roles. Every change is in the audit log, and
//! the user's sessions take a new id on their next request.

#[cfg(feature = "ssr")]
use crate::auth::{Access, require};
use crate::error::AppError;
use crate::pages::account::DoneNotice;
use crate::web::forms::{FormProblem, feedback};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};
use serialtrace::account::Role;
use serialtrace::admin::UserRow;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct UserList {
    pub users: Vec<UserRow>,
    /// (slug, name) of every manufacturer, for staff grants.
    pub manufacturers: Vec<(String, String)>,
}

/// Users shown per page.
#[cfg(feature = "ssr")]
const PAGE: i64 = 100;

#[server(prefix = "/_fn", endpoint = "admin_users")]
pub async fn list_users(search: Option<String>) -> Result<UserList, AppError> {
    require(Access::Role(Role::Admin))?;
    let services = crate::state::services()?;
    let db = &services.db;
    let (users, manufacturers) = tokio::try_join!(
        serialtrace::service::accounts::list_users(db, search.as_deref(), PAGE),
        serialtrace::service::accounts::manufacturers(db),
    )?;
    Ok(UserList {
        users: users
            .into_iter()
            .map(|r| UserRow {
                user: r.user,
                created_at: r.created_at,
                disabled: r.disabled,
            })
            .collect(),
        manufacturers,
    })
}

#[component]
pub fn AdminUsersPage() -> impl IntoView {
    let query = use_query_map().get_untracked();
    let search = query.get("q").filter(|q| !q.trim().is_empty());
    let data = Resource::new(
        {
            let search = search.clone();
            move || search.clone()
        },
        list_users,
    );
    let action = match &search {
        Some(q) => format!("/admin/users?q={}", crate::web::forms::encode(q)),
        None => "/admin/users".to_owned(),
    };
    view! {
        <Title text="Users and roles" />
        <h1>"Users and roles"</h1>
        <DoneNotice done=query.get("done") />
        <FormProblem />
        <form class="panel inline-search" method="get" action="/admin/users" role="search">
            <label for="q">"E-mail contains"</label>
            <input id="q" name="q" type="search" value=search.clone().unwrap_or_default() />
            <button type="submit">"Find"</button>
        </form>
        <Suspense fallback=|| view! { <p class="loading">"Loading users…"</p> }>
            {move || {
                let action = action.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(found) => view! { <UserTable found action /> }.into_any(),
                        Err(error) => view! { <p class="form-problem" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
    .into_any()
}

#[component]
fn UserTable(found: UserList, action: String) -> impl IntoView {
    let feedback = feedback();
    let manufacturers = found.manufacturers;
    let count = found.users.len();
    view! {
        <p class="count">{format!("{count} user{}", if count == 1 { "" } else { "s" })}</p>
        <table class="data users">
            <thead><tr><th scope="col">"User"</th><th scope="col">"Roles"</th><th scope="col">"Grant a role"</th></tr></thead>
            <tbody>
                {found.users.into_iter().map(|row| {
                    let problem = feedback.error(&format!("user-{}", row.user.id));
                    view! { <UserLine row manufacturers=manufacturers.clone() action=action.clone() problem /> }.into_any()
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// One user's row: roles with their remove buttons, and the grant form. Its own component
/// (and erased to `AnyView`) to keep the page's view type shallow for the release wasm build.
#[component]
fn UserLine(
    row: UserRow,
    manufacturers: Vec<(String, String)>,
    action: String,
    problem: Option<String>,
) -> impl IntoView {
    let id = row.user.id;
    view! {
                        <tr id=format!("user-{id}") data-email=row.user.email.clone()>
                            <td>
                                <strong>{row.user.email.clone()}</strong>
                                <br /><span class="muted">{format!("since {}", row.created_at.get(..10).unwrap_or_default())}</span>
                                {row.disabled.then(|| view! { <br /><span class="badge">"disabled"</span> })}
                            </td>
                            <td>
                                <ul class="roles">
                                    {row.user.grants.iter().map(|g| {
                                        let scope = g.manufacturer.clone().or_else(|| g.agency.clone());
                                        let revocable = g.role != Role::Owner;
                                        view! {
                                            <li>
                                                {g.role.label()}
                                                {scope.map(|s| format!(" ({s})"))}
                                                {revocable.then(|| view! {
                                                    <form method="post" action=action.clone() class="inline-form">
                                                        <input type="hidden" name="action" value="revoke" />
                                                        <input type="hidden" name="user_id" value=id.to_string() />
                                                        <input type="hidden" name="role" value=g.role.as_str() />
                                                        <button type="submit" class="link" aria-label=format!("Remove {} from {}", g.role.label(), row.user.email)>"remove"</button>
                                                    </form>
                                                })}
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            </td>
                            <td>
                                <form method="post" action=action.clone() class="grant-form">
                                    <input type="hidden" name="action" value="grant" />
                                    <input type="hidden" name="user_id" value=id.to_string() />
                                    <span class="grant-field">
                                        <label for=format!("role-{id}")>"Role"</label>
                                        <select id=format!("role-{id}") name="role">
                                            {Role::ALL.iter().filter(|r| **r != Role::Owner).map(|r| view! {
                                                <option value=r.as_str()>{r.label()}</option>
                                            }).collect_view()}
                                        </select>
                                    </span>
                                    <span class="grant-field">
                                        <label for=format!("manufacturer-{id}")>"Manufacturer (staff)"</label>
                                        <select id=format!("manufacturer-{id}") name="manufacturer">
                                            <option value="">"—"</option>
                                            {manufacturers.iter().map(|(slug, name)| view! {
                                                <option value=slug.clone()>{name.clone()}</option>
                                            }).collect_view()}
                                        </select>
                                    </span>
                                    <span class="grant-field">
                                        <label for=format!("agency-{id}")>"Agency (police)"</label>
                                        <input id=format!("agency-{id}") name="agency" type="text" />
                                    </span>
                                    <button type="submit">"Grant"</button>
                                    {problem.map(|p| view! { <p class="form-problem" role="alert">{p}</p> })}
                                </form>
                            </td>
                        </tr>
                    }
                    .into_any()
}

#[cfg(feature = "ssr")]
pub use server::change_role;

#[cfg(feature = "ssr")]
mod server {
    use crate::auth::{Admin, RequireRole};
    use crate::state::{AppState, client_ip};
    use crate::web::forms::PageForm;
    use crate::web::forms::{FormFeedback, done, rerender};
    use axum::extract::State;
    use axum::http::StatusCode;
    use axum::response::Response;
    use serde::Deserialize;
    use serialtrace::account::Role;
    use serialtrace::service::accounts::{self, AccountError, Actor, RoleChange};

    #[derive(Deserialize, Default)]
    #[serde(default)]
    pub struct RoleForm {
        action: String,
        user_id: String,
        role: String,
        manufacturer: String,
        agency: String,
    }

    pub async fn change_role(
        State(state): State<AppState>,
        admin: RequireRole<Admin>,
        PageForm { parts, form }: PageForm<RoleForm>,
    ) -> Response {
        let back = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| "/admin/users".to_owned());
        let mut feedback = FormFeedback::default();
        let Ok(user_id) = form.user_id.trim().parse::<i64>() else {
            feedback.add_error("form", "That user does not exist.");
            return rerender(&state, parts, feedback, StatusCode::BAD_REQUEST).await;
        };
        let field = format!("user-{user_id}");
        let Some(role) = Role::parse(&form.role) else {
            feedback.add_error(&field, format!("'{}' is not a role.", form.role));
            return rerender(&state, parts, feedback, StatusCode::UNPROCESSABLE_ENTITY).await;
        };
        let ip = client_ip(&parts).map(|ip| ip.to_string());
        let actor = Actor {
            user_id: Some(admin.user().id),
            role: "admin",
            client_ip: ip.as_deref(),
        };
        let db = &state.services.db;
        let (outcome, what) = match form.action.as_str() {
            "grant" => (
                accounts::grant_role(
                    db,
                    &RoleChange {
                        user_id,
                        role,
                        manufacturer: Some(form.manufacturer.as_str()),
                        agency: Some(form.agency.as_str()),
                    },
                    actor,
                )
                .await,
                "granted",
            ),
            "revoke" => (
                accounts::revoke_role(db, user_id, role, actor)
                    .await
                    .and_then(|held| held.then_some(()).ok_or(AccountError::RoleNotHeld)),
                "revoked",
            ),
            _ => {
                feedback.add_error(&field, "Choose to grant or to remove a role.");
                return rerender(&state, parts, feedback, StatusCode::UNPROCESSABLE_ENTITY).await;
            }
        };
        match outcome {
            Ok(()) => {
                let sep = if back.contains('?') { '&' } else { '?' };
                done(&format!("{back}{sep}done={what}#user-{user_id}"))
            }
            Err(error) => {
                let status = match &error {
                    AccountError::NoSuchUser => StatusCode::NOT_FOUND,
                    AccountError::Store(_) => {
                        tracing::error!(%error, "changing a role");
                        StatusCode::SERVICE_UNAVAILABLE
                    }
                    _ => StatusCode::UNPROCESSABLE_ENTITY,
                };
                // Next to the user's row, and at the top (the row may not be on this page).
                feedback.add_error(&field, error.to_string());
                feedback.add_error("form", error.to_string());
                rerender(&state, parts, feedback, status).await
            }
        }
    }
}
