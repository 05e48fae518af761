//! Exports: a manufacturer's units as CSV (the staff page and staff API keys), streamed from
//! the database in chunks, so a million units are never held in memory.

use crate::export::{UnitExportFilter, csv_line};
use crate::store::{Db, import};
use futures_util::StreamExt as _;
use sqlx::Row as _;
use tokio::sync::mpsc;

/// The units export's header line.
pub const UNITS_HEADER: &str =
    "manufacturer,model,serial,lot,manufactured_on,status,warranty_starts_on,warranty_ends_on\n";

/// Chunks of at least this many bytes are handed on.
const CHUNK: usize = 64 * 1024;

/// The manufacturer's units matching the filter as CSV text, header first, in chunks. The
/// query runs on a task of its own; dropping the receiver (the client went away) stops it, and
/// a database error ends the stream with an error rather than a truncated file that looks whole.
pub fn units_csv(
    db: &Db,
    manufacturer: i64,
    filter: &UnitExportFilter,
) -> mpsc::Receiver<Result<String, std::io::Error>> {
    let (sql, binds) = import::export_query(filter);
    let db = db.clone();
    let (tx, rx) = mpsc::channel(8);
    tokio::spawn(async move {
        let mut query = sqlx::query(&sql).bind(manufacturer);
        for value in &binds {
            query = query.bind(value.as_str());
        }
        let mut rows = query.fetch(db.reader());
        let mut chunk = String::from(UNITS_HEADER);
        while let Some(row) = rows.next().await {
            let row = match row {
                Ok(row) => row,
                Err(error) => {
                    tracing::error!(%error, "exporting units");
                    let _ = tx
                        .send(Err(std::io::Error::other("the export stopped")))
                        .await;
                    return;
                }
            };
            let text = |name: &str| row.get::<Option<String>, _>(name).unwrap_or_default();
            let fields = [
                text("slug"),
                text("model"),
                text("serial_raw"),
                text("lot"),
                text("manufactured_on"),
                text("status"),
                text("starts_on"),
                text("ends_on"),
            ];
            chunk.push_str(&csv_line(&fields));
            if chunk.len() >= CHUNK && tx.send(Ok(std::mem::take(&mut chunk))).await.is_err() {
                return; // the client went away
            }
        }
        if !chunk.is_empty() {
            let _ = tx.send(Ok(chunk)).await;
        }
    });
    rx
}
