//! Stock audits: compare the serials scanned at a location with the records — matched,
//! missing (records say here, not scanned), unexpected (scanned, records say elsewhere or
//! sold), unknown (no such unit of ours) and duplicates — and apply the result as "received
//! here" journey events.

use super::accounts::Actor;
use super::change::{Audit, Change};
use super::{Error, Result};
use crate::serial::Serial;
use crate::store::stock::{self as store, StockUnit};
use crate::store::{Db, now_text};
use serde_json::json;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Scanned lines one audit takes.
pub const MAX_SCANNED: usize = 50_000;

pub use crate::stock::StockReport;

/// Records a scan; the report is computed when shown.
pub async fn create(
    db: &Db,
    manufacturer_id: i64,
    location: &str,
    text: &str,
    actor: &Actor<'_>,
) -> Result<i64> {
    let location = location.trim();
    if location.is_empty() || location.chars().count() > 120 {
        return Err(Error::invalid(
            "location",
            "Name the location (up to 120 characters).",
        ));
    }
    let scanned: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    if scanned.is_empty() {
        return Err(Error::invalid(
            "scanned",
            "Scan or paste at least one serial, one per line.",
        ));
    }
    if scanned.len() > MAX_SCANNED {
        return Err(Error::invalid(
            "scanned",
            format!("One audit takes at most {MAX_SCANNED} lines; split the location."),
        ));
    }
    let mut tx = Change::begin(db, actor).await?;
    let id = store::insert(
        &mut tx,
        manufacturer_id,
        actor.user_id,
        location,
        &scanned,
        &now_text(),
    )
    .await?;
    tx.record(
        Audit::of("stock.audit", "stock_audit", id)
            .after(json!({ "location": location, "lines": scanned.len() })),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The audit compared with the records as they are now.
pub async fn report(db: &Db, manufacturer_id: i64, id: i64) -> Result<(StockReport, Vec<i64>)> {
    let Some(audit) = store::audit(db, manufacturer_id, id).await? else {
        return Err(Error::NotFound(format!("There is no stock audit {id}.")));
    };
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut unknown = Vec::new();
    for line in &audit.scanned {
        match Serial::parse(line) {
            Ok(serial) => *counts.entry(serial.normalised().to_owned()).or_default() += 1,
            Err(_) => unknown.push(line.clone()),
        }
    }
    let serials: Vec<String> = counts.keys().cloned().collect();
    let found = store::units_among(db, manufacturer_id, &serials).await?;
    let expected = store::expected_at(db, manufacturer_id, &audit.location).await?;
    Ok(compare(&audit, counts, unknown, found, expected))
}

fn compare(
    audit: &store::StockAudit,
    counts: BTreeMap<String, usize>,
    mut unknown: Vec<String>,
    found: Vec<StockUnit>,
    expected: Vec<StockUnit>,
) -> (StockReport, Vec<i64>) {
    let mut by_serial: HashMap<&str, Vec<&StockUnit>> = HashMap::new();
    for unit in &found {
        by_serial.entry(unit.1.as_str()).or_default().push(unit);
    }
    let mut report = StockReport {
        location: audit.location.clone(),
        scanned: audit.scanned.len(),
        applied_at: audit.applied_at.clone(),
        created_at: audit.created_at.clone(),
        ..StockReport::default()
    };
    let mut seen: HashSet<i64> = HashSet::new();
    let mut to_receive = Vec::new();
    for (serial, n) in &counts {
        if *n > 1 {
            report.duplicates.push((serial.clone(), *n));
        }
        let Some(units) = by_serial.get(serial.as_str()) else {
            unknown.push(serial.clone());
            continue;
        };
        for (id, serial, model, location, status) in units.iter().copied() {
            seen.insert(*id);
            let here = location.as_deref() == Some(audit.location.as_str());
            let shelf = !matches!(status.as_str(), "sold" | "registered" | "scrapped");
            if here && shelf {
                report.matched.push((serial.clone(), model.clone()));
                to_receive.push(*id);
            } else {
                let why = if shelf {
                    format!(
                        "records say {}",
                        location.as_deref().unwrap_or("no location")
                    )
                } else {
                    format!("records say {}", status.replace('_', " "))
                };
                report.unexpected.push((serial.clone(), model.clone(), why));
                if shelf {
                    to_receive.push(*id);
                }
            }
        }
    }
    for (id, serial, model, _, _) in expected {
        if !seen.contains(&id) {
            report.missing.push((serial, model));
        }
    }
    unknown.sort();
    unknown.dedup();
    report.unknown = unknown;
    (report, to_receive)
}

/// Applies an audit once: every scanned unit that belongs on a shelf is recorded as received
/// at the location. Returns how many.
pub async fn apply(
    db: &Db,
    manufacturer_id: i64,
    id: i64,
    actor_name: &str,
    actor: &Actor<'_>,
) -> Result<usize> {
    let (report, units) = report(db, manufacturer_id, id).await?;
    let mut tx = Change::begin(db, actor).await?;
    let now = now_text();
    if !store::mark_applied(&mut tx, id, &now).await? {
        return Err(Error::invalid(
            "form",
            "This audit has been applied already.",
        ));
    }
    store::receive(&mut tx, &units, &report.location, actor_name, &now).await?;
    tx.record(Audit::of("stock.apply", "stock_audit", id).after(
        json!({ "location": report.location, "received": units.len(),
                "matched": report.matched.len(), "unexpected": report.unexpected.len(),
                "missing": report.missing.len(), "unknown": report.unknown.len() }),
    ))
    .await?;
    tx.commit().await?;
    Ok(units.len())
}

/// The manufacturer's latest audits: (id, location, created_at, applied).
pub async fn recent(
    db: &Db,
    manufacturer: i64,
) -> crate::store::StoreResult<Vec<(i64, String, String, bool)>> {
    store::recent(db, manufacturer).await
}
