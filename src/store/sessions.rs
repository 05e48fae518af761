//! Session records for the web server's session layer. Ids are stored as SHA-256 digests;
//! the data is the session's JSON.

use super::{Db, StoreResult};
use sha2::{Digest, Sha256};

/// A stored session: its data (JSON) and when it expires (ISO 8601, UTC).
pub struct SessionRow {
    pub data: String,
    pub expires_at: String,
}

/// The digest a session id is stored under.
pub fn id_hash(id: &str) -> String {
    hex(&Sha256::digest(id.as_bytes()))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Inserts a new session; false when the id is already taken (the caller picks another).
pub async fn create(
    db: &Db,
    id: &str,
    user_id: Option<i64>,
    data: &str,
    expires_at: &str,
) -> StoreResult<bool> {
    let inserted = sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, data, expires_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id_hash) DO NOTHING",
    )
    .bind(id_hash(id))
    .bind(user_id)
    .bind(data)
    .bind(expires_at)
    .execute(db.writer())
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// Saves a loaded session. Only updates: a session ended meanwhile (sign-out or a password
/// change on another device) stays ended even if a request that loaded it finishes later.
pub async fn save(
    db: &Db,
    id: &str,
    user_id: Option<i64>,
    data: &str,
    expires_at: &str,
) -> StoreResult<()> {
    sqlx::query("UPDATE sessions SET user_id = $1, data = $2, expires_at = $3 WHERE id_hash = $4")
        .bind(user_id)
        .bind(data)
        .bind(expires_at)
        .bind(id_hash(id))
        .execute(db.writer())
        .await?;
    Ok(())
}

/// The session, unless it is unknown or expired.
pub async fn load(db: &Db, id: &str, now: &str) -> StoreResult<Option<SessionRow>> {
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT data, expires_at FROM sessions WHERE id_hash = $1 AND expires_at > $2",
    )
    .bind(id_hash(id))
    .bind(now)
    .fetch_optional(db.reader())
    .await?;
    Ok(row.map(|(data, expires_at)| SessionRow { data, expires_at }))
}

pub async fn delete(db: &Db, id: &str) -> StoreResult<()> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(id_hash(id))
        .execute(db.writer())
        .await?;
    Ok(())
}

/// Ends every session of a user except `keep` (the one making the request), if given.
pub async fn delete_for_user(db: &Db, user_id: i64, keep: Option<&str>) -> StoreResult<u64> {
    let keep = keep.map(id_hash).unwrap_or_default();
    let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
        .bind(user_id)
        .bind(keep)
        .execute(db.writer())
        .await?;
    Ok(done.rows_affected())
}

/// Deletes expired sessions; returns how many.
pub async fn delete_expired(db: &Db, now: &str) -> StoreResult<u64> {
    let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(now)
        .execute(db.writer())
        .await?;
    Ok(done.rows_affected())
}

/// How many live sessions a user has (for the account page and tests).
pub async fn count_for_user(db: &Db, user_id: i64, now: &str) -> StoreResult<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE user_id = $1 AND expires_at > $2")
            .bind(user_id)
            .bind(now)
            .fetch_one(db.reader())
            .await?,
    )
}
