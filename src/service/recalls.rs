//! The public recall listing and pages.

use crate::recall::{RecallDetail, RecallFilter, RecallSummary};
use crate::store::{Db, StoreResult, recalls};

/// Longest search text we accept; longer input is cut, not refused.
const MAX_FILTER_LEN: usize = 100;

pub async fn search(db: &Db, filter: RecallFilter) -> StoreResult<Vec<RecallSummary>> {
    let clip = |s: Option<String>| {
        s.map(|s| {
            s.chars()
                .filter(|c| !c.is_control())
                .take(MAX_FILTER_LEN)
                .collect::<String>()
        })
    };
    let filter = RecallFilter {
        text: clip(filter.text),
        manufacturer: clip(filter.manufacturer),
        product: clip(filter.product),
    };
    recalls::list_public(db, &filter).await
}

/// Whether a path segment can be a recall number or a manufacturer's slug at all (anything
/// else is answered "not found" without a query).
fn plausible(text: &str) -> bool {
    !text.is_empty() && text.len() <= 40 && !text.chars().any(char::is_control)
}

/// A manufacturer's published recall, for its public page and the API.
pub async fn detail(
    db: &Db,
    manufacturer_slug: &str,
    number: &str,
) -> StoreResult<Option<RecallDetail>> {
    if !plausible(manufacturer_slug) || !plausible(number) {
        return Ok(None);
    }
    recalls::public_detail(db, manufacturer_slug, number).await
}

/// The manufacturers (slugs) with a published recall of this number: where an old
/// one-segment link `/recalls/{number}` leads.
pub async fn makers_numbered(db: &Db, number: &str) -> StoreResult<Vec<String>> {
    if !plausible(number) {
        return Ok(Vec::new());
    }
    recalls::makers_with_number(db, number).await
}

/// The manufacturers with an active recall, as (slug, name): the recall search's menu.
pub async fn manufacturers_with_recalls(db: &Db) -> StoreResult<Vec<(String, String)>> {
    crate::store::catalogue::manufacturers_with_recalls(db).await
}
