//! The catalogue's form posts: products created and changed, lots, serial batches and single
//! units, each answered by re-rendering the page with the problems or redirecting.

use super::super::{staff_manufacturer, their_record};
use crate::auth::{RequireRole, Staff};
use crate::state::AppState;
use crate::web::forms::PageForm;
use crate::web::responses::answer;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use serialtrace::catalogue::{GenerateForm, LotForm, ProductForm};
use serialtrace::service::catalogue::Record;
use serialtrace::service::{Error as ServiceError, catalogue};

/// Every field any form on the product pages sends; each action reads its own.
#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
pub struct ProductPageForm {
    action: String,
    #[serde(flatten)]
    product: ProductForm,
    code: String,
    produced_on: String,
    expires_on: String,
    count: String,
    lot: String,
    manufactured_on: String,
    unit_serial: String,
    unit_lot: String,
    unit_made: String,
}

pub async fn create_product(
    State(state): State<AppState>,
    staff: RequireRole<Staff>,
    PageForm { parts, form }: PageForm<ProductPageForm>,
) -> Response {
    let user = staff.user();
    let manufacturer = staff_manufacturer(user);
    let caller = crate::auth::Caller::staff(user, &parts);
    let actor = caller.actor();
    let services = &state.services;
    let outcome = match (manufacturer, form.product.parse()) {
        (Err(_), _) => Err(ServiceError::NotFound(
            "Your account is not linked to a manufacturer.".into(),
        )),
        (Ok(_), Err(problems)) => Err(ServiceError::fields(problems)),
        (Ok(m), Ok(spec)) => {
            catalogue::create_product(&services.db, &services.lookup, m, &spec, &actor).await
        }
    };
    answer(&state, parts, &form, outcome, |id| {
        format!("/staff/products/{id}?done=product-created")
    })
    .await
}

pub async fn change_product(
    State(state): State<AppState>,
    staff: RequireRole<Staff>,
    Path(id): Path<String>,
    PageForm { parts, form }: PageForm<ProductPageForm>,
) -> Response {
    let user = staff.user();
    let caller = crate::auth::Caller::staff(user, &parts);
    let actor = caller.actor();
    let (m, id) = match their_record(&state, user, Record::Product, &id, &parts, &form).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let (db, lookup) = (&state.services.db, &state.services.lookup);
    let page = format!("/staff/products/{id}");
    let outcome: Result<String, ServiceError> = match form.action.as_str() {
        "update" => match form.product.parse() {
            Ok(spec) => catalogue::update_product(db, lookup, m, id, &spec, &actor)
                .await
                .map(|()| format!("{page}?done=product-saved")),
            Err(problems) => Err(ServiceError::fields(problems)),
        },
        "retire" | "reinstate" => {
            let retire = form.action == "retire";
            catalogue::set_retired(db, lookup, m, id, retire, &actor)
                .await
                .map(|()| {
                    format!(
                        "{page}?done={}",
                        if retire { "retired" } else { "reinstated" }
                    )
                })
        }
        "lot" => {
            let lot = LotForm {
                code: form.code.clone(),
                produced_on: form.produced_on.clone(),
                expires_on: form.expires_on.clone(),
            };
            match lot.parse() {
                Ok(lot) => catalogue::create_lot(db, m, id, &lot, &actor)
                    .await
                    .map(|_| format!("{page}?done=lot-created#lots")),
                Err(problems) => Err(ServiceError::fields(problems)),
            }
        }
        "generate" => {
            let generate = GenerateForm {
                count: form.count.clone(),
                lot: form.lot.clone(),
                manufactured_on: form.manufactured_on.clone(),
            };
            match generate.parse() {
                Ok(spec) => catalogue::generate(db, m, id, &spec, &actor)
                    .await
                    .map(|batch| format!("/staff/batches/{batch}")),
                Err(problems) => Err(ServiceError::fields(problems)),
            }
        }
        "unit" => {
            let mut problems = Vec::new();
            let serial = serialtrace::serial::Serial::parse(&form.unit_serial)
                .map_err(|e| problems.push(("unit_serial", e.to_string())))
                .ok();
            let made =
                serialtrace::catalogue::optional_date(&mut problems, "unit_made", &form.unit_made);
            match serial {
                Some(serial) if problems.is_empty() => {
                    let one = catalogue::NewOne {
                        serial,
                        lot: Some(form.unit_lot.trim().to_owned()).filter(|l| !l.is_empty()),
                        manufactured_on: made,
                    };
                    catalogue::create_unit(db, m, id, &one, &actor)
                        .await
                        .map(|unit| format!("/staff/units/{unit}?done=created"))
                }
                _ => Err(ServiceError::fields(problems)),
            }
        }
        _ => Err(ServiceError::invalid(
            "form",
            "That is not something this page can do.",
        )),
    };
    answer(&state, parts, &form, outcome, |to| to).await
}
