//! Manufacturers, products, GTINs and lots.
//!
//! Generated serial batches are in [`batches`].

mod batches;

pub use batches::*;

use super::{Db, StoreResult};
use crate::catalogue::Lot;
use crate::format::SerialFormat;
use sqlx::Row;

/// A product's serial format, for catching impossible serials before any unit query.
#[derive(Clone, Debug)]
pub struct ProductFormat {
    pub manufacturer_id: i64,
    pub name: String,
    pub format: SerialFormat,
}

pub async fn product_formats(db: &Db) -> StoreResult<Vec<ProductFormat>> {
    let rows = sqlx::query(
        "SELECT p.id, p.manufacturer_id, p.name, p.serial_format
         FROM products p
         WHERE p.serialised = 1 AND p.retired_at IS NULL
         ORDER BY p.id",
    )
    .fetch_all(db.reader())
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let spec: String = row.get("serial_format");
            let format = match serde_json::from_str(&spec) {
                Ok(format) => format,
                Err(error) => {
                    tracing::warn!(product_id = row.get::<i64, _>("id"), %error, "unreadable serial format");
                    return None;
                }
            };
            Some(ProductFormat {
                manufacturer_id: row.get("manufacturer_id"),
                name: row.get("name"),
                format,
            })
        })
        .collect())
}

pub async fn manufacturer_count(db: &Db) -> StoreResult<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM manufacturers")
        .fetch_one(db.reader())
        .await?)
}

/// Manufacturers that have at least one public recall, for the recall search filter.
pub async fn manufacturers_with_recalls(db: &Db) -> StoreResult<Vec<(String, String)>> {
    let rows = sqlx::query(
        "SELECT DISTINCT m.slug, m.name FROM manufacturers m
         JOIN recalls r ON r.manufacturer_id = m.id AND r.status = 'active'
         ORDER BY m.name",
    )
    .fetch_all(db.reader())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.get("slug"), r.get("name")))
        .collect())
}

/// A product as the staff catalogue shows it.
#[derive(Clone, Debug)]
pub struct ProductRow {
    pub id: i64,
    pub spec: crate::catalogue::ProductSpec,
    pub retired_at: Option<String>,
    pub units: i64,
    /// The next sequence number of sequential serials.
    pub serial_seq: i64,
}

fn product_from_row(row: &sqlx::any::AnyRow, gtins: Vec<crate::gs1::Gtin>) -> ProductRow {
    use crate::warranty::{WarrantyPolicy, WarrantyStart};
    let format: String = row.get("serial_format");
    ProductRow {
        id: row.get("id"),
        spec: crate::catalogue::ProductSpec {
            model: row.get("model"),
            name: row.get("name"),
            category: row.get("category"),
            gtins,
            warranty: WarrantyPolicy {
                months: u16::try_from(row.get::<i64, _>("warranty_months")).unwrap_or(0),
                starts: WarrantyStart::parse(&row.get::<String, _>("warranty_starts"))
                    .unwrap_or(WarrantyStart::Sale),
                transferable: row.get::<i64, _>("warranty_transferable") != 0,
            },
            format: serde_json::from_str(&format).unwrap_or(SerialFormat::Free),
        },
        retired_at: row.get("retired_at"),
        units: row.get("units"),
        serial_seq: row.get("serial_seq"),
    }
}

const PRODUCT_SELECT: &str =
    "SELECT p.id, p.model, p.name, p.category, p.warranty_months, p.warranty_starts,
        p.warranty_transferable, p.serial_format, p.retired_at, p.serial_seq,
        (SELECT COUNT(*) FROM units u WHERE u.product_id = p.id) AS units
     FROM products p";

async fn gtins_of(
    db: &Db,
    product_ids: &[i64],
) -> StoreResult<std::collections::HashMap<i64, Vec<crate::gs1::Gtin>>> {
    let mut by_product: std::collections::HashMap<i64, Vec<crate::gs1::Gtin>> =
        std::collections::HashMap::new();
    if product_ids.is_empty() {
        return Ok(by_product);
    }
    let sql = format!(
        "SELECT product_id, gtin FROM product_gtins WHERE product_id IN ({}) ORDER BY gtin",
        super::placeholders(1, product_ids.len())
    );
    let mut q = sqlx::query(&sql);
    for id in product_ids {
        q = q.bind(*id);
    }
    for row in q.fetch_all(db.reader()).await? {
        if let Ok(gtin) = crate::gs1::Gtin::parse(&row.get::<String, _>("gtin")) {
            by_product
                .entry(row.get("product_id"))
                .or_default()
                .push(gtin);
        }
    }
    Ok(by_product)
}

/// A manufacturer's products, current ones first, then by model.
pub async fn list_products(db: &Db, manufacturer_id: i64) -> StoreResult<Vec<ProductRow>> {
    let rows = sqlx::query(&format!(
        "{PRODUCT_SELECT} WHERE p.manufacturer_id = $1
         ORDER BY CASE WHEN p.retired_at IS NULL THEN 0 ELSE 1 END, p.model"
    ))
    .bind(manufacturer_id)
    .fetch_all(db.reader())
    .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.get("id")).collect();
    let mut gtins = gtins_of(db, &ids).await?;
    Ok(rows
        .iter()
        .map(|r| product_from_row(r, gtins.remove(&r.get("id")).unwrap_or_default()))
        .collect())
}

/// One of the manufacturer's products (another manufacturer's is `None`).
pub async fn product(db: &Db, manufacturer_id: i64, id: i64) -> StoreResult<Option<ProductRow>> {
    let Some(row) = sqlx::query(&format!(
        "{PRODUCT_SELECT} WHERE p.id = $1 AND p.manufacturer_id = $2"
    ))
    .bind(id)
    .bind(manufacturer_id)
    .fetch_optional(db.reader())
    .await?
    else {
        return Ok(None);
    };
    let mut gtins = gtins_of(db, &[id]).await?;
    Ok(Some(product_from_row(
        &row,
        gtins.remove(&id).unwrap_or_default(),
    )))
}

/// The manufacturer's product with this model number, if any.
pub async fn product_id_by_model(
    conn: &mut sqlx::AnyConnection,
    manufacturer_id: i64,
    model: &str,
) -> StoreResult<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT id FROM products WHERE manufacturer_id = $1 AND model = $2")
            .bind(manufacturer_id)
            .bind(model)
            .fetch_optional(&mut *conn)
            .await?,
    )
}

/// Every other manufacturer's serial formats: (manufacturer name, model, format), retired
/// products too (their units keep their serials).
pub async fn other_makers_formats(
    conn: &mut sqlx::AnyConnection,
    manufacturer_id: i64,
) -> StoreResult<Vec<(String, String, SerialFormat)>> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT m.name, p.model, p.serial_format FROM products p JOIN manufacturers m ON m.id = p.manufacturer_id
         WHERE p.manufacturer_id <> $1 ORDER BY m.name, p.model",
    )
    .bind(manufacturer_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(maker, model, spec)| Some((maker, model, serde_json::from_str(&spec).ok()?)))
        .collect())
}

/// Up to `limit` serials of other manufacturers' units with this prefix and length:
/// (manufacturer name, serial).
pub async fn other_makers_serials(
    conn: &mut sqlx::AnyConnection,
    manufacturer_id: i64,
    prefix: &str,
    len: usize,
    limit: i64,
) -> StoreResult<Vec<(String, String)>> {
    Ok(sqlx::query_as(
        "SELECT m.name, u.serial_norm FROM units u JOIN manufacturers m ON m.id = u.manufacturer_id
         WHERE u.manufacturer_id <> $1 AND LENGTH(u.serial_norm) = $2
           AND SUBSTR(u.serial_norm, 1, CAST($3 AS INTEGER)) = $4
         ORDER BY u.id LIMIT $5",
    )
    .bind(manufacturer_id)
    .bind(len as i64)
    .bind(prefix.len() as i64)
    .bind(prefix)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?)
}

/// The GTINs among `gtins` that belong to a product other than `except`.
pub async fn gtins_taken(
    conn: &mut sqlx::AnyConnection,
    gtins: &[crate::gs1::Gtin],
    except: Option<i64>,
) -> StoreResult<Vec<String>> {
    if gtins.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT gtin FROM product_gtins WHERE gtin IN ({}) AND product_id <> $1 ORDER BY gtin",
        super::placeholders(2, gtins.len())
    );
    let mut q = sqlx::query_scalar(&sql).bind(except.unwrap_or(0));
    for g in gtins {
        q = q.bind(g.as_str());
    }
    Ok(q.fetch_all(&mut *conn).await?)
}

async fn write_gtins(
    conn: &mut sqlx::AnyConnection,
    product_id: i64,
    gtins: &[crate::gs1::Gtin],
) -> StoreResult<()> {
    sqlx::query("DELETE FROM product_gtins WHERE product_id = $1")
        .bind(product_id)
        .execute(&mut *conn)
        .await?;
    for g in gtins {
        sqlx::query("INSERT INTO product_gtins (gtin, product_id) VALUES ($1, $2)")
            .bind(g.as_str())
            .bind(product_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub async fn insert_product(
    conn: &mut sqlx::AnyConnection,
    manufacturer_id: i64,
    spec: &crate::catalogue::ProductSpec,
    now: &str,
) -> StoreResult<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO products (manufacturer_id, model, name, category, warranty_months, warranty_starts,
                               warranty_transferable, serial_format, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(manufacturer_id)
    .bind(&spec.model)
    .bind(&spec.name)
    .bind(&spec.category)
    .bind(i64::from(spec.warranty.months))
    .bind(spec.warranty.starts.as_str())
    .bind(i64::from(spec.warranty.transferable))
    .bind(serde_json::to_string(&spec.format).unwrap_or_default())
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    write_gtins(conn, id, &spec.gtins).await?;
    Ok(id)
}

pub async fn update_product(
    conn: &mut sqlx::AnyConnection,
    id: i64,
    spec: &crate::catalogue::ProductSpec,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE products SET model = $2, name = $3, category = $4, warranty_months = $5, warranty_starts = $6,
                             warranty_transferable = $7, serial_format = $8
         WHERE id = $1",
    )
    .bind(id)
    .bind(&spec.model)
    .bind(&spec.name)
    .bind(&spec.category)
    .bind(i64::from(spec.warranty.months))
    .bind(spec.warranty.starts.as_str())
    .bind(i64::from(spec.warranty.transferable))
    .bind(serde_json::to_string(&spec.format).unwrap_or_default())
    .execute(&mut *conn)
    .await?;
    write_gtins(conn, id, &spec.gtins).await
}

/// Retires a product (`Some(now)`) or brings it back (`None`); units keep pointing at it.
pub async fn set_retired(
    conn: &mut sqlx::AnyConnection,
    id: i64,
    retired_at: Option<&str>,
) -> StoreResult<()> {
    sqlx::query("UPDATE products SET retired_at = $2 WHERE id = $1")
        .bind(id)
        .bind(retired_at)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn lots_of(db: &Db, product_id: i64) -> StoreResult<Vec<Lot>> {
    Ok(sqlx::query_as(
        "SELECT l.id, l.code, l.produced_on, l.expires_on,
                (SELECT COUNT(*) FROM units u WHERE u.lot_id = l.id) AS units
         FROM lots l WHERE l.product_id = $1 ORDER BY l.code",
    )
    .bind(product_id)
    .fetch_all(db.reader())
    .await?)
}

pub async fn lot_id(
    conn: &mut sqlx::AnyConnection,
    product_id: i64,
    code: &str,
) -> StoreResult<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT id FROM lots WHERE product_id = $1 AND code = $2")
            .bind(product_id)
            .bind(code)
            .fetch_optional(&mut *conn)
            .await?,
    )
}

pub async fn insert_lot(
    conn: &mut sqlx::AnyConnection,
    product_id: i64,
    lot: &crate::catalogue::LotSpec,
) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO lots (product_id, code, produced_on, expires_on) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(product_id)
    .bind(&lot.code)
    .bind(lot.produced_on.map(|d| d.to_string()))
    .bind(lot.expires_on.map(|d| d.to_string()))
    .fetch_one(&mut *conn)
    .await?)
}

/// (unit id, product id) of the manufacturer's units with this serial (of one model, if given).
pub async fn units_by_serial(
    conn: &mut sqlx::AnyConnection,
    manufacturer_id: i64,
    serial: &str,
    product_id: Option<i64>,
) -> StoreResult<Vec<(i64, i64)>> {
    Ok(sqlx::query_as(
        "SELECT id, product_id FROM units
         WHERE serial_norm = $1 AND manufacturer_id = $2 AND ($3 IS NULL OR product_id = $3)
         ORDER BY id",
    )
    .bind(serial)
    .bind(manufacturer_id)
    .bind(product_id)
    .fetch_all(&mut *conn)
    .await?)
}

/// Ids of the manufacturer's lots with this code (of one model, if given).
pub async fn lots_by_code(
    conn: &mut sqlx::AnyConnection,
    manufacturer_id: i64,
    code: &str,
    product_id: Option<i64>,
) -> StoreResult<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT l.id FROM lots l JOIN products p ON p.id = l.product_id
         WHERE l.code = $1 AND p.manufacturer_id = $2 AND ($3 IS NULL OR p.id = $3)
         ORDER BY l.id",
    )
    .bind(code)
    .bind(manufacturer_id)
    .bind(product_id)
    .fetch_all(&mut *conn)
    .await?)
}

/// The kinds of record a manufacturer's staff change by id.
#[derive(Clone, Copy, Debug)]
pub enum Record {
    Product,
    Recall,
    Unit,
}

/// Whether record `id` belongs to `manufacturer`.
pub async fn is_theirs(db: &Db, manufacturer: i64, record: Record, id: i64) -> StoreResult<bool> {
    let table = match record {
        Record::Product => "products",
        Record::Recall => "recalls",
        Record::Unit => "units",
    };
    let found: Option<i64> = sqlx::query_scalar(&format!(
        "SELECT id FROM {table} WHERE id = $1 AND manufacturer_id = $2"
    ))
    .bind(id)
    .bind(manufacturer)
    .fetch_optional(db.reader())
    .await?;
    Ok(found.is_some())
}
