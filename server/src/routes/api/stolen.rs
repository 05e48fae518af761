//! Stolen checks: a partner's intake of up to 1,000 serials against the registry.

use super::*;

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
    _key: ApiKey<StolenCheck>,
    ApiJson(body): ApiJson<StolenChecks>,
) -> Result<Json<StolenCheckAnswer>, Problem> {
    if body.serials.is_empty() || body.serials.len() > MAX_CHECK_SERIALS {
        return Err(Problem::bad_request(format!(
            "Send 1 to {MAX_CHECK_SERIALS} serials; this request has {}.",
            body.serials.len()
        )));
    }
    let results = partners::stolen_checks(
        &state.services.db,
        &state.services.lookup,
        &body.serials,
        &coarse_origin(client),
    )
    .await?;
    Ok(Json(StolenCheckAnswer { results }))
}
