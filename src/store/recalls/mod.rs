//! Recalls: drafts, publishing and closing (here), their scope rules and per-unit
//! membership (`scope`), the public listing (`public`) and the staff screens' queries
//! (`staff`).

use super::{Db, StoreError, StoreResult, placeholders};
use crate::lookup::RecallNotice;
use crate::recall::scope::{ScopeRule, SerialRange};
use crate::recall::{
    ProductRef, RecallDetail, RecallFilter, RecallSummary, Remedy, RemedyStatus, Severity,
};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

mod public;
mod scope;
mod staff;

pub use public::*;
pub use scope::*;
pub use staff::*;

/// A new recall's text and settings.
#[derive(Clone, Debug)]
pub struct NewRecall {
    pub manufacturer_id: i64,
    pub number: String,
    pub title: String,
    pub hazard: String,
    pub description: String,
    pub remedy: Remedy,
    pub remedy_available: bool,
    pub instructions: String,
    pub severity: Severity,
    pub starts_on: String,
}

pub async fn insert_draft(
    conn: &mut AnyConnection,
    recall: &NewRecall,
    now: &str,
) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO recalls (manufacturer_id, number, title, hazard, description, remedy, remedy_available,
                              instructions, severity, status, starts_on, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'draft', $10, $11) RETURNING id",
    )
    .bind(recall.manufacturer_id)
    .bind(&recall.number)
    .bind(&recall.title)
    .bind(&recall.hazard)
    .bind(&recall.description)
    .bind(recall.remedy.as_str())
    .bind(i64::from(recall.remedy_available))
    .bind(&recall.instructions)
    .bind(recall.severity.as_str())
    .bind(&recall.starts_on)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?)
}

/// Marks a draft published (its membership computed first: see `service::recall_admin`).
pub async fn mark_published(
    conn: &mut AnyConnection,
    recall_id: i64,
    now: &str,
) -> StoreResult<()> {
    sqlx::query("UPDATE recalls SET status = 'active', published_at = $2 WHERE id = $1")
        .bind(recall_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Marks an active recall closed.
pub async fn mark_closed(conn: &mut AnyConnection, recall_id: i64, now: &str) -> StoreResult<()> {
    sqlx::query("UPDATE recalls SET status = 'closed', closed_at = $2 WHERE id = $1")
        .bind(recall_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The id of the manufacturer's recall with this number (a draft too).
pub async fn id_by_number(db: &Db, manufacturer_id: i64, number: &str) -> StoreResult<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT id FROM recalls WHERE manufacturer_id = $1 AND number = $2")
            .bind(manufacturer_id)
            .bind(number)
            .fetch_optional(db.reader())
            .await?,
    )
}

/// (recall id, manufacturer id, manufacturer slug) of the recalls with this number, of the
/// manufacturer with this slug when given (at most 100, by slug).
pub async fn numbered(
    db: &Db,
    number: &str,
    manufacturer_slug: Option<&str>,
) -> StoreResult<Vec<(i64, i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT r.id, r.manufacturer_id, m.slug FROM recalls r JOIN manufacturers m ON m.id = r.manufacturer_id
         WHERE r.number = $1 AND ($2 IS NULL OR m.slug = $2) ORDER BY m.slug LIMIT 100",
    )
    .bind(number)
    .bind(manufacturer_slug)
    .fetch_all(db.reader())
    .await?)
}
