//! The staff dashboard: one manufacturer's records at a glance, read in one round.

use crate::format::FormatVerdict;
use crate::overview::Overview;
use crate::recall::RecallStatus;
use crate::store::{Db, StoreResult, catalogue, import, lookups, recalls, thefts};

/// Serials not found in the last 30 days that are read to find counterfeit candidates.
const NOT_FOUND_SCANNED: i64 = 20_000;

/// The dashboard of `manufacturer`.
pub async fn overview(db: &Db, manufacturer: i64) -> StoreResult<Overview> {
    let today = crate::store::today();
    let first = today - time::Duration::days(29);
    let since = first.to_string();
    let ((name, units), recall_list, products, theft_list, daily, not_found, signals) = tokio::try_join!(
        import::manufacturer_overview(db, manufacturer),
        recalls::staff_list(db, manufacturer),
        catalogue::list_products(db, manufacturer),
        thefts::staff_queue(db, manufacturer, false),
        lookups::daily_for_manufacturer(db, manufacturer, &since),
        lookups::not_found_since(db, &since, NOT_FOUND_SCANNED),
        super::counterfeits::signals(db, manufacturer),
    )?;
    let days = (0..30)
        .map(|i| {
            let day = (first + time::Duration::days(i)).to_string();
            let hits = daily.iter().find(|(d, _)| *d == day).map_or(0, |(_, n)| *n);
            (day, hits)
        })
        .collect();
    let counterfeit: Vec<(String, i64, String)> = not_found
        .into_iter()
        .filter_map(|(serial, hits)| {
            products
                .iter()
                .find(|p| p.spec.format.check(&serial) == FormatVerdict::Valid)
                .map(|p| (serial, hits, p.spec.model.clone()))
        })
        .collect();
    Ok(Overview {
        manufacturer: name,
        units,
        recalls: recall_list
            .into_iter()
            .filter(|r| r.status == RecallStatus::Active)
            .map(|r| (r.id, r.number, r.title, r.members, r.remedied))
            .collect(),
        open_thefts: theft_list.len() as i64,
        daily: days,
        counterfeit_total: counterfeit.len(),
        counterfeit: counterfeit.into_iter().take(20).collect(),
        widespread: signals.widespread,
        enumerations: signals.enumerations,
        marks: signals.marks,
    })
}
