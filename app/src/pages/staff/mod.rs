//! The staff back office (`/staff/…`): a manufacturer's own records. Every page and action
//! is for staff only, and only for their manufacturer.

pub mod batches;
pub mod catalogue;
pub mod export;
pub mod import;
pub mod recalls;
pub mod units;

use crate::auth::{Access, require};
use crate::components::access::Refused;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};
use serialtrace::account::{Role, SignedInUser};

/// The page's `{id}` path parameter, or (with a 404) a message that there is no such `what`.
pub fn path_id(what: &'static str) -> Result<i64, AnyView> {
    leptos_router::hooks::use_params_map()
        .get_untracked()
        .get("id")
        .and_then(|id| id.parse::<i64>().ok())
        .ok_or_else(|| {
            crate::pages::lookup::set_status(404);
            view! { <p class="form-problem" role="alert">{format!("There is no such {what}.")}</p> }
                .into_any()
        })
}

/// The staff user's manufacturer, or why there is none.
pub fn staff_manufacturer(user: &SignedInUser) -> Result<i64, AppError> {
    user.staff_manufacturer().ok_or(AppError::Forbidden)
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Overview {
    pub manufacturer: String,
    /// Units by status.
    pub units: Vec<(String, i64)>,
}

#[server(prefix = "/_fn", endpoint = "staff_overview")]
pub async fn staff_overview() -> Result<Overview, AppError> {
    let user = require(Access::Role(Role::Staff))?;
    let manufacturer = staff_manufacturer(&user)?;
    let services = crate::state::services()?;
    let (name, units) =
        serialtrace::store::import::manufacturer_overview(&services.db, manufacturer).await?;
    Ok(Overview {
        manufacturer: name,
        units,
    })
}

#[component]
pub fn StaffHomePage() -> impl IntoView {
    if let Err(error) = require(Access::Role(Role::Staff)) {
        return view! { <Refused error /> }.into_any();
    }
    let overview = Resource::new(|| (), |_| staff_overview());
    view! {
        <Title text="Back office" />
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(o) => {
                        let total: i64 = o.units.iter().map(|(_, n)| n).sum();
                        view! {
                            <h1>{format!("Back office · {}", o.manufacturer)}</h1>
                            <section class="panel">
                                <h2>{format!("{total} units")}</h2>
                                <dl class="facts">
                                    {o.units.into_iter().map(|(status, n)| view! {
                                        <dt>{status.replace('_', " ")}</dt><dd>{n}</dd>
                                    }).collect_view()}
                                </dl>
                            </section>
                            <section class="panel">
                                <h2>"Serial records"</h2>
                                <p><a href="/staff/products">"Catalogue: products, lots, new serials and labels"</a></p>
                                <p><a href="/staff/units">"Find a unit by serial"</a></p>
                                <p><a href="/staff/import">"Import units from a CSV file"</a></p>
                                <p><a href="/staff/recalls">"Recalls: drafts, scope, publishing and remedies"</a></p>
                                <form method="get" action="/staff/export/units.csv" class="filters" aria-label="Export units">
                                    <div class="field"><label for="export-model">"Model"</label><input id="export-model" name="model" type="text" /></div>
                                    <div class="field"><label for="export-lot">"Lot"</label><input id="export-lot" name="lot" type="text" /></div>
                                    <div class="field">
                                        <label for="export-status">"Status"</label>
                                        <select id="export-status" name="status">
                                            <option value="">"any"</option>
                                            {export::STATUSES.iter().map(|s| view! { <option value=*s>{s.replace('_', " ")}</option> }).collect_view()}
                                        </select>
                                    </div>
                                    <div class="field"><label for="export-recall">"Recall number"</label><input id="export-recall" name="recall" type="text" /></div>
                                    <button type="submit">"Export units as CSV"</button>
                                </form>
                            </section>
                        }.into_any()
                    }
                    Err(error) => view! { <p class="form-problem" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}
