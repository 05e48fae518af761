//! The police desk's form posts and downloads: a report filed for the officer's agency, a
//! report closed (recovered or withdrawn), and the hot list of open reports as CSV.

use crate::auth::{Police, PoliceOrAdmin, RequireRole};
use crate::state::AppState;
use crate::web::forms::PageForm;
use crate::web::responses::answer;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serialtrace::export::csv_line;
use serialtrace::service::Error as ServiceError;
use serialtrace::service::police::{self, PoliceReport};

fn text(value: &str) -> Option<String> {
    let value: String = value.trim().chars().take(200).collect();
    (!value.is_empty()).then_some(value)
}

#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
pub struct FileForm {
    serial: String,
    gtin: String,
    report_kind: String,
    case_number: String,
    occurred_on: String,
    place: String,
}

pub async fn file_report(
    State(state): State<AppState>,
    police: RequireRole<Police>,
    PageForm { parts, form }: PageForm<FileForm>,
) -> Response {
    let user = police.user();
    let officer = crate::auth::Caller::new(user, &parts, "police");
    let agency = user.police_agency().unwrap_or("police").to_owned();
    let mut problems = Vec::new();
    let occurred_on =
        serialtrace::catalogue::optional_date(&mut problems, "occurred_on", &form.occurred_on);
    let outcome = if problems.is_empty() {
        let report = PoliceReport {
            serial: form.serial.clone(),
            gtin: text(&form.gtin),
            kind: form.report_kind.trim().to_owned(),
            case_number: form.case_number.clone(),
            occurred_on: occurred_on.map(|d| d.to_string()),
            place: text(&form.place),
        };
        police::file_report(&state.services.db, &agency, &report, &officer.actor()).await
    } else {
        Err(ServiceError::fields(problems))
    };
    answer(&state, parts, &form, outcome, |id| {
        format!("/police/reports/{id}?done=filed")
    })
    .await
}

#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
pub struct CaseForm {
    action: String,
    message: String,
    reason: String,
    recovered_place: String,
}

pub async fn change_report(
    State(state): State<AppState>,
    desk: RequireRole<PoliceOrAdmin>,
    Path(id): Path<String>,
    PageForm { parts, form }: PageForm<CaseForm>,
) -> Response {
    use serialtrace::account::Role;
    use serialtrace::service::police::{Closer, Closing};
    let user = desk.user();
    let agency = user.police_agency().map(str::to_owned);
    let officer = user.has(Role::Police);
    let role = if officer { "police" } else { "admin" };
    let closer = if user.has(Role::Admin) {
        Closer::Admin
    } else {
        // An officer with no agency on record closes nothing (no agency is the same).
        Closer::Officer {
            agency: agency.as_deref().unwrap_or_default(),
        }
    };
    let caller = crate::auth::Caller::new(user, &parts, role);
    let actor = caller.actor();
    let db = &state.services.db;
    let email = user.email.to_string();
    let outcome = match (id.parse::<i64>(), form.action.as_str()) {
        (Ok(id), "contact") if officer => {
            let agency = agency.as_deref().unwrap_or("police");
            police::request_contact(db, id, &email, agency, &form.message, &actor)
                .await
                .map(|()| format!("/police/reports/{id}?done=contact"))
        }
        (Ok(_), "contact") => Err(ServiceError::Forbidden(
            "Only police officers ask owners to contact them.".into(),
        )),
        (Ok(id), "recover" | "withdraw") => {
            let (closing, done) = if form.action == "recover" {
                let place = text(&form.recovered_place);
                (Closing::Recovered { place }, "recovered")
            } else {
                (Closing::Withdrawn, "withdrawn")
            };
            police::close(db, id, &closing, &form.reason, closer, &actor)
                .await
                .map(|()| format!("/police/reports/{id}?done={done}"))
        }
        (Ok(_), _) => Err(ServiceError::invalid(
            "form",
            "That is not something this page can do.",
        )),
        (Err(_), _) => Err(ServiceError::NotFound("There is no such report.".into())),
    };
    answer(&state, parts, &form, outcome, |to| to).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct HotListQuery {
    agency: Option<String>,
}

/// Open reports as CSV: the officer's agency's, or all with `?agency=all`.
pub async fn hot_list(
    State(state): State<AppState>,
    police: RequireRole<Police>,
    Query(query): Query<HotListQuery>,
) -> Response {
    let user = police.user();
    let own = user.police_agency().unwrap_or_default().to_owned();
    let agency = match query.agency.as_deref() {
        Some("all") => None,
        Some(other) if !other.trim().is_empty() => Some(other.trim().to_owned()),
        _ => Some(own),
    };
    let lines = match police::hot_list(&state.services.db, agency.as_deref()).await {
        Ok(lines) => lines,
        Err(error) => {
            tracing::error!(%error, "hot list");
            return (StatusCode::SERVICE_UNAVAILABLE, "Try again in a moment.").into_response();
        }
    };
    let mut body = String::from(
        "serial,manufacturer,model,kind,agency,case_number,occurred_on,place,reported_at\n",
    );
    for e in &lines {
        let fields = [
            e.serial.as_str(),
            e.manufacturer.as_str(),
            e.model.as_str(),
            e.kind.as_str(),
            e.agency.as_deref().unwrap_or_default(),
            e.case_number.as_deref().unwrap_or_default(),
            e.occurred_on.as_deref().unwrap_or_default(),
            e.place.as_deref().unwrap_or_default(),
            e.reported_at.as_str(),
        ];
        body.push_str(&csv_line(&fields));
    }
    let mut response = body.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    response.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"hot-list.csv\""),
    );
    response
}
