//! Partner API keys (stored as digests) and their usage per minute.

use super::{Db, StoreResult};
use sqlx::{AnyConnection, Row};

pub use crate::admin::ApiKey;

const KEY: &str = "SELECT k.id, k.name, k.key_prefix, k.scope, k.manufacturer_id, m.slug, k.per_minute, k.per_day,
        k.created_at, k.revoked_at
     FROM api_keys k LEFT JOIN manufacturers m ON m.id = k.manufacturer_id";

fn key(r: &sqlx::any::AnyRow) -> ApiKey {
    ApiKey {
        id: r.get("id"),
        name: r.get("name"),
        prefix: r.get("key_prefix"),
        scope: r.get("scope"),
        manufacturer_id: r.get("manufacturer_id"),
        manufacturer: r.get("slug"),
        per_minute: r.get("per_minute"),
        per_day: r.get("per_day"),
        created_at: r.get("created_at"),
        revoked_at: r.get("revoked_at"),
    }
}

pub struct NewKey<'a> {
    pub name: &'a str,
    pub prefix: &'a str,
    pub hash: &'a str,
    pub scope: &'a str,
    pub manufacturer_id: Option<i64>,
    pub per_minute: i64,
    pub per_day: i64,
    pub created_by: Option<i64>,
}

pub async fn insert(conn: &mut AnyConnection, new: &NewKey<'_>, now: &str) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO api_keys (name, key_prefix, key_hash, scope, manufacturer_id, per_minute, per_day, created_at, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(new.name)
    .bind(new.prefix)
    .bind(new.hash)
    .bind(new.scope)
    .bind(new.manufacturer_id)
    .bind(new.per_minute)
    .bind(new.per_day)
    .bind(now)
    .bind(new.created_by)
    .fetch_one(&mut *conn)
    .await?)
}

pub async fn by_hash(db: &Db, hash: &str) -> StoreResult<Option<ApiKey>> {
    let row = sqlx::query(&format!("{KEY} WHERE k.key_hash = $1"))
        .bind(hash)
        .fetch_optional(db.reader())
        .await?;
    Ok(row.as_ref().map(key))
}

/// Every key, newest first.
pub async fn list(db: &Db) -> StoreResult<Vec<ApiKey>> {
    let rows = sqlx::query(&format!("{KEY} ORDER BY k.id DESC"))
        .fetch_all(db.reader())
        .await?;
    Ok(rows.iter().map(key).collect())
}

/// Unrevoked keys with this id or name: their ids.
pub async fn live_ids(conn: &mut AnyConnection, id_or_name: &str) -> StoreResult<Vec<i64>> {
    let id = id_or_name.parse::<i64>().unwrap_or(-1);
    Ok(sqlx::query_scalar(
        "SELECT id FROM api_keys WHERE (id = $1 OR name = $2) AND revoked_at IS NULL ORDER BY id",
    )
    .bind(id)
    .bind(id_or_name)
    .fetch_all(&mut *conn)
    .await?)
}

pub async fn revoke(conn: &mut AnyConnection, id: i64, now: &str) -> StoreResult<()> {
    sqlx::query("UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
        .bind(id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Counts one request in `minute` ('YYYY-MM-DDTHH:MM'): (requests this minute, requests
/// since the start of the minute's day), this one included.
pub async fn count_request(db: &Db, key_id: i64, minute: &str) -> StoreResult<(i64, i64)> {
    let mut tx = db.writer().begin().await?;
    let this_minute: i64 = sqlx::query_scalar(
        "INSERT INTO api_key_usage (key_id, minute, count) VALUES ($1, $2, 1)
         ON CONFLICT (key_id, minute) DO UPDATE SET count = api_key_usage.count + 1
         RETURNING count",
    )
    .bind(key_id)
    .bind(minute)
    .fetch_one(&mut *tx)
    .await?;
    let today: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(count), 0) AS BIGINT) FROM api_key_usage WHERE key_id = $1 AND minute >= $2 AND minute <= $3",
    )
    .bind(key_id)
    .bind(minute.get(..10).unwrap_or(minute))
    .bind(minute)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok((this_minute, today))
}

/// The units with these normalised serials, each with the kind of its active theft report
/// (`stolen` wins over `lost`): (serial, unit id, report).
pub async fn theft_status(
    db: &Db,
    serials: &[String],
) -> StoreResult<Vec<(String, i64, Option<String>)>> {
    let mut out = Vec::new();
    for chunk in serials.chunks(500) {
        let sql = format!(
            "SELECT u.serial_norm, u.id,
                    (SELECT MAX(t.kind) FROM theft_reports t WHERE t.unit_id = u.id AND t.status = 'active') AS report
             FROM units u WHERE u.serial_norm IN ({})",
            super::placeholders(1, chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for s in chunk {
            q = q.bind(s.as_str());
        }
        for r in q.fetch_all(db.reader()).await? {
            out.push((r.get("serial_norm"), r.get("id"), r.get("report")));
        }
    }
    Ok(out)
}
