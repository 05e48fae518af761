//! Warranty policies and records, and the status derived from them (never stored).

use serde::{Deserialize, Serialize};
use time::{Date, Month};

/// The `source` of a warranty record whose start is a purchase date the owner gave and the
/// records do not confirm (no sale on record): shown as the owner's statement, not as fact.
pub const OWNER_STATEMENT: &str = "owner_statement";

/// The `source` of a warranty record started from a purchase date a support agent checked
/// against a proof of purchase (an upheld ownership dispute).
pub const CHECKED_PROOF: &str = "checked_proof";

/// The `source` of a warranty record started from the sale the records hold.
pub const RECORDED_SALE: &str = "recorded_sale";

/// When a product's warranty clock starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarrantyStart {
    Sale,
    Registration,
    Manufacture,
}

impl WarrantyStart {
    pub fn as_str(self) -> &'static str {
        match self {
            WarrantyStart::Sale => "sale",
            WarrantyStart::Registration => "registration",
            WarrantyStart::Manufacture => "manufacture",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "sale" => Some(Self::Sale),
            "registration" => Some(Self::Registration),
            "manufacture" => Some(Self::Manufacture),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarrantyPolicy {
    pub months: u16,
    pub starts: WarrantyStart,
    pub transferable: bool,
}

/// One period of cover: initial, extended or after a repair.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarrantyRecord {
    pub kind: String,
    pub starts_on: Date,
    pub ends_on: Date,
}

/// The warranty status a person sees.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum WarrantyStatus {
    Active {
        ends_on: Date,
    },
    Expired {
        ended_on: Date,
    },
    /// The policy starts at sale or registration and neither has happened yet.
    NotStarted,
    /// The product carries no warranty.
    None,
}

/// Adds calendar months, clamping the day to the target month's length.
pub fn add_months(date: Date, months: u32) -> Date {
    let total = date.year() * 12 + (date.month() as i32 - 1) + months as i32;
    let year = total.div_euclid(12);
    let month = Month::try_from((total.rem_euclid(12) + 1) as u8).unwrap_or(Month::December);
    let day = date.day().min(time::util::days_in_month(month, year));
    Date::from_calendar_date(year, month, day).unwrap_or(date)
}

/// Derives the status from the policy, the unit's records and its manufacture date.
pub fn warranty_status(
    policy: &WarrantyPolicy,
    records: &[WarrantyRecord],
    manufactured_on: Option<Date>,
    today: Date,
) -> WarrantyStatus {
    let derived;
    let records =
        if records.is_empty() && policy.starts == WarrantyStart::Manufacture && policy.months > 0 {
            match manufactured_on {
                Some(made) => {
                    derived = [WarrantyRecord {
                        kind: "initial".into(),
                        starts_on: made,
                        ends_on: add_months(made, u32::from(policy.months)),
                    }];
                    &derived[..]
                }
                None => records,
            }
        } else {
            records
        };
    if records.is_empty() {
        return if policy.months == 0 {
            WarrantyStatus::None
        } else {
            WarrantyStatus::NotStarted
        };
    }
    let covering_end = records
        .iter()
        .filter(|r| r.starts_on <= today && today <= r.ends_on)
        .map(|r| r.ends_on)
        .max();
    if let Some(ends_on) = covering_end {
        // A later record that starts before this one ends extends the cover.
        let mut end = ends_on;
        loop {
            let next = records
                .iter()
                .filter(|r| r.starts_on <= end.next_day().unwrap_or(end) && r.ends_on > end)
                .map(|r| r.ends_on)
                .max();
            match next {
                Some(later) => end = later,
                None => break,
            }
        }
        return WarrantyStatus::Active { ends_on: end };
    }
    let past_end = records
        .iter()
        .filter(|r| r.ends_on < today)
        .map(|r| r.ends_on)
        .max();
    match past_end {
        Some(ended_on) => WarrantyStatus::Expired { ended_on },
        None => WarrantyStatus::NotStarted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    const REGISTRATION_24: WarrantyPolicy = WarrantyPolicy {
        months: 24,
        starts: WarrantyStart::Registration,
        transferable: true,
    };

    fn record(start: Date, end: Date) -> WarrantyRecord {
        WarrantyRecord {
            kind: "initial".into(),
            starts_on: start,
            ends_on: end,
        }
    }

    #[test]
    fn month_arithmetic_clamps() {
        assert_eq!(add_months(date!(2024 - 01 - 31), 1), date!(2024 - 02 - 29));
        assert_eq!(add_months(date!(2023 - 11 - 15), 24), date!(2025 - 11 - 15));
    }

    #[test]
    fn statuses() {
        let today = date!(2026 - 06 - 01);
        assert_eq!(
            warranty_status(&REGISTRATION_24, &[], None, today),
            WarrantyStatus::NotStarted
        );
        let none = WarrantyPolicy {
            months: 0,
            ..REGISTRATION_24
        };
        assert_eq!(
            warranty_status(&none, &[], None, today),
            WarrantyStatus::None
        );
        assert_eq!(
            warranty_status(
                &REGISTRATION_24,
                &[record(date!(2025 - 01 - 01), date!(2027 - 01 - 01))],
                None,
                today
            ),
            WarrantyStatus::Active {
                ends_on: date!(2027 - 01 - 01)
            }
        );
        assert_eq!(
            warranty_status(
                &REGISTRATION_24,
                &[record(date!(2023 - 01 - 01), date!(2025 - 01 - 01))],
                None,
                today
            ),
            WarrantyStatus::Expired {
                ended_on: date!(2025 - 01 - 01)
            }
        );
        // An extension that follows the initial warranty extends the end date.
        assert_eq!(
            warranty_status(
                &REGISTRATION_24,
                &[
                    record(date!(2025 - 01 - 01), date!(2026 - 12 - 31)),
                    record(date!(2027 - 01 - 01), date!(2028 - 01 - 01))
                ],
                None,
                today
            ),
            WarrantyStatus::Active {
                ends_on: date!(2028 - 01 - 01)
            }
        );
        let from_manufacture = WarrantyPolicy {
            starts: WarrantyStart::Manufacture,
            ..REGISTRATION_24
        };
        assert_eq!(
            warranty_status(&from_manufacture, &[], Some(date!(2025 - 03 - 01)), today),
            WarrantyStatus::Active {
                ends_on: date!(2027 - 03 - 01)
            }
        );
    }

    proptest! {
        #[test]
        fn a_single_record_is_active_exactly_within_its_dates(start in 0i32..3000, len in 0i32..2000, probe in 0i32..6000) {
            let base = date!(2020 - 01 - 01);
            let s = base + time::Duration::days(start.into());
            let e = s + time::Duration::days(len.into());
            let t = base + time::Duration::days(probe.into());
            let status = warranty_status(&REGISTRATION_24, &[record(s, e)], None, t);
            match status {
                WarrantyStatus::Active { ends_on } => { prop_assert!(s <= t && t <= e); prop_assert_eq!(ends_on, e); }
                WarrantyStatus::Expired { ended_on } => { prop_assert!(t > e); prop_assert_eq!(ended_on, e); }
                WarrantyStatus::NotStarted => prop_assert!(t < s),
                WarrantyStatus::None => prop_assert!(false),
            }
        }
    }
}
