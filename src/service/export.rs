//! Exports: a manufacturer's units as CSV (the staff page and staff API keys), streamed from
//! the database in chunks, so a million units are never held in memory.

use crate::export::{UnitExportFilter, csv_line};
use crate::store::Db;
use futures_util::Stream;

/// The units export's header line.
pub const UNITS_HEADER: &str =
    "manufacturer,model,serial,lot,manufactured_on,status,warranty_starts_on,warranty_ends_on\n";

/// Chunks of at least this many bytes are handed on.
const CHUNK: usize = 64 * 1024;

/// The manufacturer's units matching the filter as CSV text, header first, in chunks, as the
/// rows come from the database. Dropping the stream (the client went away) stops the query,
/// and a database error ends the stream with an error rather than a truncated file that looks
/// whole.
pub fn units_csv(
    db: &Db,
    manufacturer: i64,
    filter: &UnitExportFilter,
) -> impl Stream<Item = Result<String, std::io::Error>> + Send + 'static {
    let rows = crate::store::export::export_rows(db, manufacturer, filter);
    let start = Some((rows, String::from(UNITS_HEADER)));
    futures_util::stream::unfold(start, |state| async move {
        let (mut rows, mut chunk) = state?;
        loop {
            match rows.recv().await {
                Some(Ok(fields)) => {
                    chunk.push_str(&csv_line(&fields));
                    if chunk.len() >= CHUNK {
                        let full = std::mem::take(&mut chunk);
                        return Some((Ok(full), Some((rows, chunk))));
                    }
                }
                Some(Err(error)) => {
                    tracing::error!(%error, "exporting units");
                    let stopped = std::io::Error::other("the export stopped");
                    return Some((Err(stopped), None));
                }
                None => return (!chunk.is_empty()).then(|| (Ok(chunk), None)),
            }
        }
    })
}
