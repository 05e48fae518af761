//! What the claim screens show: a claim in a list, one claim with its history and photos,
//! a unit's repairs, the agents' unit search and the warranty expiry report.

use crate::read_model::read_model;
use serde::{Deserialize, Serialize};

read_model! {
    /// A claim as lists show it.
    #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Claim {
        pub id: i64,
        pub unit_id: i64,
        pub serial: String,
        pub manufacturer: String,
        pub model: String,
        /// Whose claim it is: checked on the server, never sent to the browser.
        #[serde(skip)]
        pub owner_user_id: Option<i64>,
        pub status: String,
        pub description: String,
        /// Filed while the unit was under warranty (otherwise a paid repair request).
        pub in_warranty: bool,
        pub created_at: String,
        pub updated_at: String,
    }
}

impl Claim {
    /// The day it was filed.
    pub fn filed_on(&self) -> &str {
        day_of(&self.created_at)
    }

    /// The day of its last change.
    pub fn changed_on(&self) -> &str {
        day_of(&self.updated_at)
    }
}

read_model! {
    /// A step in a claim's history.
    #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub struct ClaimEvent {
        pub at: String,
        pub status: String,
        pub note: Option<String>,
        /// The role of whoever made the step: owner, agent, system.
        pub actor_role: String,
        /// A note for agents only.
        pub internal: bool,
    }
}

impl ClaimEvent {
    /// When, to the minute ("2026-11-02 14:05").
    pub fn when(&self) -> String {
        self.at.get(..16).unwrap_or(&self.at).replace('T', " ")
    }
}

read_model! {
    /// A stored file a page links to (`/files/{id}`).
    #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub struct FileLink {
        pub id: i64,
        pub filename: String,
    }
}

/// One claim with its history (oldest first) and photos.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClaimDetail {
    pub claim: Claim,
    pub history: Vec<ClaimEvent>,
    pub photos: Vec<FileLink>,
}

/// A claim as the support desk sees it: with internal notes and the claimant's e-mail.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClaimOnDesk {
    pub detail: ClaimDetail,
    pub owner_email: Option<String>,
}

/// A unit's claims (newest first), repairs (newest first) and the current owner's proof of
/// purchase, as the support desk sees them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UnitClaims {
    pub claims: Vec<Claim>,
    pub repairs: Vec<RepairRecord>,
    pub proof: Option<FileLink>,
}

read_model! {
    /// A repair logged on a unit.
    #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub struct RepairRecord {
        pub at: String,
        pub description: String,
        /// The parts replaced, as the agent listed them.
        pub parts: Option<String>,
    }
}

impl RepairRecord {
    /// The day of the repair.
    pub fn day(&self) -> &str {
        day_of(&self.at)
    }
}

read_model! {
    /// A unit an agent's search found.
    #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub struct FoundUnit {
        pub id: i64,
        pub serial: String,
        pub manufacturer: String,
        pub model: String,
        /// "exact", or "look-alike" (O for 0, I or L for 1 and the like).
        pub how: String,
    }
}

read_model! {
    /// A line of the warranty expiry report.
    #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
    pub struct ExpiryLine {
        pub unit_id: i64,
        pub serial: String,
        pub manufacturer: String,
        pub model: String,
        pub ends_on: String,
        /// Someone has registered the unit (it has a current owner).
        pub registered: bool,
    }
}

/// The date part of a stored instant.
fn day_of(instant: &str) -> &str {
    instant.get(..10).unwrap_or(instant)
}
