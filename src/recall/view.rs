//! What the recall screens show an owner: the notices a recall sent them.

use super::{RecallStatus, Remedy, Severity};
use crate::read_model::read_model;
use serde::{Deserialize, Serialize};

read_model! {
    /// A recall notice as its owner sees it.
    #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Notice {
        pub id: i64,
        pub unit_id: i64,
        pub serial: String,
        pub model: String,
        /// The recall's number (R-2026-001) and its manufacturer's slug: its public page.
        pub number: String,
        pub manufacturer_slug: String,
        pub title: String,
        pub instructions: String,
        /// This unit's remedy in the recall (open, in_progress, remedied …).
        pub remedy_status: Option<String>,
        pub created_at: String,
        pub read_at: Option<String>,
    }
}

impl Notice {
    /// The recall's public page.
    pub fn path(&self) -> String {
        super::page_path(&self.manufacturer_slug, &self.number)
    }

    /// The day the notice came.
    pub fn received_on(&self) -> &str {
        self.created_at.get(..10).unwrap_or(&self.created_at)
    }

    pub fn is_read(&self) -> bool {
        self.read_at.is_some()
    }
}

read_model! {
    /// A recall as its manufacturer's staff see it: its text, where it is in its life, and
    /// how far the remedy has got.
    #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub struct StaffRecall {
        pub id: i64,
        pub number: String,
        pub title: String,
        pub hazard: String,
        pub description: String,
        pub remedy: Remedy,
        pub remedy_available: bool,
        pub instructions: String,
        pub severity: Severity,
        pub status: RecallStatus,
        pub starts_on: String,
        pub published_at: Option<String>,
        pub closed_at: Option<String>,
        /// Units in its scope, and those remedied.
        pub members: i64,
        pub remedied: i64,
    }
}

impl StaffRecall {
    pub fn is_draft(&self) -> bool {
        self.status == RecallStatus::Draft
    }
}

/// A recall's staff page: the recall, its scope rules in words, and either what a draft's
/// scope covers now or a published recall's remedy progress.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffRecallDetail {
    pub recall: StaffRecall,
    /// (rule id, the rule in words).
    pub rules: Vec<(i64, String)>,
    /// For a draft: (units the scope covers now, a sample of (serial, model)).
    pub preview: Option<(i64, Vec<(String, String)>)>,
    /// For a published recall: members by remedy status, and how many have an owner.
    pub counts: Vec<(String, i64)>,
    pub reach: i64,
}
