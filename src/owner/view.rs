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
        pub status: crate::theft::ReportStatus,
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
        self.status == crate::theft::ReportStatus::Active
    }
}

read_model! {
    /// An ownership dispute: a registration someone else says is wrongly theirs, with both
    /// sides' statements. The accounts involved and the registration's end stay on the server
    /// (`serde(skip)`): no screen shows them, the service decides with them.
    #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Dispute {
        pub id: i64,
        pub unit_id: i64,
        #[serde(skip)]
        pub ownership_id: i64,
        #[serde(skip)]
        pub claimant_user_id: i64,
        /// The registered owner's account (of the disputed ownership).
        #[serde(skip)]
        pub owner_user_id: i64,
        pub serial: String,
        pub manufacturer: String,
        pub model: String,
        pub purchase_date: String,
        pub retailer: String,
        pub statement: String,
        pub owner_reply: Option<String>,
        /// open, upheld or rejected.
        pub status: String,
        /// For an upheld dispute: reassigned or ended.
        pub outcome: Option<String>,
        pub decision_note: Option<String>,
        pub decided_at: Option<String>,
        pub created_at: String,
        /// The disputed registration: when it started and ended, and what its owner said.
        pub registered_at: String,
        #[serde(skip)]
        pub registration_ended_at: Option<String>,
        pub registered_purchase_date: Option<String>,
        pub registered_retailer: Option<String>,
        /// The claimant's proof of purchase (attachment id).
        pub proof_id: Option<i64>,
    }
}

fn day(at: &str) -> &str {
    at.get(..10).unwrap_or(at)
}

impl Dispute {
    pub fn filed_on(&self) -> &str {
        day(&self.created_at)
    }

    pub fn decided_on(&self) -> Option<&str> {
        self.decided_at.as_deref().map(day)
    }

    pub fn registered_on(&self) -> &str {
        day(&self.registered_at)
    }

    pub fn is_open(&self) -> bool {
        self.status == "open"
    }

    /// Its state in words.
    pub fn state_words(&self) -> &'static str {
        match (self.status.as_str(), self.outcome.as_deref()) {
            ("open", _) => "waiting for a support agent",
            ("upheld", Some("reassigned")) => "upheld: the unit was registered to the claimant",
            ("upheld", _) => "upheld: the registration was ended",
            _ => "rejected: the registration stands",
        }
    }

    /// What the claimant sees: what they sent and the decision, not the owner's side.
    pub fn for_claimant(self) -> Self {
        Self {
            owner_reply: None,
            registered_purchase_date: None,
            registered_retailer: None,
            ..self
        }
    }
}

/// A dispute as the support desk sees it: both sides, the owner's files and both parties'
/// e-mail addresses.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisputeOnDesk {
    pub dispute: Dispute,
    /// The files the registered owner gave: with the registration and with their replies.
    pub owner_proof_ids: Vec<i64>,
    pub claimant: Option<String>,
    pub owner: Option<String>,
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
