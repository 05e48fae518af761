//! `GET /staff/export/units.csv`: the staff member's manufacturer's units as CSV, filtered
//! by model, lot, status or recall, streamed row by row from the database (a million units
//! are never held in memory).

#[cfg(feature = "ssr")]
pub use server::{ExportQuery, export_units, units_csv};

/// The statuses a unit can have.
pub const STATUSES: [&str; 6] = serialtrace::import::UNIT_STATUSES;

#[cfg(feature = "ssr")]
mod server {
    use crate::auth::{RequireRole, Staff};
    use crate::state::AppState;
    use axum::body::Body;
    use axum::extract::{Query, State};
    use axum::http::{StatusCode, header};
    use axum::response::{IntoResponse, Response};
    use serde::Deserialize;
    use serialtrace::export::UnitExportFilter;
    use serialtrace::service::export;

    #[derive(Deserialize, Default)]
    #[serde(default)]
    pub struct ExportQuery {
        pub model: String,
        pub lot: String,
        pub status: String,
        pub recall: String,
    }

    pub async fn units_csv(
        State(state): State<AppState>,
        staff: RequireRole<Staff>,
        Query(query): Query<ExportQuery>,
    ) -> Response {
        let Some(manufacturer) = staff.user().staff_manufacturer() else {
            return (
                StatusCode::FORBIDDEN,
                "Your account is not linked to a manufacturer.",
            )
                .into_response();
        };
        match export_units(&state, manufacturer, query) {
            Ok(response) => response,
            Err(problem) => (StatusCode::BAD_REQUEST, problem).into_response(),
        }
    }

    /// The manufacturer's units as CSV, streamed (for the staff page and staff API keys), or
    /// why the filter is wrong.
    pub fn export_units(
        state: &AppState,
        manufacturer: i64,
        query: ExportQuery,
    ) -> Result<Response, String> {
        let filter =
            UnitExportFilter::parse(&query.model, &query.lot, &query.status, &query.recall)?;
        let body = Body::from_stream(export::units_csv(&state.services.db, manufacturer, &filter));
        Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"units.csv\"",
                ),
            ],
            body,
        )
            .into_response())
    }
}
