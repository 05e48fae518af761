//! The warranty expiry report (`/desk/expiring`, `/desk/expiring.csv`): units whose warranty
//! ends in the next 30, 60 or 90 days; for agents (every unit) and staff (their own).

use crate::auth::{Access, require, viewer};
use crate::components::access::Refused;
use crate::components::load::Loaded;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serialtrace::account::Role;
use serialtrace::claim::ExpiryLine;

/// Who may read the expiry report: agents (every unit) and staff (their manufacturer's).
fn expiry_scope() -> Result<Option<i64>, AppError> {
    let user = require(Access::SignedIn)?;
    if user.has(Role::Agent) {
        Ok(None)
    } else if let Some(m) = user.staff_manufacturer() {
        Ok(Some(m))
    } else {
        #[cfg(feature = "ssr")]
        crate::error::set_status(axum::http::StatusCode::FORBIDDEN);
        Err(AppError::Forbidden)
    }
}

/// The report's windows, in days.
pub const EXPIRY_WINDOWS: [u32; 3] = [30, 60, 90];

#[server(prefix = "/_fn", endpoint = "expiring")]
pub async fn expiring(days: u32) -> Result<(Vec<ExpiryLine>, bool), AppError> {
    let scope = expiry_scope()?;
    let days = if EXPIRY_WINDOWS.contains(&days) {
        days
    } else {
        30
    };
    let services = crate::state::services()?;
    let mut lines = serialtrace::service::claims::expiring(&services.db, days, scope, 501).await?;
    let more = lines.len() > 500;
    lines.truncate(500);
    Ok((lines, more))
}

#[component]
pub fn ExpiringPage() -> impl IntoView {
    if let Err(error) = expiry_scope() {
        return view! { <Refused error /> }.into_any();
    }
    let days: u32 = use_query_map()
        .get_untracked()
        .get("days")
        .and_then(|d| d.parse().ok())
        .filter(|d| EXPIRY_WINDOWS.contains(d))
        .unwrap_or(30);
    let agent = viewer().is_some_and(|u| u.has(Role::Agent));
    let report = Resource::new(move || days, expiring);
    view! {
        <Title text="Warranty expiry" />
        <h1>{format!("Warranties ending in the next {days} days")}</h1>
        {agent.then(|| view! { <p><a href="/desk">"← Support desk"</a></p> })}
        <p class="actions">
            {EXPIRY_WINDOWS.iter().map(|d| view! { <a href=format!("/desk/expiring?days={d}") aria-current=(*d == days).then_some("page")>{format!("{d} days")}</a>" " }).collect_view()}
            " · " <a href=format!("/desk/expiring.csv?days={days}")>"Download CSV"</a>
        </p>
        <Loaded resource=report loading="Loading…" show=move |data| match data {
                    (lines, _) if lines.is_empty() => view! { <p class="count">"No warranty ends in this window."</p> }.into_any(),
                    (lines, more) => view! {
                        <p class="count">{format!("{}{} units", lines.len(), if more { "+" } else { "" })}</p>
                        <table class="report">
                            <thead><tr><th>"Ends"</th><th>"Serial"</th><th>"Manufacturer"</th><th>"Model"</th><th>"Registered"</th></tr></thead>
                            <tbody>{lines.into_iter().map(|l| view! {
                                <tr><td>{l.ends_on}</td><td>{if agent {
                                    view! { <a href=format!("/desk/units/{}", l.unit_id)>{l.serial.clone()}</a> }.into_any()
                                } else {
                                    view! { <a href=format!("/staff/units/{}", l.unit_id)>{l.serial.clone()}</a> }.into_any()
                                }}</td><td>{l.manufacturer}</td><td>{l.model}</td><td>{if l.registered { "yes" } else { "no" }}</td></tr>
                            }).collect_view()}</tbody>
                        </table>
                    }.into_any(),
                } />
    }
    .into_any()
}

#[cfg(feature = "ssr")]
pub use server::*;

#[cfg(feature = "ssr")]
mod server {
    use super::EXPIRY_WINDOWS;
    use crate::auth::{RequireRole, SignedIn};
    use crate::state::AppState;
    use axum::extract::{Query, State};
    use axum::http::{HeaderValue, StatusCode, header};
    use axum::response::{IntoResponse, Response};
    use serde::Deserialize;
    use serialtrace::account::Role;

    #[derive(Deserialize)]
    pub struct ExpiryQuery {
        days: Option<String>,
    }

    /// The expiry report as CSV: serial, manufacturer, model, warranty end, registered.
    pub async fn expiring_csv(
        State(state): State<AppState>,
        viewer: RequireRole<SignedIn>,
        Query(query): Query<ExpiryQuery>,
    ) -> Response {
        let user = viewer.user();
        let scope = if user.has(Role::Agent) {
            None
        } else if let Some(m) = user.staff_manufacturer() {
            Some(m)
        } else {
            return (
                StatusCode::FORBIDDEN,
                "The expiry report is for support agents and staff.",
            )
                .into_response();
        };
        let days = match query.days.as_deref().map(str::parse::<u32>) {
            None => 30,
            Some(Ok(d)) if EXPIRY_WINDOWS.contains(&d) => d,
            Some(_) => {
                return (StatusCode::BAD_REQUEST, "days must be 30, 60 or 90.").into_response();
            }
        };
        let today = serialtrace::store::today();
        let lines = match serialtrace::service::claims::expiring(
            &state.services.db,
            days,
            scope,
            1_000_000,
        )
        .await
        {
            Ok(lines) => lines,
            Err(error) => {
                tracing::error!(%error, "expiry report");
                return (StatusCode::SERVICE_UNAVAILABLE, "Try again in a moment.").into_response();
            }
        };
        use serialtrace::export::csv_line;
        let mut body = String::from("serial,manufacturer,model,warranty_ends_on,registered\n");
        for l in &lines {
            body.push_str(&csv_line(&[
                l.serial.as_str(),
                &l.manufacturer,
                &l.model,
                &l.ends_on,
                if l.registered { "yes" } else { "no" },
            ]));
        }
        let mut response = body.into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/csv; charset=utf-8"),
        );
        if let Ok(v) = HeaderValue::from_str(&format!(
            "attachment; filename=\"warranty-expiry-{days}-days-{today}.csv\""
        )) {
            headers.insert(header::CONTENT_DISPOSITION, v);
        }
        response
    }
}
