//! Recall notices to owners, and their e-mails through the outbox.

use crate::recall::Notice;
use crate::store::outbox::{self, NewMessage};
use crate::store::{Db, StoreResult};
use sqlx::{AnyConnection, Row};

/// Notices (and their e-mails, through the outbox) to the current owners of the recall's
/// open units who have none yet; how many were made. Safe to call after every membership
/// change: a notice is made once per owner, unit and recall.
pub async fn notify_recall(
    conn: &mut AnyConnection,
    recall_id: i64,
    now: &str,
) -> StoreResult<u64> {
    let status: Option<String> = sqlx::query_scalar("SELECT status FROM recalls WHERE id = $1")
        .bind(recall_id)
        .fetch_optional(&mut *conn)
        .await?;
    if status.as_deref() != Some("active") {
        // A draft's scope edits tell nobody; publishing does.
        return Ok(0);
    }
    let made = sqlx::query(
        "INSERT INTO notices (user_id, unit_id, recall_id, created_at)
         SELECT o.user_id, ru.unit_id, ru.recall_id, $2
         FROM recall_units ru JOIN ownerships o ON o.unit_id = ru.unit_id AND o.ended_at IS NULL
         JOIN recalls r ON r.id = ru.recall_id
         WHERE ru.recall_id = $1 AND r.status = 'active' AND ru.remedy_status <> 'remedied'
         ON CONFLICT (user_id, unit_id, recall_id) DO NOTHING",
    )
    .bind(recall_id)
    .bind(now)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if made > 0 {
        mail_notices(conn, "n.recall_id = $1", recall_id, now).await?;
    }
    Ok(made)
}

/// Notices to the unit's current owner of the active recalls already covering it (after a
/// registration or transfer).
pub async fn notify_unit(conn: &mut AnyConnection, unit_id: i64, now: &str) -> StoreResult<u64> {
    let made = sqlx::query(
        "INSERT INTO notices (user_id, unit_id, recall_id, created_at)
         SELECT o.user_id, ru.unit_id, ru.recall_id, $2
         FROM recall_units ru JOIN ownerships o ON o.unit_id = ru.unit_id AND o.ended_at IS NULL
         JOIN recalls r ON r.id = ru.recall_id
         WHERE ru.unit_id = $1 AND r.status = 'active' AND ru.remedy_status <> 'remedied'
         ON CONFLICT (user_id, unit_id, recall_id) DO NOTHING",
    )
    .bind(unit_id)
    .bind(now)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if made > 0 {
        mail_notices(conn, "n.unit_id = $1", unit_id, now).await?;
    }
    Ok(made)
}

/// Queues the e-mail of each notice made at `now` that matches `filter`; the dedupe key
/// (one per notice) keeps a notice from being mailed twice.
async fn mail_notices(
    conn: &mut AnyConnection,
    filter: &str,
    id: i64,
    now: &str,
) -> StoreResult<()> {
    let rows = sqlx::query(&format!(
        "SELECT n.id, n.user_id, us.email, u.serial_raw, p.model, p.name, r.number, r.title, r.hazard,
                r.remedy, r.instructions
         FROM notices n JOIN users us ON us.id = n.user_id JOIN units u ON u.id = n.unit_id
         JOIN products p ON p.id = u.product_id JOIN recalls r ON r.id = n.recall_id
         WHERE {filter} AND n.created_at = $2"
    ))
    .bind(id)
    .bind(now)
    .fetch_all(&mut *conn)
    .await?;
    for r in rows {
        let notice: i64 = r.get("id");
        let number: String = r.get("number");
        let title: String = r.get("title");
        let subject = format!("Safety recall {number}: {title}");
        let body = format!(
            "A recall covers a product registered to you on serialtrace.\n\n\
             Product: {} {} (serial {})\n\
             Recall: {number} — {title}\n\
             Hazard: {}\n\
             Remedy: {}\n\n\
             What to do: {}\n\n\
             Sign in to serialtrace and open \"My products\" to see the recall and mark this notice read.\n",
            r.get::<String, _>("model"),
            r.get::<String, _>("name"),
            r.get::<String, _>("serial_raw"),
            r.get::<String, _>("hazard"),
            r.get::<String, _>("remedy"),
            r.get::<String, _>("instructions"),
        );
        let email: String = r.get("email");
        let key = format!("notice:{notice}");
        outbox::enqueue(
            conn,
            &NewMessage {
                kind: "recall_notice",
                recipient_user_id: Some(r.get("user_id")),
                to_address: &email,
                subject: &subject,
                body: &body,
                dedupe_key: Some(&key),
            },
            now,
        )
        .await?;
    }
    Ok(())
}

/// The user's notices, unread first, newest first.
pub async fn notices(db: &Db, user_id: i64) -> StoreResult<Vec<Notice>> {
    Ok(sqlx::query_as(
        "SELECT n.id, n.unit_id, u.serial_raw AS serial, p.model, r.number, m.slug AS manufacturer_slug,
                r.title, r.instructions, ru.remedy_status, n.created_at, n.read_at
         FROM notices n JOIN units u ON u.id = n.unit_id JOIN products p ON p.id = u.product_id
         JOIN recalls r ON r.id = n.recall_id JOIN manufacturers m ON m.id = r.manufacturer_id
         LEFT JOIN recall_units ru ON ru.recall_id = n.recall_id AND ru.unit_id = n.unit_id
         WHERE n.user_id = $1
         ORDER BY CASE WHEN n.read_at IS NULL THEN 0 ELSE 1 END, n.created_at DESC, n.id DESC
         LIMIT 200",
    )
    .bind(user_id)
    .fetch_all(db.reader())
    .await?)
}

/// Marks one of the user's notices read; false when it is not theirs (or was read).
pub async fn mark_read(
    conn: &mut AnyConnection,
    user_id: i64,
    notice_id: i64,
    now: &str,
) -> StoreResult<bool> {
    Ok(sqlx::query(
        "UPDATE notices SET read_at = $3 WHERE id = $1 AND user_id = $2 AND read_at IS NULL",
    )
    .bind(notice_id)
    .bind(user_id)
    .bind(now)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1)
}
