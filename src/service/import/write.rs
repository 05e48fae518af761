//! The writer: each batch of resolved rows in one transaction (new units, their initial
//! warranties, changed records), counted.

use super::ImportError;
use super::resolve::Resolved;
use crate::store::import::{self as store, ExistingUnit, NewUnit};
use crate::store::{Db, StoreError, lookups, now_text};
use crate::warranty::add_months;
use sqlx::AnyConnection;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// What the writer did so far.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Counts {
    pub(super) created: u64,
    pub(super) updated: u64,
    pub(super) unchanged: u64,
}

/// The last stage: classifies resolved rows against the units stored and (unless a dry
/// run) writes them, one transaction per batch, while the rows after are being resolved.
pub(super) struct Writer {
    pub(super) db: Db,
    pub(super) dry_run: bool,
    /// By (product id, lot code).
    pub(super) lots: HashMap<(i64, String), i64>,
    /// Products that had units when the import began. The others can only hold units this
    /// import made, and the file repeats no unit, so their rows need no lookup.
    pub(super) had_units: HashSet<i64>,
    pub(super) pretend: Arc<AtomicI64>,
    pub(super) counts: Counts,
}

impl Writer {
    /// Classifies (and, unless a dry run, writes) a batch of resolved rows.
    pub(super) async fn write(&mut self, rows: Vec<Resolved>) -> Result<(), ImportError> {
        if rows.is_empty() {
            return Ok(());
        }
        let now = now_text();
        let dry = self.dry_run;
        let mut tx = if dry {
            None
        } else {
            Some(self.db.writer().begin().await.map_err(StoreError::from)?)
        };
        let mut read_conn = if dry {
            Some(self.db.reader().acquire().await.map_err(StoreError::from)?)
        } else {
            None
        };
        let mut existing: HashMap<(i64, String), ExistingUnit> = HashMap::new();
        let mut by_product: HashMap<(i64, i64), Vec<&str>> = HashMap::new();
        for r in &rows {
            if self.had_units.contains(&r.product_id) {
                by_product
                    .entry((r.manufacturer_id, r.product_id))
                    .or_default()
                    .push(r.row.serial.normalised());
            }
        }
        for ((manufacturer_id, product_id), serials) in by_product {
            let conn: &mut AnyConnection = match (&mut tx, &mut read_conn) {
                (Some(tx), _) => tx,
                (None, Some(conn)) => conn,
                _ => unreachable!("a connection is open"),
            };
            for chunk in serials.chunks(1_000) {
                for unit in store::existing_units(conn, manufacturer_id, product_id, chunk).await? {
                    existing.insert((product_id, unit.serial_norm.clone()), unit);
                }
            }
        }
        let mut new_units = Vec::new();
        // Beside each new unit, its initial warranty.
        let mut new_warranties: Vec<Option<(String, String)>> = Vec::new();
        let mut changed = false;
        for r in &rows {
            let lot_id = match &r.row.lot {
                None => None,
                Some(code) => match self.lots.get(&(r.product_id, code.clone())) {
                    Some(id) => Some(*id),
                    None => {
                        let id = match &mut tx {
                            Some(tx) if r.product_id > 0 => {
                                let made = r.row.manufactured_on.map(|d| d.to_string());
                                store::create_lot(tx, r.product_id, code, made.as_deref()).await?
                            }
                            _ => self.pretend.fetch_sub(1, Ordering::Relaxed) - 1,
                        };
                        self.lots.insert((r.product_id, code.clone()), id);
                        Some(id)
                    }
                },
            };
            let warranty = initial_warranty(r);
            let key = (r.product_id, r.row.serial.normalised().to_owned());
            match existing.get(&key) {
                None => {
                    self.counts.created += 1;
                    new_units.push(NewUnit {
                        manufacturer_id: r.manufacturer_id,
                        product_id: r.product_id,
                        lot_id,
                        serial_raw: r.row.serial.raw().to_owned(),
                        serial_norm: key.1.clone(),
                        manufactured_on: r.row.manufactured_on.map(|d| d.to_string()),
                        status: if r.row.sold_on.is_some() {
                            "sold"
                        } else {
                            "in_stock"
                        },
                        batch_id: None,
                    });
                    new_warranties.push(warranty);
                }
                Some(unit) => {
                    // A blank field says nothing: what the unit has stays.
                    let lot = lot_id.or(unit.lot_id);
                    let made = r
                        .row
                        .manufactured_on
                        .map(|d| d.to_string())
                        .or_else(|| unit.manufactured_on.clone());
                    let status = if r.row.sold_on.is_some()
                        && matches!(unit.status.as_str(), "in_stock" | "shipped")
                    {
                        "sold".to_owned()
                    } else {
                        unit.status.clone()
                    };
                    let warranty_changes = warranty
                        .as_ref()
                        .is_some_and(|w| unit.warranty.as_ref() != Some(w));
                    let unit_changes =
                        lot != unit.lot_id || made != unit.manufactured_on || status != unit.status;
                    if !unit_changes && !warranty_changes {
                        self.counts.unchanged += 1;
                        continue;
                    }
                    self.counts.updated += 1;
                    changed = true;
                    if let Some(tx) = &mut tx {
                        if unit_changes {
                            store::update_unit(tx, unit.id, lot, made.as_deref(), &status).await?;
                        }
                        if let (true, Some((starts, ends))) = (warranty_changes, warranty) {
                            store::delete_initial_warranty(tx, unit.id).await?;
                            store::insert_initial_warranties(tx, &[(unit.id, starts, ends)], &now)
                                .await?;
                        }
                    }
                }
            }
        }
        if let Some(mut tx) = tx {
            if !new_units.is_empty() {
                changed = true;
                let ids = store::insert_units(&mut tx, self.db.backend(), new_units, &now).await?;
                let records: Vec<(i64, String, String)> = ids
                    .into_iter()
                    .zip(new_warranties)
                    .filter_map(|(id, warranty)| warranty.map(|(starts, ends)| (id, starts, ends)))
                    .collect();
                store::insert_initial_warranties(&mut tx, &records, &now).await?;
            }
            // Not a Change: a batch is the import's own unit of work (its audit entry is
            // the import's summary, written when the last batch is in).
            let epoch = match changed {
                true => Some(lookups::bump_epoch(&mut tx).await?),
                false => None,
            };
            tx.commit().await.map_err(StoreError::from)?;
            if let Some(epoch) = epoch {
                self.db.saw_epoch(epoch);
            }
        }
        Ok(())
    }
}

/// The initial warranty a row gives its unit, when the policy's start date is in the row.
pub(super) fn initial_warranty(r: &Resolved) -> Option<(String, String)> {
    let months = r.row.warranty_months.map_or(r.warranty_months, i64::from);
    if months <= 0 {
        return None;
    }
    let starts = match r.warranty_starts.as_str() {
        "sale" => r.row.sold_on,
        "manufacture" => r.row.manufactured_on,
        _ => None,
    }?;
    let ends = add_months(starts, u32::try_from(months).ok()?);
    Some((starts.to_string(), ends.to_string()))
}
