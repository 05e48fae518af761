//! Recall scope: rules that are data, so "is this unit affected?" has a yes/no answer.
//!
//! The store evaluates the same rules in SQL into per-unit membership; the in-memory
//! [`affected_units`] here is the reference the SQL is tested against.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use time::Date;

/// One rule of a recall's scope. A unit is affected when any rule covers it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ScopeRule {
    /// One serial (normalised), optionally only of one product.
    Serial {
        product_id: Option<i64>,
        serial: String,
    },
    /// Serials `prefix` + a fixed-width numeric body from `from` to `to` (inclusive),
    /// followed by at most a check character.
    SerialRange(SerialRange),
    /// Every unit of a lot.
    Lot { lot_id: i64 },
    /// A product's units made between two dates (inclusive).
    ProductionWindow {
        product_id: i64,
        from: Date,
        to: Date,
    },
    /// Every unit of a component lot and every finished unit containing one, however deep.
    ComponentLot { lot_id: i64 },
    /// A component unit and every finished unit containing it, however deep.
    ComponentSerial { unit_id: i64 },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SerialRange {
    pub product_id: Option<i64>,
    pub prefix: String,
    pub width: u8,
    pub from: u64,
    pub to: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RangeError {
    #[error("The range's start is after its end.")]
    Reversed,
    #[error("The range's numbers do not fit in {0} digits.")]
    TooWide(u8),
    #[error("A range body has 1 to 18 digits.")]
    BadWidth,
}

impl SerialRange {
    pub fn new(
        product_id: Option<i64>,
        prefix: &str,
        width: u8,
        from: u64,
        to: u64,
    ) -> Result<Self, RangeError> {
        if !(1..=18).contains(&width) {
            return Err(RangeError::BadWidth);
        }
        if from > to {
            return Err(RangeError::Reversed);
        }
        if to >= 10u64.pow(u32::from(width)) {
            return Err(RangeError::TooWide(width));
        }
        Ok(Self {
            product_id,
            prefix: prefix.to_owned(),
            width,
            from,
            to,
        })
    }

    /// Bounds `lo <= serial < hi` for comparison as strings: the body is fixed-width digits,
    /// so string order is numeric order, and a trailing check character cannot cross a bound.
    pub fn bounds(&self) -> (String, String) {
        let w = usize::from(self.width);
        let lo = format!("{}{:0w$}", self.prefix, self.from);
        let hi = if self.to + 1 >= 10u64.pow(u32::from(self.width)) {
            // ':' sorts right after '9'.
            format!("{}:", self.prefix)
        } else {
            format!("{}{:0w$}", self.prefix, self.to + 1)
        };
        (lo, hi)
    }

    /// Serial lengths the range can match: the body alone or with one check character.
    pub fn lengths(&self) -> (usize, usize) {
        let n = self.prefix.len() + usize::from(self.width);
        (n, n + 1)
    }

    pub fn covers(&self, product_id: i64, serial: &str) -> bool {
        if self.product_id.is_some_and(|p| p != product_id) {
            return false;
        }
        let (lo, hi) = self.bounds();
        let (short, long) = self.lengths();
        (short..=long).contains(&serial.len()) && lo.as_str() <= serial && serial < hi.as_str()
    }
}

/// What scope evaluation needs to know of a unit.
#[derive(Clone, Debug)]
pub struct UnitFacts {
    pub id: i64,
    pub product_id: i64,
    pub serial: String,
    pub lot_id: Option<i64>,
    pub manufactured_on: Option<Date>,
}

/// A component built into a finished unit: another unit, or a whole lot.
#[derive(Clone, Debug)]
pub enum ComponentLink {
    Unit { parent: i64, child: i64 },
    Lot { parent: i64, lot_id: i64 },
}

/// Every unit a scope covers (the reference evaluation).
pub fn affected_units(
    rules: &[ScopeRule],
    units: &[UnitFacts],
    links: &[ComponentLink],
) -> BTreeSet<i64> {
    let mut parents: HashMap<i64, Vec<i64>> = HashMap::new();
    for link in links {
        if let ComponentLink::Unit { parent, child } = link {
            parents.entry(*child).or_default().push(*parent);
        }
    }
    // Its own visited set: a unit another rule already added still leads to its ancestors.
    let with_ancestors = |seeds: Vec<i64>, out: &mut BTreeSet<i64>| {
        let mut visited = BTreeSet::new();
        let mut stack = seeds;
        while let Some(id) = stack.pop() {
            if visited.insert(id) {
                out.insert(id);
                stack.extend(parents.get(&id).into_iter().flatten().copied());
            }
        }
    };
    let mut affected = BTreeSet::new();
    for rule in rules {
        match rule {
            ScopeRule::Serial { product_id, serial } => affected.extend(
                units
                    .iter()
                    .filter(|u| &u.serial == serial && product_id.is_none_or(|p| p == u.product_id))
                    .map(|u| u.id),
            ),
            ScopeRule::SerialRange(range) => affected.extend(
                units
                    .iter()
                    .filter(|u| range.covers(u.product_id, &u.serial))
                    .map(|u| u.id),
            ),
            ScopeRule::Lot { lot_id } => affected.extend(
                units
                    .iter()
                    .filter(|u| u.lot_id == Some(*lot_id))
                    .map(|u| u.id),
            ),
            ScopeRule::ProductionWindow {
                product_id,
                from,
                to,
            } => affected.extend(
                units
                    .iter()
                    .filter(|u| {
                        u.product_id == *product_id
                            && u.manufactured_on.is_some_and(|d| *from <= d && d <= *to)
                    })
                    .map(|u| u.id),
            ),
            ScopeRule::ComponentLot { lot_id } => {
                let mut seeds: Vec<i64> = units
                    .iter()
                    .filter(|u| u.lot_id == Some(*lot_id))
                    .map(|u| u.id)
                    .collect();
                seeds.extend(links.iter().filter_map(|l| match l {
                    ComponentLink::Lot { parent, lot_id: l } if l == lot_id => Some(*parent),
                    _ => None,
                }));
                with_ancestors(seeds, &mut affected);
            }
            ScopeRule::ComponentSerial { unit_id } => with_ancestors(vec![*unit_id], &mut affected),
        }
    }
    affected
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    fn unit(id: i64, product_id: i64, serial: &str, lot_id: Option<i64>, made: Date) -> UnitFacts {
        UnitFacts {
            id,
            product_id,
            serial: serial.into(),
            lot_id,
            manufactured_on: Some(made),
        }
    }

    fn fleet() -> (Vec<UnitFacts>, Vec<ComponentLink>) {
        let units = vec![
            unit(1, 1, "LT00000101", None, date!(2025 - 01 - 10)),
            unit(2, 1, "LT00000102", None, date!(2025 - 02 - 10)),
            unit(3, 1, "LT00000250", Some(7), date!(2025 - 03 - 10)),
            unit(4, 2, "BP00000001", Some(9), date!(2024 - 12 - 01)), // battery pack, lot 9
            unit(5, 2, "BP00000002", Some(8), date!(2024 - 12 - 01)),
            unit(6, 3, "DK00000001", None, date!(2025 - 04 - 01)), // dock containing laptop 1
            unit(7, 2, "BP00000003", None, date!(2024 - 12 - 01)),
        ];
        let links = vec![
            ComponentLink::Unit {
                parent: 1,
                child: 4,
            },
            ComponentLink::Unit {
                parent: 2,
                child: 5,
            },
            ComponentLink::Unit {
                parent: 6,
                child: 1,
            },
            ComponentLink::Lot {
                parent: 7,
                lot_id: 11,
            }, // pack 7 is built from cell lot 11
            ComponentLink::Unit {
                parent: 3,
                child: 7,
            },
        ];
        (units, links)
    }

    #[test]
    fn each_rule_kind() {
        let (units, links) = fleet();
        let eval = |rule: ScopeRule| {
            affected_units(&[rule], &units, &links)
                .into_iter()
                .collect::<Vec<_>>()
        };
        assert_eq!(
            eval(ScopeRule::Serial {
                product_id: None,
                serial: "LT00000102".into()
            }),
            vec![2]
        );
        assert_eq!(
            eval(ScopeRule::Serial {
                product_id: Some(2),
                serial: "LT00000102".into()
            }),
            Vec::<i64>::new()
        );
        let range = SerialRange::new(Some(1), "LT", 6, 100, 199).unwrap();
        // LT + 6 digits: "LT000001" .. and a 2-char tail; here the serials are 10 long, so
        // the tail "01"/"02" is two characters: not covered.
        assert_eq!(eval(ScopeRule::SerialRange(range)), Vec::<i64>::new());
        let range = SerialRange::new(Some(1), "LT", 8, 100, 199).unwrap();
        assert_eq!(eval(ScopeRule::SerialRange(range)), vec![1, 2]);
        assert_eq!(eval(ScopeRule::Lot { lot_id: 7 }), vec![3]);
        assert_eq!(
            eval(ScopeRule::ProductionWindow {
                product_id: 1,
                from: date!(2025 - 02 - 01),
                to: date!(2025 - 03 - 31)
            }),
            vec![2, 3]
        );
        // Battery lot 9 is in pack 4, which is in laptop 1, which is in dock 6.
        assert_eq!(eval(ScopeRule::ComponentLot { lot_id: 9 }), vec![1, 4, 6]);
        // Cell lot 11 is in pack 7 (lot-level link), which is in laptop 3.
        assert_eq!(eval(ScopeRule::ComponentLot { lot_id: 11 }), vec![3, 7]);
        assert_eq!(eval(ScopeRule::ComponentSerial { unit_id: 5 }), vec![2, 5]);
    }

    #[test]
    fn a_unit_added_by_one_rule_still_reaches_its_ancestors_through_another() {
        let (units, links) = fleet();
        let rules = [
            ScopeRule::Lot { lot_id: 9 },
            ScopeRule::ComponentLot { lot_id: 9 },
        ];
        assert_eq!(
            affected_units(&rules, &units, &links)
                .into_iter()
                .collect::<Vec<_>>(),
            vec![1, 4, 6]
        );
    }

    #[test]
    fn range_bounds_at_the_top() {
        let r = SerialRange::new(None, "X", 3, 990, 999).unwrap();
        assert_eq!(r.bounds(), ("X990".into(), "X:".into()));
        assert!(r.covers(1, "X999Q"));
        assert!(!r.covers(1, "X989Q"));
        assert_eq!(
            SerialRange::new(None, "X", 3, 5, 1000),
            Err(RangeError::TooWide(3))
        );
        assert_eq!(
            SerialRange::new(None, "X", 3, 5, 1),
            Err(RangeError::Reversed)
        );
    }

    proptest! {
        #[test]
        fn range_matches_numeric_comparison(from in 0u64..100_000, len in 0u64..100_000, n in 0u64..1_000_000, check in "[0-9A-Z]?") {
            let to = (from + len).min(999_999);
            let r = SerialRange::new(None, "AB", 6, from, to).unwrap();
            let serial = format!("AB{n:06}{check}");
            prop_assert_eq!(r.covers(1, &serial), from <= n && n <= to);
        }
    }
}
