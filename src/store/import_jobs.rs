//! Imports started from the staff screens: their progress and outcome, for any instance to show.

use crate::store::{Db, StoreResult};
use sqlx::Row;

/// An import started from the staff screens.
#[derive(Clone, Debug)]
pub struct ImportJob {
    pub id: i64,
    pub manufacturer_id: i64,
    pub file_name: String,
    pub dry_run: bool,
    pub state: String,
    pub summary_json: String,
    pub error: Option<String>,
    pub created_at: String,
    pub finished_at: Option<String>,
}

pub async fn create_job(
    db: &Db,
    user_id: i64,
    manufacturer_id: i64,
    file_name: &str,
    dry_run: bool,
    now: &str,
) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO import_jobs (user_id, manufacturer_id, file_name, dry_run, state, summary_json, created_at)
         VALUES ($1, $2, $3, $4, 'running', '{}', $5) RETURNING id",
    )
    .bind(user_id)
    .bind(manufacturer_id)
    .bind(file_name)
    .bind(i64::from(dry_run))
    .bind(now)
    .fetch_one(db.writer())
    .await?)
}

/// Records progress (`state` running) or the end (`done` / `failed`).
pub async fn update_job(
    db: &Db,
    id: i64,
    state: &str,
    summary_json: &str,
    error: Option<&str>,
    finished_at: Option<&str>,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE import_jobs SET state = $1, summary_json = $2, error = $3, finished_at = $4 WHERE id = $5",
    )
    .bind(state)
    .bind(summary_json)
    .bind(error)
    .bind(finished_at)
    .bind(id)
    .execute(db.writer())
    .await?;
    Ok(())
}

fn job_from(r: &sqlx::any::AnyRow) -> ImportJob {
    ImportJob {
        id: r.get("id"),
        manufacturer_id: r.get("manufacturer_id"),
        file_name: r.get("file_name"),
        dry_run: r.get::<i64, _>("dry_run") != 0,
        state: r.get("state"),
        summary_json: r.get("summary_json"),
        error: r.get("error"),
        created_at: r.get("created_at"),
        finished_at: r.get("finished_at"),
    }
}

pub async fn job(db: &Db, id: i64) -> StoreResult<Option<ImportJob>> {
    let row = sqlx::query("SELECT * FROM import_jobs WHERE id = $1")
        .bind(id)
        .fetch_optional(db.reader())
        .await?;
    Ok(row.as_ref().map(job_from))
}

/// A manufacturer's latest imports, newest first.
pub async fn recent_jobs(db: &Db, manufacturer_id: i64, limit: i64) -> StoreResult<Vec<ImportJob>> {
    let rows = sqlx::query(
        "SELECT * FROM import_jobs WHERE manufacturer_id = $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(manufacturer_id)
    .bind(limit)
    .fetch_all(db.reader())
    .await?;
    Ok(rows.iter().map(job_from).collect())
}
