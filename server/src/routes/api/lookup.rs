//! The public lookup: one serial's answer.

use super::*;

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
