//! Generated serials: `/staff/batches/{id}` (the batch, its CSV for labelling and a printable
//! sheet of QR labels, a page at a time) and `/staff/units/{id}/qr.svg` (one unit's label
//! code). Each QR code holds the unit's GS1 Digital Link URL (or, for a product without a
//! GTIN, its lookup URL on this site), so any phone camera opens its answer.

#[cfg(feature = "ssr")]
use super::staff_manufacturer;
#[cfg(feature = "ssr")]
use crate::auth::{Access, require};
use crate::components::load::Loaded;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};
#[cfg(feature = "ssr")]
use serialtrace::account::Role;

/// Labels per printed sheet page.
pub const LABELS_PER_PAGE: i64 = 60;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Label {
    pub serial: String,
    pub link: String,
    /// The QR code as an SVG element.
    pub svg: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BatchView {
    pub id: i64,
    pub product_id: i64,
    pub model: String,
    pub product_name: String,
    pub lot: Option<String>,
    pub count: i64,
    pub created_at: String,
    pub page: i64,
    pub pages: i64,
    pub labels: Vec<Label>,
}

/// The URL a unit's label points at: its GS1 Digital Link, or its lookup on this site.
#[cfg(feature = "ssr")]
pub fn label_link(origin: &str, serial: &str, gtin: Option<&str>) -> String {
    use serialtrace::gs1::{Gtin, digital_link_path};
    match gtin.and_then(|g| Gtin::parse(g).ok()) {
        Some(gtin) => format!("{origin}{}", digital_link_path(&gtin, serial)),
        None => format!(
            "{origin}/lookup?serial={}",
            crate::web::forms::encode(serial)
        ),
    }
}

/// A QR code of `text` as an SVG element (no XML prolog, so it can sit inside a page).
#[cfg(feature = "ssr")]
pub fn qr_svg(text: &str) -> Option<String> {
    use qrcode::render::svg;
    let code =
        qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M).ok()?;
    let image = code
        .render::<svg::Color<'_>>()
        .min_dimensions(120, 120)
        .quiet_zone(true)
        .build();
    Some(match image.find("<svg") {
        Some(start) => image[start..].to_owned(),
        None => image,
    })
}

#[server(prefix = "/_fn", endpoint = "staff_batch")]
pub async fn staff_batch(id: i64, page: i64) -> Result<BatchView, AppError> {
    use serialtrace::service::catalogue;
    let user = require(Access::Role(Role::Staff))?;
    let manufacturer = staff_manufacturer(&user)?;
    let state = use_context::<crate::state::AppState>().ok_or(AppError::Unavailable)?;
    let db = &state.services.db;
    let Some(batch) = catalogue::batch(db, manufacturer, id).await? else {
        crate::error::set_status(axum::http::StatusCode::NOT_FOUND);
        return Err(AppError::NotFound(format!("There is no batch {id}.")));
    };
    let pages = ((batch.count + LABELS_PER_PAGE - 1) / LABELS_PER_PAGE).max(1);
    let page = page.clamp(1, pages);
    let units =
        catalogue::batch_units_page(db, &batch, (page - 1) * LABELS_PER_PAGE, LABELS_PER_PAGE)
            .await?;
    let labels = units
        .into_iter()
        .map(|(_, serial)| {
            let link = label_link(&state.site_origin, &serial, batch.gtin.as_deref());
            Label {
                svg: qr_svg(&link).unwrap_or_default(),
                serial,
                link,
            }
        })
        .collect();
    Ok(BatchView {
        id,
        product_id: batch.product_id,
        model: batch.model,
        product_name: batch.product_name,
        lot: batch.lot,
        count: batch.count,
        created_at: batch.created_at,
        page,
        pages,
        labels,
    })
}

#[component]
pub fn BatchPage() -> impl IntoView {
    let id = match super::path_id("batch") {
        Ok(id) => id,
        Err(missing) => return missing,
    };
    let page = use_query_map()
        .get_untracked()
        .get("page")
        .and_then(|p| p.parse::<i64>().ok())
        .unwrap_or(1);
    let batch = Resource::new(move || (id, page), |(id, page)| staff_batch(id, page));
    view! {
        <Title text="Serials" />
        <Loaded resource=batch loading="Loading…" heading="Serials" show=move |batch| view! { <BatchSheet batch /> }.into_any() />
    }
    .into_any()
}

#[component]
fn BatchSheet(batch: BatchView) -> impl IntoView {
    let id = batch.id;
    let nav = move |page: i64, text: &'static str| {
        view! { <a href=format!("/staff/batches/{id}?page={page}")>{text}</a> }
    };
    view! {
        <div class="no-print">
            <p><a href=format!("/staff/products/{}", batch.product_id)>{format!("← {}", batch.model)}</a></p>
            <h1>{format!("Batch {} · {} serials of {}", batch.id, batch.count, batch.product_name)}</h1>
            <p role="status" class="notice">{format!(
                "{} new serials made {}{}.", batch.count,
                batch.created_at.replace('T', " ").trim_end_matches('Z'),
                batch.lot.as_ref().map(|l| format!(" in lot {l}")).unwrap_or_default()
            )}</p>
            <p>
                <a class="button" href=format!("/staff/batches/{id}/serials.csv") download="">"Download the serials (CSV)"</a>
                " "
                <span class="hint">"Print this page for a sheet of labels."</span>
            </p>
            <nav class="pager" aria-label="Label pages">
                {(batch.page > 1).then(|| nav(batch.page - 1, "← previous labels"))}
                <span>{format!(" Labels page {} of {} ", batch.page, batch.pages)}</span>
                {(batch.page < batch.pages).then(|| nav(batch.page + 1, "next labels →"))}
            </nav>
        </div>
        <ul class="label-sheet" aria-label="Labels">
            {batch.labels.into_iter().map(|label| view! {
                <li class="label">
                    <div class="qr" inner_html=label.svg></div>
                    <p class="label-serial">{label.serial}</p>
                    <p class="label-model">{batch.model.clone()}</p>
                </li>
            }).collect_view()}
        </ul>
    }
    .into_any()
}

#[cfg(feature = "ssr")]
pub use server::{batch_csv, unit_qr};

#[cfg(feature = "ssr")]
mod server {
    use super::{label_link, qr_svg};
    use crate::auth::{RequireRole, Staff};
    use crate::state::AppState;
    use axum::extract::{Path, State};
    use axum::http::{StatusCode, header};
    use axum::response::{IntoResponse, Response};
    use serialtrace::export::csv_line;
    use serialtrace::service::catalogue;

    fn not_found(what: &str) -> Response {
        (StatusCode::NOT_FOUND, format!("There is no {what}.")).into_response()
    }

    /// `GET /staff/batches/{id}/serials.csv`: the batch's serials for a label printer.
    pub async fn batch_csv(
        State(state): State<AppState>,
        staff: RequireRole<Staff>,
        Path(id): Path<String>,
    ) -> Response {
        let (Some(m), Ok(id)) = (staff.user().staff_manufacturer(), id.parse::<i64>()) else {
            return not_found("such batch");
        };
        let db = &state.services.db;
        let batch = match catalogue::batch(db, m, id).await {
            Ok(Some(batch)) => batch,
            Ok(None) => return not_found("such batch"),
            Err(error) => {
                tracing::error!(%error, "batch CSV");
                return (StatusCode::SERVICE_UNAVAILABLE, "Try again in a moment.").into_response();
            }
        };
        let units = match catalogue::batch_units(db, &batch).await {
            Ok(units) => units,
            Err(error) => {
                tracing::error!(%error, "batch CSV");
                return (StatusCode::SERVICE_UNAVAILABLE, "Try again in a moment.").into_response();
            }
        };
        let mut csv = String::from("serial,model,gtin,lot,digital_link\n");
        let gtin = batch.gtin.clone().unwrap_or_default();
        let lot = batch.lot.clone().unwrap_or_default();
        for (_, serial) in units {
            let link = label_link(&state.site_origin, &serial, batch.gtin.as_deref());
            csv.push_str(&csv_line(&[&serial, &batch.model, &gtin, &lot, &link]));
        }
        (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"batch-{id}-serials.csv\""),
                ),
            ],
            csv,
        )
            .into_response()
    }

    /// `GET /staff/units/{id}/qr.svg`: one unit's label code.
    pub async fn unit_qr(
        State(state): State<AppState>,
        staff: RequireRole<Staff>,
        Path(id): Path<String>,
    ) -> Response {
        let (Some(m), Ok(id)) = (staff.user().staff_manufacturer(), id.parse::<i64>()) else {
            return not_found("such unit");
        };
        match catalogue::unit_label(&state.services.db, m, id).await {
            Ok(Some((serial, gtin))) => {
                let link = label_link(&state.site_origin, &serial, gtin.as_deref());
                match qr_svg(&link) {
                    Some(svg) => (
                        [(header::CONTENT_TYPE, "image/svg+xml")],
                        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{svg}"),
                    )
                        .into_response(),
                    None => not_found("code for this unit"),
                }
            }
            Ok(None) => not_found("such unit"),
            Err(error) => {
                tracing::error!(%error, "unit QR");
                (StatusCode::SERVICE_UNAVAILABLE, "Try again in a moment.").into_response()
            }
        }
    }
}
