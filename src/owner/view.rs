//! What "my products" and a product's page show its owner.

use crate::lookup::{RecallNotice, WarrantyInfo};
use crate::read_model::read_model;
use serde::{Deserialize, Serialize};

read_model! {
    /// A theft or loss report on one of my units.
    #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub struct UnitReport {
        /// stolen or lost.
        pub kind: String,
        /// active, recovered, withdrawn …
        pub status: String,
        /// owner, police or staff.
        pub reporter_kind: String,
        pub reported_at: String,
        pub occurred_on: Option<String>,
        pub place: Option<String>,
        pub agency: Option<String>,
        pub case_number: Option<String>,
        /// Filed by this owner (who may then close it).
        pub mine: bool,
    }
}

impl UnitReport {
    /// The day it was reported.
    pub fn reported_on(&self) -> &str {
        self.reported_at.get(..10).unwrap_or(&self.reported_at)
    }

    pub fn is_active(&self) -> bool {
        self.status == "active"
    }
}

/// An open dispute of my registration: someone says the unit is theirs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenDispute {
    pub id: i64,
    /// The day it was filed.
    pub filed_on: String,
    /// I have given my side.
    pub answered: bool,
}

/// One of my units with its live status.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OwnedProduct {
    pub unit_id: i64,
    pub serial: String,
    pub manufacturer: String,
    pub model: String,
    pub name: String,
    /// The day it became mine.
    pub since: String,
    /// registration or transfer.
    pub via: String,
    pub purchase_date: Option<String>,
    pub retailer: Option<String>,
    pub warranty: WarrantyInfo,
    /// Days of warranty left, when it is running.
    pub days_left: Option<i64>,
    /// Its warranty passes to a new owner.
    pub transferable: bool,
    /// Open recalls that cover it.
    pub recalls: Vec<RecallNotice>,
    /// Reports while it was mine, and any still active, newest first.
    pub reports: Vec<UnitReport>,
    /// My proof of purchase (`/files/{id}`).
    pub proof: Option<i64>,
    pub transfer_open_until: Option<String>,
    /// Open disputes of my registration (filled on the product's own page).
    pub disputes: Vec<OpenDispute>,
}

impl OwnedProduct {
    /// The report that flags it now, if any.
    pub fn active_report(&self) -> Option<&UnitReport> {
        self.reports.iter().find(|r| r.is_active())
    }
}
