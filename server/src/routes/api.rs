//! The JSON API under `/api/v1`, documented by the OpenAPI 3.1 document generated from these
//! handlers ([`ApiDoc`], served at `/api/v1/openapi.json`). The lookup and recalls are public
//! (an API key is optional: with one, calls count against its quota instead of the caller's
//! address); stolen checks need a `stolen-check` key; units and remedies a manufacturer's
//! `staff` key. Every error is RFC 9457 problem+json.

use crate::problem::Problem;
use axum::Extension;
use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serialtrace::import::ImportSummary;
use serialtrace::lookup::LookupAnswer;
use serialtrace::recall::{RecallDetail, RecallFilter, RecallSummary};
use serialtrace::service::accounts::Actor;
use serialtrace::service::catalogue::CatalogueError;
use serialtrace::service::lookup::{Channel, LookupFailure, coarse_origin};
use serialtrace::service::partners::{self, AdmitError, CheckResult, MAX_CHECK_SERIALS, Refusal};
use serialtrace::store::api_keys::ApiKey;
use serialtrace_app::state::{AppState, ClientIp};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};

/// The API's OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "serialtrace API",
        version = "1",
        description = "Look up serial numbers (genuine, warranty, recalls, reported stolen), check a pawn shop's intake against the stolen registry, read recalls, and — with a manufacturer's staff key — export and import units and record recall remedies. Errors are RFC 9457 problem+json. Keys go in `Authorization: Bearer st_…`; each has a scope and quotas per minute and per day (429 with Retry-After when used up)."
    ),
    paths(lookup, stolen_checks, recalls, manufacturer_recall, recall, units_export, units_import, remedies),
    components(schemas(Problem, StolenChecks, StolenCheckAnswer, CheckResult, RecallList, RemedyUpdates, RemedyLine, RemedyAnswer, ImportAnswer, ImportProblem)),
    modifiers(&BearerAuth),
    tags(
        (name = "lookup", description = "The public answer for one serial"),
        (name = "partners", description = "Stolen checks for pawn shops, resellers, repairers and insurers"),
        (name = "recalls", description = "Published recalls"),
        (name = "staff", description = "A manufacturer's own records, with a staff key")
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A partner API key: st_ and 40 hex characters"))
                    .build(),
            ),
        );
    }
}

/// `GET /api/v1/openapi.json`.
pub async fn openapi() -> Response {
    Json(ApiDoc::openapi()).into_response()
}

/// The key a request carries, if any: `Ok(None)` without an Authorization header.
fn bearer(headers: &HeaderMap) -> Result<Option<&str>, Problem> {
    let Some(value) = headers.get(axum::http::header::AUTHORIZATION) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(Some)
        .ok_or_else(|| Problem::unauthorized("Send the API key as `Authorization: Bearer st_…`."))
}

fn refused(error: AdmitError) -> Problem {
    match error {
        AdmitError::Refused(Refusal::Unauthorized(why)) => Problem::unauthorized(why),
        AdmitError::Refused(Refusal::Forbidden(why)) => Problem::forbidden(why),
        AdmitError::Refused(Refusal::OverQuota(why, wait)) => {
            Problem::too_many_requests(why).retry_after(wait)
        }
        AdmitError::Store(error) => {
            tracing::error!(%error, "checking an API key");
            Problem::unavailable()
        }
    }
}

/// The request's key, which must be present and have `scope`.
async fn require_key(
    state: &AppState,
    headers: &HeaderMap,
    scope: &str,
) -> Result<ApiKey, Problem> {
    match bearer(headers)? {
        None => Err(Problem::unauthorized(format!(
            "This endpoint needs an API key with the {scope} scope: `Authorization: Bearer st_…`."
        ))),
        Some(key) => partners::admit(&state.services.db, key, Some(scope))
            .await
            .map_err(refused),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct LookupParams {
    /// The serial as typed, pasted barcode text (GS1 element string) or a GS1 Digital Link.
    serial: Option<String>,
    /// The product's GTIN, when two products share the serial.
    gtin: Option<String>,
}

/// Look up one serial number.
#[utoipa::path(
    get,
    path = "/api/v1/lookup",
    tag = "lookup",
    params(LookupParams),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The answer: found, not_found or invalid", body = LookupAnswer),
        (status = 400, description = "The input is not a lookup at all", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "A key was sent but is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many lookups from this address, or the key's quota is used up", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn lookup(
    State(state): State<AppState>,
    Extension(ClientIp(client)): Extension<ClientIp>,
    headers: HeaderMap,
    params: Result<Query<LookupParams>, QueryRejection>,
) -> Response {
    let channel = match bearer(&headers) {
        Err(problem) => return problem.into_response(),
        Ok(None) => Channel::Api,
        Ok(Some(key)) => match partners::admit(&state.services.db, key, None).await {
            Ok(_) => Channel::Partner,
            Err(error) => return refused(error).into_response(),
        },
    };
    let Query(params) = match params {
        Ok(params) => params,
        Err(rejection) => {
            return query_problem(rejection).into_response();
        }
    };
    let serial = params.serial.unwrap_or_default();
    let origin = coarse_origin(client);
    match state
        .services
        .lookup
        .lookup(&serial, params.gtin.as_deref(), channel, &origin)
        .await
    {
        Ok(answer) => Json(&*answer).into_response(),
        Err(LookupFailure::Rejected(reason)) => {
            Problem::bad_request(reason.to_string()).into_response()
        }
        Err(LookupFailure::Store(error)) => {
            tracing::error!(%error, "lookup failed");
            Problem::unavailable().into_response()
        }
    }
}

/// Serials to check against the stolen registry.
#[derive(Debug, Deserialize, ToSchema)]
pub struct StolenChecks {
    /// 1 to 1,000 serials, as printed or scanned.
    #[schema(min_items = 1, max_items = 1000)]
    serials: Vec<String>,
}

/// The answer for each serial, in the order sent.
#[derive(Debug, Serialize, ToSchema)]
pub struct StolenCheckAnswer {
    results: Vec<CheckResult>,
}

/// Check up to 1,000 serials against the stolen registry (a pawn shop's intake). The owners
/// of reported units are told of the check, never who made it.
#[utoipa::path(
    post,
    path = "/api/v1/stolen-checks",
    tag = "partners",
    request_body = StolenChecks,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One result per serial, in input order", body = StolenCheckAnswer),
        (status = 400, description = "The body is not a list of 1 to 1,000 serials", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No key, or a key that is unknown or revoked", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key lacks the stolen-check scope", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than 1 MB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The JSON does not have the expected shape", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "The key's quota is used up", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn stolen_checks(
    State(state): State<AppState>,
    Extension(ClientIp(client)): Extension<ClientIp>,
    headers: HeaderMap,
    body: Result<Json<StolenChecks>, JsonRejection>,
) -> Response {
    if let Err(problem) = require_key(&state, &headers, "stolen-check").await {
        return problem.into_response();
    }
    let Json(body) = match body {
        Ok(body) => body,
        Err(rejection) => return json_problem(rejection).into_response(),
    };
    if body.serials.is_empty() || body.serials.len() > MAX_CHECK_SERIALS {
        return Problem::bad_request(format!(
            "Send 1 to {MAX_CHECK_SERIALS} serials; this request has {}.",
            body.serials.len()
        ))
        .into_response();
    }
    let origin = coarse_origin(client);
    match partners::stolen_checks(
        &state.services.db,
        &state.services.lookup,
        &body.serials,
        &origin,
    )
    .await
    {
        Ok(results) => Json(StolenCheckAnswer { results }).into_response(),
        Err(error) => {
            tracing::error!(%error, "stolen checks");
            Problem::unavailable().into_response()
        }
    }
}

fn query_problem(rejection: QueryRejection) -> Problem {
    Problem::bad_request(format!(
        "The query string could not be read: {}",
        rejection.body_text()
    ))
}

/// A body-size refusal made before any handler ran (plain text from the limit layer), as the
/// problem every other API error is.
pub async fn too_large_as_problem(response: Response) -> Response {
    let is_problem = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|t| t.as_bytes().starts_with(b"application/problem+json"));
    if response.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE && !is_problem {
        return Problem::with_status(413, "The body is larger than this operation accepts.")
            .into_response();
    }
    response
}

fn json_problem(rejection: JsonRejection) -> Problem {
    Problem::with_status(
        rejection.status().as_u16(),
        format!("The body could not be read: {}", rejection.body_text()),
    )
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct RecallParams {
    /// Words in the number, title or hazard.
    text: Option<String>,
    /// A manufacturer's slug.
    manufacturer: Option<String>,
    /// A model number or product name.
    product: Option<String>,
}

/// Active recalls.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecallList {
    recalls: Vec<RecallSummary>,
}

/// Active recalls, filtered.
#[utoipa::path(
    get,
    path = "/api/v1/recalls",
    tag = "recalls",
    params(RecallParams),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "Active recalls", body = RecallList),
        (status = 400, description = "The query string could not be read", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "A key was sent but is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "The key's quota is used up", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn recalls(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: Result<Query<RecallParams>, QueryRejection>,
) -> Response {
    if let Err(problem) = optional_key(&state, &headers).await {
        return problem.into_response();
    }
    let Query(params) = match params {
        Ok(params) => params,
        Err(rejection) => {
            return query_problem(rejection).into_response();
        }
    };
    let clean = |v: Option<String>| {
        v.map(|v| v.trim().chars().take(100).collect::<String>())
            .filter(|v| !v.is_empty())
    };
    let filter = RecallFilter {
        text: clean(params.text),
        manufacturer: clean(params.manufacturer),
        product: clean(params.product),
    };
    match serialtrace::store::recalls::list_public(&state.services.db, &filter).await {
        Ok(recalls) => Json(RecallList { recalls }).into_response(),
        Err(error) => {
            tracing::error!(%error, "listing recalls");
            Problem::unavailable().into_response()
        }
    }
}

/// A key, when one is sent, must be valid (and counts the call).
async fn optional_key(state: &AppState, headers: &HeaderMap) -> Result<(), Problem> {
    if let Some(key) = bearer(headers)? {
        partners::admit(&state.services.db, key, None)
            .await
            .map_err(refused)?;
    }
    Ok(())
}

/// One manufacturer's recall, by the manufacturer's slug and the recall's number.
#[utoipa::path(
    get,
    path = "/api/v1/manufacturers/{manufacturer}/recalls/{number}",
    tag = "recalls",
    params(
        ("manufacturer" = String, Path, description = "The manufacturer's slug, e.g. hallmark"),
        ("number" = String, Path, description = "The recall's number, e.g. R-2026-001")
    ),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The recall", body = RecallDetail),
        (status = 401, description = "A key was sent but is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The manufacturer has no published recall with that number", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "The key's quota is used up", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn manufacturer_recall(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((manufacturer, number)): Path<(String, String)>,
) -> Response {
    if let Err(problem) = optional_key(&state, &headers).await {
        return problem.into_response();
    }
    let db = &state.services.db;
    match serialtrace::service::recalls::detail(db, manufacturer.trim(), number.trim()).await {
        Ok(Some(detail)) => Json(detail).into_response(),
        Ok(None) => Problem::not_found(format!(
            "{} has no published recall {}.",
            manufacturer.trim(),
            number.trim()
        ))
        .into_response(),
        Err(error) => {
            tracing::error!(%error, "reading a recall");
            Problem::unavailable().into_response()
        }
    }
}

/// One recall, by its number alone, while only one manufacturer has a published recall of
/// that number (the form links had before numbers were per manufacturer).
#[utoipa::path(
    get,
    path = "/api/v1/recalls/{number}",
    tag = "recalls",
    params(("number" = String, Path, description = "The recall's number, e.g. R-2026-001")),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The recall", body = RecallDetail),
        (status = 401, description = "A key was sent but is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No published recall has that number", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Several manufacturers have a recall of that number: ask /api/v1/manufacturers/{manufacturer}/recalls/{number}", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "The key's quota is used up", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn recall(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(number): Path<String>,
) -> Response {
    if let Err(problem) = optional_key(&state, &headers).await {
        return problem.into_response();
    }
    let db = &state.services.db;
    let number = number.trim();
    let detail = match serialtrace::service::recalls::makers_numbered(db, number).await {
        Ok(makers) => match makers.as_slice() {
            [] => Ok(None),
            [maker] => serialtrace::service::recalls::detail(db, maker, number).await,
            several => {
                let paths: Vec<String> = several
                    .iter()
                    .map(|maker| format!("/api/v1/manufacturers/{maker}/recalls/{number}"))
                    .collect();
                return Problem::ambiguous(format!(
                    "Several manufacturers have a recall {number}: ask for one of {}.",
                    paths.join(", ")
                ))
                .into_response();
            }
        },
        Err(error) => Err(error),
    };
    match detail {
        Ok(Some(detail)) => Json(detail).into_response(),
        Ok(None) => {
            Problem::not_found(format!("There is no published recall {number}.")).into_response()
        }
        Err(error) => {
            tracing::error!(%error, "reading a recall");
            Problem::unavailable().into_response()
        }
    }
}

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
    headers: HeaderMap,
    params: Result<Query<ExportParams>, QueryRejection>,
) -> Response {
    let key = match require_key(&state, &headers, "staff").await {
        Ok(key) => key,
        Err(problem) => return problem.into_response(),
    };
    let Query(params) = match params {
        Ok(params) => params,
        Err(rejection) => {
            return query_problem(rejection).into_response();
        }
    };
    let Some(manufacturer) = key.manufacturer_id else {
        return Problem::forbidden("This key belongs to no manufacturer.").into_response();
    };
    let query = serialtrace_app::pages::staff::export::ExportQuery {
        model: params.model.unwrap_or_default(),
        lot: params.lot.unwrap_or_default(),
        status: params.status.unwrap_or_default(),
        recall: params.recall.unwrap_or_default(),
    };
    match serialtrace_app::pages::staff::export::export_units(&state, manufacturer, query) {
        Ok(response) => response,
        Err(why) => Problem::bad_request(why).into_response(),
    }
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

/// Who a staff key's change is recorded as in the audit log: the key, from the caller's
/// address.
struct KeyCaller {
    role: String,
    ip: String,
}

impl KeyCaller {
    fn new(key: &ApiKey, client: std::net::IpAddr) -> Self {
        Self {
            role: format!("api-key {} ({})", key.id, key.name),
            ip: client.to_string(),
        }
    }

    fn actor(&self) -> Actor<'_> {
        Actor {
            user_id: None,
            role: &self.role,
            client_ip: Some(&self.ip),
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
    headers: HeaderMap,
    params: Result<Query<ImportParams>, QueryRejection>,
    body: axum::body::Bytes,
) -> Response {
    let key = match require_key(&state, &headers, "staff").await {
        Ok(key) => key,
        Err(problem) => return problem.into_response(),
    };
    let dry_run = match params {
        Ok(Query(p)) => p.dry_run.unwrap_or(false),
        Err(rejection) => {
            return query_problem(rejection).into_response();
        }
    };
    let caller = KeyCaller::new(&key, client);
    let actor = caller.actor();
    let options = serialtrace::service::import::ImportOptions {
        dry_run,
        create_missing: false,
        only_manufacturer: key.manufacturer_id,
    };
    let input = std::io::Cursor::new(body.to_vec());
    match serialtrace::service::import::import_units(
        &state.services.db,
        input,
        options,
        &actor,
        |_| {},
    )
    .await
    {
        Ok(summary) => Json(ImportAnswer::from(summary)).into_response(),
        Err(serialtrace::service::import::ImportError::File(problem)) => {
            Problem::bad_request(format!(
                "line {}: {}: {}",
                problem.line, problem.column, problem.reason
            ))
            .into_response()
        }
        Err(serialtrace::service::import::ImportError::Store(error)) => {
            tracing::error!(%error, "API import");
            Problem::unavailable().into_response()
        }
    }
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
    headers: HeaderMap,
    Path(number): Path<String>,
    body: Result<Json<RemedyUpdates>, JsonRejection>,
) -> Response {
    let key = match require_key(&state, &headers, "staff").await {
        Ok(key) => key,
        Err(problem) => return problem.into_response(),
    };
    let Json(body) = match body {
        Ok(body) => body,
        Err(rejection) => return json_problem(rejection).into_response(),
    };
    if body.updates.is_empty() || body.updates.len() > 10_000 {
        return Problem::bad_request("Send 1 to 10,000 updates.").into_response();
    }
    let db = &state.services.db;
    let Some(manufacturer) = key.manufacturer_id else {
        return Problem::forbidden("This key belongs to no manufacturer.").into_response();
    };
    let recall = match serialtrace::service::recall_admin::by_number(
        db,
        manufacturer,
        number.trim(),
    )
    .await
    {
        Ok(id) => id,
        Err(CatalogueError::Store(error)) => {
            tracing::error!(%error, "API remedies");
            return Problem::unavailable().into_response();
        }
        Err(_) => {
            return Problem::not_found(format!("You have no recall {}.", number.trim()))
                .into_response();
        }
    };
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
    let caller = KeyCaller::new(&key, client);
    let actor = caller.actor();
    if updates.is_empty() {
        return Json(RemedyAnswer {
            updated: 0,
            problems,
        })
        .into_response();
    }
    match serialtrace::service::recall_admin::update_remedies(
        db,
        &state.services.lookup,
        manufacturer,
        recall,
        &updates,
        &actor,
    )
    .await
    {
        Ok(outcome) => {
            problems.extend(outcome.problems);
            Json(RemedyAnswer {
                updated: outcome.updated,
                problems,
            })
            .into_response()
        }
        Err(CatalogueError::Invalid(why)) => Problem::unprocessable(
            why.into_iter()
                .map(|(_, m)| m)
                .collect::<Vec<_>>()
                .join(" "),
        )
        .into_response(),
        Err(CatalogueError::NotFound(why)) => Problem::not_found(why).into_response(),
        Err(CatalogueError::Forbidden(why)) => Problem::forbidden(why).into_response(),
        Err(CatalogueError::Limited(why)) => Problem::too_many_requests(why).into_response(),
        Err(CatalogueError::Store(error)) => {
            tracing::error!(%error, "API remedies");
            Problem::unavailable().into_response()
        }
    }
}

/// Anything else under `/api/`: a problem, never the HTML 404 page.
pub async fn not_found() -> Response {
    Problem::not_found("There is no API endpoint at this address; see /api/v1/openapi.json.")
        .into_response()
}
