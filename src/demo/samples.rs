//! One sample serial per lookup outcome, picked from what was loaded (and read back later
//! for the README's table and `serialtrace demo --samples`).

use super::catalogue::*;
use super::{DemoError, Sample};
use crate::store::Db;
use std::collections::HashSet;
use time::Date;

/// One serial per lookup outcome, read back from what was loaded.
pub(super) async fn pick(
    db: &Db,
    specs: &[ProductSpec],
    counts: &[u64],
    recalls: &[i64],
    today: Date,
) -> Result<Vec<Sample>, DemoError> {
    let today = today.to_string();
    // A unit with no recall, no theft report and a serial no other product shares.
    const PLAIN: &str = "NOT EXISTS (SELECT 1 FROM recall_units ru WHERE ru.unit_id = u.id)
        AND NOT EXISTS (SELECT 1 FROM theft_reports t WHERE t.unit_id = u.id)
        AND NOT EXISTS (SELECT 1 FROM units o WHERE o.serial_norm = u.serial_norm AND o.id <> u.id)";
    let queries: Vec<(&'static str, String, Vec<String>)> = vec![
        (
            "active_warranty",
            (format!(
                "SELECT u.serial_raw FROM units u WHERE u.product_id = {NV_P8} AND {PLAIN}
                 AND EXISTS (SELECT 1 FROM warranty_records w WHERE w.unit_id = u.id AND w.starts_on <= $1 AND w.ends_on >= $1)
                 ORDER BY u.id LIMIT 1"
            )),
            vec![today.clone()],
        ),
        (
            "expired_warranty",
            (format!(
                "SELECT u.serial_raw FROM units u WHERE u.product_id = {AQ_W9} AND {PLAIN}
                 AND EXISTS (SELECT 1 FROM warranty_records w WHERE w.unit_id = u.id)
                 AND NOT EXISTS (SELECT 1 FROM warranty_records w WHERE w.unit_id = u.id AND w.ends_on >= $1)
                 ORDER BY u.id LIMIT 1"
            )),
            vec![today.clone()],
        ),
        (
            "recalled",
            format!(
                "SELECT u.serial_raw FROM units u JOIN recall_units ru ON ru.unit_id = u.id
                 WHERE ru.recall_id = {} AND ru.remedy_status = 'open'
                 AND NOT EXISTS (SELECT 1 FROM theft_reports t WHERE t.unit_id = u.id)
                 ORDER BY u.id LIMIT 1",
                recalls[0]
            ),
            vec![],
        ),
        (
            "component_recall",
            format!(
                "SELECT u.serial_raw FROM units u JOIN recall_units ru ON ru.unit_id = u.id
                 WHERE ru.recall_id = {} AND ru.remedy_status = 'open' AND u.product_id IN ({HC_L14}, {HC_L16})
                 AND NOT EXISTS (SELECT 1 FROM theft_reports t WHERE t.unit_id = u.id)
                 ORDER BY u.id LIMIT 1",
                recalls[3]
            ),
            vec![],
        ),
        (
            "remedied",
            format!(
                "SELECT u.serial_raw FROM units u JOIN recall_units ru ON ru.unit_id = u.id
                 WHERE ru.recall_id = {} AND ru.remedy_status = 'remedied'
                 AND NOT EXISTS (SELECT 1 FROM theft_reports t WHERE t.unit_id = u.id)
                 ORDER BY u.id LIMIT 1",
                recalls[2]
            ),
            vec![],
        ),
        (
            "stolen",
            "SELECT u.serial_raw FROM units u JOIN theft_reports t ON t.unit_id = u.id AND t.status = 'active'
             WHERE NOT EXISTS (SELECT 1 FROM recall_units ru WHERE ru.unit_id = u.id)
             AND NOT EXISTS (SELECT 1 FROM units o WHERE o.serial_norm = u.serial_norm AND o.id <> u.id)
             ORDER BY u.id LIMIT 1"
                .to_owned(),
            vec![],
        ),
        (
            "several_products",
            format!(
                "SELECT u.serial_raw FROM units u WHERE u.product_id = {BL_T55}
                 AND EXISTS (SELECT 1 FROM units o WHERE o.serial_norm = u.serial_norm AND o.product_id = {BL_T65})
                 ORDER BY u.id LIMIT 1"
            ),
            vec![],
        ),
    ];
    let mut samples = Vec::new();
    for (outcome, sql, binds) in queries {
        let mut q = sqlx::query_scalar::<_, String>(&sql);
        for b in &binds {
            q = q.bind(b.as_str());
        }
        let serial = q
            .fetch_optional(db.reader())
            .await?
            .ok_or(DemoError::NoSample(outcome))?;
        let gtin = (outcome == "remedied").then(|| gtin_for(ML_IP3).as_str().to_owned());
        samples.push(Sample {
            outcome,
            serial,
            gtin,
        });
    }
    // Serials of the laptop format that were never issued: one with a right check
    // character (not in our records), one with a wrong one (not a valid serial).
    let laptop = &specs[(HC_L14 - 1) as usize].format;
    let unissued = laptop.serial_for(counts[(HC_L14 - 1) as usize] + 5_000);
    let issued: HashSet<String> =
        sqlx::query_scalar::<_, String>("SELECT serial_norm FROM units WHERE serial_norm = $1")
            .bind(&unissued)
            .fetch_all(db.reader())
            .await?
            .into_iter()
            .collect();
    if !issued.is_empty() {
        return Err(DemoError::NoSample("not_found"));
    }
    samples.push(Sample {
        outcome: "not_found",
        serial: unissued,
        gtin: None,
    });
    let mut typo = laptop.serial_for(7);
    let last = typo.pop().unwrap_or('0');
    typo.push(if last == 'Z' { 'Y' } else { 'Z' });
    samples.push(Sample {
        outcome: "invalid",
        serial: typo,
        gtin: None,
    });
    Ok(samples)
}

/// A unit nobody owns, with no recall, theft report or warranty record yet, whose serial no
/// other product shares: (serial, GTIN). Products whose warranty starts at registration
/// first; within a product the newest made, so the samples (oldest first) differ. Each
/// product is walked backwards along its (product, made) index and the walk stops at the
/// first fit, instead of sorting every unit of the data set.
pub(super) async fn free_unit(
    db: &Db,
    taken: &[String],
) -> Result<Option<(String, Option<String>)>, DemoError> {
    let products: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM products WHERE warranty_months > 0 AND warranty_starts IN ('sale', 'registration')
         ORDER BY CASE WHEN warranty_starts = 'registration' THEN 0 ELSE 1 END, id",
    )
    .fetch_all(db.reader())
    .await?;
    let sql = format!(
        "SELECT u.serial_raw, (SELECT MIN(g.gtin) FROM product_gtins g WHERE g.product_id = u.product_id)
         FROM units u
         WHERE u.product_id = $1
         AND u.status IN ('in_stock', 'shipped', 'sold')
         AND NOT EXISTS (SELECT 1 FROM ownerships o WHERE o.unit_id = u.id)
         AND NOT EXISTS (SELECT 1 FROM theft_reports t WHERE t.unit_id = u.id)
         AND NOT EXISTS (SELECT 1 FROM warranty_records w WHERE w.unit_id = u.id)
         AND NOT EXISTS (SELECT 1 FROM units o WHERE o.serial_norm = u.serial_norm AND o.id <> u.id)
         AND NOT EXISTS (SELECT 1 FROM component_links c WHERE c.child_unit_id = u.id)
         AND u.serial_raw NOT IN ({})
         ORDER BY u.manufactured_on DESC, u.id DESC LIMIT 1",
        crate::store::placeholders(2, taken.len().max(1))
    );
    for product in products {
        let mut q = sqlx::query_as::<_, (String, Option<String>)>(&sql).bind(product);
        for t in taken {
            q = q.bind(t.as_str());
        }
        if taken.is_empty() {
            q = q.bind("");
        }
        if let Some(found) = q.fetch_optional(db.reader()).await? {
            return Ok(Some(found));
        }
    }
    Ok(None)
}

/// The samples a demo load recorded, in the order it printed them (none without a demo).
pub async fn recorded_samples(db: &Db) -> Result<Vec<(String, String, Option<String>)>, DemoError> {
    use sqlx::Row;
    let rows = sqlx::query("SELECT outcome, serial, gtin FROM demo_samples")
        .fetch_all(db.reader())
        .await?;
    let mut samples: Vec<(String, String, Option<String>)> = rows
        .into_iter()
        .map(|r| (r.get("outcome"), r.get("serial"), r.get("gtin")))
        .collect();
    samples.sort_by_key(|(outcome, ..)| {
        OUTCOMES
            .iter()
            .position(|o| o == outcome)
            .unwrap_or(usize::MAX)
    });
    Ok(samples)
}

/// Every sample outcome, in the order they are printed.
pub const OUTCOMES: [&str; 10] = [
    "active_warranty",
    "expired_warranty",
    "recalled",
    "component_recall",
    "remedied",
    "stolen",
    "several_products",
    "not_found",
    "invalid",
    "unregistered",
];
