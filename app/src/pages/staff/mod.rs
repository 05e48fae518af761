//! The staff back office (`/staff/…`): a manufacturer's own records. Every page and action
//! is for staff only, and only for their manufacturer.

pub mod batches;
pub mod catalogue;
pub mod export;
pub mod import;
pub mod journey;
pub mod recalls;
pub mod stock;
pub mod thefts;
pub mod units;

#[cfg(feature = "ssr")]
use crate::auth::{Access, require};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
#[cfg(feature = "ssr")]
use serialtrace::account::Role;
use serialtrace::account::SignedInUser;
use serialtrace::overview::Overview;

/// The page's `{id}` path parameter, or (with a 404) a message that there is no such `what`.
pub fn path_id(what: &'static str) -> Result<i64, AnyView> {
    leptos_router::hooks::use_params_map()
        .get_untracked()
        .get("id")
        .and_then(|id| id.parse::<i64>().ok())
        .ok_or_else(|| {
            crate::web::responses::set_status(404);
            view! { <p class="form-problem" role="alert">{format!("There is no such {what}.")}</p> }
                .into_any()
        })
}

/// The staff user's manufacturer, or why there is none.
pub fn staff_manufacturer(user: &SignedInUser) -> Result<i64, AppError> {
    user.staff_manufacturer().ok_or(AppError::Forbidden)
}

#[server(prefix = "/_fn", endpoint = "staff_overview")]
pub async fn staff_overview() -> Result<Overview, AppError> {
    let user = require(Access::Role(Role::Staff))?;
    let manufacturer = staff_manufacturer(&user)?;
    let services = crate::state::services()?;
    Ok(serialtrace::service::overview::overview(&services.db, manufacturer).await?)
}

/// Clone and enumeration signals, and the serials marked as known counterfeits (with the
/// form that marks one; the public answer then says so).
#[component]
fn SignalsPanel(
    widespread: Vec<(String, i64, i64)>,
    enumerations: Vec<serialtrace::signals::Enumeration>,
    marks: Vec<(String, Option<String>, String)>,
) -> impl IntoView {
    let done = leptos_router::hooks::use_query_map()
        .get_untracked()
        .get("done");
    let problem = crate::web::forms::feedback().error("counterfeit_serial");
    view! {
        <section class="panel" id="signals">
            <h2>"Counterfeit and clone signals, last 7 days"</h2>
            {match done.as_deref() {
                Some("marked") => Some(view! { <p class="notice" role="status">"Marked: the public answer for that serial now says it is a known counterfeit."</p> }),
                Some("unmarked") => Some(view! { <p class="notice" role="status">"The mark is removed."</p> }),
                _ => None,
            }}
            <h3>{format!("Possibly cloned labels: {}", widespread.len())}</h3>
            <p class="hint">"Genuine serials of yours looked up from 3 or more networks or partners in a week: one label copied onto many products looks like this."</p>
            {(!widespread.is_empty()).then(|| view! {
                <table class="data clones">
                    <thead><tr><th scope="col">"Serial"</th><th scope="col">"Networks"</th><th scope="col">"Lookups"</th></tr></thead>
                    <tbody>{widespread.into_iter().map(|(serial, places, hits)| view! {
                        <tr><td>{serial}</td><td>{places}</td><td>{hits}</td></tr>
                    }).collect_view()}</tbody>
                </table>
            })}
            <h3>{format!("Serial space scanned: {}", enumerations.len())}</h3>
            <p class="hint">"Networks that looked up 10 or more neighbouring serials of your formats in a week: someone may be harvesting serials to print."</p>
            {(!enumerations.is_empty()).then(|| view! {
                <table class="data enumerations">
                    <thead><tr><th scope="col">"Network"</th><th scope="col">"Serials"</th><th scope="col">"From"</th><th scope="col">"To"</th></tr></thead>
                    <tbody>{enumerations.into_iter().map(|e| view! {
                        <tr><td>{e.origin}</td><td>{e.serials}</td><td>{e.first}</td><td>{e.last}</td></tr>
                    }).collect_view()}</tbody>
                </table>
            })}
            <h3>{format!("Known counterfeits: {}", marks.len())}</h3>
            <form method="post" action="/staff" class="stack-form" aria-label="Mark a serial as a known counterfeit">
                <div class="field" class:invalid=problem.is_some()>
                    <label for="f-counterfeit_serial">"Serial"</label>
                    <input id="f-counterfeit_serial" name="counterfeit_serial" type="text" autocomplete="off" />
                    <p class="field-problem">{problem.clone()}</p>
                </div>
                <div class="field">
                    <label for="f-counterfeit_note">"Note (kept with the mark, not shown publicly)"</label>
                    <input id="f-counterfeit_note" name="counterfeit_note" type="text" />
                </div>
                <p class="actions">
                    <button type="submit" name="action" value="mark" class="danger">"Mark as a known counterfeit"</button>
                    <button type="submit" name="action" value="unmark">"Remove the mark"</button>
                </p>
            </form>
            {(!marks.is_empty()).then(|| view! {
                <ul class="marks">{marks.into_iter().map(|(serial, note, at)| view! {
                    <li>{format!("{serial} · marked {}{}", at.get(..10).unwrap_or_default(), note.map(|n| format!(" · {n}")).unwrap_or_default())}</li>
                }).collect_view()}</ul>
            })}
        </section>
    }
    .into_any()
}

#[cfg(feature = "ssr")]
/// The staff member's manufacturer and the id of `record`, when it is one of theirs;
/// otherwise the "not found" answer, given before the form is judged so that nothing of
/// another manufacturer's record shows through a validation message.
pub(crate) async fn their_record(
    state: &crate::state::AppState,
    user: &SignedInUser,
    record: serialtrace::service::catalogue::Record,
    id: &str,
    parts: &axum::http::request::Parts,
    form: &impl serde::Serialize,
) -> Result<(i64, i64), axum::response::Response> {
    use serialtrace::service::Error as ServiceError;
    use serialtrace::service::catalogue::{self, Record};
    let missing = || {
        ServiceError::NotFound(
            match record {
                Record::Product => "There is no such product.",
                Record::Recall => "There is no such recall.",
                Record::Unit => "There is no such unit.",
            }
            .into(),
        )
    };
    let problem = match (staff_manufacturer(user), id.parse::<i64>()) {
        (Ok(m), Ok(id)) => match catalogue::is_theirs(&state.services.db, m, record, id).await {
            Ok(true) => return Ok((m, id)),
            Ok(false) => missing(),
            Err(error) => ServiceError::Store(error),
        },
        _ => missing(),
    };
    let outcome: Result<(), _> = Err(problem);
    Err(crate::web::responses::answer(state, parts.clone(), form, outcome, |_| String::new()).await)
}

/// Marks or unmarks a serial as a known counterfeit (the dashboard's form).
#[cfg(feature = "ssr")]
pub async fn change_counterfeit(
    axum::extract::State(state): axum::extract::State<crate::state::AppState>,
    staff: crate::auth::RequireRole<crate::auth::Staff>,
    crate::web::forms::PageForm { parts, form }: crate::web::forms::PageForm<CounterfeitForm>,
) -> axum::response::Response {
    use serialtrace::service::Error as ServiceError;
    let user = staff.user();
    let caller = crate::auth::Caller::staff(user, &parts);
    let outcome = match staff_manufacturer(user) {
        Ok(m) => {
            let note = Some(form.counterfeit_note.trim()).filter(|n| !n.is_empty());
            serialtrace::service::counterfeits::set_mark(
                &state.services.db,
                m,
                &form.counterfeit_serial,
                note,
                form.action == "unmark",
                &caller.actor(),
            )
            .await
            .map(|_| {
                if form.action == "unmark" {
                    "/staff?done=unmarked#signals"
                } else {
                    "/staff?done=marked#signals"
                }
            })
        }
        Err(_) => Err(ServiceError::NotFound(
            "Your account is not linked to a manufacturer.".into(),
        )),
    };
    crate::web::responses::answer(&state, parts, &form, outcome, |to| to.to_owned()).await
}

/// The dashboard's counterfeit form.
#[cfg(feature = "ssr")]
#[derive(serde::Deserialize, serde::Serialize, Default)]
#[serde(default)]
pub struct CounterfeitForm {
    action: String,
    counterfeit_serial: String,
    counterfeit_note: String,
}

/// Lookups per day as a small bar chart (server-drawn SVG, no script).
#[component]
fn LookupChart(daily: Vec<(String, i64)>) -> impl IntoView {
    let max = daily.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let total: i64 = daily.iter().map(|(_, n)| n).sum();
    let label = format!(
        "Lookups of your units per day over the last 30 days: {total} in all, at most {max} a day."
    );
    view! {
        <figure class="chart">
            <svg viewBox="0 0 300 60" width="600" height="120" role="img" aria-label=label.clone()>
                {daily.into_iter().enumerate().map(|(i, (day, n))| {
                    let h = (n as f64 / max as f64 * 56.0).round();
                    view! {
                        <rect x=(i * 10 + 1).to_string() y=(58.0 - h).to_string() width="8" height=h.max(0.5).to_string() class="bar">
                            <title>{format!("{day}: {n}")}</title>
                        </rect>
                    }
                }).collect_view()}
            </svg>
            <figcaption>{label}</figcaption>
        </figure>
    }
    .into_any()
}

#[component]
pub fn StaffHomePage() -> impl IntoView {
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
                            <DashboardPanels recalls=o.recalls open_thefts=o.open_thefts daily=o.daily
                                counterfeit=o.counterfeit counterfeit_total=o.counterfeit_total />
                            <SignalsPanel widespread=o.widespread enumerations=o.enumerations marks=o.marks />
                            <section class="panel">
                                <h2>"Serial records"</h2>
                                <p><a href="/staff/products">"Catalogue: products, lots, new serials and labels"</a></p>
                                <p><a href="/staff/units">"Find a unit by serial"</a></p>
                                <p><a href="/staff/import">"Import units from a CSV file"</a></p>
                                <p><a href="/staff/journey">"Journey events and component links from a CSV file"</a></p>
                                <p><a href="/staff/recalls">"Recalls: drafts, scope, publishing and remedies"</a></p>
                                <p><a href="/staff/thefts">"Theft and loss reports"</a></p>
                                <p><a href="/staff/stock">"Stock audit: compare the serials scanned at a location with the records"</a></p>
                                <p><a href="/desk/expiring">"Warranties ending in the next 30, 60 or 90 days"</a></p>
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

#[component]
fn DashboardPanels(
    recalls: Vec<(i64, String, String, i64, i64)>,
    open_thefts: i64,
    daily: Vec<(String, i64)>,
    counterfeit: Vec<(String, i64, String)>,
    counterfeit_total: usize,
) -> impl IntoView {
    view! {
        <section class="panel">
            <h2>"Active recalls"</h2>
            {if recalls.is_empty() {
                view! { <p class="count">"No active recalls."</p> }.into_any()
            } else {
                view! { <ul class="recall-progress">{recalls.into_iter().map(|(id, number, title, members, remedied)| {
                    let pct = if members == 0 { 0.0 } else { remedied as f64 * 100.0 / members as f64 };
                    view! {
                        <li><a href=format!("/staff/recalls/{id}")>{format!("{number} · {title}")}</a>
                            {format!(": {remedied} of {members} remedied ({pct:.1} %)")}
                            <progress max="100" value=format!("{pct:.1}")></progress></li>
                    }
                }).collect_view()}</ul> }.into_any()
            }}
            <p><a href="/staff/thefts">{format!("{open_thefts} open theft and loss reports")}</a></p>
        </section>
        <section class="panel">
            <h2>"Lookups, last 30 days"</h2>
            <LookupChart daily />
            <h3>{format!("Counterfeit candidates: {counterfeit_total}")}</h3>
            <p class="hint">"Serials looked up in the last 30 days that fit one of your formats, check character and all, but are not in your records: likely printed to look real."</p>
            {(!counterfeit.is_empty()).then(|| view! {
                <table class="data counterfeit">
                    <thead><tr><th scope="col">"Serial"</th><th scope="col">"Fits model"</th><th scope="col">"Lookups"</th></tr></thead>
                    <tbody>{counterfeit.into_iter().map(|(serial, hits, model)| view! {
                        <tr><td>{serial}</td><td>{model}</td><td>{hits}</td></tr>
                    }).collect_view()}</tbody>
                </table>
            })}
        </section>
    }
    .into_any()
}

/// This group's form posts and downloads, for the server to mount.
#[cfg(feature = "ssr")]
pub fn routes() -> crate::web::routes::Routes {
    crate::web::routes::Routes::new()
        .get("/staff/export/units.csv", export::units_csv)
        .post("/staff", change_counterfeit)
        .post("/staff/products", catalogue::create_product)
        .post("/staff/products/{id}", catalogue::change_product)
        .get("/staff/batches/{id}/serials.csv", batches::batch_csv)
        .get("/staff/units/{id}/qr.svg", batches::unit_qr)
        .post("/staff/recalls", recalls::create_recall)
        .post("/staff/recalls/{id}", recalls::change_recall)
        .post("/staff/units/{id}", units::change_unit)
        .post("/staff/thefts", thefts::change_theft)
        .post("/staff/stock", stock::create_stock_audit)
        .post("/staff/stock/{id}", stock::apply_stock_audit)
}

/// This group's uploads, each with the body limit it needs.
#[cfg(feature = "ssr")]
pub fn uploads() -> Vec<(crate::web::routes::Routes, usize)> {
    use crate::web::routes::Routes;
    vec![
        (
            Routes::new().post("/staff/import/upload", import::upload),
            import::MAX_UPLOAD_BYTES,
        ),
        (
            Routes::new()
                .post("/staff/journey/upload", journey::upload_bulk)
                .post("/staff/stock/upload", stock::upload_stock_audit),
            journey::MAX_BULK_BYTES,
        ),
    ]
}
