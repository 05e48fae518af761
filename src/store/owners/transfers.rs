//! Transfer codes: issued, cancelled, redeemed once.

use crate::store::{Db, StoreResult};
use sqlx::{AnyConnection, Row};

/// A transfer code as stored.
#[derive(Clone, Debug)]
pub struct TransferRow {
    pub id: i64,
    pub unit_id: i64,
    pub from_user_id: i64,
    pub expires_at: String,
    pub used_at: Option<String>,
    pub cancelled_at: Option<String>,
}

pub async fn insert_transfer(
    conn: &mut AnyConnection,
    unit_id: i64,
    from_user_id: i64,
    code_hash: &str,
    now: &str,
    expires_at: &str,
) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO transfer_codes (unit_id, from_user_id, code_hash, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(unit_id)
    .bind(from_user_id)
    .bind(code_hash)
    .bind(now)
    .bind(expires_at)
    .fetch_one(&mut *conn)
    .await?)
}

/// Cancels the unit's unused codes; how many.
pub async fn cancel_transfers(
    conn: &mut AnyConnection,
    unit_id: i64,
    now: &str,
) -> StoreResult<u64> {
    Ok(sqlx::query(
        "UPDATE transfer_codes SET cancelled_at = $2
         WHERE unit_id = $1 AND used_at IS NULL AND cancelled_at IS NULL",
    )
    .bind(unit_id)
    .bind(now)
    .execute(&mut *conn)
    .await?
    .rows_affected())
}

pub async fn transfer_by_hash(
    conn: &mut AnyConnection,
    code_hash: &str,
) -> StoreResult<Option<TransferRow>> {
    let row = sqlx::query(
        "SELECT id, unit_id, from_user_id, expires_at, used_at, cancelled_at FROM transfer_codes WHERE code_hash = $1",
    )
    .bind(code_hash)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|r| TransferRow {
        id: r.get("id"),
        unit_id: r.get("unit_id"),
        from_user_id: r.get("from_user_id"),
        expires_at: r.get("expires_at"),
        used_at: r.get("used_at"),
        cancelled_at: r.get("cancelled_at"),
    }))
}

/// Marks a code used, if nobody has used or cancelled it meanwhile.
pub async fn use_transfer(
    conn: &mut AnyConnection,
    id: i64,
    user_id: i64,
    now: &str,
) -> StoreResult<bool> {
    Ok(sqlx::query(
        "UPDATE transfer_codes SET used_at = $2, used_by_user_id = $3
         WHERE id = $1 AND used_at IS NULL AND cancelled_at IS NULL",
    )
    .bind(id)
    .bind(now)
    .bind(user_id)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1)
}

/// The unit's usable transfer code, if one is open: its expiry.
pub async fn open_transfer(db: &Db, unit_id: i64, now: &str) -> StoreResult<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT MAX(expires_at) FROM transfer_codes
         WHERE unit_id = $1 AND used_at IS NULL AND cancelled_at IS NULL AND expires_at > $2",
    )
    .bind(unit_id)
    .bind(now)
    .fetch_one(db.reader())
    .await?)
}
