//! The JSON API under `/api/v1`, documented by the OpenAPI 3.1 document generated from these
//! handlers ([`ApiDoc`], served at `/api/v1/openapi.json`). The lookup and recalls are public
//! (an API key is optional: with one, calls count against its quota instead of the caller's
//! address); stolen checks need a `stolen-check` key; units and remedies a manufacturer's
//! `staff` key. Every error is RFC 9457 problem+json.
//!
//! This file: the document and the extractors every handler shares (`ApiKey<Scope>`,
//! `OptionalKey`, `ApiQuery`, `ApiJson`: each refuses with a problem); one file per
//! resource: `lookup`, `stolen` (checks), `recalls`, `units` (export, import, remedies).

use crate::problem::Problem;
use axum::Extension;
use axum::Json;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serialtrace::import::ImportSummary;
use serialtrace::lookup::LookupAnswer;
use serialtrace::recall::{RecallDetail, RecallFilter, RecallSummary};
use serialtrace::service::accounts::Actor;
use serialtrace::service::lookup::{Channel, LookupFailure, coarse_origin};
use serialtrace::service::partners::{self, CheckResult, MAX_CHECK_SERIALS};
use serialtrace_app::state::{AppState, ClientIp};
use std::marker::PhantomData;
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

/// A key's scope, named by the type of the extractor that requires it: `ApiKey<Staff>`.
pub trait Scope {
    const NAME: &'static str;
}

/// A manufacturer's own records (units, remedies).
pub struct Staff;

impl Scope for Staff {
    const NAME: &'static str = "staff";
}

/// Checks against the stolen registry.
pub struct StolenCheck;

impl Scope for StolenCheck {
    const NAME: &'static str = "stolen-check";
}

/// The request's key, which must be present, valid, within its quotas (the call counts) and
/// have the scope `S`; otherwise the request is refused with 401, 403 or 429 before its query
/// or body is read. Put it first among a handler's extractors.
pub struct ApiKey<S>(partners::ApiKey, PhantomData<S>);

impl<S> std::ops::Deref for ApiKey<S> {
    type Target = partners::ApiKey;

    fn deref(&self) -> &partners::ApiKey {
        &self.0
    }
}

impl<S: Scope> FromRequestParts<AppState> for ApiKey<S> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        let Some(bearer) = bearer(&parts.headers)? else {
            return Err(Problem::unauthorized(format!(
                "This endpoint needs an API key with the {} scope: `Authorization: Bearer st_…`.",
                S::NAME
            )));
        };
        let key = partners::admit(&state.services.db, bearer, Some(S::NAME)).await?;
        Ok(Self(key, PhantomData))
    }
}

/// The request's key on a public endpoint: none, or one that must be valid and within its
/// quotas (the call counts against the key instead of the caller's address).
pub struct OptionalKey(Option<partners::ApiKey>);

impl FromRequestParts<AppState> for OptionalKey {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        match bearer(&parts.headers)? {
            None => Ok(Self(None)),
            Some(bearer) => Ok(Self(Some(
                partners::admit(&state.services.db, bearer, None).await?,
            ))),
        }
    }
}

/// A query string read as `T`, or a 400 problem saying what could not be read.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(Self(value)),
            Err(rejection) => Err(Problem::bad_request(format!(
                "The query string could not be read: {}",
                rejection.body_text()
            ))),
        }
    }
}

/// A JSON body read as `T`, or the problem axum's status names (400, 413, 415 or 422).
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = Problem;

    async fn from_request(request: Request, state: &S) -> Result<Self, Problem> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(Problem::with_status(
                rejection.status().as_u16(),
                format!("The body could not be read: {}", rejection.body_text()),
            )),
        }
    }
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

/// The manufacturer a staff key acts for.
fn manufacturer_of(key: &partners::ApiKey) -> Result<i64, Problem> {
    key.manufacturer_id
        .ok_or_else(|| Problem::forbidden("This key belongs to no manufacturer."))
}

/// Who a staff key's change is recorded as in the audit log: the key, from the caller's
/// address.
struct KeyCaller {
    role: String,
    ip: String,
}

impl KeyCaller {
    fn new(key: &partners::ApiKey, client: std::net::IpAddr) -> Self {
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
