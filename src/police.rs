//! The stolen registry as the police desk sees it: how a search matched an entry (exact,
//! look-alike, close, part), and what a case file shows. The matching is pure, so it is
//! tested here on fixed sets; the service applies it to the active reports.

use crate::serial::fold_lookalikes;
use serde::{Deserialize, Serialize};

/// How a registry entry matched a search.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum MatchKind {
    /// The same serial once normalised.
    Exact,
    /// The same once look-alike characters are folded (O/0, I/L/1, S/5, Z/2, B/8).
    LookAlike,
    /// One or two characters apart (edit distance, after folding).
    Close(u8),
    /// The search is part of the serial, or the serial part of the search.
    Substring,
}

impl MatchKind {
    pub fn label(self) -> String {
        match self {
            MatchKind::Exact => "exact".into(),
            MatchKind::LookAlike => "look-alike characters".into(),
            MatchKind::Close(1) => "close: 1 character apart".into(),
            MatchKind::Close(n) => format!("close: {n} characters apart"),
            MatchKind::Substring => "part of the serial".into(),
        }
    }
}

/// The edit distance between two strings, or `None` when it is over `limit`.
pub fn edit_distance(a: &str, b: &str, limit: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            current[j + 1] = (previous[j] + cost)
                .min(previous[j + 1] + 1)
                .min(current[j] + 1);
        }
        if current.iter().min().is_some_and(|m| *m > limit) {
            return None;
        }
        previous = current;
    }
    previous.last().copied().filter(|d| *d <= limit)
}

/// How `candidate` (a normalised serial) matches the normalised `query`, if it does.
pub fn match_kind(query: &str, candidate: &str) -> Option<MatchKind> {
    if query == candidate {
        return Some(MatchKind::Exact);
    }
    let (fq, fc) = (fold_lookalikes(query), fold_lookalikes(candidate));
    if fq == fc {
        return Some(MatchKind::LookAlike);
    }
    if let Some(d) = edit_distance(&fq, &fc, 2) {
        return Some(MatchKind::Close(d as u8));
    }
    let shorter = query.len().min(candidate.len());
    if shorter >= 5 && (fc.contains(&fq) || fq.contains(&fc)) {
        return Some(MatchKind::Substring);
    }
    None
}

crate::read_model::read_model! {
/// A stolen-registry entry as the desk shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryEntry {
    pub report_id: i64,
    pub unit_id: i64,
    pub serial: String,
    pub manufacturer: String,
    pub model: String,
    pub kind: String,
    pub status: crate::theft::ReportStatus,
    pub reporter_kind: String,
    pub agency: Option<String>,
    pub case_number: Option<String>,
    pub occurred_on: Option<String>,
    pub place: Option<String>,
    pub reported_at: String,
    pub recovered_place: Option<String>,
}
}

/// A report's page: the entry, whether an owner is on record, and the unit's lookups (when,
/// from which coarse area, by which channel).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseFile {
    pub entry: RegistryEntry,
    pub owner_on_record: bool,
    /// (at, coarse area, channel, hits), newest first.
    pub lookups: Vec<(String, String, String, i64)>,
}

/// Whether two agency names are the same agency as people type them: case and spacing aside.
pub fn same_agency(a: &str, b: &str) -> bool {
    let fold = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    !fold(a).is_empty() && fold(a) == fold(b)
}

/// Whether the police desk may close (mark recovered, or withdraw) a report naming
/// `report_agency`: an administrator may, and an officer of that agency; otherwise why not.
pub fn may_close(
    report_agency: Option<&str>,
    officer_agency: Option<&str>,
    admin: bool,
) -> Result<(), String> {
    if admin {
        return Ok(());
    }
    match (report_agency, officer_agency) {
        (Some(theirs), Some(ours)) if same_agency(theirs, ours) => Ok(()),
        (Some(theirs), _) => Err(format!(
            "This report is {theirs}'s: only its officers, or an administrator, can close it. \
             You can still ask the owner to contact you."
        )),
        (None, _) => Err(
            "This report names no police agency: its owner, the manufacturer or an administrator can close it."
                .into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_are_labelled_by_how_they_match() {
        assert_eq!(
            match_kind("HL00000018X", "HL00000018X"),
            Some(MatchKind::Exact)
        );
        assert_eq!(
            match_kind("HLOOOOOO18X", "HL00000018X"),
            Some(MatchKind::LookAlike)
        );
        assert_eq!(
            match_kind("HL00000019X", "HL00000018X"),
            Some(MatchKind::Close(1))
        );
        assert_eq!(
            match_kind("HL0000001X", "HL00000018X"),
            Some(MatchKind::Close(1))
        );
        assert_eq!(
            match_kind("HL00000918Y", "HL00000018X"),
            Some(MatchKind::Close(2))
        );
        assert_eq!(
            match_kind("00000018", "HL00000018X"),
            Some(MatchKind::Substring)
        );
        assert_eq!(match_kind("HL99999999X", "HL00000018X"), None);
        assert_eq!(
            match_kind("0018", "HL00000018X"),
            None,
            "short parts match too much"
        );
    }

    #[test]
    fn edit_distance_stops_at_the_limit() {
        assert_eq!(edit_distance("kitten", "sitting", 3), Some(3));
        assert_eq!(edit_distance("kitten", "sitting", 2), None);
        assert_eq!(edit_distance("", "ab", 2), Some(2));
        assert_eq!(edit_distance("abc", "abc", 0), Some(0));
    }
}
