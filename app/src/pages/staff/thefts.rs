//! `/staff/thefts`: theft and loss reports on the manufacturer's units (from owners, police
//! or staff): verify, mark recovered, withdraw, add notes; report on an owner's behalf.

#[cfg(feature = "ssr")]
use super::staff_manufacturer;
#[cfg(feature = "ssr")]
use crate::auth::{Access, require};
use crate::components::load::Loaded;
use crate::error::AppError;
use crate::web::forms::{Choice, Field, FormProblem, feedback};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
#[cfg(feature = "ssr")]
use serialtrace::account::Role;
use serialtrace::theft::{ReportStatus, TheftLine};

#[server(prefix = "/_fn", endpoint = "staff_thefts")]
pub async fn staff_thefts(all: bool) -> Result<Vec<TheftLine>, AppError> {
    let user = require(Access::Role(Role::Staff))?;
    let m = staff_manufacturer(&user)?;
    let services = crate::state::services()?;
    Ok(serialtrace::service::thefts::staff_queue(&services.db, m, all).await?)
}

#[component]
pub fn TheftsPage() -> impl IntoView {
    let query = use_query_map().get_untracked();
    let all = query.get("all").as_deref() == Some("1");
    let done = query.get("done");
    let list = Resource::new(move || all, staff_thefts);
    let action = if all {
        "/staff/thefts?all=1"
    } else {
        "/staff/thefts"
    };
    view! {
        <Title text="Theft reports" />
        <h1>"Theft and loss reports"</h1>
        {done.map(|_| view! { <p class="notice" role="status">"The report has been updated."</p> })}
        <FormProblem />
        <p>{if all {
            view! { <a href="/staff/thefts">"Show open reports only"</a> }.into_any()
        } else {
            view! { <a href="/staff/thefts?all=1">"Show resolved reports too"</a> }.into_any()
        }}</p>
        <Loaded resource=list loading="Loading reports…" show=move |data| match data {
                    list if list.is_empty() => view! { <p class="count">"No open reports."</p> }.into_any(),
                    list => view! {
                        <p class="count">{format!("{} reports", list.len())}</p>
                        <ul class="reports">
                            {list.into_iter().map(|report| view! { <TheftCard report action /> }).collect_view()}
                        </ul>
                    }.into_any(),
                } />
        <section class="panel">
            <h2 id="on-behalf">"Report a unit on an owner's behalf"</h2>
            <form method="post" action=action class="stack-form" aria-labelledby="on-behalf">
                <input type="hidden" name="action" value="report" />
                <Field name="theft_serial" label="Serial" />
                <Field name="theft_model" label="Model number" required=false hint="Only needed when two of your models share the serial." />
                <Choice name="theft_kind" label="What happened" options=vec![("stolen", "stolen"), ("lost", "lost")] />
                <Field name="occurred_on" label="When" kind="date" required=false />
                <Field name="place" label="Where" required=false />
                <Field name="agency" label="Police agency" required=false />
                <Field name="case_number" label="Case number" required=false />
                <Field name="note" label="Note" required=false />
                <button type="submit">"File the report"</button>
            </form>
        </section>
    }
    .into_any()
}

#[component]
fn TheftCard(report: TheftLine, action: &'static str) -> impl IntoView {
    let id = report.id;
    let problem = feedback().error(&format!("report-{id}"));
    let open = report.status == ReportStatus::Active;
    // The police's own reports are closed by their agency (the service refuses it here too).
    let police_filed = report.reporter_kind == "police";
    let closable = open && !police_filed;
    view! {
        <li class="panel report" id=format!("report-{id}") data-status=report.status.as_str()>
            <h2><a href=format!("/staff/units/{}", report.unit_id)>{format!("{} · {}", report.serial, report.model)}</a></h2>
            <p>{format!(
                "{} ({}), reported {} by {}{}",
                report.kind, report.status, report.reported_at.get(..10).unwrap_or_default(), report.reporter_kind,
                if report.verified_at.is_some() { " · verified" } else { "" }
            )}</p>
            <p class="muted">{[
                report.occurred_on.map(|d| format!("on {d}")),
                report.place.map(|p| format!("at {p}")),
                report.agency.map(|a| format!("agency {a}")),
                report.case_number.map(|c| format!("case {c}")),
                report.recovered_place.map(|p| format!("recovered at {p}")),
            ].into_iter().flatten().collect::<Vec<_>>().join(" · ")}</p>
            {(!report.notes.is_empty()).then(|| view! {
                <ul class="notes">{report.notes.into_iter().map(|(at, role, note)| view! {
                    <li>{format!("{} ({role}): {note}", at.get(..10).unwrap_or_default())}</li>
                }).collect_view()}</ul>
            })}
            <form method="post" action=action class="stack-form" aria-label=format!("Review report {id}")>
                <input type="hidden" name="report_id" value=id.to_string() />
                <div class="field">
                    <label for=format!("note-{id}")>"Note"</label>
                    <input id=format!("note-{id}") name="note" type="text" />
                </div>
                {closable.then(|| view! {
                    <div class="field">
                        <label for=format!("recovered-{id}")>"Recovered at"</label>
                        <input id=format!("recovered-{id}") name="recovered_place" type="text" />
                    </div>
                })}
                <p class="actions">
                    {report.verified_at.is_none().then(|| view! { <button type="submit" name="action" value="verify">"Verify"</button> })}
                    {closable.then(|| view! {
                        <button type="submit" name="action" value="recover">"Mark recovered"</button>
                        <button type="submit" name="action" value="withdraw" class="danger">"Withdraw"</button>
                    })}
                    <button type="submit" name="action" value="note">"Add the note"</button>
                </p>
                {(open && police_filed).then(|| view! {
                    <p class="muted">"Filed by the police: only its agency, or an administrator, marks it recovered or withdraws it."</p>
                })}
                {problem.map(|p| view! { <p class="form-problem" role="alert">{p}</p> })}
            </form>
        </li>
    }
    .into_any()
}

#[cfg(feature = "ssr")]
pub use server::change_theft;

#[cfg(feature = "ssr")]
mod server {
    use super::super::staff_manufacturer;
    use crate::auth::{RequireRole, Staff};
    use crate::state::AppState;
    use crate::web::forms::PageForm;
    use crate::web::responses::answer;
    use axum::extract::State;
    use axum::response::Response;
    use serde::{Deserialize, Serialize};
    use serialtrace::service::Error as ServiceError;
    use serialtrace::service::thefts::{self, OnBehalf, Review};

    #[derive(Deserialize, Serialize, Default)]
    #[serde(default)]
    pub struct TheftForm {
        action: String,
        report_id: String,
        note: String,
        recovered_place: String,
        theft_serial: String,
        theft_model: String,
        theft_kind: String,
        occurred_on: String,
        place: String,
        agency: String,
        case_number: String,
    }

    fn text(value: &str) -> Option<String> {
        let value: String = value.trim().chars().take(500).collect();
        (!value.is_empty()).then_some(value)
    }

    pub async fn change_theft(
        State(state): State<AppState>,
        staff: RequireRole<Staff>,
        PageForm { parts, form }: PageForm<TheftForm>,
    ) -> Response {
        let user = staff.user();
        let caller = crate::auth::Caller::staff(user, &parts);
        let actor = caller.actor();
        let Ok(m) = staff_manufacturer(user) else {
            let outcome: Result<(), _> = Err(ServiceError::NotFound(
                "Your account is not linked to a manufacturer.".into(),
            ));
            return answer(&state, parts, &form, outcome, |_| String::new()).await;
        };
        let back = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| "/staff/thefts".into());
        let sep = if back.contains('?') { '&' } else { '?' };
        let db = &state.services.db;
        let outcome: Result<String, ServiceError> = if form.action == "report" {
            let mut problems = Vec::new();
            let serial = match serialtrace::serial::Serial::parse(&form.theft_serial) {
                Ok(s) => s.normalised().to_owned(),
                Err(e) => {
                    problems.push(("theft_serial".to_owned(), e.to_string()));
                    String::new()
                }
            };
            let mut date_problems = Vec::new();
            let occurred_on = serialtrace::catalogue::optional_date(
                &mut date_problems,
                "occurred_on",
                &form.occurred_on,
            );
            problems.extend(date_problems.into_iter().map(|(f, m)| (f.to_owned(), m)));
            if problems.is_empty() {
                let report = OnBehalf {
                    serial,
                    model: text(&form.theft_model),
                    kind: form.theft_kind.trim().to_owned(),
                    occurred_on: occurred_on.map(|d| d.to_string()),
                    place: text(&form.place),
                    agency: text(&form.agency),
                    case_number: text(&form.case_number),
                    note: text(&form.note),
                };
                thefts::report_on_behalf(db, m, &report, &actor)
                    .await
                    .map(|id| format!("{back}{sep}done=1#report-{id}"))
            } else {
                Err(ServiceError::Invalid(problems))
            }
        } else {
            let review = match form.action.as_str() {
                "verify" => Some(Review::Verify),
                "recover" => Some(Review::Recover {
                    place: text(&form.recovered_place),
                }),
                "withdraw" => Some(Review::Withdraw),
                "note" => Some(Review::Note),
                _ => None,
            };
            match (review, form.report_id.parse::<i64>()) {
                (Some(review), Ok(id)) => {
                    thefts::review(db, m, id, &review, text(&form.note).as_deref(), &actor)
                        .await
                        .map(|()| format!("{back}{sep}done=1#report-{id}"))
                }
                _ => Err(ServiceError::invalid(
                    "form",
                    "That is not something this page can do.",
                )),
            }
        };
        answer(&state, parts, &form, outcome, |to| to).await
    }
}
