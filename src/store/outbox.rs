//! The outbox: messages written in the same transaction as the change that causes them and
//! sent later by a worker. Several server instances may drain one PostgreSQL outbox: a claim
//! takes rows with `FOR UPDATE SKIP LOCKED` and leases them, so no message goes out twice.

use super::{Backend, Db, StoreResult};
use sqlx::{AnyConnection, Row};

/// A message to send.
pub struct NewMessage<'a> {
    pub kind: &'a str,
    pub recipient_user_id: Option<i64>,
    pub to_address: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    /// Messages with the same key are sent once (later ones are dropped).
    pub dedupe_key: Option<&'a str>,
}

/// A claimed message, leased to this worker until `lease_until`.
#[derive(Clone, Debug)]
pub struct Message {
    pub id: i64,
    pub kind: String,
    pub to_address: String,
    pub subject: String,
    pub body: String,
    pub attempts: i64,
}

/// Queues a message; returns its id, or None when its dedupe key was already used.
pub async fn enqueue(
    conn: &mut AnyConnection,
    message: &NewMessage<'_>,
    now: &str,
) -> StoreResult<Option<i64>> {
    Ok(sqlx::query_scalar(
        "INSERT INTO outbox (kind, recipient_user_id, to_address, subject, body, dedupe_key,
                             created_at, next_attempt_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
         ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
    )
    .bind(message.kind)
    .bind(message.recipient_user_id)
    .bind(message.to_address)
    .bind(message.subject)
    .bind(message.body)
    .bind(message.dedupe_key)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Takes up to `limit` messages that are due, leasing them until `lease_until` (a worker
/// that dies mid-send leaves them to be retried after the lease).
pub async fn claim(db: &Db, now: &str, lease_until: &str, limit: i64) -> StoreResult<Vec<Message>> {
    let lock = match db.backend() {
        Backend::Postgres => "FOR UPDATE SKIP LOCKED",
        // One writer at a time: the statement is already exclusive.
        Backend::Sqlite => "",
    };
    let sql = format!(
        "UPDATE outbox SET next_attempt_at = $1, attempts = attempts + 1
         WHERE id IN (SELECT id FROM outbox WHERE sent_at IS NULL AND next_attempt_at <= $2
                      ORDER BY id LIMIT $3 {lock})
         RETURNING id, kind, to_address, subject, body, attempts"
    );
    let rows = sqlx::query(&sql)
        .bind(lease_until)
        .bind(now)
        .bind(limit)
        .fetch_all(db.writer())
        .await?;
    let mut messages: Vec<Message> = rows
        .iter()
        .map(|r| Message {
            id: r.get("id"),
            kind: r.get("kind"),
            to_address: r.get("to_address"),
            subject: r.get("subject"),
            body: r.get("body"),
            attempts: r.get("attempts"),
        })
        .collect();
    messages.sort_by_key(|m| m.id);
    Ok(messages)
}

/// Records a send, if this worker still holds the message's lease (`lease_until` as
/// claimed); false when the lease had passed to another worker.
pub async fn mark_sent(db: &Db, id: i64, lease_until: &str, now: &str) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE outbox SET sent_at = $1, last_error = NULL WHERE id = $2 AND next_attempt_at = $3",
    )
    .bind(now)
    .bind(id)
    .bind(lease_until)
    .execute(db.writer())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records a failed send (under the same lease check); tried again at `retry_at`.
pub async fn mark_failed(
    db: &Db,
    id: i64,
    lease_until: &str,
    error: &str,
    retry_at: &str,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE outbox SET last_error = $1, next_attempt_at = $2 WHERE id = $3 AND next_attempt_at = $4",
    )
    .bind(error)
    .bind(retry_at)
    .bind(id)
    .bind(lease_until)
    .execute(db.writer())
    .await?;
    Ok(())
}

/// Messages not yet sent (for health checks and tests).
#[cfg(feature = "test-support")]
pub async fn pending(db: &Db) -> StoreResult<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")
            .fetch_one(db.reader())
            .await?,
    )
}
