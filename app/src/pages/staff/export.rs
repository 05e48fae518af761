//! `GET /staff/export/units.csv`: the staff member's manufacturer's units as CSV, filtered
//! by model, lot, status or recall, streamed row by row from the database (a million units
//! are never held in memory).

#[cfg(feature = "ssr")]
pub use server::{ExportQuery, export_units, units_csv};

/// The statuses a unit can have.
pub const STATUSES: [&str; 6] = serialtrace::import::UNIT_STATUSES;

#[cfg(feature = "ssr")]
mod server {
    use super::STATUSES;
    use crate::auth::{RequireRole, Staff};
    use crate::state::AppState;
    use axum::body::Body;
    use axum::extract::{Query, State};
    use axum::http::{StatusCode, header};
    use axum::response::{IntoResponse, Response};
    use futures_util::StreamExt as _;
    use serde::Deserialize;
    use serialtrace::export::csv_line;
    use serialtrace::store::import::{UnitExportFilter, export_query};
    use sqlx::Row as _;

    #[derive(Deserialize, Default)]
    #[serde(default)]
    pub struct ExportQuery {
        pub model: String,
        pub lot: String,
        pub status: String,
        pub recall: String,
    }

    const HEADER: &str = "manufacturer,model,serial,lot,manufactured_on,status,warranty_starts_on,warranty_ends_on\n";

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
        let given = |v: String| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
        let filter = UnitExportFilter {
            model: given(query.model),
            lot: given(query.lot),
            status: given(query.status),
            recall: given(query.recall),
        };
        if let Some(status) = &filter.status
            && !STATUSES.contains(&status.as_str())
        {
            return Err(format!(
                "'{status}' is not a status; use one of {}.",
                STATUSES.join(", ")
            ));
        }
        let (sql, binds) = export_query(&filter);
        let db = state.services.db.clone();
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<String, std::io::Error>>(8);
        tokio::spawn(async move {
            let mut query = sqlx::query(&sql).bind(manufacturer);
            for value in &binds {
                query = query.bind(value.as_str());
            }
            let mut rows = query.fetch(db.reader());
            let mut chunk = String::from(HEADER);
            while let Some(row) = rows.next().await {
                let row = match row {
                    Ok(row) => row,
                    Err(error) => {
                        tracing::error!(%error, "exporting units");
                        let _ = tx
                            .send(Err(std::io::Error::other("the export stopped")))
                            .await;
                        return;
                    }
                };
                let text = |name: &str| row.get::<Option<String>, _>(name).unwrap_or_default();
                let fields = [
                    text("slug"),
                    text("model"),
                    text("serial_raw"),
                    text("lot"),
                    text("manufactured_on"),
                    text("status"),
                    text("starts_on"),
                    text("ends_on"),
                ];
                chunk.push_str(&csv_line(&fields));
                if chunk.len() >= 64 * 1024 {
                    let full = std::mem::take(&mut chunk);
                    if tx.send(Ok(full)).await.is_err() {
                        return; // the client went away
                    }
                }
            }
            if !chunk.is_empty() {
                let _ = tx.send(Ok(chunk)).await;
            }
        });
        let body = Body::from_stream(futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx)));
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
