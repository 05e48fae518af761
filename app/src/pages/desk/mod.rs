//! The support agents' desk (`/desk/…`): find a unit by serial (exact or look-alike-folded),
//! see its whole record with its claims, repairs and proof of purchase, work claims (status,
//! notes the owner sees or internal ones), log repairs with parts replaced and a repair
//! warranty, extend a warranty with a reason, withdraw a stolen or lost report shown to be
//! false; decide ownership disputes (`/desk/disputes/…`: both sides, then the unit reassigned,
//! the registration ended, or the dispute rejected); and the warranty expiry report (also for
//! staff, for their own manufacturer's units), with its CSV.
//!
//! One file per screen: this one (search and the queues), `units`, `claims`, `disputes` and
//! `expiry`.

mod claims;
mod disputes;
mod expiry;
mod units;

pub use claims::{DeskClaimPage, desk_claim};
pub use disputes::{DeskDisputePage, desk_dispute};
pub use expiry::{EXPIRY_WINDOWS, ExpiringPage, expiring};
pub use units::{DeskUnitPage, UnitOnDesk, desk_unit};

#[cfg(feature = "ssr")]
pub use claims::change_desk_claim;
#[cfg(feature = "ssr")]
pub use disputes::decide_dispute;
#[cfg(feature = "ssr")]
pub use expiry::expiring_csv;
#[cfg(feature = "ssr")]
pub use units::change_desk_unit;

#[cfg(feature = "ssr")]
use crate::auth::{Access, require};
use crate::components::load::Loaded;
use crate::error::AppError;
use crate::pages::my::claims::status_words;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
#[cfg(feature = "ssr")]
use serialtrace::account::Role;
use serialtrace::claim::{Claim, FoundUnit};
use serialtrace::owner::Dispute;

#[server(prefix = "/_fn", endpoint = "desk_search")]
pub async fn desk_search(serial: String) -> Result<Vec<FoundUnit>, AppError> {
    require(Access::Role(Role::Agent))?;
    let services = crate::state::services()?;
    Ok(serialtrace::service::claims::search_units(&services.db, &serial).await?)
}

#[server(prefix = "/_fn", endpoint = "desk_queue")]
pub async fn desk_queue() -> Result<Vec<Claim>, AppError> {
    require(Access::Role(Role::Agent))?;
    let services = crate::state::services()?;
    Ok(serialtrace::service::claims::open_claims(&services.db).await?)
}

#[server(prefix = "/_fn", endpoint = "desk_disputes")]
pub async fn desk_disputes() -> Result<Vec<Dispute>, AppError> {
    require(Access::Role(Role::Agent))?;
    let services = crate::state::services()?;
    Ok(serialtrace::service::disputes::open(&services.db).await?)
}

#[component]
pub fn DeskPage() -> impl IntoView {
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
        <Loaded resource=found loading="Looking…" show=move |data| match data {
                    None => ().into_any(),
                    Some(list) if list.is_empty() => view! { <p class="count">"No unit has that serial, or one that reads like it."</p> }.into_any(),
                    Some(list) => view! {
                        <ul class="found">{list.into_iter().map(|unit| view! {
                            <li><a href=format!("/desk/units/{}", unit.id)>{format!("{} · {} {}", unit.serial, unit.manufacturer, unit.model)}</a>
                                <span class="match-kind">{format!(" ({})", unit.how)}</span></li>
                        }).collect_view()}</ul>
                    }.into_any(),
                } />
        <h2>"Open claims"</h2>
        <Loaded resource=queue loading="Loading…" show=move |data| match data {
                    list if list.is_empty() => view! { <p class="count">"No open claims."</p> }.into_any(),
                    list => view! { <ClaimList list /> }.into_any(),
                } />
        <h2>"Ownership disputes"</h2>
        <Loaded resource=disputes loading="Loading…" show=move |data| match data {
                    list if list.is_empty() => view! { <p class="count">"No open disputes."</p> }.into_any(),
                    list => view! {
                        <ul class="claims">{list.into_iter().map(|d| view! {
                            <li class="panel" data-status=d.status.clone()>
                                <a href=format!("/desk/disputes/{}", d.id)>{format!("Dispute {} · {} {} · {}", d.id, d.manufacturer, d.model, d.serial)}</a>
                                <p>{format!("filed {} · {}", d.filed_on(),
                                    if d.owner_reply.is_some() { "the owner has answered" } else { "no answer from the owner yet" })}</p>
                            </li>
                        }).collect_view()}</ul>
                    }.into_any(),
                } />
    }
    .into_any()
}

#[component]
fn ClaimList(list: Vec<Claim>) -> impl IntoView {
    view! {
        <ul class="claims">{list.into_iter().map(|c| view! {
            <li class="panel" data-status=c.status.clone()>
                <a href=format!("/desk/claims/{}", c.id)>{format!("Claim {} · {} {} · {}", c.id, c.manufacturer, c.model, c.serial)}</a>
                <p>{format!("{} · filed {} · last change {} · {}", status_words(&c.status), c.filed_on(), c.changed_on(),
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

/// This group's form posts and the expiry report, for the server to mount.
#[cfg(feature = "ssr")]
pub fn routes() -> crate::web::routes::Routes {
    crate::web::routes::Routes::new()
        .post("/desk/units/{id}", change_desk_unit)
        .post("/desk/claims/{id}", change_desk_claim)
        .post("/desk/disputes/{id}", decide_dispute)
        .get("/desk/expiring.csv", expiring_csv)
}
