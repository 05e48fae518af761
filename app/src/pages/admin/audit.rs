//! `/admin/audit`: the audit log, newest first, filtered by actor, action, target and dates.

#[cfg(feature = "ssr")]
use crate::auth::{Access, require};
use crate::components::load::Loaded;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
#[cfg(feature = "ssr")]
use serialtrace::account::Role;
use serialtrace::admin::{AuditFilter, AuditRecord};

/// Entries per page.
const PAGE: i64 = 50;

#[server(prefix = "/_fn", endpoint = "audit")]
pub async fn audit_entries(filter: AuditFilter) -> Result<Vec<AuditRecord>, AppError> {
    require(Access::Role(Role::Admin))?;
    let filter = filter
        .normalised()
        .map_err(|(_, message)| AppError::Invalid(message))?;
    let services = crate::state::services()?;
    Ok(serialtrace::service::audit::search(&services.db, &filter, PAGE).await?)
}

/// Checks the whole hash chain: what `serialtrace audit verify` says, as a sentence.
#[server(prefix = "/_fn", endpoint = "audit_verify")]
pub async fn verify_audit_chain() -> Result<Result<u64, String>, AppError> {
    require(Access::Role(Role::Admin))?;
    let services = crate::state::services()?;
    Ok(serialtrace::service::audit::verify(&services.db)
        .await?
        .map_err(|broken| broken.to_string()))
}

#[component]
fn ChainCheck() -> impl IntoView {
    let outcome = Resource::new(|| (), |_| verify_audit_chain());
    view! {
        <Loaded resource=outcome loading="Checking the chain…" show=move |data| match data {
                    Ok(entries) => view! {
                        <p class="notice" role="status" data-chain="intact">
                            {format!("The chain of {entries} entries is intact: nothing was altered, removed or inserted.")}
                        </p>
                    }.into_any(),
                    Err(broken) => view! {
                        <p class="form-problem" role="alert" data-chain="broken">{format!("The chain is broken: {broken}.")}</p>
                    }.into_any(),
                } />
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map().get_untracked();
    let raw = AuditFilter {
        actor: query.get("actor"),
        action: query.get("action"),
        target_type: query.get("target_type"),
        target_id: query.get("target_id"),
        from: query.get("from"),
        to: query.get("to"),
        before_id: query.get("before").and_then(|b| b.parse().ok()),
    };
    let field = |name: &'static str,
                 label: &'static str,
                 value: Option<String>,
                 problem: Option<String>,
                 placeholder: &'static str| {
        let id = format!("audit-{name}");
        let invalid = problem.is_some();
        view! {
            <div class="field" class:invalid=invalid>
                <label for=id.clone()>{label}</label>
                <input id=id.clone() name=name type="text" value=value.unwrap_or_default() placeholder=placeholder
                    aria-invalid=if invalid { "true" } else { "false" }
                    aria-describedby=format!("{id}-problem") />
                <p class="field-problem" id=format!("{id}-problem")>{problem}</p>
            </div>
        }
    };
    let verify = query.get("verify").is_some();
    let checked = raw.clone().normalised();
    let problem = |name: &str| {
        checked
            .as_ref()
            .err()
            .filter(|(f, _)| *f == name)
            .map(|(_, m)| m.clone())
    };
    let form = view! {
        <form class="panel filters" method="get" action="/admin/audit" role="search">
            {field("actor", "Who (e-mail contains)", raw.actor.clone(), None, "")}
            {field("action", "Action (or its start)", raw.action.clone(), None, "user.  auth.sign_in")}
            {field("target_type", "Target type", raw.target_type.clone(), None, "user")}
            {field("target_id", "Target id", raw.target_id.clone(), None, "")}
            {field("from", "From (YYYY-MM-DD)", raw.from.clone(), problem("from"), "2026-11-01")}
            {field("to", "To (YYYY-MM-DD)", raw.to.clone(), problem("to"), "2026-11-30")}
            <button type="submit">"Filter"</button>
        </form>
    };
    let body = match checked {
        Err(_) => {
            crate::web::responses::set_status(400);
            view! { <p class="form-problem" role="alert">"Correct the dates above to see the log."</p> }.into_any()
        }
        Ok(filter) => {
            let entries = Resource::new(move || filter.clone(), audit_entries);
            let query = query.clone();
            view! {
                <Suspense fallback=|| view! { <p class="loading">"Loading the log…"</p> }>
                    {move || {
                        let query = query.clone();
                        Suspend::new(async move {
                            match entries.await {
                                Ok(list) => view! { <AuditTable list query /> }.into_any(),
                                Err(error) => view! { <p class="form-problem" role="alert">{error.to_string()}</p> }.into_any(),
                            }
                        })
                    }}
                </Suspense>
            }
            .into_any()
        }
    };
    view! {
        <Title text="Audit log" />
        <h1>"Audit log"</h1>
        <p class="lede">"Every change by staff, agents, police and administrators, every role change and every sign-in, chained by hash. Nothing here can be edited."</p>
        {verify.then(|| view! { <ChainCheck /> })}
        <form method="get" action="/admin/audit" class="inline-form">
            <input type="hidden" name="verify" value="1" />
            <button type="submit" class="secondary">"Verify the chain"</button>
        </form>
        {form}
        {body}
    }
    .into_any()
}

#[component]
fn AuditTable(list: Vec<AuditRecord>, query: leptos_router::params::ParamsMap) -> impl IntoView {
    let older = (list.len() as i64 == PAGE).then(|| {
        let last = list.last().map(|e| e.id).unwrap_or_default();
        let mut href = String::from("/admin/audit?");
        for key in ["actor", "action", "target_type", "target_id", "from", "to"] {
            if let Some(v) = query.get(key) {
                href.push_str(&format!("{key}={}&", crate::web::forms::encode(&v)));
            }
        }
        href.push_str(&format!("before={last}"));
        view! { <p><a href=href>"Older entries"</a></p> }
    });
    let empty = list.is_empty();
    view! {
        {empty.then(|| view! { <p class="count">"No entries match."</p> })}
        <table class="data audit">
            <thead><tr>
                <th scope="col">"#"</th><th scope="col">"When (UTC)"</th><th scope="col">"Who"</th>
                <th scope="col">"Action"</th><th scope="col">"Target"</th><th scope="col">"Change"</th><th scope="col">"From"</th>
            </tr></thead>
            <tbody>
                {list.into_iter().map(|e| {
                    let who = match (&e.actor_email, &e.actor_role) {
                        (Some(email), Some(role)) => format!("{email} ({role})"),
                        (Some(email), None) => email.clone(),
                        (None, Some(role)) => role.clone(),
                        (None, None) => "—".to_owned(),
                    };
                    let target = match &e.target_id {
                        Some(id) => format!("{} {id}", e.target_type),
                        None => e.target_type.clone(),
                    };
                    view! {
                        <tr data-action=e.action.clone()>
                            <td>{e.id}</td>
                            <td>{e.at.replace('T', " ").trim_end_matches('Z').to_owned()}</td>
                            <td>{who}</td>
                            <td><code>{e.action.clone()}</code></td>
                            <td>{target}</td>
                            <td class="change">
                                {e.before_json.map(|b| view! { <div><span class="muted">"before "</span><code>{b}</code></div> })}
                                {e.after_json.map(|a| view! { <div><span class="muted">"after "</span><code>{a}</code></div> })}
                            </td>
                            <td>{e.client_ip.unwrap_or_default()}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        {older}
    }
}
