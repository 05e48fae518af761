//! What the recall screens show an owner: the notices a recall sent them.

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
