//! Theft and loss reports: where one stands, and a report as the manufacturer's staff queue
//! shows it. (The police desk's registry entries are in [`crate::police`]; an owner's view of
//! the reports on their unit in [`crate::owner`].)

use serde::{Deserialize, Serialize};

/// Where a theft or loss report stands: active (the unit is reported), or closed as
/// recovered or withdrawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    Active,
    Recovered,
    Withdrawn,
}

impl ReportStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportStatus::Active => "active",
            ReportStatus::Recovered => "recovered",
            ReportStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "active" => Some(Self::Active),
            "recovered" => Some(Self::Recovered),
            "withdrawn" => Some(Self::Withdrawn),
            _ => None,
        }
    }
}

impl std::fmt::Display for ReportStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A report in the manufacturer's queue, with its notes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TheftLine {
    pub id: i64,
    pub unit_id: i64,
    pub serial: String,
    pub model: String,
    pub kind: String,
    pub reporter_kind: String,
    pub agency: Option<String>,
    pub case_number: Option<String>,
    pub place: Option<String>,
    pub occurred_on: Option<String>,
    pub status: ReportStatus,
    pub reported_at: String,
    pub verified_at: Option<String>,
    pub recovered_place: Option<String>,
    /// (at, role, note), oldest first.
    pub notes: Vec<(String, String, String)>,
}
