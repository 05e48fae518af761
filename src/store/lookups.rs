//! The lookup log: every lookup, written in batches off the request path.

use super::bulk::{Val, insert_rows};
use super::{Db, StoreResult};

#[derive(Clone, Debug)]
pub struct LookupLogEntry {
    pub at: String,
    pub serial_norm: Option<String>,
    pub gtin: Option<String>,
    pub result: &'static str,
    pub match_count: i64,
    pub unit_id: Option<i64>,
    pub channel: &'static str,
    pub origin: String,
}

pub async fn append(db: &Db, entries: &[LookupLogEntry]) -> StoreResult<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let rows: Vec<Vec<Val>> = entries
        .iter()
        .map(|e| {
            vec![
                e.at.clone().into(),
                e.serial_norm.clone().into(),
                e.gtin.clone().into(),
                e.result.into(),
                e.match_count.into(),
                e.unit_id.into(),
                e.channel.into(),
                e.origin.clone().into(),
            ]
        })
        .collect();
    let mut conn = db.writer().acquire().await?;
    insert_rows(
        &mut conn,
        "lookup_log",
        &[
            "at",
            "serial_norm",
            "gtin",
            "result",
            "match_count",
            "unit_id",
            "channel",
            "origin",
        ],
        &rows,
    )
    .await
}

pub async fn count_for_serial(db: &Db, serial_norm: &str) -> StoreResult<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM lookup_log WHERE serial_norm = $1")
            .bind(serial_norm)
            .fetch_one(db.reader())
            .await?,
    )
}
