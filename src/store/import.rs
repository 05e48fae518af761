//! The queries behind importing units: the catalogue to resolve rows against, the units a
//! batch already has, and batched writes.

use super::bulk::{self, Val};
use super::{Db, StoreResult};
use sqlx::{AnyConnection, Row};

/// A manufacturer as rows name it.
#[derive(Clone, Debug)]
pub struct ManufacturerRef {
    pub id: i64,
    pub slug: String,
    pub name: String,
}

/// A product with what an import needs of it.
#[derive(Clone, Debug)]
pub struct ProductRef {
    pub id: i64,
    pub manufacturer_id: i64,
    pub model: String,
    /// The serial format, as stored (JSON).
    pub serial_format: String,
    pub warranty_months: i64,
    pub warranty_starts: String,
    pub retired: bool,
}

pub async fn manufacturers(db: &Db) -> StoreResult<Vec<ManufacturerRef>> {
    let rows = sqlx::query("SELECT id, slug, name FROM manufacturers")
        .fetch_all(db.reader())
        .await?;
    Ok(rows
        .iter()
        .map(|r| ManufacturerRef {
            id: r.get("id"),
            slug: r.get("slug"),
            name: r.get("name"),
        })
        .collect())
}

pub async fn products(db: &Db) -> StoreResult<Vec<ProductRef>> {
    let rows = sqlx::query(
        "SELECT id, manufacturer_id, model, serial_format, warranty_months, warranty_starts, retired_at
         FROM products",
    )
    .fetch_all(db.reader())
    .await?;
    Ok(rows
        .iter()
        .map(|r| ProductRef {
            id: r.get("id"),
            manufacturer_id: r.get("manufacturer_id"),
            model: r.get("model"),
            serial_format: r.get("serial_format"),
            warranty_months: r.get("warranty_months"),
            warranty_starts: r.get("warranty_starts"),
            retired: r.get::<Option<String>, _>("retired_at").is_some(),
        })
        .collect())
}

/// Every lot as (product id, code, lot id).
pub async fn lots(db: &Db) -> StoreResult<Vec<(i64, String, i64)>> {
    Ok(sqlx::query_as("SELECT product_id, code, id FROM lots")
        .fetch_all(db.reader())
        .await?)
}

pub async fn create_manufacturer(
    conn: &mut AnyConnection,
    slug: &str,
    name: &str,
    now: &str,
) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO manufacturers (slug, name, created_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(slug)
    .bind(name)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?)
}

/// A product made for an import: named by its model, warranty from sale, any serials.
pub async fn create_product(
    conn: &mut AnyConnection,
    manufacturer_id: i64,
    model: &str,
    warranty_months: i64,
    now: &str,
) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO products (manufacturer_id, model, name, category, warranty_months, warranty_starts, created_at)
         VALUES ($1, $2, $2, 'uncategorised', $3, 'sale', $4) RETURNING id",
    )
    .bind(manufacturer_id)
    .bind(model)
    .bind(warranty_months)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?)
}

pub async fn create_lot(
    conn: &mut AnyConnection,
    product_id: i64,
    code: &str,
    produced_on: Option<&str>,
) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO lots (product_id, code, produced_on) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(product_id)
    .bind(code)
    .bind(produced_on)
    .fetch_one(&mut *conn)
    .await?)
}

/// A unit as the store has it, with its initial warranty record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExistingUnit {
    pub id: i64,
    pub serial_norm: String,
    pub lot_id: Option<i64>,
    pub manufactured_on: Option<String>,
    pub status: String,
    /// (starts_on, ends_on) of the initial warranty record.
    pub warranty: Option<(String, String)>,
}

/// The units of `product_id` among `serials` (normalised).
pub async fn existing_units(
    conn: &mut AnyConnection,
    product_id: i64,
    serials: &[&str],
) -> StoreResult<Vec<ExistingUnit>> {
    if serials.is_empty() {
        return Ok(Vec::new());
    }
    let first = bulk::list_placeholders(conn, 1, 1);
    let list = bulk::list_placeholders(conn, 2, serials.len());
    let sql = format!(
        "SELECT u.id, u.serial_norm, u.lot_id, u.manufactured_on, u.status, w.starts_on, w.ends_on
         FROM units u LEFT JOIN warranty_records w ON w.unit_id = u.id AND w.kind = 'initial'
         WHERE u.product_id = {first} AND u.serial_norm IN ({list})"
    );
    let mut query = sqlx::query(&sql).bind(product_id);
    for serial in serials {
        query = query.bind(*serial);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    Ok(rows
        .iter()
        .map(|r| {
            let starts: Option<String> = r.get("starts_on");
            let ends: Option<String> = r.get("ends_on");
            ExistingUnit {
                id: r.get("id"),
                serial_norm: r.get("serial_norm"),
                lot_id: r.get("lot_id"),
                manufactured_on: r.get("manufactured_on"),
                status: r.get("status"),
                warranty: starts.zip(ends),
            }
        })
        .collect())
}

/// A unit to insert.
pub struct NewUnit {
    pub manufacturer_id: i64,
    pub product_id: i64,
    pub lot_id: Option<i64>,
    pub serial_raw: String,
    pub serial_norm: String,
    pub manufactured_on: Option<String>,
    pub status: &'static str,
}

/// Inserts units; returns (id, product id, normalised serial) of each.
pub async fn insert_units(
    conn: &mut AnyConnection,
    units: &[NewUnit],
    now: &str,
) -> StoreResult<Vec<(i64, i64, String)>> {
    let rows: Vec<Vec<Val>> = units
        .iter()
        .map(|u| {
            vec![
                u.manufacturer_id.into(),
                u.product_id.into(),
                u.lot_id.into(),
                u.serial_raw.clone().into(),
                u.serial_norm.clone().into(),
                u.manufactured_on.clone().into(),
                u.status.into(),
                now.into(),
            ]
        })
        .collect();
    let returned = bulk::insert_rows_returning(
        conn,
        "units",
        &[
            "manufacturer_id",
            "product_id",
            "lot_id",
            "serial_raw",
            "serial_norm",
            "manufactured_on",
            "status",
            "created_at",
        ],
        &rows,
        "id, product_id, serial_norm",
    )
    .await?;
    Ok(returned
        .iter()
        .map(|r| (r.get("id"), r.get("product_id"), r.get("serial_norm")))
        .collect())
}

/// Initial warranty records as (unit id, starts_on, ends_on).
pub async fn insert_initial_warranties(
    conn: &mut AnyConnection,
    records: &[(i64, String, String)],
    now: &str,
) -> StoreResult<()> {
    let rows: Vec<Vec<Val>> = records
        .iter()
        .map(|(unit, starts, ends)| {
            vec![
                (*unit).into(),
                "initial".into(),
                starts.clone().into(),
                ends.clone().into(),
                "import".into(),
                now.into(),
            ]
        })
        .collect();
    bulk::insert_rows(
        conn,
        "warranty_records",
        &[
            "unit_id",
            "kind",
            "starts_on",
            "ends_on",
            "source",
            "created_at",
        ],
        &rows,
    )
    .await
}

pub async fn update_unit(
    conn: &mut AnyConnection,
    id: i64,
    lot_id: Option<i64>,
    manufactured_on: Option<&str>,
    status: &str,
) -> StoreResult<()> {
    sqlx::query("UPDATE units SET lot_id = $1, manufactured_on = $2, status = $3 WHERE id = $4")
        .bind(lot_id)
        .bind(manufactured_on)
        .bind(status)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Removes a unit's initial warranty record (before writing the one the file gives).
pub async fn delete_initial_warranty(conn: &mut AnyConnection, unit_id: i64) -> StoreResult<()> {
    sqlx::query("DELETE FROM warranty_records WHERE unit_id = $1 AND kind = 'initial'")
        .bind(unit_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
