//! A stock audit as its page shows it: the serials scanned at a location set against the
//! records.

use serde::{Deserialize, Serialize};

/// The comparison, each list sorted by serial.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockReport {
    pub location: String,
    pub scanned: usize,
    /// (serial, model)
    pub matched: Vec<(String, String)>,
    pub missing: Vec<(String, String)>,
    /// (serial, model, where the records place it or its status)
    pub unexpected: Vec<(String, String, String)>,
    /// Scanned text that is no unit of ours.
    pub unknown: Vec<String>,
    /// (serial, times scanned) for serials scanned more than once.
    pub duplicates: Vec<(String, usize)>,
    pub applied_at: Option<String>,
    pub created_at: String,
}

impl StockReport {
    /// Whether its result has been recorded as "received here" journey events.
    pub fn applied(&self) -> bool {
        self.applied_at.is_some()
    }
}
