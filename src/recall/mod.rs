//! Recalls: what they say to the public, and (in `scope`) which units they cover.

pub mod forms;
pub mod scope;
pub mod view;

pub use view::{Notice, StaffRecall, StaffRecallDetail};

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub enum Remedy {
    Repair,
    Replace,
    Refund,
}

impl Remedy {
    pub fn as_str(self) -> &'static str {
        match self {
            Remedy::Repair => "repair",
            Remedy::Replace => "replace",
            Remedy::Refund => "refund",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "repair" => Some(Self::Repair),
            "replace" => Some(Self::Replace),
            "refund" => Some(Self::Refund),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Remedy::Repair => "Free repair",
            Remedy::Replace => "Free replacement",
            Remedy::Refund => "Refund",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub enum RecallStatus {
    Draft,
    Active,
    Closed,
}

impl RecallStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RecallStatus::Draft => "draft",
            RecallStatus::Active => "active",
            RecallStatus::Closed => "closed",
        }
    }
}

/// Where one affected unit stands with the recall's remedy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub enum RemedyStatus {
    Open,
    RemedyUnavailable,
    Remedied,
}

impl RemedyStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RemedyStatus::Open => "open",
            RemedyStatus::RemedyUnavailable => "remedy_unavailable",
            RemedyStatus::Remedied => "remedied",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "open" => Some(Self::Open),
            "remedy_unavailable" => Some(Self::RemedyUnavailable),
            "remedied" => Some(Self::Remedied),
            _ => None,
        }
    }

    /// What the status means for the person holding the unit.
    pub fn label(self) -> &'static str {
        match self {
            RemedyStatus::Open => "Open — this unit still needs the remedy",
            RemedyStatus::RemedyUnavailable => {
                "Remedy not yet available — stop using the unit as instructed; you will be told when the remedy is ready"
            }
            RemedyStatus::Remedied => "Remedied — the remedy has been carried out on this unit",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "low" => Some(Self::Low),
            "medium" => Some(Self::Medium),
            "high" => Some(Self::High),
            "critical" => Some(Self::Critical),
            _ => None,
        }
    }
}

/// A recall as listed publicly.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct RecallSummary {
    /// Unique within its manufacturer (two manufacturers may each have an R-2026-001).
    pub number: String,
    pub title: String,
    pub hazard: String,
    pub remedy: Remedy,
    pub severity: Severity,
    pub status: RecallStatus,
    pub manufacturer: String,
    pub products: Vec<ProductRef>,
    pub starts_on: String,
    /// Its public page: `/recalls/{manufacturer}/{number}`.
    pub path: String,
}

/// The path of a recall's public page, which names the manufacturer and the number (a `/`
/// in the number escaped, so it stays one segment).
pub fn page_path(manufacturer_slug: &str, number: &str) -> String {
    format!(
        "/recalls/{manufacturer_slug}/{}",
        number.replace('%', "%25").replace('/', "%2F")
    )
}

/// A recall's public page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct RecallDetail {
    pub summary: RecallSummary,
    pub description: String,
    pub instructions: String,
    pub remedy_available: bool,
    pub published_at: Option<String>,
    pub closed_at: Option<String>,
    pub affected_units: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ProductRef {
    pub model: String,
    pub name: String,
    pub gtin: Option<String>,
}

/// The public recall search.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecallFilter {
    pub text: Option<String>,
    pub manufacturer: Option<String>,
    pub product: Option<String>,
}

impl RecallStatus {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "draft" => Some(Self::Draft),
            "active" => Some(Self::Active),
            "closed" => Some(Self::Closed),
            _ => None,
        }
    }
}
