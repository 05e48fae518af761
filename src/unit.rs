//! A serialised unit's record as its manufacturer's staff and the support desk see it: what
//! it is, where it has been, what it contains, its warranties, owners (never who), recalls,
//! theft reports and lookups. The rules that change a unit are in `service::units`.

use serde::{Deserialize, Serialize};

/// A journey event: (kind, at, place, actor, note).
pub type JourneyRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);
/// A theft report: (kind, status, reported_at, reporter kind, agency, case number).
pub type TheftRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
);

/// A unit's whole record, for its manufacturer's staff: no owner's identity, only that an
/// owner is on record and since when.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitRecord {
    pub id: i64,
    pub serial: String,
    pub product_id: i64,
    pub model: String,
    pub product_name: String,
    pub lot: Option<String>,
    pub status: String,
    pub location: Option<String>,
    pub manufactured_on: Option<String>,
    pub revision: Option<String>,
    pub created_at: String,
    /// (kind, at, place, actor, note), oldest first.
    pub journey: Vec<JourneyRow>,
    /// Components: ("unit" or "lot", serial or lot code, model).
    pub contains: Vec<(String, String, String)>,
    /// Finished units this one is built into: (unit id, serial, model).
    pub built_into: Vec<(i64, String, String)>,
    /// (kind, starts_on, ends_on, source).
    pub warranties: Vec<(String, String, String, String)>,
    /// (started_at, ended_at, via).
    pub ownership: Vec<(String, Option<String>, String)>,
    /// (number, recall status, remedy status).
    pub recalls: Vec<(String, String, String)>,
    /// (kind, status, reported_at, reporter kind, agency, case number).
    pub thefts: Vec<TheftRow>,
    /// (at, result, channel, hits), newest first.
    pub lookups: Vec<(String, String, String, i64)>,
    pub lookups_total: i64,
}
