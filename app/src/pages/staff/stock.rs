//! `/staff/stock` (scan or paste the serials at a location) and `/staff/stock/{id}` (the
//! comparison with the records, and applying it as "received here" journey events).

#[cfg(feature = "ssr")]
use super::staff_manufacturer;
#[cfg(feature = "ssr")]
use crate::auth::{Access, require};
use crate::components::load::Loaded;
use crate::error::AppError;
use crate::web::forms::{Field, FormProblem, TextArea};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
#[cfg(feature = "ssr")]
use serialtrace::account::Role;
use serialtrace::stock::StockReport;

#[server(prefix = "/_fn", endpoint = "staff_stock_audits")]
pub async fn stock_audits() -> Result<Vec<(i64, String, String, bool)>, AppError> {
    let user = require(Access::Role(Role::Staff))?;
    let m = staff_manufacturer(&user)?;
    let services = crate::state::services()?;
    Ok(serialtrace::service::stock::recent(&services.db, m).await?)
}

#[server(prefix = "/_fn", endpoint = "staff_stock_audit")]
pub async fn stock_audit(id: i64) -> Result<(StockReport, usize), AppError> {
    let user = require(Access::Role(Role::Staff))?;
    let m = staff_manufacturer(&user)?;
    let services = crate::state::services()?;
    let (report, to_receive) = serialtrace::service::stock::report(&services.db, m, id).await?;
    Ok((report, to_receive.len()))
}

#[component]
pub fn StockPage() -> impl IntoView {
    let recent = Resource::new(|| (), |_| stock_audits());
    view! {
        <Title text="Stock audit" />
        <h1>"Stock audit"</h1>
        <section class="panel">
            <form method="post" action="/staff/stock/upload" enctype="multipart/form-data" class="stack-form" aria-label="New stock audit">
                <FormProblem />
                <Field name="location" label="Location" hint="As the records name it, such as Rotterdam DC." />
                <TextArea name="scanned" label="Serials scanned" rows=10
                    hint="One per line: scan into this box with a barcode scanner, or paste a list." />
                <div class="field">
                    <label for="stock-file">"Or upload the scanner's file"</label>
                    <input id="stock-file" name="file" type="file" accept=".txt,.csv,text/plain,text/csv" />
                    <p class="hint">"A text or CSV file with one serial per line (the first column of a CSV)."</p>
                </div>
                <button type="submit">"Compare with the records"</button>
            </form>
        </section>
        <Loaded resource=recent loading="Loading…" show=move |data| match data {
                    list if list.is_empty() => ().into_any(),
                    list => view! {
                        <h2>"Recent audits"</h2>
                        <ul>{list.into_iter().map(|(id, location, at, applied)| view! {
                            <li><a href=format!("/staff/stock/{id}")>{format!("{location} · {}{}", at.get(..10).unwrap_or_default(), if applied { " · applied" } else { "" })}</a></li>
                        }).collect_view()}</ul>
                    }.into_any(),
                } />
    }
    .into_any()
}

#[component]
pub fn StockAuditPage() -> impl IntoView {
    let id = match super::path_id("stock audit") {
        Ok(id) => id,
        Err(missing) => return missing,
    };
    let done = use_query_map().get_untracked().get("done");
    let report = Resource::new(move || id, stock_audit);
    view! {
        <Title text="Stock audit" />
        <p><a href="/staff/stock">"← Stock audits"</a></p>
        {done.map(|_| view! { <p class="notice" role="status">"Applied: the scanned units are recorded as received here."</p> })}
        <FormProblem />
        <Loaded resource=report loading="Comparing…" heading="Stock audit" show=move |(report, to_receive)| view! { <StockReportView id report to_receive /> }.into_any() />
    }
    .into_any()
}

#[component]
fn Category(title: &'static str, class: &'static str, lines: Vec<String>) -> impl IntoView {
    view! {
        <section class=format!("panel stock-{class}")>
            <h2>{format!("{title}: {}", lines.len())}</h2>
            <ul>{lines.into_iter().take(500).map(|l| view! { <li>{l}</li> }).collect_view()}</ul>
        </section>
    }
    .into_any()
}

#[component]
fn StockReportView(id: i64, report: StockReport, to_receive: usize) -> impl IntoView {
    let pairs = |v: Vec<(String, String)>| {
        v.into_iter()
            .map(|(s, m)| format!("{s} · {m}"))
            .collect::<Vec<_>>()
    };
    view! {
        <h1>{format!("Stock audit · {}", report.location)}</h1>
        <p class="summary" role="status">{format!(
            "{} lines scanned: {} matched, {} missing, {} unexpected, {} unknown, {} scanned more than once.",
            report.scanned, report.matched.len(), report.missing.len(), report.unexpected.len(),
            report.unknown.len(), report.duplicates.len()
        )}</p>
        {if report.applied() {
            view! { <p>"This audit has been applied."</p> }.into_any()
        } else {
            view! {
                <form method="post" action=format!("/staff/stock/{id}") class="inline-form">
                    <input type="hidden" name="action" value="apply" />
                    <button type="submit">{format!("Record {} units as received at {}", to_receive, report.location)}</button>
                </form>
            }.into_any()
        }}
        <Category title="Matched" class="matched" lines=pairs(report.matched) />
        <Category title="Missing (the records say here, not scanned)" class="missing" lines=pairs(report.missing) />
        <Category title="Unexpected (scanned, the records say elsewhere)" class="unexpected"
            lines=report.unexpected.into_iter().map(|(s, m, why)| format!("{s} · {m} · {why}")).collect() />
        <Category title="Unknown (no unit of ours)" class="unknown" lines=report.unknown />
        <Category title="Scanned more than once" class="duplicates"
            lines=report.duplicates.into_iter().map(|(s, n)| format!("{s} × {n}")).collect() />
    }
    .into_any()
}

#[cfg(feature = "ssr")]
pub use server::{apply_stock_audit, create_stock_audit, upload_stock_audit};

#[cfg(feature = "ssr")]
mod server {
    use super::super::staff_manufacturer;
    use crate::auth::{RequireRole, Staff};
    use crate::state::AppState;
    use crate::web::forms::PageForm;
    use crate::web::responses::answer;
    use crate::web::uploads::{read_multipart, upload_problem};
    use axum::extract::{Path, State};
    use axum::response::Response;
    use serde::{Deserialize, Serialize};
    use serialtrace::service::Error as ServiceError;
    use serialtrace::service::stock;

    #[derive(Deserialize, Serialize, Default)]
    #[serde(default)]
    pub struct StockForm {
        action: String,
        location: String,
        scanned: String,
    }

    pub async fn create_stock_audit(
        State(state): State<AppState>,
        staff: RequireRole<Staff>,
        PageForm { parts, form }: PageForm<StockForm>,
    ) -> Response {
        let user = staff.user();
        let caller = crate::auth::Caller::staff(user, &parts);
        let actor = caller.actor();
        let outcome = match staff_manufacturer(user) {
            Ok(m) => {
                stock::create(&state.services.db, m, &form.location, &form.scanned, &actor).await
            }
            Err(_) => Err(ServiceError::NotFound(
                "Your account is not linked to a manufacturer.".into(),
            )),
        };
        answer(&state, parts, &form, outcome, |id| {
            format!("/staff/stock/{id}")
        })
        .await
    }

    /// The form with a file: the file's lines (first column of a CSV) or the typed ones.
    pub async fn upload_stock_audit(
        State(state): State<AppState>,
        staff: RequireRole<Staff>,
        request: axum::extract::Request,
    ) -> Response {
        let user = staff.user().clone();
        let mut upload = read_multipart(&state, request).await;
        upload.parts.uri = axum::http::Uri::from_static("/staff/stock");
        if let Some(problem) = upload.problem.take() {
            return upload_problem(&state, upload, "scanned", problem).await;
        }
        let form = StockForm {
            location: upload.text("location"),
            scanned: upload.text("scanned"),
            ..StockForm::default()
        };
        let (file, problem) = match upload.file_text("file") {
            Ok(file) => (file, None),
            Err(why) => (String::new(), Some(why)),
        };
        let parts = upload.parts;
        let caller = crate::auth::Caller::staff(&user, &parts);
        let actor = caller.actor();
        let outcome = match (problem, staff_manufacturer(&user)) {
            (Some(problem), _) => Err(ServiceError::invalid("scanned", problem)),
            (None, Err(_)) => Err(ServiceError::NotFound(
                "Your account is not linked to a manufacturer.".into(),
            )),
            (None, Ok(m)) => {
                // A CSV's first column; a plain list as it is.
                let lines = if file.trim().is_empty() {
                    form.scanned.clone()
                } else {
                    file.lines()
                        .map(|l| l.split(',').next().unwrap_or_default().trim_matches('"'))
                        .filter(|l| !l.eq_ignore_ascii_case("serial"))
                        .collect::<Vec<_>>()
                        .join("\n")
                };
                stock::create(&state.services.db, m, &form.location, &lines, &actor).await
            }
        };
        answer(&state, parts, &form, outcome, |id| {
            format!("/staff/stock/{id}")
        })
        .await
    }

    pub async fn apply_stock_audit(
        State(state): State<AppState>,
        staff: RequireRole<Staff>,
        Path(id): Path<String>,
        PageForm { parts, form }: PageForm<StockForm>,
    ) -> Response {
        let user = staff.user();
        let caller = crate::auth::Caller::staff(user, &parts);
        let actor = caller.actor();
        let outcome = match (staff_manufacturer(user), id.parse::<i64>()) {
            (Ok(m), Ok(id)) => {
                stock::apply(&state.services.db, m, id, &user.email.to_string(), &actor)
                    .await
                    .map(|_| format!("/staff/stock/{id}?done=applied"))
            }
            _ => Err(ServiceError::NotFound(
                "There is no such stock audit.".into(),
            )),
        };
        answer(&state, parts, &form, outcome, |to| to).await
    }
}
