//! `/staff/units?serial=…` (find a unit) and `/staff/units/{id}` (its whole record: journey,
//! components, warranty, ownership without identities, recalls, theft reports, lookups; and
//! forms to edit it, add a journey event and link a component).

#[cfg(feature = "ssr")]
use super::staff_manufacturer;
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

pub use serialtrace::unit::{JourneyRow, TheftRow, UnitRecord};

#[server(prefix = "/_fn", endpoint = "staff_find_units")]
pub async fn find_units(serial: String) -> Result<Vec<(i64, String, String)>, AppError> {
    let user = require(Access::Role(Role::Staff))?;
    let m = staff_manufacturer(&user)?;
    let services = crate::state::services()?;
    let Ok(serial) = serialtrace::serial::Serial::parse(&serial) else {
        return Ok(Vec::new());
    };
    Ok(serialtrace::service::units::find_own(&services.db, m, serial.normalised()).await?)
}

#[server(prefix = "/_fn", endpoint = "staff_unit")]
pub async fn staff_unit(id: i64) -> Result<UnitRecord, AppError> {
    let user = require(Access::Role(Role::Staff))?;
    let m = staff_manufacturer(&user)?;
    let services = crate::state::services()?;
    let Some(unit) = serialtrace::service::units::record(&services.db, Some(m), id).await? else {
        crate::error::set_status(axum::http::StatusCode::NOT_FOUND);
        return Err(AppError::NotFound(format!("There is no unit {id}.")));
    };
    Ok(unit)
}

#[component]
pub fn FindUnitPage() -> impl IntoView {
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
                Some(serial) => find_units(serial).await.map(Some),
                None => Ok(None),
            }
        },
    );
    view! {
        <Title text="Units" />
        <h1>"Units"</h1>
        <form class="panel inline-search" method="get" action="/staff/units" role="search">
            <label for="unit-serial">"Serial"</label>
            <input id="unit-serial" name="serial" type="search" value=serial.unwrap_or_default() />
            <button type="submit">"Find"</button>
        </form>
        <Loaded resource=found loading="Looking…" show=move |data| match data {
                    None => ().into_any(),
                    Some(list) if list.is_empty() => view! { <p class="count">"None of your units has that serial."</p> }.into_any(),
                    Some(list) => view! {
                        <ul class="found">
                            {list.into_iter().map(|(id, serial, model)| view! {
                                <li><a href=format!("/staff/units/{id}")>{format!("{serial} · {model}")}</a></li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                } />
    }
    .into_any()
}

#[component]
pub fn UnitPage() -> impl IntoView {
    let id = match super::path_id("unit") {
        Ok(id) => id,
        Err(missing) => return missing,
    };
    let done = use_query_map().get_untracked().get("done");
    let unit = Resource::new(move || id, staff_unit);
    view! {
        <Title text="Unit" />
        <p><a href="/staff/units">"← Units"</a></p>
        {done.map(|d| view! { <p class="notice" role="status">{match d.as_str() {
            "event" => "The event has been added to the journey.",
            "linked" => "The component has been linked.",
            "created" => "The unit has been added.",
            _ => "The unit has been saved.",
        }}</p> })}
        <Loaded resource=unit loading="Loading…" heading="Unit" show=move |unit| view! { <UnitRecordView unit /> }.into_any() />
    }
    .into_any()
}

fn or_dash(value: Option<String>) -> String {
    value.unwrap_or_else(|| "–".to_owned())
}

#[component]
fn UnitRecordView(unit: UnitRecord) -> impl IntoView {
    let action = format!("/staff/units/{}", unit.id);
    view! {
        <h1>{format!("{} · {}", unit.serial, unit.model)}</h1>
        <FormProblem />
        <dl class="facts">
            <dt>"Product"</dt><dd><a href=format!("/staff/products/{}", unit.product_id)>{unit.product_name.clone()}</a></dd>
            <dt>"Lot"</dt><dd>{or_dash(unit.lot.clone())}</dd>
            <dt>"Status"</dt><dd>{unit.status.replace('_', " ")}</dd>
            <dt>"Location"</dt><dd>{or_dash(unit.location.clone())}</dd>
            <dt>"Made"</dt><dd>{or_dash(unit.manufactured_on.clone())}</dd>
            <dt>"Label"</dt><dd><a href=format!("/staff/units/{}/qr.svg", unit.id)>"QR code (SVG)"</a></dd>
        </dl>
        <JourneyPanel journey=unit.journey.clone() action=action.clone() />
        <ComponentsPanel contains=unit.contains.clone() built_into=unit.built_into.clone() action=action.clone() />
        <HistoryPanel unit=unit.clone() />
        <EditPanel unit action />
    }
    .into_any()
}

/// A unit's journey events, oldest first.
#[component]
pub(crate) fn JourneyList(journey: Vec<JourneyRow>) -> impl IntoView {
    if journey.is_empty() {
        return view! { <p class="count">"No events yet."</p> }.into_any();
    }
    view! {
        <ol class="timeline">
            {journey.into_iter().map(|(kind, at, place, actor, note)| view! {
                <li><strong>{kind}</strong>{format!(
                        " {}{}{}",
                        at.replace('T', " ").trim_end_matches('Z'),
                        place.map(|p| format!(" · {p}")).unwrap_or_default(),
                        actor.map(|a| format!(" · by {a}")).unwrap_or_default()
                    )}
                    {note.map(|n| view! { <br /><span class="muted">{n}</span> })}</li>
            }).collect_view()}
        </ol>
    }
    .into_any()
}

#[component]
fn JourneyPanel(journey: Vec<JourneyRow>, action: String) -> impl IntoView {
    view! {
        <section class="panel">
            <h2 id="journey">"Journey"</h2>
            <JourneyList journey />
            <form method="post" action=action class="stack-form" aria-label="Add a journey event">
                <input type="hidden" name="action" value="event" />
                <Choice name="kind" label="What happened" options=serialtrace::import::EVENT_KINDS.iter().map(|k| (*k, *k)).collect() />
                <Field name="at" label="When" kind="date" />
                <Field name="place" label="Where" required=false />
                <Field name="note" label="Note" required=false />
                <button type="submit">"Add the event"</button>
            </form>
        </section>
    }
    .into_any()
}

#[component]
fn ComponentsPanel(
    contains: Vec<(String, String, String)>,
    built_into: Vec<(i64, String, String)>,
    action: String,
) -> impl IntoView {
    view! {
        <section class="panel">
            <h2 id="components">"Components"</h2>
            <h3>"Contains"</h3>
            {if contains.is_empty() {
                view! { <p class="count">"No components recorded."</p> }.into_any()
            } else {
                view! { <ul class="components">{contains.into_iter().map(|(what, name, model)| view! {
                    <li>{format!("{} {name} · {model}", if what == "lot" { "lot" } else { "unit" })}</li>
                }).collect_view()}</ul> }.into_any()
            }}
            <h3>"Built into"</h3>
            {if built_into.is_empty() {
                view! { <p class="count">"Not built into another unit."</p> }.into_any()
            } else {
                view! { <ul class="components">{built_into.into_iter().map(|(id, serial, model)| view! {
                    <li><a href=format!("/staff/units/{id}")>{format!("{serial} · {model}")}</a></li>
                }).collect_view()}</ul> }.into_any()
            }}
            <form method="post" action=action class="stack-form" aria-label="Link a component">
                <input type="hidden" name="action" value="link" />
                <Choice name="component_kind" label="Component" options=vec![("serial", "a unit, by serial"), ("lot", "a lot, by code")] />
                <Field name="component" label="Serial or lot code" />
                <Field name="component_model" label="Its model number" required=false hint="Only needed when two of your models share it." />
                <button type="submit">"Link the component"</button>
            </form>
        </section>
    }
    .into_any()
}

#[component]
pub(crate) fn HistoryPanel(unit: UnitRecord) -> impl IntoView {
    view! {
        <section class="panel">
            <h2>"Warranty, owners, recalls, thefts"</h2>
            <h3>"Warranty records"</h3>
            <ul>{unit.warranties.into_iter().map(|(kind, from, to, source)| view! { <li>{format!("{kind}: {from} to {to} ({source})")}</li> }).collect_view()}</ul>
            <h3>"Ownership"</h3>
            <ul>{unit.ownership.into_iter().map(|(from, to, via)| view! {
                <li>{format!("Owner on record from {} {} (by {via})", from.get(..10).unwrap_or_default(), to.map(|t| format!("to {}", t.get(..10).unwrap_or_default())).unwrap_or_else(|| "to now".into()))}</li>
            }).collect_view()}</ul>
            <h3>"Recalls"</h3>
            <ul>{unit.recalls.into_iter().map(|(number, status, remedy)| view! { <li>{format!("{number} ({status}): {}", remedy.replace('_', " "))}</li> }).collect_view()}</ul>
            <h3>"Theft and loss reports"</h3>
            <ul>{unit.thefts.into_iter().map(|(kind, status, at, by, agency, case)| view! {
                <li>{format!("{kind}, {status}, reported {} by {by}{}{}", at.get(..10).unwrap_or_default(), agency.map(|a| format!(" · {a}")).unwrap_or_default(), case.map(|c| format!(" · case {c}")).unwrap_or_default())}</li>
            }).collect_view()}</ul>
            <h3>{format!("Lookups ({} in all)", unit.lookups_total)}</h3>
            <ul>{unit.lookups.into_iter().map(|(at, result, channel, hits)| view! { <li>{format!("{} · {result} · {channel} · {hits}×", at.replace('T', " ").trim_end_matches('Z'))}</li> }).collect_view()}</ul>
        </section>
    }
    .into_any()
}

#[component]
fn EditPanel(unit: UnitRecord, action: String) -> impl IntoView {
    let statuses: Vec<(&'static str, &'static str)> = serialtrace::import::UNIT_STATUSES
        .iter()
        .map(|s| (*s, *s))
        .collect();
    view! {
        <section class="panel">
            <h2 id="edit-unit">"Edit the unit"</h2>
            <form method="post" action=action class="stack-form" aria-labelledby="edit-unit">
                <input type="hidden" name="action" value="edit" />
                <Choice name="status" label="Status" options=statuses initial=unit.status />
                <Field name="location" label="Location" required=false initial=unit.location.unwrap_or_default() />
                <Field name="manufactured_on" label="Made on" kind="date" required=false initial=unit.manufactured_on.unwrap_or_default() />
                <Field name="revision" label="Revision" required=false initial=unit.revision.unwrap_or_default() />
                <button type="submit">"Save the unit"</button>
            </form>
        </section>
    }
    .into_any()
}

#[cfg(feature = "ssr")]
pub use server::change_unit;

#[cfg(feature = "ssr")]
mod server {
    use crate::auth::{RequireRole, Staff};
    use crate::pages::staff::their_record;
    use crate::state::AppState;
    use crate::web::forms::PageForm;
    use crate::web::responses::answer;
    use axum::extract::{Path, State};
    use axum::response::Response;
    use serde::{Deserialize, Serialize};
    use serialtrace::catalogue::{Problems, optional_date};
    use serialtrace::service::Error as ServiceError;
    use serialtrace::service::catalogue::Record;
    use serialtrace::service::units::{self, Component, NewEvent, UnitEdit};

    #[derive(Deserialize, Serialize, Default)]
    #[serde(default)]
    pub struct UnitForm {
        action: String,
        status: String,
        location: String,
        manufactured_on: String,
        revision: String,
        kind: String,
        at: String,
        place: String,
        note: String,
        component_kind: String,
        component: String,
        component_model: String,
    }

    fn some(
        value: &str,
        max: usize,
        field: &'static str,
        problems: &mut Problems,
    ) -> Option<String> {
        let value = value.trim();
        if value.chars().count() > max {
            problems.push((field, format!("At most {max} characters.")));
        }
        (!value.is_empty()).then(|| value.to_owned())
    }

    fn checked<T>(problems: Problems, value: T) -> Result<T, ServiceError> {
        if problems.is_empty() {
            Ok(value)
        } else {
            Err(ServiceError::Invalid(
                problems
                    .into_iter()
                    .map(|(f, m)| (f.to_owned(), m))
                    .collect(),
            ))
        }
    }

    pub async fn change_unit(
        State(state): State<AppState>,
        staff: RequireRole<Staff>,
        Path(id): Path<String>,
        PageForm { parts, form }: PageForm<UnitForm>,
    ) -> Response {
        let user = staff.user();
        let caller = crate::auth::Caller::staff(user, &parts);
        let actor = caller.actor();
        let (m, id) = match their_record(&state, user, Record::Unit, &id, &parts, &form).await {
            Ok(found) => found,
            Err(response) => return response,
        };
        let db = &state.services.db;
        let page = format!("/staff/units/{id}");
        let mut problems = Problems::new();
        let outcome: Result<String, ServiceError> = match form.action.as_str() {
            "edit" => {
                let edit = UnitEdit {
                    status: form.status.trim().to_owned(),
                    location: some(&form.location, 120, "location", &mut problems),
                    manufactured_on: optional_date(
                        &mut problems,
                        "manufactured_on",
                        &form.manufactured_on,
                    )
                    .map(|d| d.to_string()),
                    revision: some(&form.revision, 40, "revision", &mut problems),
                };
                match checked(problems, edit) {
                    Ok(edit) => units::update_unit(db, m, id, &edit, &actor)
                        .await
                        .map(|()| format!("{page}?done=saved")),
                    Err(e) => Err(e),
                }
            }
            "event" => {
                let at = optional_date(&mut problems, "at", &form.at);
                if at.is_none() && form.at.trim().is_empty() {
                    problems.push(("at", "Enter the date it happened.".into()));
                }
                let event = NewEvent {
                    kind: form.kind.trim().to_owned(),
                    at: at.map(|d| d.to_string()).unwrap_or_default(),
                    place: some(&form.place, 120, "place", &mut problems),
                    note: some(&form.note, 500, "note", &mut problems),
                };
                match checked(problems, event) {
                    Ok(event) => {
                        units::add_event(db, m, id, &event, &user.email.to_string(), &actor)
                            .await
                            .map(|()| format!("{page}?done=event#journey"))
                    }
                    Err(e) => Err(e),
                }
            }
            "link" => {
                let model = some(&form.component_model, 40, "component_model", &mut problems);
                let name = form.component.trim();
                if name.is_empty() {
                    problems.push((
                        "component",
                        "Enter the component's serial or lot code.".into(),
                    ));
                }
                let component = match (
                    form.component_kind.as_str(),
                    serialtrace::serial::Serial::parse(name),
                ) {
                    ("lot", _) => Some(Component::Lot {
                        code: name.to_owned(),
                        model,
                    }),
                    (_, Ok(serial)) => Some(Component::Serial {
                        serial: serial.normalised().to_owned(),
                        model,
                    }),
                    (_, Err(error)) => {
                        if !name.is_empty() {
                            problems.push(("component", error.to_string()));
                        }
                        None
                    }
                };
                match checked(problems, component) {
                    Ok(Some(component)) => units::link_component(db, m, id, &component, &actor)
                        .await
                        .map(|_| format!("{page}?done=linked#components")),
                    Ok(None) => Err(ServiceError::invalid("component", "Enter the component.")),
                    Err(e) => Err(e),
                }
            }
            _ => Err(ServiceError::invalid(
                "form",
                "That is not something this page can do.",
            )),
        };
        answer(&state, parts, &form, outcome, |to| to).await
    }
}
