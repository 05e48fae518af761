//! Uploaded files: proofs of purchase, claim photos and dispute proofs.

use crate::store::{Db, StoreResult};
use sqlx::{AnyConnection, Row};

/// An uploaded file, already checked.
pub struct NewAttachment<'a> {
    pub user_id: i64,
    pub unit_id: i64,
    pub ownership_id: Option<i64>,
    pub claim_id: Option<i64>,
    pub dispute_id: Option<i64>,
    pub content_type: &'a str,
    pub filename: &'a str,
    pub bytes: &'a [u8],
}

pub async fn insert_attachment(
    conn: &mut AnyConnection,
    new: &NewAttachment<'_>,
    now: &str,
) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO attachments (user_id, unit_id, ownership_id, claim_id, dispute_id, content_type, filename,
                                  size_bytes, bytes, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(new.user_id)
    .bind(new.unit_id)
    .bind(new.ownership_id)
    .bind(new.claim_id)
    .bind(new.dispute_id)
    .bind(new.content_type)
    .bind(new.filename)
    .bind(new.bytes.len() as i64)
    .bind(new.bytes.to_vec())
    .bind(now)
    .fetch_one(&mut *conn)
    .await?)
}

/// A stored file and who it concerns.
#[derive(Clone, Debug)]
pub struct Attachment {
    pub id: i64,
    pub user_id: i64,
    pub unit_id: i64,
    pub manufacturer_id: i64,
    /// A dispute's proof: for its claimant and the support agents only.
    pub of_dispute: bool,
    pub content_type: String,
    pub filename: String,
    pub bytes: Vec<u8>,
}

pub async fn attachment(db: &Db, id: i64) -> StoreResult<Option<Attachment>> {
    let row = sqlx::query(
        "SELECT a.id, a.user_id, a.unit_id, u.manufacturer_id, a.dispute_id, a.content_type, a.filename, a.bytes
         FROM attachments a JOIN units u ON u.id = a.unit_id WHERE a.id = $1",
    )
    .bind(id)
    .fetch_optional(db.reader())
    .await?;
    Ok(row.map(|r| Attachment {
        id: r.get("id"),
        user_id: r.get("user_id"),
        unit_id: r.get("unit_id"),
        manufacturer_id: r.get("manufacturer_id"),
        of_dispute: r.get::<Option<i64>, _>("dispute_id").is_some(),
        content_type: r.get("content_type"),
        filename: r.get("filename"),
        bytes: r.get("bytes"),
    }))
}
