//! Counterfeit marks and the lookup-log signals that suggest them.

use super::{Db, StoreResult};
use sqlx::AnyConnection;

/// The manufacturers (id, name) that marked this normalised serial as counterfeit.
pub async fn marked_by(db: &Db, serial: &str) -> StoreResult<Vec<(i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT m.id, m.name FROM counterfeit_marks c JOIN manufacturers m ON m.id = c.manufacturer_id
         WHERE c.serial_norm = $1 ORDER BY m.name",
    )
    .bind(serial)
    .fetch_all(db.reader())
    .await?)
}

/// The manufacturer's marks: (serial, note, marked_at), newest first.
pub async fn marks(
    db: &Db,
    manufacturer_id: i64,
) -> StoreResult<Vec<(String, Option<String>, String)>> {
    Ok(sqlx::query_as(
        "SELECT serial_norm, note, marked_at FROM counterfeit_marks WHERE manufacturer_id = $1
         ORDER BY marked_at DESC, id DESC LIMIT 500",
    )
    .bind(manufacturer_id)
    .fetch_all(db.reader())
    .await?)
}

/// Marks a serial; false when it was marked already.
pub async fn mark(
    conn: &mut AnyConnection,
    manufacturer_id: i64,
    serial: &str,
    note: Option<&str>,
    user_id: Option<i64>,
    now: &str,
) -> StoreResult<bool> {
    Ok(sqlx::query(
        "INSERT INTO counterfeit_marks (manufacturer_id, serial_norm, note, marked_by, marked_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (serial_norm, manufacturer_id) DO NOTHING",
    )
    .bind(manufacturer_id)
    .bind(serial)
    .bind(note)
    .bind(user_id)
    .bind(now)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1)
}

/// Removes a mark; false when there was none.
pub async fn unmark(
    conn: &mut AnyConnection,
    manufacturer_id: i64,
    serial: &str,
) -> StoreResult<bool> {
    Ok(
        sqlx::query(
            "DELETE FROM counterfeit_marks WHERE manufacturer_id = $1 AND serial_norm = $2",
        )
        .bind(manufacturer_id)
        .bind(serial)
        .execute(&mut *conn)
        .await?
        .rows_affected()
            == 1,
    )
}

/// The manufacturer's genuine serials looked up since `since` from at least `origins`
/// distinct networks (or partners): (serial, networks, lookups), most widespread first.
pub async fn widespread(
    db: &Db,
    manufacturer_id: i64,
    since: &str,
    origins: i64,
) -> StoreResult<Vec<(String, i64, i64)>> {
    Ok(sqlx::query_as(
        "SELECT l.serial_norm, CAST(COUNT(DISTINCT l.origin) AS BIGINT) AS places, CAST(SUM(l.hits) AS BIGINT) AS n
         FROM lookup_log l
         WHERE l.at >= $2 AND l.result = 'found' AND l.serial_norm IS NOT NULL
           AND EXISTS (SELECT 1 FROM units u WHERE u.serial_norm = l.serial_norm AND u.manufacturer_id = $1)
         GROUP BY l.serial_norm HAVING COUNT(DISTINCT l.origin) >= $3
         ORDER BY 2 DESC, 3 DESC, 1 LIMIT 100",
    )
    .bind(manufacturer_id)
    .bind(since)
    .bind(origins)
    .fetch_all(db.reader())
    .await?)
}

/// Each network's distinct serials looked up since `since`, for networks with at least
/// `serials` of them: (origin, serial).
pub async fn busy_origins(
    db: &Db,
    since: &str,
    serials: i64,
) -> StoreResult<Vec<(String, String)>> {
    Ok(sqlx::query_as(
        "SELECT DISTINCT l.origin, l.serial_norm FROM lookup_log l
         WHERE l.at >= $1 AND l.serial_norm IS NOT NULL
           AND l.origin IN (SELECT origin FROM lookup_log WHERE at >= $1 AND serial_norm IS NOT NULL
                            GROUP BY origin HAVING COUNT(DISTINCT serial_norm) >= $2)
         ORDER BY 1, 2 LIMIT 200000",
    )
    .bind(since)
    .bind(serials)
    .fetch_all(db.reader())
    .await?)
}
