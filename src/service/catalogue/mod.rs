//! The staff catalogue: products, lots and generated serials, each change in one transaction
//! with its audit entry. Staff act only on their own manufacturer's records: anything else is
//! "not found".
//!
//! Products and lots here; serials (generated in batches, or one entered by hand) in
//! [`serials`].

mod serials;

pub use serials::{NewOne, create_unit, generate};

use super::accounts::Actor;
use super::change::{Audit, Change};
use super::lookup::LookupService;
use super::{Error, Result};
use crate::catalogue::{Batch, LotSpec, ProductDetail, ProductForm, ProductLine, ProductSpec};
use crate::format::SerialFormat;
use crate::store::catalogue::{self as store, ProductRow};
use crate::store::{Db, StoreError, now_text};
use serde_json::json;

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
