//! Counterfeit and clone signals read from the lookup log: a network stepping through the
//! serial space (enumeration) is told apart from ordinary traffic here, as pure functions.

use serde::{Deserialize, Serialize};

/// The fewest distinct serials from one network that can count as enumeration.
pub const MIN_ENUMERATED: usize = 10;

/// A network that looked up a run of neighbouring serials.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enumeration {
    /// The coarse origin (a /24 or /48 network).
    pub origin: String,
    /// Distinct serials of the manufacturer's formats it looked up.
    pub serials: usize,
    pub first: String,
    pub last: String,
}

/// The serial's longest run of digits as a number (the sequence part of most formats).
pub fn numeric_body(serial: &str) -> Option<u64> {
    serial
        .split(|c: char| !c.is_ascii_digit())
        .filter(|run| !run.is_empty() && run.len() <= 18)
        .max_by_key(|run| run.len())
        .and_then(|run| run.parse().ok())
}

/// Whether these distinct serials step through the serial space: at least
/// [`MIN_ENUMERATED`] of them, most neighbours (sorted by their numeric body) 1 to 5 apart.
pub fn looks_sequential(serials: &[String]) -> bool {
    let mut bodies: Vec<u64> = serials.iter().filter_map(|s| numeric_body(s)).collect();
    bodies.sort_unstable();
    bodies.dedup();
    if bodies.len() < MIN_ENUMERATED {
        return false;
    }
    let close = bodies
        .windows(2)
        .filter(|w| (1..=5).contains(&(w[1] - w[0])))
        .count();
    close * 10 >= (bodies.len() - 1) * 7
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serials(bodies: impl Iterator<Item = u64>) -> Vec<String> {
        bodies.map(|b| format!("HL{b:09}X")).collect()
    }

    #[test]
    fn a_run_of_neighbours_is_enumeration_and_scattered_lookups_are_not() {
        assert!(looks_sequential(&serials(100..112)));
        assert!(looks_sequential(&serials((0..15).map(|i| 5_000 + i * 3))));
        assert!(!looks_sequential(&serials(100..105)), "too few");
        assert!(
            !looks_sequential(&serials((0..30).map(|i| i * 7_919))),
            "scattered"
        );
        assert_eq!(numeric_body("HL000000018X"), Some(18));
        assert_eq!(numeric_body("353320110000028"), Some(353_320_110_000_028));
        assert_eq!(numeric_body("ABCDEF"), None);
    }
}
