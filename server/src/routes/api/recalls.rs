//! Published recalls: the list, one by manufacturer and number, and the bare number.

use super::*;

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
    _key: OptionalKey,
    ApiQuery(params): ApiQuery<RecallParams>,
) -> Result<Json<RecallList>, Problem> {
    let clean = |v: Option<String>| {
        v.map(|v| v.trim().chars().take(100).collect::<String>())
            .filter(|v| !v.is_empty())
    };
    let filter = RecallFilter {
        text: clean(params.text),
        manufacturer: clean(params.manufacturer),
        product: clean(params.product),
    };
    let recalls = serialtrace::service::recalls::search(&state.services.db, filter).await?;
    Ok(Json(RecallList { recalls }))
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
    _key: OptionalKey,
    Path((manufacturer, number)): Path<(String, String)>,
) -> Result<Json<RecallDetail>, Problem> {
    let (manufacturer, number) = (manufacturer.trim(), number.trim());
    serialtrace::service::recalls::detail(&state.services.db, manufacturer, number)
        .await?
        .map(Json)
        .ok_or_else(|| {
            Problem::not_found(format!("{manufacturer} has no published recall {number}."))
        })
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
    _key: OptionalKey,
    Path(number): Path<String>,
) -> Result<Json<RecallDetail>, Problem> {
    let db = &state.services.db;
    let number = number.trim();
    let detail = match serialtrace::service::recalls::makers_numbered(db, number)
        .await?
        .as_slice()
    {
        [] => None,
        [maker] => serialtrace::service::recalls::detail(db, maker, number).await?,
        several => {
            let paths: Vec<String> = several
                .iter()
                .map(|maker| format!("/api/v1/manufacturers/{maker}/recalls/{number}"))
                .collect();
            return Err(Problem::ambiguous(format!(
                "Several manufacturers have a recall {number}: ask for one of {}.",
                paths.join(", ")
            )));
        }
    };
    detail
        .map(Json)
        .ok_or_else(|| Problem::not_found(format!("There is no published recall {number}.")))
}
