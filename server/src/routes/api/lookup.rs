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
    OptionalKey(key): OptionalKey,
    ApiQuery(params): ApiQuery<LookupParams>,
) -> Result<Response, Problem> {
    let channel = match key {
        None => Channel::Api,
        Some(_) => Channel::Partner,
    };
    let serial = params.serial.unwrap_or_default();
    let answer = state
        .services
        .lookup
        .lookup(
            &serial,
            params.gtin.as_deref(),
            channel,
            &coarse_origin(client),
        )
        .await
        .map_err(|failure| match failure {
            LookupFailure::Rejected(reason) => Problem::bad_request(reason.to_string()),
            LookupFailure::Store(error) => error.into(),
        })?;
    Ok(Json(&*answer).into_response())
}
