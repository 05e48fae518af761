//! The support agents' desk (`/desk/…`): find a unit by serial (exact or look-alike-folded),
//! see its whole record with its claims, repairs and proof of purchase, work claims (status,
//! notes the owner sees or internal ones), log repairs with parts replaced and a repair
//! warranty, extend a warranty with a reason, withdraw a stolen or lost report shown to be
//! false; decide ownership disputes (`/desk/disputes/…`: both sides, then the unit reassigned,
//! the registration ended, or the dispute rejected); and the warranty expiry report (also for
//! staff, for their own manufacturer's units), with its CSV.

use crate::auth::{Access, require, viewer};
use crate::components::access::Refused;
use crate::error::AppError;
use crate::forms::{Choice, Field, FormProblem, Tick, feedback};
use crate::pages::my::claims::{ClaimHistory, ClaimView, status_words};
use crate::pages::my::disputes::{DisputeView, dispute_status};
use crate::pages::staff::units::{HistoryPanel, JourneyList, UnitView};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};
use serialtrace::account::Role;

/// A unit an agent's search found: (id, serial, manufacturer, model, how it matched).
pub type Found = (i64, String, String, String, String);

#[server(prefix = "/_fn", endpoint = "desk_search")]
pub async fn desk_search(serial: String) -> Result<Vec<Found>, AppError> {
    require(Access::Role(Role::Agent))?;
    let services = crate::state::services()?;
    let Ok(serial) = serialtrace::serial::Serial::parse(&serial) else {
        return Ok(Vec::new());
    };
    Ok(serialtrace::store::claims::search_units(
        &services.db,
        serial.normalised(),
        &serial.folded(),
    )
    .await?)
}

#[server(prefix = "/_fn", endpoint = "desk_queue")]
pub async fn desk_queue() -> Result<Vec<ClaimView>, AppError> {
    require(Access::Role(Role::Agent))?;
    let services = crate::state::services()?;
    let mut out = Vec::new();
    for c in
        serialtrace::store::claims::queue(&services.db, &["new", "in_review", "approved"]).await?
    {
        out.push(crate::pages::my::claims::claim_view(&services.db, c, true).await?);
    }
    Ok(out)
}

/// A unit as the desk shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UnitOnDesk {
    pub record: UnitView,
    pub manufacturer_claims: Vec<ClaimView>,
    /// (at, description, parts), newest first.
    pub repairs: Vec<(String, String, Option<String>)>,
    pub proof: Option<(i64, String)>,
    /// Active stolen or lost reports: (id, kind, reported at, reported by).
    pub open_reports: Vec<(i64, String, String, String)>,
}

#[server(prefix = "/_fn", endpoint = "desk_unit")]
pub async fn desk_unit(id: i64) -> Result<UnitOnDesk, AppError> {
    use serialtrace::store::claims;
    require(Access::Role(Role::Agent))?;
    let services = crate::state::services()?;
    let db = &services.db;
    let Some(record) = serialtrace::store::units::unit_record(db, None, id).await? else {
        crate::error::set_status(axum::http::StatusCode::NOT_FOUND);
        return Err(AppError::NotFound(format!("There is no unit {id}.")));
    };
    let mut list = Vec::new();
    for c in claims::claims_of_unit(db, id).await? {
        list.push(crate::pages::my::claims::claim_view(db, c, true).await?);
    }
    Ok(UnitOnDesk {
        record: UnitView::from(record),
        manufacturer_claims: list,
        repairs: claims::repairs(db, id).await?,
        proof: claims::current_proof(db, id).await?,
        open_reports: serialtrace::service::police::active_reports(db, id)
            .await?
            .into_iter()
            .map(|(report, kind, at, by, _)| (report, kind, at, by))
            .collect(),
    })
}

#[server(prefix = "/_fn", endpoint = "desk_disputes")]
pub async fn desk_disputes() -> Result<Vec<DisputeView>, AppError> {
    require(Access::Role(Role::Agent))?;
    let services = crate::state::services()?;
    Ok(serialtrace::store::disputes::open(&services.db, 200)
        .await?
        .into_iter()
        .map(crate::pages::my::disputes::dispute_view)
        .collect())
}

/// A dispute with both sides and both parties' e-mail addresses.
#[server(prefix = "/_fn", endpoint = "desk_dispute")]
pub async fn desk_dispute(id: i64) -> Result<DisputeView, AppError> {
    require(Access::Role(Role::Agent))?;
    let services = crate::state::services()?;
    let db = &services.db;
    let Some(d) = serialtrace::store::disputes::by_id(db, id).await? else {
        crate::error::set_status(axum::http::StatusCode::NOT_FOUND);
        return Err(AppError::NotFound(format!("There is no dispute {id}.")));
    };
    let email = async |user: i64| -> Result<Option<String>, AppError> {
        Ok(serialtrace::store::users::record(db, user)
            .await?
            .map(|r| r.user.email.to_string()))
    };
    let (claimant, owner) = (
        email(d.claimant_user_id).await?,
        email(d.owner_user_id).await?,
    );
    Ok(DisputeView {
        claimant,
        owner,
        ..crate::pages::my::disputes::dispute_view(d)
    })
}

/// A claim as the desk shows it: with internal notes and the claimant's e-mail.
#[server(prefix = "/_fn", endpoint = "desk_claim")]
pub async fn desk_claim(id: i64) -> Result<(ClaimView, Option<String>), AppError> {
    require(Access::Role(Role::Agent))?;
    let services = crate::state::services()?;
    let db = &services.db;
    let Some(c) = serialtrace::store::claims::claim_by_id(db, id).await? else {
        crate::error::set_status(axum::http::StatusCode::NOT_FOUND);
        return Err(AppError::NotFound(format!("There is no claim {id}.")));
    };
    let email = match c.owner_user_id {
        Some(owner) => serialtrace::store::users::record(db, owner)
            .await?
            .map(|r| r.user.email.to_string()),
        None => None,
    };
    Ok((
        crate::pages::my::claims::claim_view(db, c, true).await?,
        email,
    ))
}

#[component]
pub fn DeskPage() -> impl IntoView {
    if let Err(error) = require(Access::Role(Role::Agent)) {
        return view! { <Refused error /> }.into_any();
    }
    let serial = use_query_map()
        .get_untracked()
        .get("serial")
        .filter(|s| !s.trim().is_empty());
    let found = Resource::new(
        {
            let serial = serial.clone();
            move || serial.clone()
        },
        |serial| async move {
            match serial {
                Some(serial) => desk_search(serial).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let queue = Resource::new(|| (), |_| desk_queue());
    let disputes = Resource::new(|| (), |_| desk_disputes());
    view! {
        <Title text="Support desk" />
        <h1>"Support desk"</h1>
        <p><a href="/desk/expiring">"Warranty expiry report"</a></p>
        <form class="panel inline-search" method="get" action="/desk" role="search">
            <label for="desk-serial">"Serial"</label>
            <input id="desk-serial" name="serial" type="search" value=serial.unwrap_or_default() />
            <button type="submit">"Find"</button>
        </form>
        <Suspense fallback=|| view! { <p class="loading">"Looking…"</p> }>
            {move || Suspend::new(async move {
                match found.await {
                    Ok(None) => ().into_any(),
                    Ok(Some(list)) if list.is_empty() => view! { <p class="count">"No unit has that serial, or one that reads like it."</p> }.into_any(),
                    Ok(Some(list)) => view! {
                        <ul class="found">{list.into_iter().map(|(id, serial, manufacturer, model, how)| view! {
                            <li><a href=format!("/desk/units/{id}")>{format!("{serial} · {manufacturer} {model}")}</a>
                                <span class="match-kind">{format!(" ({how})")}</span></li>
                        }).collect_view()}</ul>
                    }.into_any(),
                    Err(error) => view! { <p class="form-problem" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
        <h2>"Open claims"</h2>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match queue.await {
                    Ok(list) if list.is_empty() => view! { <p class="count">"No open claims."</p> }.into_any(),
                    Ok(list) => view! { <ClaimList list /> }.into_any(),
                    Err(error) => view! { <p class="form-problem" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
        <h2>"Ownership disputes"</h2>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match disputes.await {
                    Ok(list) if list.is_empty() => view! { <p class="count">"No open disputes."</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="claims">{list.into_iter().map(|d| view! {
                            <li class="panel" data-status=d.status.clone()>
                                <a href=format!("/desk/disputes/{}", d.id)>{format!("Dispute {} · {} {} · {}", d.id, d.manufacturer, d.model, d.serial)}</a>
                                <p>{format!("filed {} · {}", d.filed_on,
                                    if d.owner_reply.is_some() { "the owner has answered" } else { "no answer from the owner yet" })}</p>
                            </li>
                        }).collect_view()}</ul>
                    }.into_any(),
                    Err(error) => view! { <p class="form-problem" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
pub fn DeskDisputePage() -> impl IntoView {
    if let Err(error) = require(Access::Role(Role::Agent)) {
        return view! { <Refused error /> }.into_any();
    }
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
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match dispute.await {
                    Ok(dispute) => view! { <DeskDisputeView dispute /> }.into_any(),
                    Err(error) => view! { <h1>"Ownership dispute"</h1><p class="form-problem" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn DeskDisputeView(dispute: DisputeView) -> impl IntoView {
    let d = dispute;
    let open = d.status == "open";
    let file = |id: Option<i64>, what: &'static str| match id {
        Some(id) => view! { <p><a href=format!("/files/{id}")>{what}</a></p> }.into_any(),
        None => view! { <p class="count">"No proof of purchase given."</p> }.into_any(),
    };
    view! {
        <h1>{format!("Dispute {} · {} {} · {}", d.id, d.manufacturer, d.model, d.serial)}</h1>
        <p class="claim-status" data-status=d.status.clone()>{format!("Status: {}", dispute_status(&d))}</p>
        <p><a href=format!("/desk/units/{}", d.unit_id)>"The unit's record"</a></p>
        <div class="two-sides">
            <section class="panel">
                <h2>"The claimant"</h2>
                <p>{format!("{} · filed {}", d.claimant.clone().unwrap_or_default(), d.filed_on)}</p>
                <p>{format!("Bought {} from {}", d.purchase_date, d.retailer)}</p>
                <blockquote>{d.statement.clone()}</blockquote>
                {file(d.proof_id, "The claimant's proof of purchase")}
            </section>
            <section class="panel">
                <h2>"The registered owner"</h2>
                <p>{format!("{} · registered {}", d.owner.clone().unwrap_or_default(), d.registered_on)}</p>
                <p>{format!("Says bought {} from {}", d.registered_purchase_date.clone().unwrap_or_else(|| "(no date)".into()),
                    d.registered_retailer.clone().unwrap_or_else(|| "(not given)".into()))}</p>
                {match d.owner_reply.clone() {
                    Some(reply) => view! { <blockquote>{reply}</blockquote> }.into_any(),
                    None => view! { <p class="count">"The owner has not answered."</p> }.into_any(),
                }}
                {file(d.owner_proof_id, "The owner's proof of purchase")}
            </section>
        </div>
        {d.decision_note.clone().map(|n| view! { <p>{format!("Decided {}: {n}", d.decided_on.clone().unwrap_or_default())}</p> })}
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

#[component]
fn ClaimList(list: Vec<ClaimView>) -> impl IntoView {
    view! {
        <ul class="claims">{list.into_iter().map(|c| view! {
            <li class="panel" data-status=c.status.clone()>
                <a href=format!("/desk/claims/{}", c.id)>{format!("Claim {} · {} {} · {}", c.id, c.manufacturer, c.model, c.serial)}</a>
                <p>{format!("{} · filed {} · last change {} · {}", status_words(&c.status), c.created_at, c.updated_at,
                    if c.in_warranty { "in warranty" } else { "paid repair" })}</p>
            </li>
        }).collect_view()}</ul>
    }
    .into_any()
}

/// Confirmations after an agent's action.
fn desk_done(done: Option<String>) -> Option<&'static str> {
    match done.as_deref() {
        Some("repair") => Some("The repair is logged."),
        Some("extended") => Some("The warranty is extended."),
        Some("claim") => Some("The claim is updated; the owner has been told."),
        Some("withdrawn") => Some(
            "The report is withdrawn: public lookups no longer flag the unit. Its owner has been told.",
        ),
        Some("decided") => Some("The dispute is decided; both sides have been told."),
        _ => None,
    }
}

#[component]
pub fn DeskUnitPage() -> impl IntoView {
    if let Err(error) = require(Access::Role(Role::Agent)) {
        return view! { <Refused error /> }.into_any();
    }
    let id = match crate::pages::staff::path_id("unit") {
        Ok(id) => id,
        Err(missing) => return missing,
    };
    let done = desk_done(use_query_map().get_untracked().get("done"));
    let unit = Resource::new(move || id, desk_unit);
    view! {
        <Title text="Unit" />
        <p><a href="/desk">"← Support desk"</a></p>
        {done.map(|m| view! { <p class="notice" role="status">{m}</p> })}
        <FormProblem />
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match unit.await {
                    Ok(unit) => view! { <DeskUnitView unit /> }.into_any(),
                    Err(error) => view! { <h1>"Unit"</h1><p class="form-problem" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn DeskUnitView(unit: UnitOnDesk) -> impl IntoView {
    let record = unit.record;
    let action = format!("/desk/units/{}", record.id);
    let approved: Vec<(String, String)> = std::iter::once((String::new(), "none".to_owned()))
        .chain(
            unit.manufacturer_claims
                .iter()
                .filter(|c| c.status == "approved")
                .map(|c| (c.id.to_string(), format!("claim {}", c.id))),
        )
        .collect();
    view! {
        <h1>{format!("{} · {}", record.serial, record.model)}</h1>
        <p class="meta">{format!("{} · status {}{}", record.product_name, record.status.replace('_', " "),
            record.manufactured_on.clone().map(|d| format!(" · made {d}")).unwrap_or_default())}</p>
        {unit.proof.map(|(id, name)| view! { <p><a href=format!("/files/{id}")>{format!("Proof of purchase ({name})")}</a></p> })}
        <section class="panel">
            <h2>"Claims"</h2>
            {if unit.manufacturer_claims.is_empty() {
                view! { <p class="count">"No claims on this unit."</p> }.into_any()
            } else {
                view! { <ClaimList list=unit.manufacturer_claims /> }.into_any()
            }}
            <h2>"Repairs"</h2>
            {if unit.repairs.is_empty() {
                view! { <p class="count">"No repairs."</p> }.into_any()
            } else {
                view! { <ul class="repairs">{unit.repairs.into_iter().map(|(at, what, parts)| view! {
                    <li>{format!("{} · {what}{}", at.get(..10).unwrap_or_default(), parts.map(|p| format!(" · parts: {p}")).unwrap_or_default())}</li>
                }).collect_view()}</ul> }.into_any()
            }}
        </section>
        <section class="panel">
            <h2>"Journey"</h2>
            <JourneyList journey=record.journey.clone() />
            <h3>"Contains"</h3>
            <ul>{record.contains.clone().into_iter().map(|(what, name, model)| view! { <li>{format!("{what} {name} · {model}")}</li> }).collect_view()}</ul>
        </section>
        {(!unit.open_reports.is_empty()).then(|| view! {
            <section class="panel">
                <h2 id="reports">"Stolen or lost reports"</h2>
                {unit.open_reports.into_iter().map(|(id, kind, at, by)| {
                    let heading = format!("report-{id}");
                    view! {
                        <form method="post" action=action.clone() class="stack-form" aria-labelledby=heading.clone()>
                            <h3 id=heading.clone()>{format!("Reported {kind} on {} by {by}", at.get(..10).unwrap_or_default())}</h3>
                            <input type="hidden" name="action" value="withdraw_report" />
                            <input type="hidden" name="report" value=id.to_string() />
                            <Field name="withdraw_reason" label="Why the report is false" hint="The owner is sent it; it is kept with the report and in the audit log." />
                            <button type="submit">"Withdraw the report"</button>
                        </form>
                    }
                }).collect_view()}
            </section>
        })}
        <HistoryPanel unit=record.clone() />
        <RepairForm action=action.clone() approved />
        <section class="panel">
            <h2 id="extend">"Extend the warranty"</h2>
            <form method="post" action=action class="stack-form" aria-labelledby="extend">
                <input type="hidden" name="action" value="extend" />
                <Field name="extend_months" label="By how many months" kind="number" />
                <Field name="extend_reason" label="Reason" hint="Kept in the audit log, e.g. goodwill after a repeated fault." />
                <button type="submit">"Extend"</button>
            </form>
        </section>
    }
    .into_any()
}

#[component]
fn RepairForm(action: String, approved: Vec<(String, String)>) -> impl IntoView {
    let fb = feedback();
    let parts = fb.value("repair_parts").unwrap_or_default();
    let parts_problem = fb.error("repair_parts");
    let claim_problem = fb.error("repair_claim");
    let chosen = fb.value("repair_claim").unwrap_or_default();
    view! {
        <section class="panel">
            <h2 id="repair">"Log a repair"</h2>
            <form method="post" action=action class="stack-form" aria-labelledby="repair">
                <input type="hidden" name="action" value="repair" />
                <div class="field" class:invalid=claim_problem.is_some()>
                    <label for="f-repair_claim">"For the approved claim"</label>
                    <select id="f-repair_claim" name="repair_claim">
                        {approved.into_iter().map(|(value, text)| {
                            let selected = value == chosen;
                            view! { <option value=value selected=selected>{text}</option> }
                        }).collect_view()}
                    </select>
                    <p class="field-problem">{claim_problem.clone()}</p>
                </div>
                <Field name="repair_description" label="What was done" />
                <div class="field" class:invalid=parts_problem.is_some()>
                    <label for="f-repair_parts">"Parts replaced (optional)"</label>
                    <p class="hint">"One per line: old part's serial -> new part's serial. The genealogy follows."</p>
                    <textarea id="f-repair_parts" name="repair_parts" rows="3">{parts}</textarea>
                    <p class="field-problem">{parts_problem.clone()}</p>
                </div>
                <Field name="repair_warranty_months" label="Repair warranty in months (optional)" kind="number" required=false />
                <button type="submit">"Log the repair"</button>
            </form>
        </section>
    }
    .into_any()
}

#[component]
pub fn DeskClaimPage() -> impl IntoView {
    if let Err(error) = require(Access::Role(Role::Agent)) {
        return view! { <Refused error /> }.into_any();
    }
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
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match claim.await {
                    Ok((claim, email)) => view! { <DeskClaimView claim email /> }.into_any(),
                    Err(error) => view! { <h1>"Claim"</h1><p class="form-problem" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn DeskClaimView(claim: ClaimView, email: Option<String>) -> impl IntoView {
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
        <p>{format!("{} · filed {}{}", if claim.in_warranty { "Under warranty" } else { "Paid repair request" }, claim.created_at,
            email.map(|e| format!(" · owner {e}")).unwrap_or_default())}</p>
        <p><a href=format!("/desk/units/{}", claim.unit_id)>"The unit's record"</a></p>
        <blockquote>{claim.description.clone()}</blockquote>
        <ClaimHistory claim=claim.clone() />
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

/// Who may read the expiry report: agents (every unit) and staff (their manufacturer's).
fn expiry_scope() -> Result<Option<i64>, AppError> {
    let user = require(Access::SignedIn)?;
    if user.has(Role::Agent) {
        Ok(None)
    } else if let Some(m) = user.staff_manufacturer() {
        Ok(Some(m))
    } else {
        #[cfg(feature = "ssr")]
        crate::error::set_status(axum::http::StatusCode::FORBIDDEN);
        Err(AppError::Forbidden)
    }
}

/// A line of the expiry report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExpiryView {
    pub unit_id: i64,
    pub serial: String,
    pub manufacturer: String,
    pub model: String,
    pub ends_on: String,
    pub registered: bool,
}

/// The report's windows, in days.
pub const EXPIRY_WINDOWS: [u32; 3] = [30, 60, 90];

#[server(prefix = "/_fn", endpoint = "expiring")]
pub async fn expiring(days: u32) -> Result<(Vec<ExpiryView>, bool), AppError> {
    let scope = expiry_scope()?;
    let days = if EXPIRY_WINDOWS.contains(&days) {
        days
    } else {
        30
    };
    let services = crate::state::services()?;
    let today = serialtrace::store::today();
    let to = today + time::Duration::days(i64::from(days));
    let lines = serialtrace::store::claims::expiring(
        &services.db,
        &today.to_string(),
        &to.to_string(),
        scope,
        501,
    )
    .await?;
    let more = lines.len() > 500;
    let lines = lines
        .into_iter()
        .take(500)
        .map(|l| ExpiryView {
            unit_id: l.unit_id,
            serial: l.serial,
            manufacturer: l.manufacturer,
            model: l.model,
            ends_on: l.ends_on,
            registered: l.registered,
        })
        .collect();
    Ok((lines, more))
}

#[component]
pub fn ExpiringPage() -> impl IntoView {
    if let Err(error) = expiry_scope() {
        return view! { <Refused error /> }.into_any();
    }
    let days: u32 = use_query_map()
        .get_untracked()
        .get("days")
        .and_then(|d| d.parse().ok())
        .filter(|d| EXPIRY_WINDOWS.contains(d))
        .unwrap_or(30);
    let agent = viewer().is_some_and(|u| u.has(Role::Agent));
    let report = Resource::new(move || days, expiring);
    view! {
        <Title text="Warranty expiry" />
        <h1>{format!("Warranties ending in the next {days} days")}</h1>
        {agent.then(|| view! { <p><a href="/desk">"← Support desk"</a></p> })}
        <p class="actions">
            {EXPIRY_WINDOWS.iter().map(|d| view! { <a href=format!("/desk/expiring?days={d}") aria-current=(*d == days).then_some("page")>{format!("{d} days")}</a>" " }).collect_view()}
            " · " <a href=format!("/desk/expiring.csv?days={days}")>"Download CSV"</a>
        </p>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match report.await {
                    Ok((lines, _)) if lines.is_empty() => view! { <p class="count">"No warranty ends in this window."</p> }.into_any(),
                    Ok((lines, more)) => view! {
                        <p class="count">{format!("{}{} units", lines.len(), if more { "+" } else { "" })}</p>
                        <table class="report">
                            <thead><tr><th>"Ends"</th><th>"Serial"</th><th>"Manufacturer"</th><th>"Model"</th><th>"Registered"</th></tr></thead>
                            <tbody>{lines.into_iter().map(|l| view! {
                                <tr><td>{l.ends_on}</td><td>{if agent {
                                    view! { <a href=format!("/desk/units/{}", l.unit_id)>{l.serial.clone()}</a> }.into_any()
                                } else {
                                    view! { <a href=format!("/staff/units/{}", l.unit_id)>{l.serial.clone()}</a> }.into_any()
                                }}</td><td>{l.manufacturer}</td><td>{l.model}</td><td>{if l.registered { "yes" } else { "no" }}</td></tr>
                            }).collect_view()}</tbody>
                        </table>
                    }.into_any(),
                    Err(error) => view! { <p class="form-problem" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[cfg(feature = "ssr")]
pub use server::*;

#[cfg(feature = "ssr")]
mod server {
    use super::EXPIRY_WINDOWS;
    use crate::auth::{Agent, RequireRole, SignedIn};
    use crate::pages::account::PageForm;
    use crate::pages::staff::catalogue::answer;
    use crate::state::AppState;
    use axum::extract::{Path, Query, State};
    use axum::http::{HeaderValue, StatusCode, header};
    use axum::response::{IntoResponse, Response};
    use serde::{Deserialize, Serialize};
    use serialtrace::account::Role;
    use serialtrace::service::catalogue::CatalogueError;
    use serialtrace::service::claims::{self, ClaimUpdate, Repair};

    #[derive(Deserialize, Serialize, Default)]
    #[serde(default)]
    pub struct DeskUnitForm {
        action: String,
        repair_claim: String,
        repair_description: String,
        repair_parts: String,
        repair_warranty_months: String,
        extend_months: String,
        extend_reason: String,
        report: String,
        withdraw_reason: String,
    }

    fn months(field: &str, value: &str, required: bool) -> Result<Option<u32>, CatalogueError> {
        let value = value.trim();
        if value.is_empty() && !required {
            return Ok(None);
        }
        value.parse::<u32>().map(Some).map_err(|_| {
            CatalogueError::Invalid(vec![(
                field.into(),
                "Enter a whole number of months.".into(),
            )])
        })
    }

    pub async fn change_desk_unit(
        State(state): State<AppState>,
        agent: RequireRole<Agent>,
        Path(id): Path<String>,
        PageForm { parts, form }: PageForm<DeskUnitForm>,
    ) -> Response {
        let caller = crate::auth::Caller::new(agent.user(), &parts, "agent");
        let actor = caller.actor();
        let (db, lookup) = (&state.services.db, &state.services.lookup);
        let Ok(unit) = id.parse::<i64>() else {
            let outcome: Result<(), _> =
                Err(CatalogueError::NotFound("There is no such unit.".into()));
            return answer(&state, parts, &form, outcome, |_| String::new()).await;
        };
        let back = format!("/desk/units/{unit}");
        let outcome = match form.action.as_str() {
            "repair" => {
                let parts_list = claims::parse_parts(&form.repair_parts)
                    .map_err(|e| CatalogueError::Invalid(vec![("repair_parts".into(), e)]));
                let warranty = months(
                    "repair_warranty_months",
                    &form.repair_warranty_months,
                    false,
                );
                let claim = match form.repair_claim.trim() {
                    "" => Ok(None),
                    c => c.parse::<i64>().map(Some).map_err(|_| {
                        CatalogueError::Invalid(vec![(
                            "repair_claim".into(),
                            "Choose one of the approved claims.".into(),
                        )])
                    }),
                };
                match (parts_list, warranty, claim) {
                    (Ok(parts_list), Ok(warranty_months), Ok(claim_id)) => {
                        let repair = Repair {
                            claim_id,
                            description: form.repair_description.clone(),
                            parts: parts_list,
                            warranty_months,
                        };
                        claims::log_repair(db, lookup, unit, &repair, &actor)
                            .await
                            .map(|_| format!("{back}?done=repair"))
                    }
                    (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => Err(e),
                }
            }
            "extend" => match months("extend_months", &form.extend_months, true) {
                Ok(m) => claims::extend_warranty(
                    db,
                    lookup,
                    unit,
                    m.unwrap_or(0),
                    &form.extend_reason,
                    &actor,
                )
                .await
                .map(|_| format!("{back}?done=extended")),
                Err(e) => Err(e),
            },
            "withdraw_report" => match form.report.trim().parse::<i64>() {
                Ok(report) => serialtrace::service::police::close(
                    db,
                    lookup,
                    report,
                    &serialtrace::service::police::Closing::Withdrawn,
                    &form.withdraw_reason,
                    serialtrace::service::police::Closer::Agent,
                    &actor,
                )
                .await
                .map_err(|e| match e {
                    // The form's field for the reason is this page's own.
                    CatalogueError::Invalid(problems) => CatalogueError::Invalid(
                        problems
                            .into_iter()
                            .map(|(_, m)| ("withdraw_reason".to_owned(), m))
                            .collect(),
                    ),
                    other => other,
                })
                .map(|()| format!("{back}?done=withdrawn")),
                Err(_) => Err(CatalogueError::NotFound("There is no such report.".into())),
            },
            _ => Err(CatalogueError::Invalid(vec![(
                "form".into(),
                "That is not something this page can do.".into(),
            )])),
        };
        answer(&state, parts, &form, outcome, |to| to).await
    }

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
            (Err(_), _) => Err(CatalogueError::NotFound("There is no such dispute.".into())),
            (Ok(_), None) => Err(CatalogueError::Invalid(vec![(
                "decision".into(),
                "Choose a decision.".into(),
            )])),
            (Ok(dispute), Some(decision)) => disputes::decide(
                &state.services.db,
                &state.services.lookup,
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
            Err(_) => Err(CatalogueError::NotFound("There is no such claim.".into())),
        };
        answer(&state, parts, &form, outcome, |to| to).await
    }

    #[derive(Deserialize)]
    pub struct ExpiryQuery {
        days: Option<String>,
    }

    /// The expiry report as CSV: serial, manufacturer, model, warranty end, registered.
    pub async fn expiring_csv(
        State(state): State<AppState>,
        viewer: RequireRole<SignedIn>,
        Query(query): Query<ExpiryQuery>,
    ) -> Response {
        let user = viewer.user();
        let scope = if user.has(Role::Agent) {
            None
        } else if let Some(m) = user.staff_manufacturer() {
            Some(m)
        } else {
            return (
                StatusCode::FORBIDDEN,
                "The expiry report is for support agents and staff.",
            )
                .into_response();
        };
        let days = match query.days.as_deref().map(str::parse::<u32>) {
            None => 30,
            Some(Ok(d)) if EXPIRY_WINDOWS.contains(&d) => d,
            Some(_) => {
                return (StatusCode::BAD_REQUEST, "days must be 30, 60 or 90.").into_response();
            }
        };
        let today = serialtrace::store::today();
        let to = today + time::Duration::days(i64::from(days));
        let lines = match serialtrace::store::claims::expiring(
            &state.services.db,
            &today.to_string(),
            &to.to_string(),
            scope,
            1_000_000,
        )
        .await
        {
            Ok(lines) => lines,
            Err(error) => {
                tracing::error!(%error, "expiry report");
                return (StatusCode::SERVICE_UNAVAILABLE, "Try again in a moment.").into_response();
            }
        };
        use serialtrace::export::csv_line;
        let mut body = String::from("serial,manufacturer,model,warranty_ends_on,registered\n");
        for l in &lines {
            body.push_str(&csv_line(&[
                l.serial.as_str(),
                &l.manufacturer,
                &l.model,
                &l.ends_on,
                if l.registered { "yes" } else { "no" },
            ]));
        }
        let mut response = body.into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/csv; charset=utf-8"),
        );
        if let Ok(v) = HeaderValue::from_str(&format!(
            "attachment; filename=\"warranty-expiry-{days}-days-{today}.csv\""
        )) {
            headers.insert(header::CONTENT_DISPOSITION, v);
        }
        response
    }
}
