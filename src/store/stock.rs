//! Stock audits: the serials scanned at a location, kept so the comparison with the records
//! can be shown again and applied.

use super::{Db, StoreResult};
use sqlx::{AnyConnection, Row};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StockAudit {
    pub id: i64,
    pub location: String,
    /// The scanned lines, as typed (trimmed), in order.
    pub scanned: Vec<String>,
    pub created_at: String,
    pub applied_at: Option<String>,
}

pub async fn insert(
    conn: &mut AnyConnection,
    manufacturer_id: i64,
    user_id: Option<i64>,
    location: &str,
    scanned: &[String],
    now: &str,
) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO stock_audits (manufacturer_id, user_id, location, scanned, created_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(manufacturer_id)
    .bind(user_id)
    .bind(location)
    .bind(serde_json::to_string(scanned).unwrap_or_default())
    .bind(now)
    .fetch_one(&mut *conn)
    .await?)
}

/// One of the manufacturer's audits.
pub async fn audit(db: &Db, manufacturer_id: i64, id: i64) -> StoreResult<Option<StockAudit>> {
    Ok(sqlx::query(
        "SELECT id, location, scanned, created_at, applied_at FROM stock_audits
         WHERE id = $1 AND manufacturer_id = $2",
    )
    .bind(id)
    .bind(manufacturer_id)
    .fetch_optional(db.reader())
    .await?
    .map(|r| StockAudit {
        id: r.get("id"),
        location: r.get("location"),
        scanned: serde_json::from_str(&r.get::<String, _>("scanned")).unwrap_or_default(),
        created_at: r.get("created_at"),
        applied_at: r.get("applied_at"),
    }))
}

/// (id, location, created_at, scanned count, applied) of the latest audits.
pub async fn recent(
    db: &Db,
    manufacturer_id: i64,
) -> StoreResult<Vec<(i64, String, String, bool)>> {
    Ok(sqlx::query(
        "SELECT id, location, created_at, applied_at FROM stock_audits WHERE manufacturer_id = $1
         ORDER BY id DESC LIMIT 20",
    )
    .bind(manufacturer_id)
    .fetch_all(db.reader())
    .await?
    .into_iter()
    .map(|r| {
        (
            r.get("id"),
            r.get("location"),
            r.get("created_at"),
            r.get::<Option<String>, _>("applied_at").is_some(),
        )
    })
    .collect())
}

/// A unit as the audit compares it: (id, serial, model, location, status).
pub type StockUnit = (i64, String, String, Option<String>, String);

/// The manufacturer's units the records place at `location` and that should be on the shelf
/// (not sold, registered to an owner, or scrapped).
pub async fn expected_at(
    db: &Db,
    manufacturer_id: i64,
    location: &str,
) -> StoreResult<Vec<StockUnit>> {
    Ok(sqlx::query_as(
        "SELECT u.id, u.serial_norm, p.model, u.location, u.status FROM units u JOIN products p ON p.id = u.product_id
         WHERE u.manufacturer_id = $1 AND u.location = $2 AND u.status NOT IN ('sold', 'registered', 'scrapped')
         ORDER BY u.serial_norm",
    )
    .bind(manufacturer_id)
    .bind(location)
    .fetch_all(db.reader())
    .await?)
}

/// The manufacturer's units among `serials` (normalised).
pub async fn units_among(
    db: &Db,
    manufacturer_id: i64,
    serials: &[String],
) -> StoreResult<Vec<StockUnit>> {
    let mut found = Vec::new();
    for chunk in serials.chunks(5_000) {
        let sql = format!(
            "SELECT u.id, u.serial_norm, p.model, u.location, u.status FROM units u JOIN products p ON p.id = u.product_id
             WHERE u.manufacturer_id = $1 AND u.serial_norm IN ({})",
            super::placeholders(2, chunk.len())
        );
        let mut q = sqlx::query_as(&sql).bind(manufacturer_id);
        for s in chunk {
            q = q.bind(s);
        }
        found.extend(q.fetch_all(db.reader()).await?);
    }
    Ok(found)
}

/// Records units as received at `location`: a journey event each and their location.
pub async fn receive(
    conn: &mut AnyConnection,
    unit_ids: &[i64],
    location: &str,
    actor: &str,
    now: &str,
) -> StoreResult<()> {
    for id in unit_ids {
        super::units::add_event(
            conn,
            &super::units::NewEvent {
                unit_id: *id,
                kind: "received",
                at: now,
                place: Some(location),
                actor,
                note: Some("stock audit"),
            },
        )
        .await?;
        sqlx::query(
            "UPDATE units SET location = $2, status = CASE WHEN status IN ('shipped', 'returned') THEN 'in_stock' ELSE status END
             WHERE id = $1",
        )
        .bind(*id)
        .bind(location)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub async fn mark_applied(conn: &mut AnyConnection, id: i64, now: &str) -> StoreResult<bool> {
    Ok(
        sqlx::query("UPDATE stock_audits SET applied_at = $2 WHERE id = $1 AND applied_at IS NULL")
            .bind(id)
            .bind(now)
            .execute(&mut *conn)
            .await?
            .rows_affected()
            > 0,
    )
}
