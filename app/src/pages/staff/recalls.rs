//! `/staff/recalls` (the manufacturer's recalls and a new draft) and `/staff/recalls/{id}`
//! (text, scope rules, preview, publish, close, remedy tracking). Forms post to the page.

#[cfg(feature = "ssr")]
use super::staff_manufacturer;
#[cfg(feature = "ssr")]
use crate::auth::{Access, require};
use crate::components::load::Loaded;
use crate::error::AppError;
use crate::web::forms::{Choice, Field, FormProblem, TextArea, Tick};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
#[cfg(feature = "ssr")]
use serialtrace::account::Role;
use serialtrace::recall::RecallStatus;
use serialtrace::recall::{StaffRecall, StaffRecallDetail};

#[server(prefix = "/_fn", endpoint = "staff_recalls")]
pub async fn staff_recalls() -> Result<Vec<StaffRecall>, AppError> {
    let user = require(Access::Role(Role::Staff))?;
    let manufacturer = staff_manufacturer(&user)?;
    let services = crate::state::services()?;
    Ok(serialtrace::service::recall_admin::list(&services.db, manufacturer).await?)
}

#[server(prefix = "/_fn", endpoint = "staff_recall")]
pub async fn load_recall(id: i64) -> Result<StaffRecallDetail, AppError> {
    let user = require(Access::Role(Role::Staff))?;
    let m = staff_manufacturer(&user)?;
    let services = crate::state::services()?;
    Ok(serialtrace::service::recall_admin::detail(&services.db, m, id).await?)
}

fn percent(part: i64, whole: i64) -> String {
    if whole == 0 {
        "–".to_owned()
    } else {
        format!("{:.1} %", part as f64 * 100.0 / whole as f64)
    }
}

#[component]
pub fn StaffRecallsPage() -> impl IntoView {
    let list = Resource::new(|| (), |_| staff_recalls());
    view! {
        <Title text="Recalls" />
        <h1>"Recalls"</h1>
        <Loaded resource=list loading="Loading recalls…" show=move |data| match data {
                    list if list.is_empty() => view! { <p class="count">"No recalls yet."</p> }.into_any(),
                    list => view! { <RecallTable list /> }.into_any(),
                } />
        <section class="panel">
            <h2 id="new-recall">"Draft a recall"</h2>
            <form method="post" action="/staff/recalls" class="stack-form" aria-labelledby="new-recall">
                <FormProblem />
                <input type="hidden" name="action" value="draft" />
                <RecallFields />
                <button type="submit">"Save the draft"</button>
            </form>
        </section>
    }
    .into_any()
}

#[component]
fn RecallTable(list: Vec<StaffRecall>) -> impl IntoView {
    view! {
        <table class="data recalls">
            <thead><tr><th scope="col">"Number"</th><th scope="col">"Title"</th><th scope="col">"Status"</th><th scope="col">"Units"</th><th scope="col">"Remedied"</th></tr></thead>
            <tbody>
                {list.into_iter().map(|r| view! {
                    <tr>
                        <td><a href=format!("/staff/recalls/{}", r.id)>{r.number}</a></td>
                        <td>{r.title}</td>
                        <td>{r.status.as_str()}</td>
                        <td>{r.members}</td>
                        <td>{percent(r.remedied, r.members)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn RecallFields() -> impl IntoView {
    view! {
        <Field name="number" label="Recall number" hint="Such as HC-2026-004." />
        <Field name="title" label="Title" />
        <Field name="hazard" label="Hazard" />
        <TextArea name="description" label="Description" required=true />
        <Choice name="remedy" label="Remedy" options=vec![("repair", "repair"), ("replace", "replace"), ("refund", "refund")] />
        <Tick name="remedy_available" label="The remedy is available now" initial=true from="draft" />
        <TextArea name="instructions" label="What owners should do" required=true />
        <Choice name="severity" label="Severity" options=vec![("high", "high"), ("critical", "critical"), ("medium", "medium"), ("low", "low")] />
        <Field name="starts_on" label="Starts on" kind="date" />
    }
    .into_any()
}

#[component]
pub fn StaffRecallPage() -> impl IntoView {
    let id = match super::path_id("recall") {
        Ok(id) => id,
        Err(missing) => return missing,
    };
    let query = use_query_map().get_untracked();
    let done = query.get("done");
    let detail = Resource::new(move || id, load_recall);
    view! {
        <Title text="Recall" />
        <p><a href="/staff/recalls">"← Recalls"</a></p>
        {done.map(|d| view! { <p class="notice" role="status">{match d.as_str() {
            "published" => "The recall is published: lookups of affected units show it now.",
            "closed" => "The recall is closed.",
            "rule" => "The scope has changed.",
            "remedies" => "The remedy statuses have been recorded.",
            _ => "Saved.",
        }}</p> })}
        <Loaded resource=detail loading="Loading…" heading="Recall" show=move |detail| view! { <RecallDetailPanel detail /> }.into_any() />
    }
    .into_any()
}

#[component]
fn RecallDetailPanel(detail: StaffRecallDetail) -> impl IntoView {
    let r = detail.recall;
    let action = format!("/staff/recalls/{}", r.id);
    let status = r.status;
    view! {
        <h1>{format!("{} · {}", r.number, r.title)}</h1>
        <p class="badge" data-status=status.as_str()>{status.as_str()}</p>
        <FormProblem />
        <dl class="facts">
            <dt>"Hazard"</dt><dd>{r.hazard}</dd>
            <dt>"Remedy"</dt><dd>{format!("{}{}", r.remedy.as_str(), if r.remedy_available { "" } else { " (not yet available)" })}</dd>
            <dt>"Severity"</dt><dd>{r.severity.as_str()}</dd>
            <dt>"Starts"</dt><dd>{r.starts_on}</dd>
            <dt>"What owners should do"</dt><dd>{r.instructions}</dd>
        </dl>
        <ScopePanel action=action.clone() status=status rules=detail.rules preview=detail.preview />
        {(status != RecallStatus::Draft).then(|| view! {
            <RemedyPanel action=action.clone() status=status members=r.members remedied=r.remedied counts=detail.counts reach=detail.reach />
        })}
    }
    .into_any()
}

#[component]
fn ScopePanel(
    action: String,
    status: RecallStatus,
    rules: Vec<(i64, String)>,
    preview: Option<(i64, Vec<(String, String)>)>,
) -> impl IntoView {
    let open = status != RecallStatus::Closed;
    view! {
        <section class="panel">
            <h2 id="scope">"Scope"</h2>
            {if rules.is_empty() {
                view! { <p class="count">"No rules yet: the recall covers nothing."</p> }.into_any()
            } else {
                view! {
                    <ul class="rules">
                        {rules.into_iter().map(|(id, words)| view! {
                            <li>{words}
                                {open.then(|| view! {
                                    <form method="post" action=action.clone() class="inline-form">
                                        <input type="hidden" name="action" value="remove_rule" />
                                        <input type="hidden" name="rule_id" value=id.to_string() />
                                        <button type="submit" class="link">"remove"</button>
                                    </form>
                                })}
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {preview.map(|(count, sample)| view! {
                <div class="preview" role="status">
                    <p><strong>{format!("Preview: {count} units would be affected.")}</strong></p>
                    {(!sample.is_empty()).then(|| view! {
                        <p class="hint">{format!("Such as: {}", sample.iter().map(|(s, m)| format!("{s} ({m})")).collect::<Vec<_>>().join(", "))}</p>
                    })}
                </div>
            })}
            {open.then(|| view! { <RuleForm action=action.clone() /> })}
            {(status == RecallStatus::Draft).then(|| view! {
                <form method="post" action=action.clone() class="inline-form">
                    <input type="hidden" name="action" value="publish" />
                    <button type="submit">"Publish the recall"</button>
                </form>
            })}
            {(status == RecallStatus::Active).then(|| view! {
                <form method="post" action=action.clone() class="inline-form">
                    <input type="hidden" name="action" value="close" />
                    <button type="submit" class="danger">"Close the recall"</button>
                </form>
            })}
        </section>
    }
    .into_any()
}

#[component]
fn RuleForm(action: String) -> impl IntoView {
    view! {
        <form method="post" action=action class="stack-form" aria-label="Add a scope rule">
            <input type="hidden" name="action" value="add_rule" />
            <Choice name="rule_kind" label="Add a rule covering" options=vec![
                ("serials", "a list of serials"),
                ("range", "a serial range"),
                ("lot", "a lot"),
                ("window", "a model made between two dates"),
                ("component_lot", "a component lot (and every unit built with it)"),
                ("component_serial", "a component serial (and every unit built with it)"),
            ] />
            <Field name="rule_model" label="Model number" required=false hint="Needed for ranges and production windows; narrows the others." />
            <TextArea name="serials" label="Serials" hint="One per line (or separated by commas), or a CSV file pasted whole with its serial column first; for a component, its one serial." />
            <Field name="range_prefix" label="Range prefix" required=false />
            <Field name="range_from" label="Range from" required=false hint="The numeric body, with its leading zeros." />
            <Field name="range_to" label="Range to" required=false />
            <Field name="lot_code" label="Lot code" required=false />
            <Field name="window_from" label="Made from" kind="date" required=false />
            <Field name="window_to" label="Made to" kind="date" required=false />
            <button type="submit">"Add the rule"</button>
        </form>
    }
    .into_any()
}

#[component]
fn RemedyPanel(
    action: String,
    status: RecallStatus,
    members: i64,
    remedied: i64,
    counts: Vec<(String, i64)>,
    reach: i64,
) -> impl IntoView {
    view! {
        <section class="panel">
            <h2 id="remedies">"Remedies"</h2>
            <p class="summary" role="status">{format!("{remedied} of {members} units remedied ({}).", percent(remedied, members))}</p>
            <dl class="facts">
                {counts.into_iter().map(|(s, n)| view! { <dt>{s.replace('_', " ")}</dt><dd>{n}</dd> }).collect_view()}
                <dt>"with a registered owner to notify"</dt><dd>{format!("{reach} ({})", percent(reach, members))}</dd>
            </dl>
            {(status == RecallStatus::Active).then(|| view! {
                <form method="post" action=action class="stack-form" aria-label="Record remedies">
                    <input type="hidden" name="action" value="remedies" />
                    <TextArea name="remedies" label="Record remedies" rows=6
                        hint="One unit per line: serial,status[,remedied_on] — status open, remedy_unavailable or remedied; a CSV with that header can be pasted as it is." />
                    <button type="submit">"Record"</button>
                </form>
            })}
        </section>
    }
    .into_any()
}

#[cfg(feature = "ssr")]
pub use server::{change_recall, create_recall};

#[cfg(feature = "ssr")]
mod server {
    use super::super::staff_manufacturer;
    use crate::auth::{RequireRole, Staff};
    use crate::pages::staff::their_record;
    use crate::state::AppState;
    use crate::web::forms::PageForm;
    use crate::web::forms::{FormFeedback, keep_all, rerender};
    use crate::web::responses::answer;
    use axum::extract::{Path, State};
    use axum::http::StatusCode;
    use axum::response::Response;
    use serde::{Deserialize, Serialize};
    use serialtrace::recall::forms::{RecallForm, RuleForm, parse_remedy_lines};
    use serialtrace::service::Error as ServiceError;
    use serialtrace::service::catalogue::Record;
    use serialtrace::service::recall_admin as recalls;

    #[derive(Deserialize, Serialize, Default)]
    #[serde(default)]
    pub struct RecallPageForm {
        action: String,
        #[serde(flatten)]
        recall: RecallForm,
        #[serde(flatten)]
        rule: RuleForm,
        rule_id: String,
        remedies: String,
    }

    pub async fn create_recall(
        State(state): State<AppState>,
        staff: RequireRole<Staff>,
        PageForm { parts, form }: PageForm<RecallPageForm>,
    ) -> Response {
        let user = staff.user();
        let caller = crate::auth::Caller::staff(user, &parts);
        let actor = caller.actor();
        let outcome = match (staff_manufacturer(user), form.recall.parse()) {
            (Err(_), _) => Err(ServiceError::NotFound(
                "Your account is not linked to a manufacturer.".into(),
            )),
            (Ok(_), Err(problems)) => Err(ServiceError::fields(problems)),
            (Ok(m), Ok(text)) => recalls::create_draft(&state.services.db, m, &text, &actor).await,
        };
        answer(&state, parts, &form, outcome, |id| {
            format!("/staff/recalls/{id}")
        })
        .await
    }

    pub async fn change_recall(
        State(state): State<AppState>,
        staff: RequireRole<Staff>,
        Path(id): Path<String>,
        PageForm { parts, form }: PageForm<RecallPageForm>,
    ) -> Response {
        let user = staff.user();
        let caller = crate::auth::Caller::staff(user, &parts);
        let actor = caller.actor();
        let (m, id) = match their_record(&state, user, Record::Recall, &id, &parts, &form).await {
            Ok(found) => found,
            Err(response) => return response,
        };
        let db = &state.services.db;
        let page = format!("/staff/recalls/{id}");
        let outcome: Result<String, ServiceError> = match form.action.as_str() {
            "add_rule" => match form.rule.parse() {
                Ok(rule) => recalls::add_rule(db, m, id, &rule, &actor)
                    .await
                    .map(|()| format!("{page}?done=rule#scope")),
                Err(problems) => Err(ServiceError::fields(problems)),
            },
            "remove_rule" => match form.rule_id.parse::<i64>() {
                Ok(rule_id) => recalls::remove_rule(db, m, id, rule_id, &actor)
                    .await
                    .map(|()| format!("{page}?done=rule#scope")),
                Err(_) => Err(ServiceError::NotFound(
                    "That rule is not part of this recall.".into(),
                )),
            },
            "publish" => recalls::publish(db, m, id, &actor)
                .await
                .map(|_| format!("{page}?done=published")),
            "close" => recalls::close(db, m, id, &actor)
                .await
                .map(|()| format!("{page}?done=closed")),
            "remedies" => {
                let (updates, mut problems) = parse_remedy_lines(&form.remedies);
                if updates.is_empty() && problems.is_empty() {
                    problems.push("Enter at least one line: serial,status.".into());
                }
                if problems.is_empty() {
                    match recalls::update_remedies(db, m, id, &updates, &actor).await {
                        Ok(outcome) if outcome.problems.is_empty() => {
                            Ok(format!("{page}?done=remedies#remedies"))
                        }
                        Ok(outcome) => {
                            // Recorded what could be; the rest is listed with its line.
                            let mut feedback = FormFeedback::default();
                            feedback.add_error(
                                "remedies",
                                format!(
                                    "{} recorded; these lines changed nothing: {}",
                                    outcome.updated,
                                    outcome.problems.join("; ")
                                ),
                            );
                            keep_all(&form, &mut feedback);
                            return rerender(
                                &state,
                                parts,
                                feedback,
                                StatusCode::UNPROCESSABLE_ENTITY,
                            )
                            .await;
                        }
                        Err(error) => Err(error),
                    }
                } else {
                    Err(ServiceError::invalid(
                        "remedies",
                        format!("Nothing was recorded: {}", problems.join("; ")),
                    ))
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
