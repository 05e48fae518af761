//! The staff screens' queries: their recalls, remedy progress, members and remedy lines.

use super::*;
pub use crate::recall::StaffRecall;

const STAFF_SELECT: &str = "SELECT r.id, r.number, r.title, r.hazard, r.description, r.remedy, r.remedy_available,
        r.instructions, r.severity, r.status, r.starts_on, r.published_at, r.closed_at,
        (SELECT COUNT(*) FROM recall_units ru WHERE ru.recall_id = r.id) AS members,
        (SELECT COUNT(*) FROM recall_units ru WHERE ru.recall_id = r.id AND ru.remedy_status = 'remedied') AS remedied
     FROM recalls r";

/// The manufacturer's recalls, drafts and newest first.
pub async fn staff_list(db: &Db, manufacturer_id: i64) -> StoreResult<Vec<StaffRecall>> {
    Ok(sqlx::query_as(&format!(
        "{STAFF_SELECT} WHERE r.manufacturer_id = $1
         ORDER BY CASE r.status WHEN 'draft' THEN 0 WHEN 'active' THEN 1 ELSE 2 END, r.id DESC"
    ))
    .bind(manufacturer_id)
    .fetch_all(db.reader())
    .await?)
}

/// One of the manufacturer's recalls (another manufacturer's is `None`).
pub async fn staff_recall(
    conn: &mut AnyConnection,
    manufacturer_id: i64,
    id: i64,
) -> StoreResult<Option<StaffRecall>> {
    Ok(sqlx::query_as(&format!(
        "{STAFF_SELECT} WHERE r.id = $1 AND r.manufacturer_id = $2"
    ))
    .bind(id)
    .bind(manufacturer_id)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Whether the manufacturer has a recall (a draft too) with this number; another
/// manufacturer's numbers are theirs and tell nothing here.
pub async fn number_taken(
    conn: &mut AnyConnection,
    manufacturer_id: i64,
    number: &str,
) -> StoreResult<bool> {
    Ok(sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM recalls WHERE manufacturer_id = $1 AND number = $2",
    )
    .bind(manufacturer_id)
    .bind(number)
    .fetch_one(&mut *conn)
    .await?
        > 0)
}

/// Members by remedy status, and how many members have a registered owner now.
pub async fn remedy_counts(db: &Db, recall_id: i64) -> StoreResult<(Vec<(String, i64)>, i64)> {
    let counts = sqlx::query(
        "SELECT remedy_status, COUNT(*) AS n FROM recall_units WHERE recall_id = $1
         GROUP BY remedy_status ORDER BY remedy_status",
    )
    .bind(recall_id)
    .fetch_all(db.reader())
    .await?
    .into_iter()
    .map(|r| (r.get("remedy_status"), r.get("n")))
    .collect();
    let reach: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM recall_units ru
         WHERE ru.recall_id = $1
           AND EXISTS (SELECT 1 FROM ownerships o WHERE o.unit_id = ru.unit_id AND o.ended_at IS NULL)",
    )
    .bind(recall_id)
    .fetch_one(db.reader())
    .await?;
    Ok((counts, reach))
}

/// Sets the remedy status of the recall's members with serial `serial`; how many changed.
pub async fn set_remedy(
    conn: &mut AnyConnection,
    recall_id: i64,
    serial: &str,
    status: RemedyStatus,
    remedied_on: Option<&str>,
    remedied_by: Option<&str>,
) -> StoreResult<u64> {
    let remedied = status == RemedyStatus::Remedied;
    Ok(sqlx::query(
        "UPDATE recall_units SET remedy_status = $3, remedied_on = $4, remedied_by = $5
         WHERE recall_id = $1 AND unit_id IN (SELECT id FROM units WHERE serial_norm = $2)",
    )
    .bind(recall_id)
    .bind(serial)
    .bind(status.as_str())
    .bind(remedied.then_some(remedied_on).flatten())
    .bind(remedied.then_some(remedied_by).flatten())
    .execute(&mut *conn)
    .await?
    .rows_affected())
}
