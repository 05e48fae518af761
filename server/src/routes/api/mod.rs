//! The JSON API under `/api/v1`, documented by the OpenAPI 3.1 document generated from these
//! handlers ([`ApiDoc`], served at `/api/v1/openapi.json`). The lookup and recalls are public
//! (an API key is optional: with one, calls count against its quota instead of the caller's
//! address); stolen checks need a `stolen-check` key; units and remedies a manufacturer's
//! `staff` key. Every error is RFC 9457 problem+json.
//!
//! This file: the document, keys and the problems every handler shares; one file per
//! resource: `lookup`, `stolen` (checks), `recalls`, `units` (export, import, remedies).

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
use serialtrace::service::partners::ApiKey;
use serialtrace::service::partners::{self, AdmitError, CheckResult, MAX_CHECK_SERIALS, Refusal};
use serialtrace_app::state::{AppState, ClientIp};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};

mod lookup;
mod recalls;
mod stolen;
mod units;

pub use lookup::*;
pub use recalls::*;
pub use stolen::*;
pub use units::*;

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

/// A key, when one is sent, must be valid (and counts the call).
async fn optional_key(state: &AppState, headers: &HeaderMap) -> Result<(), Problem> {
    if let Some(key) = bearer(headers)? {
        partners::admit(&state.services.db, key, None)
            .await
            .map_err(refused)?;
    }
    Ok(())
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

/// Anything else under `/api/`: a problem, never the HTML 404 page.
pub async fn not_found() -> Response {
    Problem::not_found("There is no API endpoint at this address; see /api/v1/openapi.json.")
        .into_response()
}
