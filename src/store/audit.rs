//! The audit log: append-only. Nothing in the application updates or deletes a row.

use super::{Db, StoreResult};
use crate::admin::{AuditFilter, AuditRecord};
use crate::audit::{AuditEntry, ChainBreak, verify_chain};
use sqlx::{AnyConnection, Row};

/// Appends one entry, chained to the last, inside the transaction of the change it records,
/// so the change and its entry commit together. It takes a transaction, not a connection:
/// the head row's lock is what serialises concurrent appends, and outside a transaction
/// (autocommit) it would be released at once, so two appends could chain from one head and
/// fork the chain for good (on PostgreSQL; SQLite's single writer hid it).
pub async fn append(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    entry: &AuditEntry,
) -> StoreResult<i64> {
    let conn: &mut AnyConnection = tx;
    // Taking the head row first serialises concurrent appends.
    sqlx::query("UPDATE audit_head SET entries = entries + 1 WHERE id = 1")
        .execute(&mut *conn)
        .await?;
    let prev: String = sqlx::query_scalar("SELECT last_hash FROM audit_head WHERE id = 1")
        .fetch_one(&mut *conn)
        .await?;
    let hash = entry.chain_hash(&prev);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO audit_log (at, actor_user_id, actor_role, action, target_type, target_id,
                                before_json, after_json, client_ip, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(&entry.at)
    .bind(entry.actor_user_id)
    .bind(entry.actor_role.as_deref())
    .bind(&entry.action)
    .bind(&entry.target_type)
    .bind(entry.target_id.as_deref())
    .bind(entry.before_json.as_deref())
    .bind(entry.after_json.as_deref())
    .bind(entry.client_ip.as_deref())
    .bind(&prev)
    .bind(&hash)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query("UPDATE audit_head SET last_hash = $1 WHERE id = 1")
        .bind(&hash)
        .execute(&mut *conn)
        .await?;
    Ok(id)
}

/// How often `user_id` has done `action` since `since` (for limits counted in the log).
pub async fn actions_by(
    conn: &mut AnyConnection,
    user_id: Option<i64>,
    action: &str,
    since: &str,
) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE actor_user_id = $1 AND action = $2 AND at >= $3",
    )
    .bind(user_id)
    .bind(action)
    .bind(since)
    .fetch_one(&mut *conn)
    .await?)
}

/// Verifies the whole chain: the number of entries, or where it breaks.
pub async fn verify(db: &Db) -> StoreResult<Result<u64, ChainBreak>> {
    let rows = sqlx::query("SELECT * FROM audit_log ORDER BY id")
        .fetch_all(db.reader())
        .await?;
    let head: String = sqlx::query_scalar("SELECT last_hash FROM audit_head WHERE id = 1")
        .fetch_one(db.reader())
        .await?;
    let entries: Vec<(i64, AuditEntry, String, String)> = rows
        .iter()
        .map(|r| {
            (
                r.get("id"),
                AuditEntry {
                    at: r.get("at"),
                    actor_user_id: r.get("actor_user_id"),
                    actor_role: r.get("actor_role"),
                    action: r.get("action"),
                    target_type: r.get("target_type"),
                    target_id: r.get("target_id"),
                    before_json: r.get("before_json"),
                    after_json: r.get("after_json"),
                    client_ip: r.get("client_ip"),
                },
                r.get("prev_hash"),
                r.get("hash"),
            )
        })
        .collect();
    Ok(verify_chain(
        entries
            .iter()
            .map(|(id, e, p, h)| (*id, e, p.as_str(), h.as_str())),
        &head,
    ))
}

/// Entries matching the filter, newest first, at most `limit`.
pub async fn search(db: &Db, filter: &AuditFilter, limit: i64) -> StoreResult<Vec<AuditRecord>> {
    let mut sql = String::from(
        "SELECT a.id, a.at, a.actor_user_id, u.email AS actor_email, a.actor_role, a.action,
                a.target_type, a.target_id, a.before_json, a.after_json, a.client_ip
         FROM audit_log a LEFT JOIN users u ON u.id = a.actor_user_id WHERE 1 = 1",
    );
    let mut binds: Vec<String> = Vec::new();
    let mut condition = |sql: &mut String, clause: &str, value: String| {
        binds.push(value);
        sql.push_str(&clause.replace('?', &format!("${}", binds.len())));
    };
    if let Some(actor) = &filter.actor {
        condition(
            &mut sql,
            " AND u.email LIKE ?",
            format!("%{}%", actor.to_lowercase()),
        );
    }
    if let Some(action) = &filter.action {
        condition(&mut sql, " AND a.action LIKE ?", format!("{action}%"));
    }
    if let Some(target_type) = &filter.target_type {
        condition(&mut sql, " AND a.target_type = ?", target_type.clone());
    }
    if let Some(target_id) = &filter.target_id {
        condition(&mut sql, " AND a.target_id = ?", target_id.clone());
    }
    if let Some(from) = &filter.from {
        condition(&mut sql, " AND a.at >= ?", from.clone());
    }
    if let Some(to) = &filter.to {
        // Through the end of that day: every instant on it sorts before the next day.
        condition(&mut sql, " AND a.at < ?", format!("{to}T99"));
    }
    let before = filter.before_id.unwrap_or(i64::MAX);
    sql.push_str(&format!(
        " AND a.id < ${} ORDER BY a.id DESC LIMIT ${}",
        binds.len() + 1,
        binds.len() + 2
    ));
    let mut query = sqlx::query(&sql);
    for value in &binds {
        query = query.bind(value.as_str());
    }
    let rows = query
        .bind(before)
        .bind(limit)
        .fetch_all(db.reader())
        .await?;
    Ok(rows
        .iter()
        .map(|r| AuditRecord {
            id: r.get("id"),
            at: r.get("at"),
            actor_user_id: r.get("actor_user_id"),
            actor_email: r.get("actor_email"),
            actor_role: r.get("actor_role"),
            action: r.get("action"),
            target_type: r.get("target_type"),
            target_id: r.get("target_id"),
            before_json: r.get("before_json"),
            after_json: r.get("after_json"),
            client_ip: r.get("client_ip"),
        })
        .collect())
}
