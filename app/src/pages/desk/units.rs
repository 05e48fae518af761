//! A unit on the desk (`/desk/units/{id}`): its whole record, claims, repairs and proof of
//! purchase; logging a repair, extending the warranty, withdrawing a false stolen report.

use super::{ClaimList, desk_done};
#[cfg(feature = "ssr")]
use crate::auth::{Access, require};
use crate::components::load::Loaded;
use crate::error::AppError;
use crate::pages::staff::units::{HistoryPanel, JourneyList, UnitRecord};
use crate::web::forms::{Field, FormProblem, feedback};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};
#[cfg(feature = "ssr")]
use serialtrace::account::Role;
use serialtrace::claim::UnitClaims;

/// A unit as the desk shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UnitOnDesk {
    pub record: UnitRecord,
    pub claims: UnitClaims,
    /// Active stolen or lost reports: (id, kind, reported at, reported by).
    pub open_reports: Vec<(i64, String, String, String)>,
}

#[server(prefix = "/_fn", endpoint = "desk_unit")]
pub async fn desk_unit(id: i64) -> Result<UnitOnDesk, AppError> {
    require(Access::Role(Role::Agent))?;
    let services = crate::state::services()?;
    let db = &services.db;
    let Some(record) = serialtrace::service::units::record(db, None, id).await? else {
        crate::error::set_status(axum::http::StatusCode::NOT_FOUND);
        return Err(AppError::NotFound(format!("There is no unit {id}.")));
    };
    Ok(UnitOnDesk {
        record,
        claims: serialtrace::service::claims::unit_claims(db, id).await?,
        open_reports: serialtrace::service::police::active_reports(db, id)
            .await?
            .into_iter()
            .map(|(report, kind, at, by, _)| (report, kind, at, by))
            .collect(),
    })
}

#[component]
pub fn DeskUnitPage() -> impl IntoView {
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
        <Loaded resource=unit loading="Loading…" heading="Unit" show=move |unit| view! { <DeskUnitView unit /> }.into_any() />
    }
    .into_any()
}

#[component]
fn DeskUnitView(unit: UnitOnDesk) -> impl IntoView {
    let record = unit.record;
    let action = format!("/desk/units/{}", record.id);
    let approved: Vec<(String, String)> = std::iter::once((String::new(), "none".to_owned()))
        .chain(
            unit.claims
                .claims
                .iter()
                .filter(|c| c.status == "approved")
                .map(|c| (c.id.to_string(), format!("claim {}", c.id))),
        )
        .collect();
    view! {
        <h1>{format!("{} · {}", record.serial, record.model)}</h1>
        <p class="meta">{format!("{} · status {}{}", record.product_name, record.status.replace('_', " "),
            record.manufactured_on.clone().map(|d| format!(" · made {d}")).unwrap_or_default())}</p>
        {unit.claims.proof.map(|file| view! { <p><a href=format!("/files/{}", file.id)>{format!("Proof of purchase ({})", file.filename)}</a></p> })}
        <section class="panel">
            <h2>"Claims"</h2>
            {if unit.claims.claims.is_empty() {
                view! { <p class="count">"No claims on this unit."</p> }.into_any()
            } else {
                view! { <ClaimList list=unit.claims.claims /> }.into_any()
            }}
            <h2>"Repairs"</h2>
            {if unit.claims.repairs.is_empty() {
                view! { <p class="count">"No repairs."</p> }.into_any()
            } else {
                view! { <ul class="repairs">{unit.claims.repairs.into_iter().map(|repair| view! {
                    <li>{format!("{} · {}{}", repair.day(), repair.description, repair.parts.as_ref().map(|p| format!(" · parts: {p}")).unwrap_or_default())}</li>
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
                    if by == "police" {
                        return view! {
                            <h3 id=heading>{format!("Reported {kind} on {} by the police", at.get(..10).unwrap_or_default())}</h3>
                            <p class="count">"A police report: only its agency, or an administrator, closes it."</p>
                        }.into_any();
                    }
                    view! {
                        <form method="post" action=action.clone() class="stack-form" aria-labelledby=heading.clone()>
                            <h3 id=heading.clone()>{format!("Reported {kind} on {} by {by}", at.get(..10).unwrap_or_default())}</h3>
                            <input type="hidden" name="action" value="withdraw_report" />
                            <input type="hidden" name="report" value=id.to_string() />
                            <Field name="withdraw_reason" label="Why the report is false" hint="The owner is sent it; it is kept with the report and in the audit log." />
                            <button type="submit">"Withdraw the report"</button>
                        </form>
                    }.into_any()
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
    use serialtrace::service::claims::{self, Repair};

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

    fn months(field: &str, value: &str, required: bool) -> Result<Option<u32>, ServiceError> {
        let value = value.trim();
        if value.is_empty() && !required {
            return Ok(None);
        }
        value
            .parse::<u32>()
            .map(Some)
            .map_err(|_| ServiceError::invalid(field, "Enter a whole number of months."))
    }

    pub async fn change_desk_unit(
        State(state): State<AppState>,
        agent: RequireRole<Agent>,
        Path(id): Path<String>,
        PageForm { parts, form }: PageForm<DeskUnitForm>,
    ) -> Response {
        let caller = crate::auth::Caller::new(agent.user(), &parts, "agent");
        let actor = caller.actor();
        let db = &state.services.db;
        let Ok(unit) = id.parse::<i64>() else {
            let outcome: Result<(), _> =
                Err(ServiceError::NotFound("There is no such unit.".into()));
            return answer(&state, parts, &form, outcome, |_| String::new()).await;
        };
        let back = format!("/desk/units/{unit}");
        let outcome = match form.action.as_str() {
            "repair" => {
                let parts_list = claims::parse_parts(&form.repair_parts)
                    .map_err(|e| ServiceError::invalid("repair_parts", e));
                let warranty = months(
                    "repair_warranty_months",
                    &form.repair_warranty_months,
                    false,
                );
                let claim = match form.repair_claim.trim() {
                    "" => Ok(None),
                    c => c.parse::<i64>().map(Some).map_err(|_| {
                        ServiceError::invalid("repair_claim", "Choose one of the approved claims.")
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
                        claims::log_repair(db, unit, &repair, &actor)
                            .await
                            .map(|_| format!("{back}?done=repair"))
                    }
                    (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => Err(e),
                }
            }
            "extend" => match months("extend_months", &form.extend_months, true) {
                Ok(m) => {
                    claims::extend_warranty(db, unit, m.unwrap_or(0), &form.extend_reason, &actor)
                        .await
                        .map(|_| format!("{back}?done=extended"))
                }
                Err(e) => Err(e),
            },
            "withdraw_report" => match form.report.trim().parse::<i64>() {
                Ok(report) => serialtrace::service::police::close(
                    db,
                    report,
                    &serialtrace::service::police::Closing::Withdrawn,
                    &form.withdraw_reason,
                    serialtrace::service::police::Closer::Agent,
                    &actor,
                )
                .await
                .map_err(|e| match e {
                    // The form's field for the reason is this page's own.
                    ServiceError::Invalid(problems) => ServiceError::Invalid(
                        problems
                            .into_iter()
                            .map(|(_, m)| ("withdraw_reason".to_owned(), m))
                            .collect(),
                    ),
                    other => other,
                })
                .map(|()| format!("{back}?done=withdrawn")),
                Err(_) => Err(ServiceError::NotFound("There is no such report.".into())),
            },
            _ => Err(ServiceError::invalid(
                "form",
                "That is not something this page can do.",
            )),
        };
        answer(&state, parts, &form, outcome, |to| to).await
    }
}
