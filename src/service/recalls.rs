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

pub async fn detail(db: &Db, number: &str) -> StoreResult<Option<RecallDetail>> {
    if number.is_empty() || number.len() > 40 || number.chars().any(char::is_control) {
        return Ok(None);
    }
    recalls::public_detail(db, number).await
}
