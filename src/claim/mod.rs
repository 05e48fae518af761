//! Warranty claims' statuses and the moves between them (the server enforces them; pages
//! offer the same choices), and what the claim screens show ([`view`]).

pub mod view;

pub use view::{
    Claim, ClaimDetail, ClaimEvent, ClaimOnDesk, ExpiryLine, FileLink, FoundUnit, RepairRecord,
    UnitClaims,
};

/// A claim's statuses, in the order they usually come.
pub const STATUSES: [&str; 6] = [
    "new",
    "in_review",
    "approved",
    "rejected",
    "repaired",
    "closed",
];

/// The statuses a claim may move to from `from`.
pub fn next_statuses(from: &str) -> &'static [&'static str] {
    match from {
        "new" => &["in_review", "approved", "rejected", "closed"],
        "in_review" => &["approved", "rejected", "closed"],
        "approved" => &["repaired", "rejected", "closed"],
        "rejected" => &["in_review", "closed"],
        "repaired" => &["closed"],
        "closed" => &["in_review"],
        _ => &[],
    }
}

/// How a status reads to a person.
pub fn status_label(status: &str) -> &'static str {
    match status {
        "new" => "new",
        "in_review" => "in review",
        "approved" => "approved",
        "rejected" => "rejected",
        "repaired" => "repaired",
        "closed" => "closed",
        _ => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_move_leads_to_a_known_status_and_closed_claims_can_reopen() {
        for from in STATUSES {
            for to in next_statuses(from) {
                assert!(STATUSES.contains(to), "{from} -> {to}");
                assert_ne!(from, *to);
            }
        }
        assert_eq!(next_statuses("closed"), &["in_review"]);
        assert!(!next_statuses("new").contains(&"repaired"));
        assert_eq!(status_label("in_review"), "in review");
    }
}
