//! An ownership dispute on the desk (`/desk/disputes/{id}`): both sides, then the decision.

use super::desk_done;
#[cfg(feature = "ssr")]
use crate::auth::{Access, require};
use crate::components::load::Loaded;
use crate::error::AppError;
use crate::web::forms::{Choice, Field, FormProblem};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
#[cfg(feature = "ssr")]
use serialtrace::account::Role;
use serialtrace::owner::DisputeOnDesk;

/// A dispute with both sides and both parties' e-mail addresses.
#[server(prefix = "/_fn", endpoint = "desk_dispute")]
pub async fn desk_dispute(id: i64) -> Result<DisputeOnDesk, AppError> {
    require(Access::Role(Role::Agent))?;
    let services = crate::state::services()?;
    match serialtrace::service::disputes::on_desk(&services.db, id).await? {
        Some(dispute) => Ok(dispute),
        None => {
            crate::error::set_status(axum::http::StatusCode::NOT_FOUND);
            Err(AppError::NotFound(format!("There is no dispute {id}.")))
        }
    }
}

#[component]
pub fn DeskDisputePage() -> impl IntoView {
    let id = match crate::pages::staff::path_id("dispute") {
        Ok(id) => id,
        Err(missing) => return missing,
    };
    let done = desk_done(use_query_map().get_untracked().get("done"));
    let dispute = Resource::new(move || id, desk_dispute);
    view! {
        <Title text="Ownership dispute" />
        <p><a href="/desk">"← Support desk"</a></p>
        {done.map(|m| view! { <p class="notice" role="status">{m}</p> })}
        <FormProblem />
        <Loaded resource=dispute loading="Loading…" heading="Ownership dispute" show=move |dispute| view! { <DeskDisputeView dispute /> }.into_any() />
    }
    .into_any()
}

#[component]
fn DeskDisputeView(dispute: DisputeOnDesk) -> impl IntoView {
    let DisputeOnDesk {
        dispute: d,
        owner_proof_ids,
        claimant,
        owner,
    } = dispute;
    let open = d.is_open();
    let file = |id: Option<i64>, what: &'static str| match id {
        Some(id) => view! { <p><a href=format!("/files/{id}")>{what}</a></p> }.into_any(),
        None => view! { <p class="count">"No proof of purchase given."</p> }.into_any(),
    };
    view! {
        <h1>{format!("Dispute {} · {} {} · {}", d.id, d.manufacturer, d.model, d.serial)}</h1>
        <p class="claim-status" data-status=d.status.clone()>{format!("Status: {}", d.state_words())}</p>
        <p><a href=format!("/desk/units/{}", d.unit_id)>"The unit's record"</a></p>
        <div class="two-sides">
            <section class="panel">
                <h2>"The claimant"</h2>
                <p>{format!("{} · filed {}", claimant.unwrap_or_default(), d.filed_on())}</p>
                <p>{format!("Bought {} from {}", d.purchase_date, d.retailer)}</p>
                <blockquote>{d.statement.clone()}</blockquote>
                {file(d.proof_id, "The claimant's proof of purchase")}
            </section>
            <section class="panel">
                <h2>"The registered owner"</h2>
                <p>{format!("{} · registered {}", owner.unwrap_or_default(), d.registered_on())}</p>
                <p>{format!("Says bought {} from {}", d.registered_purchase_date.clone().unwrap_or_else(|| "(no date)".into()),
                    d.registered_retailer.clone().unwrap_or_else(|| "(not given)".into()))}</p>
                {match d.owner_reply.clone() {
                    Some(reply) => view! { <blockquote>{reply}</blockquote> }.into_any(),
                    None => view! { <p class="count">"The owner has not answered."</p> }.into_any(),
                }}
                {if owner_proof_ids.is_empty() {
                    view! { <p class="count">"No proof of purchase given."</p> }.into_any()
                } else {
                    let n = owner_proof_ids.len();
                    view! { <ul class="files">{owner_proof_ids.iter().enumerate().map(|(i, id)| view! {
                        <li><a href=format!("/files/{id}")>{if n == 1 {
                            "The owner's proof of purchase".to_owned()
                        } else {
                            format!("The owner's proof of purchase, file {} of {n}", i + 1)
                        }}</a></li>
                    }).collect_view()}</ul> }.into_any()
                }}
            </section>
        </div>
        {d.decision_note.clone().map(|n| view! { <p>{format!("Decided {}: {n}", d.decided_on().unwrap_or_default())}</p> })}
        {open.then(|| view! {
            <section class="panel">
                <h2 id="decide">"Decide"</h2>
                <form method="post" action=format!("/desk/disputes/{}", d.id) class="stack-form" aria-labelledby="decide">
                    <Choice name="decision" label="Decision" options=vec![
                        ("reassign", "The claimant bought it: register it to them"),
                        ("end", "Neither is shown: end the registration"),
                        ("reject", "The registration stands"),
                    ] />
                    <Field name="note" label="Reason" hint="Both sides are sent it, and it is kept in the audit log." />
                    <p class="hint">"Upholding the dispute withdraws the stolen or lost reports the registered owner filed on the unit, and any warranty dated from their word alone."</p>
                    <button type="submit">"Decide"</button>
                </form>
            </section>
        })}
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

    #[derive(Deserialize, Serialize, Default)]
    #[serde(default)]
    pub struct DeskDisputeForm {
        decision: String,
        note: String,
    }

    pub async fn decide_dispute(
        State(state): State<AppState>,
        agent: RequireRole<Agent>,
        Path(id): Path<String>,
        PageForm { parts, form }: PageForm<DeskDisputeForm>,
    ) -> Response {
        use serialtrace::service::disputes::{self, Decision};
        let caller = crate::auth::Caller::new(agent.user(), &parts, "agent");
        let outcome = match (id.parse::<i64>(), Decision::parse(form.decision.trim())) {
            (Err(_), _) => Err(ServiceError::NotFound("There is no such dispute.".into())),
            (Ok(_), None) => Err(ServiceError::invalid("decision", "Choose a decision.")),
            (Ok(dispute), Some(decision)) => disputes::decide(
                &state.services.db,
                dispute,
                decision,
                &form.note,
                &caller.actor(),
            )
            .await
            .map(|()| format!("/desk/disputes/{dispute}?done=decided")),
        };
        answer(&state, parts, &form, outcome, |to| to).await
    }
}
