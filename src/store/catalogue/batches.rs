//! Generated serial batches: sequence numbers reserved, the batch recorded, its units listed.

use crate::catalogue::Batch;
use crate::store::{Db, StoreResult};
use sqlx::Row;

/// Takes `n` sequence numbers of a product's sequential serials: the first one.
pub async fn reserve_sequence(
    conn: &mut sqlx::AnyConnection,
    product_id: i64,
    n: i64,
) -> StoreResult<i64> {
    let next: i64 = sqlx::query_scalar(
        "UPDATE products SET serial_seq = serial_seq + $2 WHERE id = $1 RETURNING serial_seq",
    )
    .bind(product_id)
    .bind(n)
    .fetch_one(&mut *conn)
    .await?;
    Ok(next - n)
}

pub async fn insert_batch(
    conn: &mut sqlx::AnyConnection,
    manufacturer_id: i64,
    product_id: i64,
    lot_id: Option<i64>,
    count: i64,
    user_id: Option<i64>,
    now: &str,
) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO serial_batches (manufacturer_id, product_id, lot_id, count, user_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(manufacturer_id)
    .bind(product_id)
    .bind(lot_id)
    .bind(count)
    .bind(user_id)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?)
}

const BATCH_SELECT: &str = "SELECT b.id, b.product_id, p.model, p.name AS product_name, l.code AS lot, b.count, b.created_at,
        (SELECT MIN(g.gtin) FROM product_gtins g WHERE g.product_id = p.id) AS gtin
     FROM serial_batches b JOIN products p ON p.id = b.product_id LEFT JOIN lots l ON l.id = b.lot_id";

/// One of the manufacturer's batches (another manufacturer's is `None`).
pub async fn batch(db: &Db, manufacturer_id: i64, id: i64) -> StoreResult<Option<Batch>> {
    Ok(sqlx::query_as(&format!(
        "{BATCH_SELECT} WHERE b.id = $1 AND b.manufacturer_id = $2"
    ))
    .bind(id)
    .bind(manufacturer_id)
    .fetch_optional(db.reader())
    .await?)
}

pub async fn batches_of(db: &Db, product_id: i64, limit: i64) -> StoreResult<Vec<Batch>> {
    Ok(sqlx::query_as(&format!(
        "{BATCH_SELECT} WHERE b.product_id = $1 ORDER BY b.id DESC LIMIT $2"
    ))
    .bind(product_id)
    .bind(limit)
    .fetch_all(db.reader())
    .await?)
}

/// (unit id, serial) of a batch's units, in the order they were made.
pub async fn batch_units(db: &Db, batch_id: i64) -> StoreResult<Vec<(i64, String)>> {
    Ok(
        sqlx::query("SELECT id, serial_raw FROM units WHERE batch_id = $1 ORDER BY id")
            .bind(batch_id)
            .fetch_all(db.reader())
            .await?
            .into_iter()
            .map(|r| (r.get("id"), r.get("serial_raw")))
            .collect(),
    )
}

/// (serial, first GTIN of its product) of one of the manufacturer's units.
pub async fn unit_label(
    db: &Db,
    manufacturer_id: i64,
    unit_id: i64,
) -> StoreResult<Option<(String, Option<String>)>> {
    Ok(sqlx::query(
        "SELECT u.serial_raw, (SELECT MIN(g.gtin) FROM product_gtins g WHERE g.product_id = u.product_id) AS gtin
         FROM units u WHERE u.id = $1 AND u.manufacturer_id = $2",
    )
    .bind(unit_id)
    .bind(manufacturer_id)
    .fetch_optional(db.reader())
    .await?
    .map(|r| (r.get("serial_raw"), r.get("gtin"))))
}

/// (unit id, serial) of one page of a batch's units.
pub async fn batch_units_page(
    db: &Db,
    batch_id: i64,
    offset: i64,
    limit: i64,
) -> StoreResult<Vec<(i64, String)>> {
    Ok(sqlx::query(
        "SELECT id, serial_raw FROM units WHERE batch_id = $1 ORDER BY id LIMIT $2 OFFSET $3",
    )
    .bind(batch_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(db.reader())
    .await?
    .into_iter()
    .map(|r| (r.get("id"), r.get("serial_raw")))
    .collect())
}
