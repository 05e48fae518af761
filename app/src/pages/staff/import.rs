//! `/staff/import`: import units from a CSV file (the format of `serialtrace import units`),
//! for the staff member's own manufacturer. The upload starts a job and the browser goes to
//! `/staff/import/{id}`, which shows a progress bar (refreshing itself, so no JavaScript is
//! needed) and then the summary with every rejected row.

#[cfg(feature = "ssr")]
use super::staff_manufacturer;
#[cfg(feature = "ssr")]
use crate::auth::{Access, require};
use crate::components::load::Loaded;
use crate::error::AppError;
use crate::web::forms::{FormProblem, feedback};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_params_map;
#[cfg(feature = "ssr")]
use serialtrace::account::Role;
use serialtrace::import::ImportJob;

#[server(prefix = "/_fn", endpoint = "staff_imports")]
pub async fn recent_imports() -> Result<Vec<ImportJob>, AppError> {
    let user = require(Access::Role(Role::Staff))?;
    let manufacturer = staff_manufacturer(&user)?;
    let services = crate::state::services()?;
    Ok(serialtrace::service::import::recent_jobs(&services.db, manufacturer).await?)
}

/// One import of the staff member's manufacturer (another manufacturer's is "not found").
#[server(prefix = "/_fn", endpoint = "staff_import")]
pub async fn load_import(id: i64) -> Result<ImportJob, AppError> {
    let user = require(Access::Role(Role::Staff))?;
    let manufacturer = staff_manufacturer(&user)?;
    let services = crate::state::services()?;
    match serialtrace::service::import::job(&services.db, manufacturer, id).await? {
        Some(job) => Ok(job),
        None => {
            crate::error::set_status(axum::http::StatusCode::NOT_FOUND);
            Err(AppError::NotFound(format!("There is no import {id}.")))
        }
    }
}

#[component]
pub fn ImportPage() -> impl IntoView {
    let jobs = Resource::new(|| (), |_| recent_imports());
    let problem = feedback().error("file");
    view! {
        <Title text="Import units" />
        <h1>"Import units"</h1>
        <section class="panel">
            <p>"A CSV file with the header line "
                <code>"manufacturer,model,serial,lot,manufactured_on,sold_on,warranty_months"</code>
                " (other columns are ignored; dates as YYYY-MM-DD). Rows for another manufacturer are rejected. Importing the same file again changes nothing."</p>
            <form method="post" action="/staff/import/upload" enctype="multipart/form-data" class="stack-form">
                <FormProblem />
                <div class="field" class:invalid=problem.is_some()>
                    <label for="import-file">"CSV file"</label>
                    <input id="import-file" name="file" type="file" accept=".csv,text/csv" required
                        aria-describedby="import-file-problem" />
                    <p class="field-problem" id="import-file-problem">{problem.clone()}</p>
                </div>
                <div class="field">
                    <label><input type="checkbox" name="dry_run" value="on" />" Dry run: check every row and report, write nothing"</label>
                    <label><input type="checkbox" name="create_missing" value="on" />" Make the models the file names that do not exist yet"</label>
                </div>
                <button type="submit">"Import"</button>
            </form>
        </section>
        <Loaded resource=jobs loading="Loading imports…" show=move |data| match data {
                    list if list.is_empty() => view! { <p class="count">"No imports yet."</p> }.into_any(),
                    list => view! {
                        <h2>"Recent imports"</h2>
                        <table class="data">
                            <thead><tr><th scope="col">"File"</th><th scope="col">"Started (UTC)"</th><th scope="col">"State"</th><th scope="col">"Rows"</th><th scope="col">"Rejected"</th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|j| view! {
                                    <tr>
                                        <td><a href=format!("/staff/import/{}", j.id)>{j.file_name}</a>{j.dry_run.then_some(" (dry run)")}</td>
                                        <td>{j.created_at.replace('T', " ").trim_end_matches('Z').to_owned()}</td>
                                        <td>{j.state}</td>
                                        <td>{j.summary.rows}</td>
                                        <td>{j.summary.rejected}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                } />
    }
    .into_any()
}

#[component]
pub fn ImportJobPage() -> impl IntoView {
    let params = use_params_map().get_untracked();
    let Some(id) = params.get("id").and_then(|id| id.parse::<i64>().ok()) else {
        crate::web::responses::set_status(404);
        return view! { <p class="form-problem" role="alert">"There is no such import."</p> }
            .into_any();
    };
    let job = Resource::new(move || id, load_import);
    view! {
        <Title text="Import" />
        <Loaded resource=job loading="Loading…" heading="Import" show=move |job| view! { <JobReport job /> }.into_any() />
    }
    .into_any()
}

#[component]
fn JobReport(job: ImportJob) -> impl IntoView {
    let s = &job.summary;
    let running = job.state == "running";
    let kind = if job.dry_run { "Dry run" } else { "Import" };
    let shown = s.problems.len() as u64;
    view! {
        {running.then(|| view! { <Meta http_equiv="refresh" content="1" /> })}
        <h1>{format!("{kind}: {}", job.file_name)}</h1>
        <section class="panel" data-state=job.state.clone()>
            {match job.state.as_str() {
                "running" => view! {
                    <p role="status">{format!("Working… {} rows read so far.", s.rows)}</p>
                    <progress aria-label="Rows imported"></progress>
                    <p class="hint">"This page refreshes itself until the import is done."</p>
                }.into_any(),
                "failed" => view! {
                    <p class="form-problem" role="alert">{format!("The import stopped: {}", job.error.clone().unwrap_or_default())}</p>
                }.into_any(),
                _ => view! {
                    <progress max="1" value="1" aria-label="Rows imported"></progress>
                    <p role="status" class="summary">{format!(
                        "{}{} rows: {} created, {} updated, {} unchanged, {} rejected.",
                        if job.dry_run { "Nothing was written. " } else { "" },
                        s.rows, s.created, s.updated, s.unchanged, s.rejected
                    )}</p>
                    {(s.created_products > 0).then(|| view! { <p>{format!("{} models made.", s.created_products)}</p> })}
                }.into_any(),
            }}
        </section>
        {(!s.problems.is_empty()).then(|| view! {
            <h2>"Rejected rows"</h2>
            {(s.rejected > shown).then(|| view! { <p class="hint">{format!("The first {shown} of {}.", s.rejected)}</p> })}
            <table class="data problems">
                <thead><tr><th scope="col">"Line"</th><th scope="col">"Column"</th><th scope="col">"Why"</th></tr></thead>
                <tbody>
                    {s.problems.iter().map(|p| view! {
                        <tr><td>{p.line}</td><td>{p.column.clone()}</td><td>{p.reason.clone()}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        })}
        <p><a href="/staff/import">"Import another file"</a></p>
    }
}

#[cfg(feature = "ssr")]
pub use server::{MAX_UPLOAD_BYTES, upload};

#[cfg(feature = "ssr")]
mod server {
    use super::super::staff_manufacturer;
    use crate::auth::{RequireRole, Staff};
    use crate::state::{AppState, client_ip};
    use crate::web::forms::{FormFeedback, done, rerender};
    use axum::extract::{FromRequest, Multipart, Request, State};
    use axum::http::{StatusCode, Uri};
    use axum::response::Response;
    use serialtrace::service::import::{ImportOptions, create_job, spawn_job};
    use tokio::io::AsyncWriteExt;

    /// The largest file accepted (a million rows is about 60 MB).
    pub const MAX_UPLOAD_BYTES: usize = 256 * 1024 * 1024;

    pub async fn upload(
        State(state): State<AppState>,
        staff: RequireRole<Staff>,
        request: Request,
    ) -> Response {
        let user = staff.user().clone();
        let (mut parts, body) = request.into_parts();
        let request = Request::from_parts(parts.clone(), body);
        // Shown again on its page when something is wrong.
        parts.uri = Uri::from_static("/staff/import");
        let mut feedback = FormFeedback::default();
        let Ok(manufacturer) = staff_manufacturer(&user) else {
            feedback.add_error("form", "Your account is not linked to a manufacturer.");
            return rerender(&state, parts, feedback, StatusCode::FORBIDDEN).await;
        };
        let mut multipart = match Multipart::from_request(request, &state).await {
            Ok(m) => m,
            Err(rejection) => {
                feedback.add_error("file", format!("The upload could not be read: {rejection}"));
                return rerender(&state, parts, feedback, StatusCode::BAD_REQUEST).await;
            }
        };
        // Each upload its own file (two from one person in the same second must not meet).
        static UPLOADS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let spool = std::env::temp_dir().join(format!(
            "serialtrace-upload-{}-{}-{}.csv",
            std::process::id(),
            time::OffsetDateTime::now_utc().unix_timestamp_nanos(),
            UPLOADS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        let mut file_name = String::new();
        let mut written = 0usize;
        let mut options = ImportOptions {
            only_manufacturer: Some(manufacturer),
            ..ImportOptions::default()
        };
        let mut parts_read = 0;
        loop {
            let field = match multipart.next_field().await {
                Ok(Some(_)) if parts_read >= crate::web::uploads::MAX_FORM_PARTS => {
                    let _ = tokio::fs::remove_file(&spool).await;
                    feedback.add_error(
                        "file",
                        format!(
                            "The form has more than {} parts.",
                            crate::web::uploads::MAX_FORM_PARTS
                        ),
                    );
                    return rerender(&state, parts, feedback, StatusCode::PAYLOAD_TOO_LARGE).await;
                }
                Ok(Some(field)) => {
                    parts_read += 1;
                    field
                }
                Ok(None) => break,
                Err(error) => {
                    let _ = tokio::fs::remove_file(&spool).await;
                    let status = error.status();
                    feedback
                        .add_error("file", format!("The upload stopped: {}", error.body_text()));
                    return rerender(&state, parts, feedback, status).await;
                }
            };
            match field.name() {
                Some("dry_run") => options.dry_run = true,
                Some("create_missing") => options.create_missing = true,
                Some("file") => {
                    file_name = field
                        .file_name()
                        .unwrap_or("upload.csv")
                        .chars()
                        .filter(|c| !c.is_control())
                        .take(120)
                        .collect();
                    let mut out = match tokio::fs::File::create(&spool).await {
                        Ok(out) => out,
                        Err(error) => {
                            tracing::error!(%error, "spooling an upload");
                            feedback.add_error(
                                "form",
                                "The file could not be stored just now. Please try again.",
                            );
                            return rerender(
                                &state,
                                parts,
                                feedback,
                                StatusCode::SERVICE_UNAVAILABLE,
                            )
                            .await;
                        }
                    };
                    let mut field = field;
                    loop {
                        match field.chunk().await {
                            Ok(Some(chunk)) => {
                                written += chunk.len();
                                if written > MAX_UPLOAD_BYTES
                                    || out.write_all(&chunk).await.is_err()
                                {
                                    let _ = tokio::fs::remove_file(&spool).await;
                                    feedback.add_error("file", format!(
                                        "The file is larger than {} MB; split it, or use `serialtrace import units` on the server.",
                                        MAX_UPLOAD_BYTES / (1024 * 1024)
                                    ));
                                    return rerender(
                                        &state,
                                        parts,
                                        feedback,
                                        StatusCode::PAYLOAD_TOO_LARGE,
                                    )
                                    .await;
                                }
                            }
                            Ok(None) => break,
                            Err(error) => {
                                let _ = tokio::fs::remove_file(&spool).await;
                                feedback.add_error(
                                    "file",
                                    format!("The upload stopped: {}", error.body_text()),
                                );
                                return rerender(&state, parts, feedback, error.status()).await;
                            }
                        }
                    }
                    let _ = out.flush().await;
                }
                _ => {}
            }
        }
        if written == 0 {
            let _ = tokio::fs::remove_file(&spool).await;
            feedback.add_error(
                "file",
                "Choose a CSV file to import (the one given was empty).",
            );
            return rerender(&state, parts, feedback, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        let db = state.services.db.clone();
        let job = match create_job(&db, user.id, manufacturer, &file_name, options.dry_run).await {
            Ok(job) => job,
            Err(error) => {
                tracing::error!(%error, "starting an import");
                let _ = tokio::fs::remove_file(&spool).await;
                feedback.add_error(
                    "form",
                    "The import could not start just now. Please try again.",
                );
                return rerender(&state, parts, feedback, StatusCode::SERVICE_UNAVAILABLE).await;
            }
        };
        let ip = client_ip(&parts).map(|ip| ip.to_string());
        spawn_job(state.services.clone(), job, spool, options, user.id, ip);
        done(&format!("/staff/import/{job}"))
    }
}
