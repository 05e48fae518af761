//! The lookup log (every lookup, written in batches off the request path) and the cache
//! epoch that tells server instances when cached answers are stale.

use super::bulk::{Val, insert_rows};
use super::{Db, StoreResult};
use sqlx::AnyConnection;
use std::collections::HashMap;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LookupLogEntry {
    pub serial_norm: Option<String>,
    pub gtin: Option<String>,
    pub result: &'static str,
    pub match_count: i64,
    pub unit_id: Option<i64>,
    pub channel: &'static str,
    pub origin: String,
}

/// An entry but for its time: (serial, gtin, result, matches, unit, channel, origin).
type LogKey<'a> = (
    &'a Option<String>,
    &'a Option<String>,
    &'a str,
    i64,
    Option<i64>,
    &'a str,
    &'a str,
);

/// Appends entries, stamped `at` (the writer's flush time, so the request path formats no
/// timestamps); identical ones become one row with their count.
pub async fn append(db: &Db, at: &str, entries: &[LookupLogEntry]) -> StoreResult<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let mut grouped: HashMap<LogKey<'_>, i64> = HashMap::new();
    for e in entries {
        let key = (
            &e.serial_norm,
            &e.gtin,
            e.result,
            e.match_count,
            e.unit_id,
            e.channel,
            e.origin.as_str(),
        );
        *grouped.entry(key).or_insert(0) += 1;
    }
    let rows: Vec<Vec<Val>> = grouped
        .into_iter()
        .map(
            |((serial, gtin, result, matches, unit, channel, origin), hits)| {
                vec![
                    at.into(),
                    serial.clone().into(),
                    gtin.clone().into(),
                    result.into(),
                    matches.into(),
                    unit.into(),
                    channel.into(),
                    origin.into(),
                    hits.into(),
                ]
            },
        )
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
            "hits",
        ],
        &rows,
    )
    .await
}

/// How many lookups of a serial the log holds.
#[cfg(feature = "test-support")]
pub async fn count_for_serial(db: &Db, serial_norm: &str) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(hits), 0) AS BIGINT) FROM lookup_log WHERE serial_norm = $1",
    )
    .bind(serial_norm)
    .fetch_one(db.reader())
    .await?)
}

/// The found lookups of one serial, newest first (at most 100): (at, coarse origin, channel,
/// hits), for a police case file.
pub async fn found_lookups(
    db: &Db,
    serial_norm: &str,
) -> StoreResult<Vec<(String, String, String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT at, origin, channel, hits FROM lookup_log WHERE serial_norm = $1 AND result = 'found'
         ORDER BY at DESC LIMIT 100",
    )
    .bind(serial_norm)
    .fetch_all(db.reader())
    .await?)
}

/// The current cache epoch.
pub async fn epoch(db: &Db) -> StoreResult<i64> {
    Ok(
        sqlx::query_scalar("SELECT version FROM cache_epoch WHERE id = 1")
            .fetch_one(db.reader())
            .await?,
    )
}

/// Marks every cached answer stale, in the transaction of a change a lookup shows; the new
/// epoch, which the caller notes with [`Db::saw_epoch`] once the change has committed (not
/// before: a lookup in between would cache the old answer under the new epoch).
pub async fn bump_epoch(conn: &mut AnyConnection) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "UPDATE cache_epoch SET version = version + 1 WHERE id = 1 RETURNING version",
    )
    .fetch_one(&mut *conn)
    .await?)
}

/// Found lookups of the manufacturer's units per day since `since` (YYYY-MM-DD): (day, hits).
pub async fn daily_for_manufacturer(
    db: &Db,
    manufacturer_id: i64,
    since: &str,
) -> StoreResult<Vec<(String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT substr(l.at, 1, 10) AS day, CAST(SUM(l.hits) AS BIGINT) AS n FROM lookup_log l
         WHERE l.at >= $2 AND l.result = 'found'
           AND EXISTS (SELECT 1 FROM units u WHERE u.serial_norm = l.serial_norm AND u.manufacturer_id = $1)
         GROUP BY substr(l.at, 1, 10) ORDER BY 1",
    )
    .bind(manufacturer_id)
    .bind(since)
    .fetch_all(db.reader())
    .await?)
}

/// Serials looked up since `since` and not found, most looked-up first: (serial, hits).
pub async fn not_found_since(db: &Db, since: &str, limit: i64) -> StoreResult<Vec<(String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT serial_norm, CAST(SUM(hits) AS BIGINT) AS n FROM lookup_log
         WHERE at >= $1 AND result = 'not_found' AND serial_norm IS NOT NULL
         GROUP BY serial_norm ORDER BY 2 DESC, 1 LIMIT $2",
    )
    .bind(since)
    .bind(limit)
    .fetch_all(db.reader())
    .await?)
}
