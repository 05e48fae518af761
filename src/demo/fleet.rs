//! The demo's units: how many of each product, when each was made and sold, their lots, the
//! battery packs in the laptops (and the cell lots in the packs), warranties, sales and
//! theft reports.

use super::Rng;
use super::catalogue::*;
use crate::store::bulk::{Val, insert_rows};
use crate::warranty::{WarrantyStart, add_months};
use sqlx::AnyConnection;
use std::collections::BTreeMap;
use time::Date;

fn yymm(d: Date) -> String {
    format!("{:02}{:02}", d.year() % 100, d.month() as u8)
}

pub(super) struct Unit {
    pub id: i64,
    pub product: i64,
    pub lot: i64,
    pub serial: String,
    pub made: Date,
    pub sold: Option<Date>,
}

/// The fleet as planned: units, lots by (product, month) with their id and first day, and
/// the component links (laptop → pack, pack → cell lot), with each pack's cell lot.
pub(super) struct Fleet {
    pub units: Vec<Unit>,
    pub lots: BTreeMap<(i64, String), (i64, Date)>,
    pub links: Vec<Vec<Val>>,
    pub cell_links: Vec<i64>,
}

/// Unit counts: finished products by weight; one battery pack per laptop.
pub(super) fn counts(specs: &[ProductSpec], units: u64) -> Vec<u64> {
    let total_weight: u64 =
        specs.iter().map(|s| s.weight).sum::<u64>() + specs[2].weight + specs[3].weight;
    let mut counts: Vec<u64> = specs
        .iter()
        .map(|s| units * s.weight / total_weight)
        .collect();
    counts[(HC_BP60 - 1) as usize] = counts[(HC_L14 - 1) as usize] + counts[(HC_L16 - 1) as usize];
    let assigned: u64 = counts.iter().sum();
    counts[(NV_P8 - 1) as usize] += units - assigned;
    counts
}

/// Which units there are, made and sold when (drawn from `rng`, in a fixed order).
pub(super) fn plan(
    specs: &[ProductSpec],
    counts: &[u64],
    rng: &mut Rng,
    today: Date,
    now: &str,
) -> Fleet {
    // Lots: one per product per month of manufacture.
    let mut lots: BTreeMap<(i64, String), (i64, Date)> = BTreeMap::new();
    let lot_id =
        |product: i64, made: Date, lots: &mut BTreeMap<(i64, String), (i64, Date)>| -> i64 {
            let next = lots.len() as i64 + 1;
            let first = made.replace_day(1).unwrap_or(made);
            lots.entry((product, yymm(made))).or_insert((next, first)).0
        };

    let mut units: Vec<Unit> = Vec::with_capacity(counts.iter().sum::<u64>() as usize);
    let mut id = 0i64;
    for (index, spec) in specs.iter().enumerate() {
        let product = index as i64 + 1;
        if !spec.serialised || product == HC_BP60 {
            continue;
        }
        let first_seq = if product == BL_T65 {
            counts[(BL_T55 - 1) as usize]
                .saturating_sub(SHARED_TV_SERIALS - 1)
                .max(1)
        } else {
            1
        };
        for seq in first_seq..first_seq + counts[index] {
            id += 1;
            let made = today - time::Duration::days(30 + rng.below(1_800) as i64);
            let sold_on = made + time::Duration::days(5 + rng.below(120) as i64);
            let sold = (rng.chance(75) && sold_on < today).then_some(sold_on);
            let lot = lot_id(product, made, &mut lots);
            units.push(Unit {
                id,
                product,
                lot,
                serial: spec.format.serial_for(seq),
                made,
                sold,
            });
        }
    }
    // Battery packs: made a week before their laptop, each from the cell lot of its month.
    let bp_format = &specs[(HC_BP60 - 1) as usize].format;
    let laptops: Vec<(i64, Date)> = units
        .iter()
        .filter(|u| u.product == HC_L14 || u.product == HC_L16)
        .map(|u| (u.id, u.made))
        .collect();
    let mut links: Vec<Vec<Val>> = Vec::with_capacity(laptops.len() * 2);
    let mut cell_links: Vec<i64> = Vec::with_capacity(laptops.len());
    for (seq, (laptop, made)) in laptops.iter().enumerate() {
        id += 1;
        let pack_made = *made - time::Duration::days(7);
        let lot = lot_id(HC_BP60, pack_made, &mut lots);
        let cell_lot = lot_id(HC_CELL, pack_made, &mut lots);
        cell_links.push(cell_lot);
        units.push(Unit {
            id,
            product: HC_BP60,
            lot,
            serial: bp_format.serial_for(seq as u64 + 1),
            made: pack_made,
            sold: None,
        });
        links.push(vec![
            (*laptop).into(),
            Some(id).into(),
            None::<i64>.into(),
            now.into(),
        ]);
        links.push(vec![
            id.into(),
            None::<i64>.into(),
            Some(cell_lot).into(),
            now.into(),
        ]);
    }
    Fleet {
        units,
        lots,
        links,
        cell_links,
    }
}

/// The lots, units (with their initial warranties and sales) and component links.
pub(super) async fn write(
    tx: &mut AnyConnection,
    specs: &[ProductSpec],
    fleet: &Fleet,
    rng: &mut Rng,
    today: Date,
    now: &str,
) -> Result<(), super::DemoError> {
    let Fleet {
        units, lots, links, ..
    } = fleet;
    let rows: Vec<Vec<Val>> = lots
        .iter()
        .map(|((product, code), (id, first))| {
            let model = specs[(*product - 1) as usize].model;
            let code = if *product == HC_CELL {
                format!("CELL-{code}")
            } else {
                format!("{model}-{code}")
            };
            vec![
                (*id).into(),
                (*product).into(),
                code.into(),
                first.to_string().into(),
            ]
        })
        .collect();
    insert_rows(
        &mut *tx,
        "lots",
        &["id", "product_id", "code", "produced_on"],
        &rows,
    )
    .await?;

    const UNIT_BATCH: usize = 20_000;
    let mut warranty_id = 0i64;
    let mut event_id = 0i64;
    for chunk in units.chunks(UNIT_BATCH) {
        let mut unit_rows = Vec::with_capacity(chunk.len());
        let mut warranty_rows = Vec::new();
        let mut event_rows = Vec::with_capacity(chunk.len());
        for u in chunk {
            let spec = &specs[(u.product - 1) as usize];
            let registered = match (u.sold, spec.starts) {
                (Some(sold), WarrantyStart::Registration) if rng.chance(60) => {
                    Some(sold + time::Duration::days(rng.below(30) as i64)).filter(|d| *d < today)
                }
                _ => None,
            };
            let status = match (u.sold, registered) {
                (_, Some(_)) => "registered",
                (Some(_), None) => "sold",
                (None, None) => "in_stock",
            };
            let manufacturer = spec.manufacturer;
            unit_rows.push(vec![
                u.id.into(),
                manufacturer.into(),
                u.product.into(),
                Some(u.lot).into(),
                u.serial.clone().into(),
                u.serial.clone().into(),
                u.made.to_string().into(),
                status.into(),
                now.into(),
            ]);
            let start = match spec.starts {
                WarrantyStart::Sale => u.sold,
                WarrantyStart::Registration => registered,
                WarrantyStart::Manufacture => None,
            };
            if let Some(start) = start {
                warranty_id += 1;
                let end = add_months(start, spec.months as u32);
                warranty_rows.push(vec![
                    warranty_id.into(),
                    u.id.into(),
                    "initial".into(),
                    start.to_string().into(),
                    end.to_string().into(),
                    spec.starts.as_str().into(),
                    now.into(),
                ]);
            }
            // Manufacture is the unit's own date; the journey shows it without a second copy.
            if let Some(sold) = u.sold {
                event_id += 1;
                event_rows.push(vec![
                    event_id.into(),
                    u.id.into(),
                    "sold".into(),
                    format!("{sold}T12:00:00Z").into(),
                    Some("retail".to_owned()).into(),
                ]);
            }
        }
        insert_rows(
            &mut *tx,
            "units",
            &[
                "id",
                "manufacturer_id",
                "product_id",
                "lot_id",
                "serial_raw",
                "serial_norm",
                "manufactured_on",
                "status",
                "created_at",
            ],
            &unit_rows,
        )
        .await?;
        insert_rows(
            &mut *tx,
            "warranty_records",
            &[
                "id",
                "unit_id",
                "kind",
                "starts_on",
                "ends_on",
                "source",
                "created_at",
            ],
            &warranty_rows,
        )
        .await?;
        insert_rows(
            &mut *tx,
            "events",
            &["id", "unit_id", "kind", "at", "place"],
            &event_rows,
        )
        .await?;
    }
    insert_rows(
        &mut *tx,
        "component_links",
        &[
            "parent_unit_id",
            "child_unit_id",
            "child_lot_id",
            "linked_at",
        ],
        links,
    )
    .await?;
    Ok(())
}

/// Theft reports: a few sold units, some since recovered. Case details stay private.
pub(super) async fn write_thefts(
    tx: &mut AnyConnection,
    units: &[Unit],
    rng: &mut Rng,
    now: &str,
) -> Result<(), super::DemoError> {
    let mut thefts = Vec::new();
    let mut sure_thefts = 0;
    for u in units.iter().filter(|u| u.sold.is_some()) {
        // A few NV-P9 phones are always reported, so even a small data set has a sample.
        let sure = u.product == NV_P9 && sure_thefts < 3;
        if sure || rng.below(1000) < 3 {
            sure_thefts += usize::from(sure);
            let recovered = !sure && rng.chance(20);
            let police = rng.chance(50);
            thefts.push(vec![
                u.id.into(),
                (if police { "police" } else { "owner" }).into(),
                Some(if police {
                    "Metropolitan Police".to_owned()
                } else {
                    "City Police".to_owned()
                })
                .into(),
                Some(format!("CASE-{:06}", rng.below(1_000_000))).into(),
                (if recovered { "recovered" } else { "active" }).into(),
                now.into(),
            ]);
        }
    }
    insert_rows(
        &mut *tx,
        "theft_reports",
        &[
            "unit_id",
            "reporter_kind",
            "agency",
            "case_number",
            "status",
            "reported_at",
        ],
        &thefts,
    )
    .await?;
    Ok(())
}
