//! New serials: a generated batch (sequence numbers or random bodies, none the product has
//! already) or one unit entered by hand, each fitting the product's format.

use super::own_product;
use crate::catalogue::GenerateSpec;
use crate::format::SerialFormat;
use crate::service::accounts::Actor;
use crate::service::change::{Audit, Change};
use crate::service::{Error, Result};
use crate::store::catalogue::{self as store};
use crate::store::import::{NewUnit, existing_units, insert_initial_warranties, insert_units};
use crate::store::{Db, now_text};
use crate::warranty::{WarrantyStart, add_months};
use serde_json::json;
use std::collections::HashSet;

/// Serials asked for per existence check (well under SQLite's parameter limit).
const CHECK_CHUNK: usize = 10_000;

/// Generates `spec.count` new serials of a product (and lot): the next sequence numbers, or
/// random bodies, skipping any serial the product already has. Returns the batch id.
pub async fn generate(
    db: &Db,
    manufacturer_id: i64,
    product_id: i64,
    spec: &GenerateSpec,
    actor: &Actor<'_>,
) -> Result<i64> {
    let product = own_product(db, manufacturer_id, product_id).await?;
    if product.retired_at.is_some() {
        return Err(Error::invalid(
            "count",
            "This model is retired: reinstate it before making new serials.",
        ));
    }
    let format = &product.spec.format;
    if *format == SerialFormat::Free {
        return Err(Error::invalid(
            "count",
            "This model has no serial format: set one (prefix, body, check character) before generating serials.",
        ));
    }
    let count = u64::from(spec.count);
    let mut tx = Change::begin(db, actor).await?;
    let lot_id =
        match &spec.lot {
            Some(code) => Some(store::lot_id(&mut tx, product_id, code).await?.ok_or_else(
                || {
                    Error::invalid(
                        "lot",
                        format!("Model {} has no lot {code}.", product.spec.model),
                    )
                },
            )?),
            None => None,
        };
    let mut serials: Vec<String> = Vec::with_capacity(spec.count as usize);
    let mut chosen: HashSet<String> = HashSet::new();
    let capacity = format.capacity();
    // Rounds: propose what is still missing, drop serials that exist, repeat. Sequential
    // formats move past imported serials; random ones redraw.
    for round in 0..12u32 {
        let missing = count - serials.len() as u64;
        if missing == 0 {
            break;
        }
        // After a collision (serials imported in the same format), ask for more each round;
        // sequence numbers reserved and not used are skipped, never reused.
        let asked = if round == 0 {
            missing
        } else {
            (missing << (2 * round)).min(u64::from(crate::catalogue::MAX_GENERATE))
        };
        let proposed: Vec<String> = if format.random() {
            use rand::Rng;
            let mut rng = rand::rng();
            (0..asked)
                .map(|_| format.serial_for(rng.random_range(0..capacity)))
                .filter(|s| chosen.insert(s.clone()))
                .collect()
        } else {
            let start = store::reserve_sequence(&mut tx, product_id, asked as i64).await? as u64;
            if start + asked > capacity {
                return Err(Error::invalid(
                    "count",
                    format!(
                        "The format has room for {} more serials.",
                        capacity.saturating_sub(start)
                    ),
                ));
            }
            (start..start + asked)
                .map(|n| format.serial_for(n))
                .collect()
        };
        let mut taken = HashSet::new();
        for chunk in proposed.chunks(CHECK_CHUNK) {
            let refs: Vec<&str> = chunk.iter().map(String::as_str).collect();
            for unit in existing_units(&mut tx, manufacturer_id, product_id, &refs).await? {
                taken.insert(unit.serial_norm);
            }
        }
        serials.extend(
            proposed
                .into_iter()
                .filter(|s| !taken.contains(s))
                .take(missing as usize),
        );
    }
    if (serials.len() as u64) < count {
        return Err(Error::invalid(
            "count",
            "The format is too full to find that many unused serials; choose fewer or a longer body.",
        ));
    }
    let now = now_text();
    let batch = store::insert_batch(
        &mut tx,
        manufacturer_id,
        product_id,
        lot_id,
        count as i64,
        actor.user_id,
        &now,
    )
    .await?;
    let made = spec.manufactured_on.map(|d| d.to_string());
    let (first, last) = (serials[0].clone(), serials[serials.len() - 1].clone());
    let units: Vec<NewUnit> = serials
        .into_iter()
        .map(|serial| NewUnit {
            manufacturer_id,
            product_id,
            lot_id,
            serial_raw: serial.clone(),
            serial_norm: serial,
            manufactured_on: made.clone(),
            status: "in_stock",
            batch_id: Some(batch),
        })
        .collect();
    let mut ids = Vec::with_capacity(units.len());
    let mut units = units.into_iter().peekable();
    while units.peek().is_some() {
        let chunk: Vec<NewUnit> = units.by_ref().take(CHECK_CHUNK).collect();
        ids.extend(insert_units(&mut tx, db.backend(), chunk, &now).await?);
    }
    let warranty = &product.spec.warranty;
    if let (WarrantyStart::Manufacture, Some(made), true) =
        (warranty.starts, spec.manufactured_on, warranty.months > 0)
    {
        let ends = add_months(made, u32::from(warranty.months)).to_string();
        let records: Vec<(i64, String, String)> = ids
            .iter()
            .map(|id| (*id, made.to_string(), ends.clone()))
            .collect();
        for chunk in records.chunks(CHECK_CHUNK) {
            insert_initial_warranties(&mut tx, chunk, &now).await?;
        }
    }
    tx.record(
        Audit::of("serials.generate", "serial_batch", batch).after(json!({
            "product_id": product_id, "model": product.spec.model, "lot": spec.lot,
            "count": count, "first": first, "last": last,
        })),
    )
    .await?;
    tx.lookups_change();
    tx.commit().await?;
    Ok(batch)
}

/// One unit entered by hand.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct NewOne {
    /// As typed (kept as printed); its normalised form is the key.
    pub serial: crate::serial::Serial,
    pub lot: Option<String>,
    pub manufactured_on: Option<time::Date>,
}

/// Creates one unit of a product: its serial must fit the product's format (check character
/// included) and be new for the product. Returns the unit id.
pub async fn create_unit(
    db: &Db,
    manufacturer_id: i64,
    product_id: i64,
    unit: &NewOne,
    actor: &Actor<'_>,
) -> Result<i64> {
    use crate::format::FormatVerdict;
    let product = own_product(db, manufacturer_id, product_id).await?;
    let serial = unit.serial.normalised();
    match product.spec.format.check(serial) {
        FormatVerdict::Valid => {}
        _ if product.spec.format == SerialFormat::Free => {}
        FormatVerdict::BadCheck => {
            return Err(Error::invalid(
                "unit_serial",
                format!(
                    "{serial}: the check character is wrong for model {} — check it for a typo.",
                    product.spec.model
                ),
            ));
        }
        FormatVerdict::Foreign | FormatVerdict::BadBody => {
            return Err(Error::invalid(
                "unit_serial",
                format!(
                    "{serial} does not fit model {}'s serials ({}).",
                    product.spec.model,
                    product.spec.format.describe()
                ),
            ));
        }
    }
    let mut tx = Change::begin(db, actor).await?;
    if !existing_units(&mut tx, manufacturer_id, product_id, &[serial])
        .await?
        .is_empty()
    {
        return Err(Error::invalid(
            "unit_serial",
            format!("Model {} has a unit {serial} already.", product.spec.model),
        ));
    }
    let lot_id =
        match &unit.lot {
            Some(code) => Some(store::lot_id(&mut tx, product_id, code).await?.ok_or_else(
                || {
                    Error::invalid(
                        "unit_lot",
                        format!("Model {} has no lot {code}.", product.spec.model),
                    )
                },
            )?),
            None => None,
        };
    let now = now_text();
    let ids = insert_units(
        &mut tx,
        db.backend(),
        vec![NewUnit {
            manufacturer_id,
            product_id,
            lot_id,
            serial_raw: unit.serial.raw().to_owned(),
            serial_norm: serial.to_owned(),
            manufactured_on: unit.manufactured_on.map(|d| d.to_string()),
            status: "in_stock",
            batch_id: None,
        }],
        &now,
    )
    .await?;
    let id = ids[0];
    let warranty = &product.spec.warranty;
    if let (WarrantyStart::Manufacture, Some(made), true) =
        (warranty.starts, unit.manufactured_on, warranty.months > 0)
    {
        let ends = add_months(made, u32::from(warranty.months)).to_string();
        insert_initial_warranties(&mut tx, &[(id, made.to_string(), ends)], &now).await?;
    }
    tx.record(Audit::of("unit.create", "unit", id).after(
        json!({ "product_id": product_id, "model": product.spec.model, "serial": serial,
                "lot": unit.lot, "manufactured_on": unit.manufactured_on.map(|d| d.to_string()) }),
    ))
    .await?;
    tx.lookups_change();
    tx.commit().await?;
    Ok(id)
}
