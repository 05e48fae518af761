//! A claim on the desk (`/desk/claims/{id}`): its whole history and the owner's e-mail;
//! moving its status and adding notes (for the owner, or internal).

use super::desk_done;
#[cfg(feature = "ssr")]
use crate::auth::{Access, require};
use crate::components::load::Loaded;
use crate::error::AppError;
use crate::pages::my::claims::{ClaimHistory, status_words};
use crate::web::forms::{Choice, Field, FormProblem, Tick};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
#[cfg(feature = "ssr")]
use serialtrace::account::Role;
use serialtrace::claim::ClaimOnDesk;

/// A claim as the desk shows it: with internal notes and the claimant's e-mail.
#[server(prefix = "/_fn", endpoint = "desk_claim")]
pub async fn desk_claim(id: i64) -> Result<ClaimOnDesk, AppError> {
    require(Access::Role(Role::Agent))?;
    let services = crate::state::services()?;
    match serialtrace::service::claims::desk_claim(&services.db, id).await? {
        Some(claim) => Ok(claim),
        None => {
            crate::error::set_status(axum::http::StatusCode::NOT_FOUND);
            Err(AppError::NotFound(format!("There is no claim {id}.")))
        }
    }
}

#[component]
pub fn DeskClaimPage() -> impl IntoView {
    let id = match crate::pages::staff::path_id("claim") {
        Ok(id) => id,
        Err(missing) => return missing,
    };
    let done = desk_done(use_query_map().get_untracked().get("done"));
    let claim = Resource::new(move || id, desk_claim);
    view! {
        <Title text="Claim" />
        <p><a href="/desk">"← Support desk"</a></p>
        {done.map(|m| view! { <p class="notice" role="status">{m}</p> })}
        <FormProblem />
        <Loaded resource=claim loading="Loading…" heading="Claim" show=move |claim| view! { <DeskClaimView claim /> }.into_any() />
    }
    .into_any()
}

#[component]
fn DeskClaimView(claim: ClaimOnDesk) -> impl IntoView {
    let ClaimOnDesk {
        detail,
        owner_email,
    } = claim;
    let claim = detail.claim.clone();
    let next: Vec<(&'static str, &'static str)> = std::iter::once(("", "no change"))
        .chain(
            serialtrace::claim::next_statuses(&claim.status)
                .iter()
                .map(|s| (*s, serialtrace::claim::status_label(s))),
        )
        .collect();
    let id = claim.id;
    view! {
        <h1>{format!("Claim {} · {} {} · {}", claim.id, claim.manufacturer, claim.model, claim.serial)}</h1>
        <p class="claim-status" data-status=claim.status.clone()>{format!("Status: {}", status_words(&claim.status))}</p>
        <p>{format!("{} · filed {}{}", if claim.in_warranty { "Under warranty" } else { "Paid repair request" }, claim.filed_on(),
            owner_email.map(|e| format!(" · owner {e}")).unwrap_or_default())}</p>
        <p><a href=format!("/desk/units/{}", claim.unit_id)>"The unit's record"</a></p>
        <blockquote>{claim.description.clone()}</blockquote>
        <ClaimHistory claim=detail />
        <section class="panel">
            <h2 id="work">"Work the claim"</h2>
            <form method="post" action=format!("/desk/claims/{id}") class="stack-form" aria-labelledby="work">
                <input type="hidden" name="action" value="update" />
                <Choice name="status" label="New status" options=next />
                <Field name="note" label="Note" required=false hint="The owner sees it unless it is internal." />
                <Tick name="internal" label="Internal note (agents only)" from="update" />
                <button type="submit">"Save"</button>
            </form>
        </section>
    }
    .into_any()
}

#[cfg(feature = "ssr")]
pub use server::*;

#[cfg(feature = "ssr")]
mod server {
    use crate::auth::{Agent, RequireRole};
    use crate::state::AppState;
    use crate::web::forms::PageForm;
    use crate::web::responses::answer;
    use axum::extract::{Path, State};
    use axum::response::Response;
    use serde::{Deserialize, Serialize};
    use serialtrace::service::Error as ServiceError;
    use serialtrace::service::claims::{self, ClaimUpdate};

    #[derive(Deserialize, Serialize, Default)]
    #[serde(default)]
    pub struct DeskClaimForm {
        action: String,
        status: String,
        note: String,
        internal: String,
    }

    pub async fn change_desk_claim(
        State(state): State<AppState>,
        agent: RequireRole<Agent>,
        Path(id): Path<String>,
        PageForm { parts, form }: PageForm<DeskClaimForm>,
    ) -> Response {
        let caller = crate::auth::Caller::new(agent.user(), &parts, "agent");
        let outcome = match id.parse::<i64>() {
            Ok(claim) => {
                let update = ClaimUpdate {
                    status: Some(form.status.trim().to_owned()).filter(|s| !s.is_empty()),
                    note: Some(form.note.trim().chars().take(2000).collect::<String>())
                        .filter(|n| !n.is_empty()),
                    internal: form.internal == "on",
                };
                claims::update_claim(&state.services.db, claim, &update, &caller.actor())
                    .await
                    .map(|()| format!("/desk/claims/{claim}?done=claim"))
            }
            Err(_) => Err(ServiceError::NotFound("There is no such claim.".into())),
        };
        answer(&state, parts, &form, outcome, |to| to).await
    }
}
