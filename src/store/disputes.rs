//! Ownership disputes: a registration someone else says is wrongly theirs, with both sides'
//! statements, for a support agent to decide.

use super::{Backend, Db, StoreResult};
use crate::owner::Dispute;
use sqlx::AnyConnection;

const SELECT: &str = "SELECT d.id, d.unit_id, d.ownership_id, d.claimant_user_id, o.user_id AS owner_user_id,
        u.serial_raw AS serial, m.name AS manufacturer, p.model, d.purchase_date, d.retailer,
        d.statement, d.owner_reply, d.status, d.outcome, d.decision_note, d.decided_at, d.created_at,
        o.started_at AS registered_at, o.ended_at AS registration_ended_at,
        o.purchase_date AS registered_purchase_date, o.retailer AS registered_retailer,
        (SELECT MIN(a.id) FROM attachments a WHERE a.dispute_id = d.id) AS proof_id
     FROM disputes d JOIN ownerships o ON o.id = d.ownership_id JOIN units u ON u.id = d.unit_id
       JOIN products p ON p.id = u.product_id JOIN manufacturers m ON m.id = u.manufacturer_id";

pub async fn by_id(db: &Db, id: i64) -> StoreResult<Option<Dispute>> {
    Ok(sqlx::query_as(&format!("{SELECT} WHERE d.id = $1"))
        .bind(id)
        .fetch_optional(db.reader())
        .await?)
}

/// The registration a dispute is about.
pub async fn ownership_of(conn: &mut AnyConnection, id: i64) -> StoreResult<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT ownership_id FROM disputes WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?,
    )
}

/// The dispute, read in a transaction that will change it (locked on PostgreSQL).
pub async fn for_update(
    conn: &mut AnyConnection,
    backend: Backend,
    id: i64,
) -> StoreResult<Option<Dispute>> {
    let lock = match backend {
        Backend::Postgres => " FOR UPDATE OF d",
        Backend::Sqlite => "",
    };
    Ok(sqlx::query_as(&format!("{SELECT} WHERE d.id = $1{lock}"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?)
}

/// The files the registered owner gave with the disputed registration and in their replies,
/// oldest first (replies add files while the registration holds fewer than [`MAX_OWNER_FILES`]).
pub async fn owner_files(db: &Db, ownership_id: i64) -> StoreResult<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM attachments WHERE ownership_id = $1 ORDER BY id LIMIT 20",
    )
    .bind(ownership_id)
    .fetch_all(db.reader())
    .await?)
}

/// Files one ownership holds.
pub async fn ownership_file_count(conn: &mut AnyConnection, ownership_id: i64) -> StoreResult<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM attachments WHERE ownership_id = $1")
            .bind(ownership_id)
            .fetch_one(&mut *conn)
            .await?,
    )
}

/// The most files an owner's replies may bring to a disputed registration.
pub const MAX_OWNER_FILES: i64 = 3;

/// The disputes one person filed, newest first.
pub async fn of_claimant(db: &Db, user_id: i64) -> StoreResult<Vec<Dispute>> {
    Ok(sqlx::query_as(&format!(
        "{SELECT} WHERE d.claimant_user_id = $1 ORDER BY d.id DESC LIMIT 200"
    ))
    .bind(user_id)
    .fetch_all(db.reader())
    .await?)
}

/// The open disputes of a registration (what its owner is asked to answer).
pub async fn open_on_ownership(db: &Db, ownership_id: i64) -> StoreResult<Vec<Dispute>> {
    Ok(sqlx::query_as(&format!(
        "{SELECT} WHERE d.ownership_id = $1 AND d.status = 'open' ORDER BY d.id LIMIT 50"
    ))
    .bind(ownership_id)
    .fetch_all(db.reader())
    .await?)
}

/// The desk's queue: open disputes, oldest first.
pub async fn open(db: &Db, limit: i64) -> StoreResult<Vec<Dispute>> {
    Ok(sqlx::query_as(&format!(
        "{SELECT} WHERE d.status = 'open' ORDER BY d.created_at, d.id LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(db.reader())
    .await?)
}

/// Open disputes one person has filed.
/// Whether the claimant had a dispute of this registration rejected: the registered owner is
/// not asked twice by the same person.
pub async fn rejected_before(
    conn: &mut AnyConnection,
    claimant: i64,
    ownership_id: i64,
) -> StoreResult<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM disputes WHERE claimant_user_id = $1 AND ownership_id = $2 AND status = 'rejected'",
    )
    .bind(claimant)
    .bind(ownership_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(n > 0)
}

/// Whether an upheld dispute ended this account's registration of the unit: it may not
/// register the unit again on its own word.
pub async fn ousted_from(
    conn: &mut AnyConnection,
    user_id: i64,
    unit_id: i64,
) -> StoreResult<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM disputes d JOIN ownerships o ON o.id = d.ownership_id
         WHERE d.unit_id = $1 AND o.user_id = $2 AND d.status = 'upheld'",
    )
    .bind(unit_id)
    .bind(user_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(n > 0)
}

pub async fn open_count(conn: &mut AnyConnection, claimant: i64) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM disputes WHERE claimant_user_id = $1 AND status = 'open'",
    )
    .bind(claimant)
    .fetch_one(&mut *conn)
    .await?)
}

/// A dispute as filed.
pub struct NewDispute<'a> {
    pub unit_id: i64,
    pub ownership_id: i64,
    pub claimant_user_id: i64,
    pub purchase_date: &'a str,
    pub retailer: &'a str,
    pub statement: &'a str,
}

/// Files it (the unique index refuses a second open one by the same claimant on the unit).
pub async fn insert(conn: &mut AnyConnection, new: &NewDispute<'_>, now: &str) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO disputes (unit_id, ownership_id, claimant_user_id, purchase_date, retailer, statement, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(new.unit_id)
    .bind(new.ownership_id)
    .bind(new.claimant_user_id)
    .bind(new.purchase_date)
    .bind(new.retailer)
    .bind(new.statement)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?)
}

pub async fn set_reply(conn: &mut AnyConnection, id: i64, reply: &str) -> StoreResult<()> {
    sqlx::query("UPDATE disputes SET owner_reply = $2 WHERE id = $1")
        .bind(id)
        .bind(reply)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Records the decision on an open dispute.
pub async fn decide(
    conn: &mut AnyConnection,
    id: i64,
    status: &str,
    outcome: Option<&str>,
    note: &str,
    agent: Option<i64>,
    now: &str,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE disputes SET status = $2, outcome = $3, decision_note = $4, decided_by_user_id = $5, decided_at = $6
         WHERE id = $1",
    )
    .bind(id)
    .bind(status)
    .bind(outcome)
    .bind(note)
    .bind(agent)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Rejects, with `note`, the other open disputes of a registration that has ended.
pub async fn close_others(
    conn: &mut AnyConnection,
    ownership_id: i64,
    except: i64,
    note: &str,
    now: &str,
) -> StoreResult<Vec<(i64, i64)>> {
    Ok(sqlx::query_as(
        "UPDATE disputes SET status = 'rejected', decision_note = $3, decided_at = $4
         WHERE ownership_id = $1 AND id <> $2 AND status = 'open' RETURNING id, claimant_user_id",
    )
    .bind(ownership_id)
    .bind(except)
    .bind(note)
    .bind(now)
    .fetch_all(&mut *conn)
    .await?)
}

/// Copies the dispute's proof of purchase to the claimant's new ownership.
pub async fn copy_proof(
    conn: &mut AnyConnection,
    dispute_id: i64,
    ownership_id: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO attachments (user_id, unit_id, ownership_id, content_type, filename, size_bytes, bytes, created_at)
         SELECT user_id, unit_id, $2, content_type, filename, size_bytes, bytes, created_at
         FROM attachments WHERE dispute_id = $1",
    )
    .bind(dispute_id)
    .bind(ownership_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// An account's e-mail address.
pub async fn email_of(conn: &mut AnyConnection, user_id: i64) -> StoreResult<Option<String>> {
    Ok(sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(&mut *conn)
        .await?)
}

/// The unit's status from its journey, as if never registered: sold when a sale is on
/// record, otherwise where its last movement left it.
pub async fn unregistered_status(
    conn: &mut AnyConnection,
    unit_id: i64,
) -> StoreResult<&'static str> {
    let kinds: Vec<String> = sqlx::query_scalar(
        "SELECT kind FROM events WHERE unit_id = $1 AND kind IN ('manufactured', 'shipped', 'received', 'sold', 'returned', 'scrapped')
         ORDER BY at DESC, id DESC LIMIT 1",
    )
    .bind(unit_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(match kinds.first().map(String::as_str) {
        Some("sold") => "sold",
        Some("shipped" | "received") => "shipped",
        Some("returned") => "returned",
        Some("scrapped") => "scrapped",
        _ => "in_stock",
    })
}
