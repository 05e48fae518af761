//! A manufacturer's own records with a staff key: the units export and import, and recall remedies.

use super::*;

#[derive(Debug, Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct ExportParams {
    /// Only this model.
    model: Option<String>,
    /// Only this lot code.
    lot: Option<String>,
    /// Only units with this status (in_stock, shipped, sold, registered, returned, scrapped).
    status: Option<String>,
    /// Only units in the recall with this number.
    recall: Option<String>,
}

/// The manufacturer's units as CSV (the staff screen's export).
#[utoipa::path(
    get,
    path = "/api/v1/units.csv",
    tag = "staff",
    params(ExportParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "manufacturer,model,serial,lot,manufactured_on,status,warranty_starts_on,warranty_ends_on", content_type = "text/csv", body = String),
        (status = 400, description = "A filter is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No key, or a key that is unknown or revoked", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key is not a staff key", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "The key's quota is used up", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn units_export(
    State(state): State<AppState>,
    key: ApiKey<Staff>,
    ApiQuery(params): ApiQuery<ExportParams>,
) -> Result<Response, Problem> {
    let manufacturer = manufacturer_of(&key)?;
    let query = serialtrace_app::pages::staff::export::ExportQuery {
        model: params.model.unwrap_or_default(),
        lot: params.lot.unwrap_or_default(),
        status: params.status.unwrap_or_default(),
        recall: params.recall.unwrap_or_default(),
    };
    serialtrace_app::pages::staff::export::export_units(&state, manufacturer, query)
        .map_err(Problem::bad_request)
}

/// The largest units CSV the API takes in one request.
pub const MAX_IMPORT_BYTES: usize = 16 * 1024 * 1024;

#[derive(Debug, Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct ImportParams {
    /// Check and count only; write nothing.
    dry_run: Option<bool>,
}

/// A rejected row.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportProblem {
    line: u64,
    column: String,
    reason: String,
}

/// What an import did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportAnswer {
    rows: u64,
    created: u64,
    updated: u64,
    unchanged: u64,
    rejected: u64,
    dry_run: bool,
    /// The first 1,000 rejected rows, in file order (`rejected` counts them all).
    problems: Vec<ImportProblem>,
}

impl From<ImportSummary> for ImportAnswer {
    fn from(s: ImportSummary) -> Self {
        Self {
            rows: s.rows,
            created: s.created,
            updated: s.updated,
            unchanged: s.unchanged,
            rejected: s.rejected,
            dry_run: s.dry_run,
            problems: s
                .problems
                .into_iter()
                .map(|p| ImportProblem {
                    line: p.line,
                    column: p.column,
                    reason: p.reason,
                })
                .collect(),
        }
    }
}

/// Import units from CSV (the format of `serialtrace import units`); rows for another
/// manufacturer are rejected.
#[utoipa::path(
    post,
    path = "/api/v1/units/import",
    tag = "staff",
    params(ImportParams),
    request_body(content = String, content_type = "text/csv", description = "manufacturer,model,serial,lot,manufactured_on,sold_on,warranty_months (a header line first)"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "What was created, updated, unchanged and rejected (each rejected row by line and column)", body = ImportAnswer),
        (status = 400, description = "The file is unusable (no header, missing columns)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No key, or a key that is unknown or revoked", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key is not a staff key", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than 16 MB", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "The key's quota is used up", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn units_import(
    State(state): State<AppState>,
    Extension(ClientIp(client)): Extension<ClientIp>,
    key: ApiKey<Staff>,
    ApiQuery(params): ApiQuery<ImportParams>,
    body: axum::body::Bytes,
) -> Result<Json<ImportAnswer>, Problem> {
    let caller = KeyCaller::new(&key, client);
    let options = serialtrace::service::import::ImportOptions {
        dry_run: params.dry_run.unwrap_or(false),
        create_missing: false,
        only_manufacturer: key.manufacturer_id,
    };
    let input = std::io::Cursor::new(body.to_vec());
    let summary = serialtrace::service::import::import_units(
        &state.services.db,
        input,
        options,
        &caller.actor(),
        |_| {},
    )
    .await?;
    Ok(Json(ImportAnswer::from(summary)))
}

/// Remedy statuses to record.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RemedyUpdates {
    #[schema(min_items = 1, max_items = 10000)]
    updates: Vec<RemedyLine>,
}

/// One unit's remedy status.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RemedyLine {
    serial: String,
    /// open, remedy_unavailable or remedied.
    #[schema(example = "remedied")]
    status: String,
    /// The day it was remedied (YYYY-MM-DD); today when left out.
    remedied_on: Option<String>,
}

/// What a remedy update did.
#[derive(Debug, Serialize, ToSchema)]
pub struct RemedyAnswer {
    updated: u64,
    /// `line N: reason` for each update (numbered from 1) that changed nothing.
    problems: Vec<String>,
}

/// Record recall remedies for the manufacturer's units (the staff screen's remedy lines).
#[utoipa::path(
    post,
    path = "/api/v1/recalls/{number}/remedies",
    tag = "staff",
    params(("number" = String, Path, description = "The recall's number")),
    request_body = RemedyUpdates,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "How many units changed, and each update that changed nothing", body = RemedyAnswer),
        (status = 400, description = "The updates cannot be read", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No key, or a key that is unknown or revoked", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key is not a staff key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The manufacturer has no recall with that number", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than 1 MB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The JSON does not have the expected shape, or the recall is a draft", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "The key's quota is used up", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn remedies(
    State(state): State<AppState>,
    Extension(ClientIp(client)): Extension<ClientIp>,
    key: ApiKey<Staff>,
    Path(number): Path<String>,
    ApiJson(body): ApiJson<RemedyUpdates>,
) -> Result<Json<RemedyAnswer>, Problem> {
    if body.updates.is_empty() || body.updates.len() > 10_000 {
        return Err(Problem::bad_request("Send 1 to 10,000 updates."));
    }
    let db = &state.services.db;
    let manufacturer = manufacturer_of(&key)?;
    let number = number.trim();
    let recall = serialtrace::service::recall_admin::by_number(db, manufacturer, number)
        .await
        .map_err(|error| match error {
            serialtrace::service::Error::Store(error) => Problem::from(error),
            _ => Problem::not_found(format!("You have no recall {number}.")),
        })?;
    // The same lines the staff screen takes, numbered as sent.
    let lines: String = body
        .updates
        .iter()
        .map(|u| {
            let clean = |s: &str| s.replace([',', '\n', '\r'], " ");
            format!(
                "{},{},{}\n",
                clean(&u.serial),
                clean(&u.status),
                clean(u.remedied_on.as_deref().unwrap_or_default())
            )
        })
        .collect();
    let (updates, mut problems) = serialtrace::recall::forms::parse_remedy_lines(&lines);
    if updates.is_empty() {
        return Ok(Json(RemedyAnswer {
            updated: 0,
            problems,
        }));
    }
    let caller = KeyCaller::new(&key, client);
    let outcome = serialtrace::service::recall_admin::update_remedies(
        db,
        manufacturer,
        recall,
        &updates,
        &caller.actor(),
    )
    .await?;
    problems.extend(outcome.problems);
    Ok(Json(RemedyAnswer {
        updated: outcome.updated,
        problems,
    }))
}
