//! Journey events and component links in bulk, from CSV text: each bad row is reported as
//! `line N: column: reason` (the header is line 1) and skipped; the good rows are written in
//! one transaction with one audit entry. Rows naming another manufacturer's units are "not
//! among your units".

use super::Result;
use super::accounts::Actor;
use super::change::{Audit, Change};
use crate::import::EVENT_KINDS;
use crate::serial::Serial;
use crate::store::{Db, catalogue, now_text, units};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::AnyConnection;
use std::collections::HashMap;

/// Rows one bulk file may have.
pub const MAX_ROWS: usize = 200_000;

/// What a bulk file did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkOutcome {
    pub rows: usize,
    pub applied: usize,
    /// Rows that were already so (a link that exists).
    pub unchanged: usize,
    /// Rows refused, all of them counted.
    pub rejected: usize,
    /// `line N: reason` for the first [`crate::import::PROBLEMS_LISTED`] rows refused.
    pub problems: Vec<String>,
}

impl BulkOutcome {
    /// Counts a refused row; its reason is listed while the list is short.
    fn reject(&mut self, problem: String) {
        self.rejected += 1;
        if self.problems.len() < crate::import::PROBLEMS_LISTED {
            self.problems.push(problem);
        }
    }
}

/// A CSV row: its line number and its cells by (lower-cased) column name.
type Row = (usize, HashMap<String, String>);

/// The CSV's rows, or why the file cannot be read at all.
fn rows(text: &str, required: &[&str]) -> Result<Vec<Row>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| format!("line 1: the header cannot be read: {e}"))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    for column in required {
        if !header.iter().any(|h| h == column) {
            return Err(format!(
                "line 1: the header has no column {column} (it needs {})",
                required.join(",")
            ));
        }
    }
    let mut out = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        if out.len() >= MAX_ROWS {
            return Err(format!("a file holds at most {MAX_ROWS} rows"));
        }
        match record {
            Ok(record) => {
                let row: HashMap<String, String> = header
                    .iter()
                    .cloned()
                    .zip(record.iter().map(str::to_owned))
                    .collect();
                if row.values().all(String::is_empty) {
                    continue;
                }
                out.push((line, row));
            }
            Err(e) => return Err(format!("line {line}: {e}")),
        }
    }
    Ok(out)
}

fn cell<'a>(row: &'a HashMap<String, String>, column: &str) -> &'a str {
    row.get(column).map(String::as_str).unwrap_or_default()
}

/// The one unit of the manufacturer with this serial, or the problem.
async fn one_unit(
    conn: &mut AnyConnection,
    manufacturer_id: i64,
    line: usize,
    column: &str,
    raw: &str,
) -> Result<Result<i64, String>> {
    let serial = match Serial::parse(raw) {
        Ok(s) => s,
        Err(e) => return Ok(Err(format!("line {line}: {column}: {e}"))),
    };
    let found =
        catalogue::units_by_serial(conn, manufacturer_id, serial.normalised(), None).await?;
    Ok(match found.as_slice() {
        [(id, _)] => Ok(*id),
        [] => Err(format!(
            "line {line}: {column}: {} is not among your units",
            serial.normalised()
        )),
        _ => Err(format!(
            "line {line}: {column}: several of your models have a unit {}",
            serial.normalised()
        )),
    })
}

/// `serial,event,at,place,note`: journey events.
pub async fn import_events(
    db: &Db,
    manufacturer_id: i64,
    text: &str,
    actor_name: &str,
    actor: &Actor<'_>,
) -> Result<Result<BulkOutcome, String>> {
    let rows = match rows(text, &["serial", "event", "at"]) {
        Ok(rows) => rows,
        Err(problem) => return Ok(Err(problem)),
    };
    let mut outcome = BulkOutcome {
        rows: rows.len(),
        ..BulkOutcome::default()
    };
    let mut tx = Change::begin(db, actor).await?;
    for (line, row) in &rows {
        let unit = match one_unit(
            &mut tx,
            manufacturer_id,
            *line,
            "serial",
            cell(row, "serial"),
        )
        .await?
        {
            Ok(unit) => unit,
            Err(problem) => {
                outcome.reject(problem);
                continue;
            }
        };
        let event = cell(row, "event").to_ascii_lowercase();
        if !EVENT_KINDS.contains(&event.as_str()) {
            outcome.reject(format!(
                "line {line}: event: '{event}' is not one of {}",
                EVENT_KINDS.join(", ")
            ));
            continue;
        }
        let Some(at) = instant(cell(row, "at")) else {
            outcome.reject(format!(
                "line {line}: at: '{}' is not a date (YYYY-MM-DD) or time (YYYY-MM-DDTHH:MM:SSZ)",
                cell(row, "at")
            ));
            continue;
        };
        let (place, note) = (cell(row, "place"), cell(row, "note"));
        if place.chars().count() > 120 || note.chars().count() > 500 {
            outcome.reject(format!(
                "line {line}: note: too long (place 120, note 500 characters)"
            ));
            continue;
        }
        crate::store::units::add_event(
            &mut tx,
            &crate::store::units::NewEvent {
                unit_id: unit,
                kind: &event,
                at: &at,
                place: (!place.is_empty()).then_some(place),
                actor: actor_name,
                note: (!note.is_empty()).then_some(note),
            },
        )
        .await?;
        outcome.applied += 1;
    }
    if outcome.applied > 0 {
        tx.record(
            Audit::on("journey.import", "events")
                .after(json!({ "rows": outcome.rows, "applied": outcome.applied, "rejected": outcome.rejected })),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Ok(outcome))
}

/// A date or an instant, as the events table keeps it.
fn instant(text: &str) -> Option<String> {
    use time::format_description::well_known::{Iso8601, Rfc3339};
    if let Ok(date) = time::Date::parse(text, &Iso8601::DATE) {
        return Some(date.to_string());
    }
    time::OffsetDateTime::parse(text, &Rfc3339)
        .ok()
        .map(crate::store::instant_text)
}

/// `parent_serial,component_serial,component_lot` (one of the last two per row): component
/// links. Live recalls that reach through components are recomputed once at the end.
pub async fn import_links(
    db: &Db,
    manufacturer_id: i64,
    text: &str,
    actor: &Actor<'_>,
) -> Result<Result<BulkOutcome, String>> {
    let rows = match rows(text, &["parent_serial"]) {
        Ok(rows) => rows,
        Err(problem) => return Ok(Err(problem)),
    };
    let mut outcome = BulkOutcome {
        rows: rows.len(),
        ..BulkOutcome::default()
    };
    let mut tx = Change::begin(db, actor).await?;
    let now = now_text();
    for (line, row) in &rows {
        let parent = match one_unit(
            &mut tx,
            manufacturer_id,
            *line,
            "parent_serial",
            cell(row, "parent_serial"),
        )
        .await?
        {
            Ok(unit) => unit,
            Err(problem) => {
                outcome.reject(problem);
                continue;
            }
        };
        let (serial, lot) = (cell(row, "component_serial"), cell(row, "component_lot"));
        let (child_unit, child_lot) = match (serial.is_empty(), lot.is_empty()) {
            (false, true) => {
                match one_unit(&mut tx, manufacturer_id, *line, "component_serial", serial).await? {
                    Ok(child) if units::contains_unit(&mut tx, child, parent).await? => {
                        outcome.reject(format!(
                            "line {line}: component_serial: it contains the parent already (or is it)"
                        ));
                        continue;
                    }
                    Ok(child) => (Some(child), None),
                    Err(problem) => {
                        outcome.reject(problem);
                        continue;
                    }
                }
            }
            (true, false) => match catalogue::lots_by_code(&mut tx, manufacturer_id, lot, None)
                .await?
                .as_slice()
            {
                [id] => (None, Some(*id)),
                [] => {
                    outcome.reject(format!("line {line}: component_lot: you have no lot {lot}"));
                    continue;
                }
                _ => {
                    outcome.reject(format!(
                        "line {line}: component_lot: several of your models have a lot {lot}"
                    ));
                    continue;
                }
            },
            _ => {
                outcome.reject(format!(
                    "line {line}: component_serial: give either a component serial or a component lot"
                ));
                continue;
            }
        };
        if !units::link_component(&mut tx, parent, child_unit, child_lot, &now).await? {
            outcome.unchanged += 1;
            continue;
        }
        outcome.applied += 1;
    }
    if outcome.applied > 0 {
        let recomputed = super::recall_admin::recompute_component_recalls(&mut tx).await?;
        tx.record(
            Audit::on("components.import", "component_links").after(json!({
            "rows": outcome.rows, "applied": outcome.applied, "unchanged": outcome.unchanged,
            "rejected": outcome.rejected, "recalls_recomputed": recomputed,
            })),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Ok(outcome))
}
