//! The staff catalogue: products, lots and generated serials, each change in one transaction
//! with its audit entry. Staff act only on their own manufacturer's records: anything else is
//! "not found".

use super::accounts::Actor;
use super::change::{Audit, Change};
use super::lookup::LookupService;
use super::{Error, Result};
use crate::catalogue::{
    Batch, GenerateSpec, LotSpec, ProductDetail, ProductForm, ProductLine, ProductSpec,
};
use crate::format::SerialFormat;
use crate::store::catalogue::{self as store, ProductRow};
use crate::store::import::{NewUnit, existing_units, insert_initial_warranties, insert_units};
use crate::store::{Db, StoreError, now_text};
use crate::warranty::{WarrantyStart, add_months};
use serde_json::json;
use std::collections::HashSet;

/// The manufacturer's product, or "not found".
pub async fn own_product(db: &Db, manufacturer_id: i64, id: i64) -> Result<ProductRow> {
    store::product(db, manufacturer_id, id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("There is no product {id}.")))
}

async fn check_unique(
    conn: &mut sqlx::AnyConnection,
    manufacturer_id: i64,
    spec: &ProductSpec,
    except: Option<i64>,
) -> Result<()> {
    if let Some(other) = store::product_id_by_model(conn, manufacturer_id, &spec.model).await?
        && Some(other) != except
    {
        return Err(Error::invalid(
            "model",
            format!(
                "There is already a product with model number {}.",
                spec.model
            ),
        ));
    }
    let taken = store::gtins_taken(conn, &spec.gtins, except).await?;
    if !taken.is_empty() {
        return Err(Error::invalid(
            "gtins",
            format!(
                "GTIN {} already belongs to another product.",
                taken.join(", ")
            ),
        ));
    }
    Ok(())
}

/// A serial space belongs to one manufacturer: a format is refused when it overlaps
/// another manufacturer's format, or speaks for serials their units already carry (their
/// genuine units could otherwise be marked counterfeit, or answered "invalid", by someone
/// else).
async fn check_serial_space(
    conn: &mut sqlx::AnyConnection,
    manufacturer_id: i64,
    format: &SerialFormat,
) -> Result<()> {
    let Some((prefix, len)) = format.prefix_and_len() else {
        return Ok(());
    };
    let field = match format {
        SerialFormat::Imei { .. } => "tac",
        _ => "prefix",
    };
    let theirs = store::other_makers_formats(conn, manufacturer_id).await?;
    if let Some((maker, model, _)) = theirs.iter().find(|(_, _, f)| f.overlaps(format)) {
        return Err(Error::invalid(
            field,
            format!(
                "Serials of this format could be {maker}'s (model {model}): a serial number belongs to one manufacturer. Choose another prefix or length."
            ),
        ));
    }
    let carried = store::other_makers_serials(conn, manufacturer_id, prefix, len, 1_000).await?;
    if let Some((maker, serial)) = carried
        .iter()
        .find(|(_, serial)| format.check(serial) != crate::format::FormatVerdict::Foreign)
    {
        return Err(Error::invalid(
            field,
            format!(
                "{maker}'s unit {serial} has a serial of this format: a serial number belongs to one manufacturer. Choose another prefix or length."
            ),
        ));
    }
    Ok(())
}

fn spec_json(spec: &ProductSpec) -> serde_json::Value {
    serde_json::to_value(spec).unwrap_or_default()
}

/// After a product change (committed): lookups re-read the formats, then forget cached
/// answers. Not a [`Change`]'s epoch bump: that would come before the formats are read
/// again, and a lookup in between would cache an answer under the old formats.
async fn products_changed(lookup: &LookupService) -> Result<()> {
    lookup.reload_formats().await?;
    lookup.invalidate().await?;
    Ok(())
}

pub async fn create_product(
    db: &Db,
    lookup: &LookupService,
    manufacturer_id: i64,
    spec: &ProductSpec,
    actor: &Actor<'_>,
) -> Result<i64> {
    let mut tx = Change::begin(db, actor).await?;
    check_unique(&mut tx, manufacturer_id, spec, None).await?;
    check_serial_space(&mut tx, manufacturer_id, &spec.format).await?;
    let id = store::insert_product(&mut tx, manufacturer_id, spec, &now_text()).await?;
    tx.record(Audit::of("product.create", "product", id).after(spec_json(spec)))
        .await?;
    tx.commit().await?;
    products_changed(lookup).await?;
    Ok(id)
}

pub async fn update_product(
    db: &Db,
    lookup: &LookupService,
    manufacturer_id: i64,
    id: i64,
    spec: &ProductSpec,
    actor: &Actor<'_>,
) -> Result<()> {
    let before = own_product(db, manufacturer_id, id).await?;
    if before.units > 0 && before.spec.format != spec.format {
        return Err(Error::invalid(
            "format_kind",
            format!(
                "This model has {} units: its serial format cannot change (their serials would no longer fit it).",
                before.units
            ),
        ));
    }
    let mut tx = Change::begin(db, actor).await?;
    check_unique(&mut tx, manufacturer_id, spec, Some(id)).await?;
    if before.spec.format != spec.format {
        check_serial_space(&mut tx, manufacturer_id, &spec.format).await?;
    }
    store::update_product(&mut tx, id, spec).await?;
    tx.record(
        Audit::of("product.update", "product", id)
            .before(spec_json(&before.spec))
            .after(spec_json(spec)),
    )
    .await?;
    tx.commit().await?;
    products_changed(lookup).await
}

/// Retires a product (its units stay; new serials are refused) or brings it back.
pub async fn set_retired(
    db: &Db,
    lookup: &LookupService,
    manufacturer_id: i64,
    id: i64,
    retire: bool,
    actor: &Actor<'_>,
) -> Result<()> {
    let before = own_product(db, manufacturer_id, id).await?;
    let now = now_text();
    let mut tx = Change::begin(db, actor).await?;
    store::set_retired(&mut tx, id, retire.then_some(now.as_str())).await?;
    tx.record(
        Audit::of(
            if retire {
                "product.retire"
            } else {
                "product.reinstate"
            },
            "product",
            id,
        )
        .before(json!({ "retired_at": before.retired_at }))
        .after(json!({ "retired_at": retire.then_some(now) })),
    )
    .await?;
    tx.commit().await?;
    products_changed(lookup).await
}

pub async fn create_lot(
    db: &Db,
    manufacturer_id: i64,
    product_id: i64,
    lot: &LotSpec,
    actor: &Actor<'_>,
) -> Result<i64> {
    let product = own_product(db, manufacturer_id, product_id).await?;
    let mut tx = Change::begin(db, actor).await?;
    if store::lot_id(&mut tx, product_id, &lot.code)
        .await?
        .is_some()
    {
        return Err(Error::invalid(
            "code",
            format!(
                "Model {} already has a lot {}.",
                product.spec.model, lot.code
            ),
        ));
    }
    let id = store::insert_lot(&mut tx, product_id, lot).await?;
    tx.record(
        Audit::of("lot.create", "lot", id).after(json!({ "product_id": product_id, "lot": lot })),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

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

pub use crate::store::catalogue::Record;

/// Whether record `id` is one of the manufacturer's (the check before any change by id).
pub async fn is_theirs(
    db: &Db,
    manufacturer: i64,
    record: Record,
    id: i64,
) -> Result<bool, StoreError> {
    store::is_theirs(db, manufacturer, record, id).await
}

/// How many manufacturers are on record (none: a fresh database, where the demo may load).
pub async fn manufacturer_count(db: &Db) -> Result<i64, StoreError> {
    store::manufacturer_count(db).await
}

fn line_of(p: &ProductRow) -> ProductLine {
    ProductLine::of(p.id, &p.spec, p.retired_at.is_some(), p.units)
}

/// The manufacturer's catalogue: current products first, then retired ones, by model.
pub async fn products(db: &Db, manufacturer: i64) -> Result<Vec<ProductLine>, StoreError> {
    Ok(store::list_products(db, manufacturer)
        .await?
        .iter()
        .map(line_of)
        .collect())
}

/// One of the manufacturer's products with its lots and latest batches (another
/// manufacturer's is `None`).
pub async fn product_detail(
    db: &Db,
    manufacturer: i64,
    id: i64,
) -> Result<Option<ProductDetail>, StoreError> {
    let Some(product) = store::product(db, manufacturer, id).await? else {
        return Ok(None);
    };
    let (lots, batches) = tokio::try_join!(store::lots_of(db, id), store::batches_of(db, id, 20))?;
    Ok(Some(ProductDetail {
        line: line_of(&product),
        form: ProductForm::of(&product.spec),
        example: (product.spec.format != SerialFormat::Free)
            .then(|| product.spec.format.serial_for(0)),
        lots,
        batches,
    }))
}

/// One of the manufacturer's batches of generated serials (another's is `None`).
pub async fn batch(db: &Db, manufacturer: i64, id: i64) -> Result<Option<Batch>, StoreError> {
    store::batch(db, manufacturer, id).await
}

/// A page of a batch's units: (id, serial), in order.
pub async fn batch_units_page(
    db: &Db,
    batch: &Batch,
    offset: i64,
    limit: i64,
) -> Result<Vec<(i64, String)>, StoreError> {
    store::batch_units_page(db, batch.id, offset, limit).await
}

/// All of a batch's units: (id, serial), in order (at most [`crate::catalogue::MAX_GENERATE`]).
pub async fn batch_units(db: &Db, batch: &Batch) -> Result<Vec<(i64, String)>, StoreError> {
    store::batch_units(db, batch.id).await
}

/// What one of the manufacturer's units' label carries: (serial, the product's GTIN).
pub async fn unit_label(
    db: &Db,
    manufacturer: i64,
    unit: i64,
) -> Result<Option<(String, Option<String>)>, StoreError> {
    store::unit_label(db, manufacturer, unit).await
}
