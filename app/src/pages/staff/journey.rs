//! `/staff/journey`: journey events and component links in bulk, from a CSV file (or pasted
//! CSV text). Every bad row is listed as `line N: column: reason`; the good rows are written.

use crate::web::forms::{FormProblem, feedback};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The largest bulk file.
pub const MAX_BULK_BYTES: usize = 16 * 1024 * 1024;

#[component]
pub fn JourneyPage() -> impl IntoView {
    let query = use_query_map().get_untracked();
    let done = query.get("done").map(|what| {
        let n = |k: &str| {
            query
                .get(k)
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0)
        };
        match what.as_str() {
            "links" => format!(
                "{} component links recorded ({} were there already).",
                n("applied"),
                n("unchanged")
            ),
            _ => format!("{} journey events recorded.", n("applied")),
        }
    });
    view! {
        <Title text="Journey and components in bulk" />
        <h1>"Journey and components in bulk"</h1>
        {done.map(|d| view! { <p class="notice" role="status">{d}</p> })}
        <FormProblem />
        <BulkForm kind="events" title="Journey events"
            header="serial,event,at,place,note"
            hint="event is one of manufactured, shipped, received, sold, registered, repaired, returned, transferred, scrapped; at is YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ." />
        <BulkForm kind="links" title="Component links"
            header="parent_serial,component_serial,component_lot"
            hint="Each row names the finished unit and either a component unit's serial or a component lot's code. Live component recalls are recomputed." />
    }
    .into_any()
}

#[component]
fn BulkForm(
    kind: &'static str,
    title: &'static str,
    header: &'static str,
    hint: &'static str,
) -> impl IntoView {
    let problem = feedback().error(kind);
    let text = feedback()
        .value(&format!("{kind}_text"))
        .unwrap_or_default();
    view! {
        <section class="panel">
            <h2 id=format!("bulk-{kind}")>{title}</h2>
            <p>"A CSV file with the header line " <code>{header}</code> " (other columns are ignored). " {hint}</p>
            <form method="post" action="/staff/journey/upload" enctype="multipart/form-data" class="stack-form" aria-labelledby=format!("bulk-{kind}")>
                <input type="hidden" name="kind" value=kind />
                <div class="field" class:invalid=problem.is_some()>
                    <label for=format!("{kind}-file")>"CSV file"</label>
                    <input id=format!("{kind}-file") name="file" type="file" accept=".csv,text/csv" />
                </div>
                <div class="field">
                    <label for=format!("{kind}-text")>"Or paste the CSV"</label>
                    <textarea id=format!("{kind}-text") name="text" rows="6">{text}</textarea>
                </div>
                {problem.map(|p| view! { <pre class="form-problem problems" role="alert">{p}</pre> })}
                <button type="submit">{format!("Record the {}", title.to_lowercase())}</button>
            </form>
        </section>
    }
    .into_any()
}

#[cfg(feature = "ssr")]
pub use server::upload_bulk;

#[cfg(feature = "ssr")]
mod server {
    use super::super::staff_manufacturer;
    use crate::auth::{RequireRole, Staff};
    use crate::state::AppState;
    use crate::web::forms::{FormFeedback, done, rerender};
    use crate::web::uploads::{read_multipart, upload_problem};
    use axum::extract::{Request, State};
    use axum::http::{StatusCode, Uri};
    use axum::response::Response;
    use serialtrace::service::journey;

    /// Problems shown on the page at most (the rest are counted).
    const SHOWN: usize = 200;

    pub async fn upload_bulk(
        State(state): State<AppState>,
        staff: RequireRole<Staff>,
        request: Request,
    ) -> Response {
        let user = staff.user().clone();
        let mut upload = read_multipart(&state, request).await;
        upload.parts.uri = Uri::from_static("/staff/journey");
        let mut feedback = FormFeedback::default();
        let Ok(m) = staff_manufacturer(&user) else {
            feedback.add_error("form", "Your account is not linked to a manufacturer.");
            return rerender(&state, upload.parts, feedback, StatusCode::FORBIDDEN).await;
        };
        if let Some(problem) = upload.problem.take() {
            return upload_problem(&state, upload, "form", problem).await;
        }
        let (kind, text) = (upload.text("kind"), upload.text("text"));
        let file = match upload.file_text("file") {
            Ok(file) => file,
            Err(why) => {
                return upload_problem(
                    &state,
                    upload,
                    "form",
                    (StatusCode::UNPROCESSABLE_ENTITY, why),
                )
                .await;
            }
        };
        let parts = upload.parts;
        if kind != "events" && kind != "links" {
            feedback.add_error("form", "Choose journey events or component links.");
            return rerender(&state, parts, feedback, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        let csv = if file.trim().is_empty() {
            text.clone()
        } else {
            file
        };
        if csv.trim().is_empty() {
            feedback.add_error(&kind, "Choose a CSV file or paste the CSV.");
            return rerender(&state, parts, feedback, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        let caller = crate::auth::Caller::staff(&user, &parts);
        let actor = caller.actor();
        let db = &state.services.db;
        let outcome = if kind == "events" {
            journey::import_events(db, m, &csv, &user.email.to_string(), &actor).await
        } else {
            journey::import_links(db, m, &csv, &actor).await
        };
        let (message, status) = match outcome {
            Ok(Ok(outcome)) if outcome.rejected == 0 => {
                return done(&format!(
                    "/staff/journey?done={kind}&applied={}&unchanged={}",
                    outcome.applied, outcome.unchanged
                ));
            }
            Ok(Ok(outcome)) => {
                let mut lines = vec![format!(
                    "{} of {} rows recorded{}; {} rejected:",
                    outcome.applied,
                    outcome.rows,
                    if outcome.unchanged > 0 {
                        format!(" ({} already there)", outcome.unchanged)
                    } else {
                        String::new()
                    },
                    outcome.rejected
                )];
                lines.extend(outcome.problems.iter().take(SHOWN).cloned());
                if outcome.rejected > SHOWN {
                    lines.push(format!("… and {} more", outcome.rejected - SHOWN));
                }
                (lines.join("\n"), StatusCode::UNPROCESSABLE_ENTITY)
            }
            Ok(Err(problem)) => (
                format!("Nothing was recorded: {problem}"),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            Err(error) => {
                tracing::error!(%error, "bulk journey upload");
                (
                    "Nothing was recorded just now; try again in a moment.".to_owned(),
                    StatusCode::SERVICE_UNAVAILABLE,
                )
            }
        };
        feedback.add_error(&kind, message);
        if text.len() <= 64 * 1024 {
            feedback = feedback.keep(&format!("{kind}_text"), &text);
        }
        rerender(&state, parts, feedback, status).await
    }
}
