//! The queries behind importing units: the catalogue to resolve rows against, the units a
//! batch already has, and batched writes.

use super::bulk::{self, Val};
use super::{Backend, Db, StoreResult};
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

/// The products that have at least one unit.
pub async fn products_with_units(db: &Db) -> StoreResult<Vec<i64>> {
    let products: Vec<i64> = sqlx::query_scalar("SELECT id FROM products")
        .fetch_all(db.reader())
        .await?;
    let mut with_units = Vec::new();
    for product in products {
        // One probe of the (product, date) index per product.
        let any: Option<i64> =
            sqlx::query_scalar("SELECT id FROM units WHERE product_id = $1 LIMIT 1")
                .bind(product)
                .fetch_optional(db.reader())
                .await?;
        if any.is_some() {
            with_units.push(product);
        }
    }
    Ok(with_units)
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
    manufacturer_id: i64,
    product_id: i64,
    serials: &[&str],
) -> StoreResult<Vec<ExistingUnit>> {
    if serials.is_empty() {
        return Ok(Vec::new());
    }
    let keys = bulk::list_placeholders(conn, 1, 2);
    let keys: Vec<&str> = keys.split(", ").collect();
    let list = bulk::list_placeholders(conn, 3, serials.len());
    // All three key columns, so the unique index answers each serial with one probe (given
    // the product alone, SQLite would walk every unit of the product per batch).
    let sql = format!(
        "SELECT u.id, u.serial_norm, u.lot_id, u.manufactured_on, u.status, w.starts_on, w.ends_on
         FROM units u LEFT JOIN warranty_records w ON w.unit_id = u.id AND w.kind = 'initial'
         WHERE u.manufacturer_id = {} AND u.product_id = {} AND u.serial_norm IN ({list})",
        keys[0], keys[1]
    );
    let mut query = sqlx::query(&sql).bind(manufacturer_id).bind(product_id);
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
    /// The generation batch that made it, if any.
    pub batch_id: Option<i64>,
}

/// Inserts units; returns their ids, in the order given.
pub async fn insert_units(
    conn: &mut AnyConnection,
    backend: Backend,
    units: Vec<NewUnit>,
    now: &str,
) -> StoreResult<Vec<i64>> {
    const COLUMNS: [&str; 9] = [
        "manufacturer_id",
        "product_id",
        "lot_id",
        "serial_raw",
        "serial_norm",
        "manufactured_on",
        "status",
        "batch_id",
        "created_at",
    ];
    let values = |u: NewUnit, id: Option<i64>| -> Vec<Val> {
        let mut row = Vec::with_capacity(10);
        if let Some(id) = id {
            row.push(Val::Int(id));
        }
        row.extend([
            u.manufacturer_id.into(),
            u.product_id.into(),
            u.lot_id.into(),
            u.serial_raw.into(),
            u.serial_norm.into(),
            u.manufactured_on.into(),
            u.status.into(),
            u.batch_id.into(),
            now.into(),
        ]);
        row
    };
    match backend {
        Backend::Sqlite => {
            // One writer holds the file: take the write lock, then number the rows
            // ourselves (cheaper than returning a million ids).
            sqlx::query("UPDATE cache_epoch SET version = version WHERE id = 1")
                .execute(&mut *conn)
                .await?;
            let last: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM units")
                .fetch_one(&mut *conn)
                .await?;
            let ids: Vec<i64> = (last + 1..).take(units.len()).collect();
            let rows: Vec<Vec<Val>> = units
                .into_iter()
                .zip(&ids)
                .map(|(u, id)| values(u, Some(*id)))
                .collect();
            let mut columns = vec!["id"];
            columns.extend(COLUMNS);
            bulk::insert_rows(conn, "units", &columns, &rows).await?;
            Ok(ids)
        }
        Backend::Postgres => {
            let keys: Vec<(i64, String)> = units
                .iter()
                .map(|u| (u.product_id, u.serial_norm.clone()))
                .collect();
            let rows: Vec<Vec<Val>> = units.into_iter().map(|u| values(u, None)).collect();
            let returned = bulk::insert_rows_returning(
                conn,
                "units",
                &COLUMNS,
                &rows,
                "id, product_id, serial_norm",
            )
            .await?;
            // RETURNING promises no order: match the ids back by key.
            let by_key: std::collections::HashMap<(i64, String), i64> = returned
                .iter()
                .map(|r| ((r.get("product_id"), r.get("serial_norm")), r.get("id")))
                .collect();
            Ok(keys
                .iter()
                .map(|k| by_key.get(k).copied().unwrap_or_default())
                .collect())
        }
    }
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

/// A manufacturer's name and its units counted by status.
pub async fn manufacturer_overview(
    db: &Db,
    manufacturer_id: i64,
) -> StoreResult<(String, Vec<(String, i64)>)> {
    let name: String = sqlx::query_scalar("SELECT name FROM manufacturers WHERE id = $1")
        .bind(manufacturer_id)
        .fetch_one(db.reader())
        .await?;
    let counts: Vec<(String, i64)> = sqlx::query_as(
        "SELECT status, COUNT(*) FROM units WHERE manufacturer_id = $1 GROUP BY status ORDER BY status",
    )
    .bind(manufacturer_id)
    .fetch_all(db.reader())
    .await?;
    Ok((name, counts))
}
