//! The police desk (`/police`): search the stolen registry (exact, look-alike and close
//! matches, labelled; every search audited), file a report for the officer's agency, a
//! report's case file with the unit's lookups, a contact request to the owner through the
//! portal, closing a report of the officer's agency (recovered, or withdrawn as filed in
//! error; administrators may close any, from the same case file), and the hot list as CSV.

use crate::auth::{Access, require};
use crate::components::access::Refused;
use crate::components::load::Loaded;
use crate::error::AppError;
use crate::web::forms::{Choice, Field, FormProblem, feedback};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serialtrace::account::Role;
use serialtrace::police::{CaseFile, RegistryEntry};

#[server(prefix = "/_fn", endpoint = "police_search")]
pub async fn police_search(
    serial: String,
    manufacturer: Option<String>,
) -> Result<Vec<(RegistryEntry, String)>, AppError> {
    let user = require(Access::Role(Role::Police))?;
    let services = crate::state::services()?;
    let parts = leptos::prelude::use_context::<axum::http::request::Parts>();
    let ip = parts
        .as_ref()
        .and_then(crate::state::client_ip)
        .map(|ip| ip.to_string());
    let actor = serialtrace::service::accounts::Actor {
        user_id: Some(user.id),
        role: "police",
        client_ip: ip.as_deref(),
    };
    let scope = manufacturer.filter(|m| !m.trim().is_empty() && m != "all");
    let found =
        serialtrace::service::police::search(&services.db, &serial, scope.as_deref(), &actor)
            .await?;
    Ok(found.into_iter().map(|(e, how)| (e, how.label())).collect())
}

#[server(prefix = "/_fn", endpoint = "police_manufacturers")]
pub async fn police_manufacturers() -> Result<Vec<(String, String)>, AppError> {
    require(Access::Role(Role::Police))?;
    let services = crate::state::services()?;
    Ok(serialtrace::service::accounts::manufacturers(&services.db).await?)
}

#[server(prefix = "/_fn", endpoint = "police_case")]
pub async fn police_case(id: i64) -> Result<CaseFile, AppError> {
    require(Access::Either(Role::Police, Role::Admin))?;
    let services = crate::state::services()?;
    Ok(serialtrace::service::police::case_file(&services.db, id).await?)
}

#[component]
pub fn PoliceDeskPage() -> impl IntoView {
    let user = match require(Access::Role(Role::Police)) {
        Ok(user) => user,
        Err(error) => return view! { <Refused error /> }.into_any(),
    };
    let agency = user.police_agency().unwrap_or_default().to_owned();
    let query = use_query_map().get_untracked();
    let serial = query.get("serial").filter(|s| !s.trim().is_empty());
    let scope = query.get("manufacturer").unwrap_or_else(|| "all".into());
    let found = Resource::new(
        {
            let (serial, scope) = (serial.clone(), scope.clone());
            move || (serial.clone(), scope.clone())
        },
        |(serial, scope)| async move {
            match serial {
                Some(serial) => police_search(serial, Some(scope)).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let makers = Resource::new(|| (), |_| police_manufacturers());
    view! {
        <Title text="Police desk" />
        <h1>"Stolen registry"</h1>
        <p class="meta">{format!("Signed in for {agency}. Every search is recorded in the audit log.")}</p>
        <p class="actions">
            <a href="/police/hotlist.csv">{format!("Hot list of {agency}'s open reports (CSV)")}</a>
            " · " <a href="/police/hotlist.csv?agency=all">"All open reports (CSV)"</a>
        </p>
        <form class="panel inline-search" method="get" action="/police" role="search">
            <label for="police-serial">"Serial"</label>
            <input id="police-serial" name="serial" type="search" value=serial.clone().unwrap_or_default() />
            <label for="police-manufacturer">"Manufacturer"</label>
            <Suspense fallback=|| view! { <select id="police-manufacturer" name="manufacturer"><option value="all">"all"</option></select> }>
                {
                    let scope = scope.clone();
                    move || {
                        let scope = scope.clone();
                        Suspend::new(async move {
                            let list = makers.await.unwrap_or_default();
                            view! {
                                <select id="police-manufacturer" name="manufacturer">
                                    <option value="all" selected=scope == "all">"all manufacturers"</option>
                                    {list.into_iter().map(|(slug, name)| {
                                        let selected = scope == slug;
                                        view! { <option value=slug selected=selected>{name}</option> }
                                    }).collect_view()}
                                </select>
                            }
                        })
                    }
                }
            </Suspense>
            <button type="submit">"Search"</button>
        </form>
        <Loaded resource=found loading="Searching…" show=move |data| match data {
                    None => ().into_any(),
                    Some(list) if list.is_empty() => view! { <p class="count">"No open report matches, exactly or closely."</p> }.into_any(),
                    Some(list) => view! {
                        <p class="count">{format!("{} matching reports", list.len())}</p>
                        <ul class="reports">{list.into_iter().map(|(e, how)| {
                            let label = how.clone();
                            view! {
                            <li class="panel report" data-status=e.status.as_str() data-match=label>
                                <h2><a href=format!("/police/reports/{}", e.report_id)>{format!("{} · {} {}", e.serial, e.manufacturer, e.model)}</a></h2>
                                <p><strong class="match-kind">{how}</strong>{format!(" · {} · reported {}{}{}", e.kind, e.reported_at.get(..10).unwrap_or_default(),
                                    e.agency.map(|a| format!(" · {a}")).unwrap_or_default(), e.case_number.map(|c| format!(" · case {c}")).unwrap_or_default())}</p>
                            </li>
                        }}).collect_view()}</ul>
                    }.into_any(),
                } />
        <section class="panel">
            <h2 id="file">{format!("File a report for {agency}")}</h2>
            <form method="post" action="/police" class="stack-form" aria-labelledby="file">
                <FormProblem />
                <Field name="serial" label="Serial number" autocomplete="off" hint="As printed, barcode text or the QR code's link." />
                <Field name="gtin" label="Product number (GTIN)" required=false hint="Only when two products share the serial." />
                <Choice name="report_kind" label="What happened" options=vec![("stolen", "Stolen"), ("lost", "Lost")] />
                <Field name="case_number" label="Case number" />
                <Field name="occurred_on" label="When" kind="date" required=false />
                <Field name="place" label="Where" required=false />
                <button type="submit" class="danger">"File the report"</button>
            </form>
        </section>
    }
    .into_any()
}

#[component]
pub fn PoliceReportPage() -> impl IntoView {
    let user = match require(Access::Either(Role::Police, Role::Admin)) {
        Ok(user) => user,
        Err(error) => return view! { <Refused error /> }.into_any(),
    };
    let id = match crate::pages::staff::path_id("report") {
        Ok(id) => id,
        Err(missing) => return missing,
    };
    let done = match use_query_map().get_untracked().get("done").as_deref() {
        Some("filed") => Some(
            "The report is filed; public lookups say so and the owner on record has been told.",
        ),
        Some("contact") => {
            Some("Your request has been sent to the owner with your contact details.")
        }
        Some("recovered") => Some("Marked recovered; the owner on record has been told."),
        Some("withdrawn") => Some("The report is withdrawn; the owner on record has been told."),
        _ => None,
    };
    let desk = Desk {
        agency: user.police_agency().map(str::to_owned),
        police: user.has(Role::Police),
        admin: user.has(Role::Admin),
    };
    let file = Resource::new(move || id, police_case);
    view! {
        <Title text="Case file" />
        {desk.police.then(|| view! { <p><a href="/police">"← Stolen registry"</a></p> })}
        {done.map(|m| view! { <p class="notice" role="status">{m}</p> })}
        <FormProblem />
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || {
                let desk = desk.clone();
                Suspend::new(async move {
                match file.await {
                    Ok(file) => view! { <CaseFileView file id desk /> }.into_any(),
                    Err(error) => view! { <h1>"Case file"</h1><p class="form-problem" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}}
        </Suspense>
    }
    .into_any()
}

/// Who reads a case file: what they may do with it.
#[derive(Clone, Debug)]
struct Desk {
    agency: Option<String>,
    police: bool,
    admin: bool,
}

impl Desk {
    /// Whether this desk may close a report of `report_agency`, or why not.
    fn may_close(&self, report_agency: Option<&str>) -> Result<(), String> {
        serialtrace::police::may_close(report_agency, self.agency.as_deref(), self.admin)
    }
}

#[component]
fn CaseFileView(file: CaseFile, id: i64, desk: Desk) -> impl IntoView {
    let e = file.entry;
    let active = e.status == serialtrace::theft::ReportStatus::Active;
    let problem = feedback().error("message");
    let reason_problem = feedback().error("reason");
    let action = format!("/police/reports/{id}");
    let closable = desk.may_close(e.agency.as_deref());
    let may_close = closable.is_ok();
    let closed_by_others = closable.err().unwrap_or_default();
    view! {
        <h1>{format!("{} · {} {}", e.serial, e.manufacturer, e.model)}</h1>
        <dl class="facts">
            <dt>"Report"</dt><dd class="report-status">{format!("{} · {}", e.kind, e.status)}</dd>
            <dt>"Agency"</dt><dd>{e.agency.clone().unwrap_or_else(|| "—".into())}</dd>
            <dt>"Case number"</dt><dd>{e.case_number.clone().unwrap_or_else(|| "—".into())}</dd>
            <dt>"When"</dt><dd>{e.occurred_on.clone().unwrap_or_else(|| "—".into())}</dd>
            <dt>"Where"</dt><dd>{e.place.clone().unwrap_or_else(|| "—".into())}</dd>
            <dt>"Reported"</dt><dd>{format!("{} by {}", e.reported_at.get(..10).unwrap_or_default(), e.reporter_kind)}</dd>
            <dt>"Owner"</dt><dd>{if file.owner_on_record { "owner on record" } else { "no owner on record" }}</dd>
            {e.recovered_place.clone().map(|p| view! { <dt>"Recovered at"</dt><dd>{p}</dd> })}
        </dl>
        {(file.owner_on_record && desk.police).then(|| view! {
            <section class="panel">
                <h2 id="contact">"Ask the owner to contact you"</h2>
                <p>"The owner receives your message with your e-mail address and agency; you are not given theirs. Each request is recorded, up to 20 a day."</p>
                <form method="post" action=action.clone() class="stack-form" aria-labelledby="contact">
                    <input type="hidden" name="action" value="contact" />
                    <div class="field" class:invalid=problem.is_some()>
                        <label for="f-message">"Message"</label>
                        <textarea id="f-message" name="message" rows="3"></textarea>
                        <p class="field-problem">{problem.clone()}</p>
                    </div>
                    <button type="submit">"Send the request"</button>
                </form>
            </section>
        })}
        {(active && !may_close).then(|| view! { <p class="notice">{closed_by_others}</p> })}
        {(active && may_close).then(|| view! {
            <section class="panel">
                <h2 id="close">"Close the report"</h2>
                <p>"Public lookups stop saying the unit is reported. Your reason is kept with the report and in the audit log, and the owner on record is told."</p>
                <form method="post" action=action.clone() class="stack-form" aria-labelledby="close">
                    <div class="field" class:invalid=reason_problem.is_some()>
                        <label for="f-reason">"Why"</label>
                        <textarea id="f-reason" name="reason" rows="2" aria-describedby="f-reason-problem"></textarea>
                        <p class="field-problem" id="f-reason-problem">{reason_problem.clone()}</p>
                    </div>
                    <div class="field">
                        <label for="f-recovered_place">"Where it was found (when recovered)"</label>
                        <input id="f-recovered_place" name="recovered_place" type="text" />
                    </div>
                    <div class="actions">
                        <button type="submit" name="action" value="recover">"Mark recovered"</button>
                        <button type="submit" name="action" value="withdraw" class="secondary">"Withdraw: filed in error"</button>
                    </div>
                </form>
            </section>
        })}
        <section class="panel">
            <h2>{format!("Lookups of this serial ({})", file.lookups.len())}</h2>
            {if file.lookups.is_empty() {
                view! { <p class="count">"Nobody has looked it up."</p> }.into_any()
            } else {
                view! {
                    <table class="report">
                        <thead><tr><th>"When"</th><th>"From (network)"</th><th>"Channel"</th><th>"Times"</th></tr></thead>
                        <tbody>{file.lookups.into_iter().map(|(at, origin, channel, hits)| view! {
                            <tr><td>{at.replace('T', " ").trim_end_matches('Z').to_owned()}</td><td>{origin}</td><td>{channel}</td><td>{hits}</td></tr>
                        }).collect_view()}</tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
    .into_any()
}

#[cfg(feature = "ssr")]
pub use server::*;

#[cfg(feature = "ssr")]
mod server;

/// This group's form posts and the hot list, for the server to mount.
#[cfg(feature = "ssr")]
pub fn routes() -> crate::web::routes::Routes {
    crate::web::routes::Routes::new()
        .post("/police", file_report)
        .post("/police/reports/{id}", change_report)
        .get("/police/hotlist.csv", hot_list)
}
