//! The JSON API under `/api/v1`.

use crate::problem::Problem;
use axum::Extension;
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serialtrace::service::lookup::{Channel, LookupFailure, coarse_origin};
use serialtrace_app::state::{AppState, ClientIp};

#[derive(Debug, Deserialize)]
pub struct LookupParams {
    serial: Option<String>,
    gtin: Option<String>,
}

/// `GET /api/v1/lookup?serial=…[&gtin=…]`: the public lookup answer as JSON.
pub async fn lookup(
    State(state): State<AppState>,
    Extension(ClientIp(client)): Extension<ClientIp>,
    params: Result<Query<LookupParams>, QueryRejection>,
) -> Response {
    let Query(params) = match params {
        Ok(params) => params,
        Err(rejection) => {
            return Problem::bad_request(format!(
                "The query string could not be read: {}",
                rejection.body_text()
            ))
            .into_response();
        }
    };
    let serial = params.serial.unwrap_or_default();
    let origin = coarse_origin(client);
    match state
        .services
        .lookup
        .lookup(&serial, params.gtin.as_deref(), Channel::Api, &origin)
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

/// Anything else under `/api/`: a problem, never the HTML 404 page.
pub async fn not_found() -> Response {
    Problem::not_found("There is no API endpoint at this address; see /api/v1/lookup.")
        .into_response()
}
