//! The demo's recalls: one of each scope kind, published, partly remedied, and one closed.

use super::catalogue::*;
use super::fleet::Fleet;
use crate::recall::scope::{ScopeRule, SerialRange};
use crate::recall::{Remedy, Severity};
use crate::store::recalls::{
    NewRecall, insert_draft, insert_rule, mark_closed, mark_published, recompute_membership,
};
use sqlx::AnyConnection;
use std::collections::{BTreeMap, HashMap};
use time::Date;

/// The lot of `product` to recall: of its well-filled lots (at least half the size of its
/// fullest), the one made nearest `target`. A small demo spreads few units over five years of
/// months, so the month `target` falls in may hold none of them, or a single unit that is also
/// stolen; the recall must still reach units the samples can show.
fn busy_lot_near(
    lots: &BTreeMap<(i64, String), (i64, Date)>,
    sizes: &HashMap<i64, u64>,
    product: i64,
    target: Date,
) -> i64 {
    let of_product: Vec<(i64, Date, u64)> = lots
        .iter()
        .filter(|((p, _), _)| *p == product)
        .map(|(_, (id, first))| (*id, *first, sizes.get(id).copied().unwrap_or(0)))
        .collect();
    let fullest = of_product.iter().map(|l| l.2).max().unwrap_or(0);
    of_product
        .iter()
        .filter(|l| l.2 * 2 >= fullest && l.2 > 0)
        .min_by_key(|l| ((l.1 - target).whole_days().abs(), l.0))
        .map(|l| l.0)
        .unwrap_or(1)
}

/// What a demo recall's sample shows: a unit still to be remedied, or one remedied.
#[derive(Clone, Copy)]
enum Shows {
    Open,
    Remedied,
}

/// The recalls, published (membership computed from the rules): their ids.
pub(super) async fn write(
    tx: &mut AnyConnection,
    fleet: &Fleet,
    counts: &[u64],
    today: Date,
    now: &str,
) -> Result<Vec<i64>, super::DemoError> {
    let Fleet {
        units,
        lots,
        cell_links,
        ..
    } = fleet;
    let year = today.year();
    let w7_count = counts[(AQ_W7 - 1) as usize];
    let mut lot_sizes: HashMap<i64, u64> = HashMap::new();
    for unit in units {
        *lot_sizes.entry(unit.lot).or_default() += 1;
    }
    for link in cell_links {
        *lot_sizes.entry(*link).or_default() += 1;
    }
    let vr_lot = busy_lot_near(lots, &lot_sizes, VR_E1, today - time::Duration::days(300));
    let cell_lot = busy_lot_near(lots, &lot_sizes, HC_CELL, today - time::Duration::days(400));
    // The pumps' firmware window: four months around the pump made nearest 640 days ago.
    let pump_target = today - time::Duration::days(640);
    let pump_window = units
        .iter()
        .filter(|u| u.product == ML_IP3)
        .map(|u| u.made)
        .min_by_key(|made| (*made - pump_target).whole_days().abs())
        .unwrap_or(pump_target);
    let recalls: Vec<(NewRecall, ScopeRule, u64, Shows)> = vec![
        (
            NewRecall {
                manufacturer_id: 3,
                number: format!("R-{year}-001"),
                title: "Aquaclean W7 door lock may open during the spin cycle".into(),
                hazard: "The door lock can release while the drum spins, exposing hands to the moving drum.".into(),
                description: "A batch of door-lock assemblies has a weak latch spring.".into(),
                remedy: Remedy::Repair,
                remedy_available: true,
                instructions: "Stop using the machine's spin cycle and book a free door-lock replacement with Aquaclean service.".into(),
                severity: Severity::High,
                starts_on: (today - time::Duration::days(120)).to_string(),
            },
            ScopeRule::SerialRange(
                SerialRange::new(Some(AQ_W7), "AQ", 8, 1, (w7_count / 5).max(10)).expect("a valid range"),
            ),
            30,
            Shows::Open,
        ),
        (
            NewRecall {
                manufacturer_id: 4,
                number: format!("R-{year}-002"),
                title: "Voltride E1 frame weld may crack".into(),
                hazard: "A crack at the head-tube weld can cause loss of steering control and a fall.".into(),
                description: "One production lot of E1 frames was welded with the wrong filler wire.".into(),
                remedy: Remedy::Replace,
                remedy_available: false,
                instructions: "Stop riding the bike now. Voltride will replace the frame free of charge; replacement frames are being made and you will be contacted.".into(),
                severity: Severity::Critical,
                starts_on: (today - time::Duration::days(60)).to_string(),
            },
            ScopeRule::Lot { lot_id: vr_lot },
            0,
            Shows::Open,
        ),
        (
            NewRecall {
                manufacturer_id: 5,
                number: format!("R-{year}-003"),
                title: "Medilinea IP3 may under-deliver at low flow rates".into(),
                hazard: "At flow rates under 1 ml/h the pump can deliver up to 10% less than programmed.".into(),
                description: "Pumps built in a four-month window carry firmware 2.1, which mis-times the stepper motor.".into(),
                remedy: Remedy::Repair,
                remedy_available: true,
                instructions: "Contact Medilinea service to install firmware 2.2. Until then, do not use the pump below 1 ml/h.".into(),
                severity: Severity::Critical,
                starts_on: (today - time::Duration::days(200)).to_string(),
            },
            ScopeRule::ProductionWindow {
                product_id: ML_IP3,
                from: pump_window - time::Duration::days(60),
                to: pump_window + time::Duration::days(60),
            },
            50,
            Shows::Remedied,
        ),
        (
            NewRecall {
                manufacturer_id: 2,
                number: format!("R-{year}-004"),
                title: "Hallmark Aero laptops: battery cells may overheat".into(),
                hazard: "Cells from one supplier lot can overheat while charging, with a risk of fire.".into(),
                description: "Battery packs built from one lot of 18650 cells are affected, and so is every laptop they were fitted in.".into(),
                remedy: Remedy::Replace,
                remedy_available: true,
                instructions: "Shut the laptop down, unplug it, and request a free replacement battery pack. Do not charge it unattended.".into(),
                severity: Severity::High,
                starts_on: (today - time::Duration::days(30)).to_string(),
            },
            ScopeRule::ComponentLot { lot_id: cell_lot },
            20,
            Shows::Open,
        ),
    ];
    let mut published = Vec::new();
    for (recall, rule, remedied_percent, shows) in recalls {
        let recall_id = insert_draft(&mut *tx, &recall, now).await?;
        insert_rule(&mut *tx, recall_id, &rule).await?;
        recompute_membership(&mut *tx, recall_id).await?;
        mark_published(&mut *tx, recall_id, now).await?;
        if remedied_percent > 0 {
            sqlx::query(
                "UPDATE recall_units SET remedy_status = 'remedied', remedied_on = $3, remedied_by = 'service partner'
                 WHERE recall_id = $1 AND unit_id % 100 < $2",
            )
            .bind(recall_id)
            .bind(remedied_percent as i64)
            .bind(today.to_string())
            .execute(&mut *tx)
            .await?;
        }
        // However few units the recall reaches, the one its sample shows (the first member
        // not reported stolen, open; or the last, remedied) is as the sample needs it.
        let (status, on, by, pick) = match shows {
            Shows::Open => ("open", None, None, "MIN"),
            Shows::Remedied => (
                "remedied",
                Some(today.to_string()),
                Some("service partner"),
                "MAX",
            ),
        };
        sqlx::query(&format!(
            "UPDATE recall_units SET remedy_status = $2, remedied_on = $3, remedied_by = $4
             WHERE recall_id = $1 AND unit_id = (
               SELECT {pick}(ru.unit_id) FROM recall_units ru WHERE ru.recall_id = $1
               AND NOT EXISTS (SELECT 1 FROM theft_reports t WHERE t.unit_id = ru.unit_id))"
        ))
        .bind(recall_id)
        .bind(status)
        .bind(on)
        .bind(by)
        .execute(&mut *tx)
        .await?;
        published.push(recall_id);
    }
    // A closed recall: public, but no longer listed among active ones.
    let closed = NewRecall {
        manufacturer_id: 6,
        number: format!("R-{}-017", year - 2),
        title: "Brightline 55-inch TV remote battery cover may come loose".into(),
        hazard: "Small children could reach the coin battery.".into(),
        description: "Remotes shipped in the first months had a weak cover latch.".into(),
        remedy: Remedy::Replace,
        remedy_available: true,
        instructions: "Replacement remotes were sent to all registered owners.".into(),
        severity: Severity::Medium,
        starts_on: (today - time::Duration::days(700)).to_string(),
    };
    let closed_id = insert_draft(&mut *tx, &closed, now).await?;
    insert_rule(
        &mut *tx,
        closed_id,
        &ScopeRule::ProductionWindow {
            product_id: BL_T55,
            from: today - time::Duration::days(1800),
            to: today - time::Duration::days(1500),
        },
    )
    .await?;
    recompute_membership(&mut *tx, closed_id).await?;
    mark_published(&mut *tx, closed_id, now).await?;
    mark_closed(&mut *tx, closed_id, now).await?;
    // Nobody owns a demo unit yet, so there is no one to tell of the recalls; a lookup
    // service already running forgets what it cached.
    crate::store::lookups::bump_epoch(&mut *tx).await?;
    Ok(published)
}
