//! Importing units from CSV: the columns, what each must hold, and the problem a bad row
//! has (line, column, reason). The reading and writing live in `service::import`.

/// What can happen to a unit on its journey.
pub const EVENT_KINDS: [&str; 9] = [
    "manufactured",
    "shipped",
    "received",
    "sold",
    "registered",
    "repaired",
    "returned",
    "transferred",
    "scrapped",
];

/// The statuses a unit can have.
pub const UNIT_STATUSES: [&str; 6] = [
    "in_stock",
    "shipped",
    "sold",
    "registered",
    "returned",
    "scrapped",
];

use crate::serial::Serial;
use serde::{Deserialize, Serialize};
use std::fmt;
use time::Date;

/// The columns a units file must have (in any order; others are ignored).
pub const UNIT_COLUMNS: [&str; 7] = [
    "manufacturer",
    "model",
    "serial",
    "lot",
    "manufactured_on",
    "sold_on",
    "warranty_months",
];

/// The longest warranty a row may give (50 years).
pub const MAX_WARRANTY_MONTHS: u16 = 600;

/// Where each column is in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnitColumns {
    manufacturer: usize,
    model: usize,
    serial: usize,
    lot: usize,
    manufactured_on: usize,
    sold_on: usize,
    warranty_months: usize,
}

impl UnitColumns {
    /// Finds the columns in the header line (names trimmed, any case, a byte-order mark
    /// ignored); the missing ones are the error.
    pub fn from_header(header: &[&str]) -> Result<Self, RowProblem> {
        let names: Vec<String> = header
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').trim().to_lowercase())
            .collect();
        let find = |name: &str| names.iter().position(|n| n == name);
        let missing: Vec<&str> = UNIT_COLUMNS
            .iter()
            .copied()
            .filter(|c| find(c).is_none())
            .collect();
        if !missing.is_empty() {
            return Err(RowProblem::new(
                1,
                "header",
                format!(
                    "missing column{} {} (a units file starts with the line {})",
                    if missing.len() == 1 { "" } else { "s" },
                    missing.join(", "),
                    UNIT_COLUMNS.join(",")
                ),
            ));
        }
        let at = |name: &str| find(name).unwrap_or_default();
        Ok(Self {
            manufacturer: at("manufacturer"),
            model: at("model"),
            serial: at("serial"),
            lot: at("lot"),
            manufactured_on: at("manufactured_on"),
            sold_on: at("sold_on"),
            warranty_months: at("warranty_months"),
        })
    }
}

/// One row of a units file, checked field by field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitRow {
    /// The line the row starts on (the header is line 1).
    pub line: u64,
    pub manufacturer: String,
    pub model: String,
    pub serial: Serial,
    pub lot: Option<String>,
    pub manufactured_on: Option<Date>,
    pub sold_on: Option<Date>,
    pub warranty_months: Option<u16>,
}

/// Why a row (or the file) cannot be imported.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowProblem {
    pub line: u64,
    pub column: String,
    pub reason: String,
}

impl RowProblem {
    pub fn new(line: u64, column: &str, reason: impl Into<String>) -> Self {
        Self {
            line,
            column: column.to_owned(),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for RowProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}: {}", self.line, self.column, self.reason)
    }
}

/// A text field of at most `max` characters, without control characters.
fn text(line: u64, column: &str, value: &str, max: usize) -> Result<String, RowProblem> {
    let value = value.trim();
    if value.chars().count() > max {
        return Err(RowProblem::new(
            line,
            column,
            format!("at most {max} characters"),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(RowProblem::new(line, column, "contains control characters"));
    }
    Ok(value.to_owned())
}

fn required(line: u64, column: &str, value: &str, max: usize) -> Result<String, RowProblem> {
    let value = text(line, column, value, max)?;
    if value.is_empty() {
        return Err(RowProblem::new(line, column, "is empty"));
    }
    Ok(value)
}

fn date(line: u64, column: &str, value: &str) -> Result<Option<Date>, RowProblem> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(value, &format).map(Some).map_err(|_| {
        RowProblem::new(
            line,
            column,
            format!("'{value}' is not a date (use YYYY-MM-DD)"),
        )
    })
}

impl UnitRow {
    /// Checks one record's fields; `today` bounds the dates (nothing made or sold later).
    pub fn parse(
        line: u64,
        columns: &UnitColumns,
        fields: &[&str],
        today: Date,
    ) -> Result<Self, RowProblem> {
        let field = |i: usize| fields.get(i).copied().unwrap_or_default();
        let manufacturer = required(line, "manufacturer", field(columns.manufacturer), 100)?;
        let model = required(line, "model", field(columns.model), 100)?;
        let raw_serial = field(columns.serial);
        if raw_serial.trim().is_empty() {
            return Err(RowProblem::new(line, "serial", "is empty"));
        }
        let serial = Serial::parse(raw_serial)
            .map_err(|e| RowProblem::new(line, "serial", e.to_string()))?;
        let lot = Some(text(line, "lot", field(columns.lot), 40)?).filter(|l| !l.is_empty());
        let manufactured_on = date(line, "manufactured_on", field(columns.manufactured_on))?;
        let sold_on = date(line, "sold_on", field(columns.sold_on))?;
        for (column, day) in [("manufactured_on", manufactured_on), ("sold_on", sold_on)] {
            if day.is_some_and(|d| d > today) {
                return Err(RowProblem::new(line, column, "is in the future"));
            }
        }
        if let (Some(made), Some(sold)) = (manufactured_on, sold_on)
            && sold < made
        {
            return Err(RowProblem::new(
                line,
                "sold_on",
                "is before manufactured_on",
            ));
        }
        let months = field(columns.warranty_months).trim();
        let warranty_months = if months.is_empty() {
            None
        } else {
            match months.parse::<u16>() {
                Ok(m) if m <= MAX_WARRANTY_MONTHS => Some(m),
                _ => {
                    return Err(RowProblem::new(
                        line,
                        "warranty_months",
                        format!(
                            "'{months}' is not a number of months from 0 to {MAX_WARRANTY_MONTHS}"
                        ),
                    ));
                }
            }
        };
        Ok(Self {
            line,
            manufacturer,
            model,
            serial,
            lot,
            manufactured_on,
            sold_on,
            warranty_months,
        })
    }
}

/// An import started from the staff screens, as its page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportJob {
    pub id: i64,
    pub file_name: String,
    pub dry_run: bool,
    /// running, done or failed.
    pub state: String,
    /// What it has done so far (all of it once done).
    pub summary: ImportSummary,
    pub error: Option<String>,
    pub created_at: String,
    pub finished_at: Option<String>,
}

impl ImportJob {
    pub fn is_running(&self) -> bool {
        self.state == "running"
    }
}

/// What an import did (or, in a dry run, would do).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSummary {
    /// Rows read (the header not counted).
    pub rows: u64,
    pub created: u64,
    pub updated: u64,
    /// Rows that matched a unit exactly as it is.
    pub unchanged: u64,
    pub rejected: u64,
    /// Manufacturers and products made for the file (`--create-missing`).
    pub created_manufacturers: u64,
    pub created_products: u64,
    /// The first [`PROBLEMS_LISTED`] rejected rows, in file order (`rejected` counts them all).
    pub problems: Vec<RowProblem>,
    pub dry_run: bool,
}

/// Problems listed for one file; the rest are only counted, so a file of a million bad rows
/// costs a short list, not a million reasons held in memory and sent back.
pub const PROBLEMS_LISTED: usize = 1_000;

impl ImportSummary {
    /// Counts a rejected row; its problem is listed while the list is short.
    pub fn reject(&mut self, problem: RowProblem) {
        self.rejected += 1;
        if self.problems.len() < PROBLEMS_LISTED {
            self.problems.push(problem);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns() -> UnitColumns {
        UnitColumns::from_header(&UNIT_COLUMNS).expect("the columns")
    }

    fn today() -> Date {
        time::macros::date!(2026 - 11 - 21)
    }

    #[test]
    fn header_in_any_order_with_extras() {
        let header = [
            "\u{feff}Serial",
            "extra",
            "MODEL",
            "manufacturer",
            "lot",
            "sold_on",
            "manufactured_on",
            "warranty_months",
        ];
        let c = UnitColumns::from_header(&header).expect("columns");
        assert_eq!((c.serial, c.model, c.manufacturer), (0, 2, 3));
        let missing = UnitColumns::from_header(&["manufacturer", "model", "serial"]).unwrap_err();
        assert_eq!(missing.line, 1);
        assert!(
            missing
                .to_string()
                .starts_with("line 1: header: missing columns lot")
        );
    }

    #[test]
    fn rows_and_their_problems() {
        let c = columns();
        let row = UnitRow::parse(
            2,
            &c,
            &[
                "nordvik",
                "NV-X1",
                " ab-12 ",
                "L1",
                "2026-01-02",
                "2026-02-03",
                "24",
            ],
            today(),
        )
        .expect("a good row");
        assert_eq!(row.serial.normalised(), "AB12");
        assert_eq!(row.warranty_months, Some(24));
        let problem = |fields: [&str; 7]| {
            UnitRow::parse(7, &c, &fields, today())
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            problem(["", "m", "s", "", "", "", ""]),
            "line 7: manufacturer: is empty"
        );
        assert_eq!(
            problem(["a", "m", "", "", "", "", ""]),
            "line 7: serial: is empty"
        );
        assert!(problem(["a", "m", "AB<1", "", "", "", ""]).starts_with("line 7: serial: "));
        assert!(
            problem(["a", "m", "S1", "", "21/11/2026", "", ""])
                .contains("manufactured_on: '21/11/2026' is not a date")
        );
        assert_eq!(
            problem(["a", "m", "S1", "", "2027-01-01", "", ""]),
            "line 7: manufactured_on: is in the future"
        );
        assert_eq!(
            problem(["a", "m", "S1", "", "2026-05-01", "2026-04-01", ""]),
            "line 7: sold_on: is before manufactured_on"
        );
        assert!(
            problem(["a", "m", "S1", "", "", "", "-3"])
                .starts_with("line 7: warranty_months: '-3'")
        );
        assert!(problem(["a", "m", "S1", "", "", "", "601"]).contains("from 0 to 600"));
        // A short row: the missing fields are empty.
        assert_eq!(
            UnitRow::parse(9, &c, &["a", "m"], today())
                .unwrap_err()
                .to_string(),
            "line 9: serial: is empty"
        );
    }
}
