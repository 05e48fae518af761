//! The staff recall forms: a recall's text, and one scope rule as typed (before the store
//! resolves model numbers, lot codes and serials to records).

use super::{Remedy, RemedyStatus, Severity};
use crate::catalogue::{Problems, optional_date};
use crate::serial::Serial;
use serde::{Deserialize, Serialize};
use time::Date;

/// Serials one rule may list (more: import them as a lot, or use several rules).
pub const MAX_LISTED_SERIALS: usize = 10_000;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RecallForm {
    pub number: String,
    pub title: String,
    pub hazard: String,
    pub description: String,
    pub remedy: String,
    /// "on" when the remedy can be had now.
    pub remedy_available: String,
    pub instructions: String,
    pub severity: String,
    pub starts_on: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecallText {
    pub number: String,
    pub title: String,
    pub hazard: String,
    pub description: String,
    pub remedy: Remedy,
    pub remedy_available: bool,
    pub instructions: String,
    pub severity: Severity,
    pub starts_on: Date,
}

fn required(
    problems: &mut Problems,
    field: &'static str,
    label: &str,
    value: &str,
    max: usize,
) -> String {
    let value = value.trim();
    if value.is_empty() {
        problems.push((field, format!("Enter the {label}.")));
    } else if value.chars().count() > max {
        problems.push((field, format!("The {label} has at most {max} characters.")));
    }
    value.to_owned()
}

impl RecallForm {
    pub fn parse(&self) -> Result<RecallText, Problems> {
        let mut problems = Problems::new();
        let number = required(&mut problems, "number", "recall number", &self.number, 40);
        if !number
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
        {
            problems.push((
                "number",
                "A recall number has letters, digits and - _ . / only.".into(),
            ));
        }
        let title = required(&mut problems, "title", "title", &self.title, 200);
        let hazard = required(&mut problems, "hazard", "hazard", &self.hazard, 500);
        let description = required(
            &mut problems,
            "description",
            "description",
            &self.description,
            5000,
        );
        let instructions = required(
            &mut problems,
            "instructions",
            "instructions for owners",
            &self.instructions,
            5000,
        );
        let remedy = Remedy::parse(self.remedy.trim());
        if remedy.is_none() {
            problems.push((
                "remedy",
                "Choose the remedy: repair, replace or refund.".into(),
            ));
        }
        let severity = Severity::parse(self.severity.trim());
        if severity.is_none() {
            problems.push(("severity", "Choose the severity.".into()));
        }
        let starts_on = optional_date(&mut problems, "starts_on", &self.starts_on);
        if starts_on.is_none() && self.starts_on.trim().is_empty() {
            problems.push(("starts_on", "Enter the date the recall starts.".into()));
        }
        match (remedy, severity, starts_on) {
            (Some(remedy), Some(severity), Some(starts_on)) if problems.is_empty() => {
                Ok(RecallText {
                    number,
                    title,
                    hazard,
                    description,
                    remedy,
                    remedy_available: self.remedy_available == "on",
                    instructions,
                    severity,
                    starts_on,
                })
            }
            _ => Err(problems),
        }
    }
}

/// One scope rule as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RuleForm {
    /// serials, range, lot, window, component_lot or component_serial.
    pub rule_kind: String,
    /// The model number the rule is about (required for ranges and windows).
    pub rule_model: String,
    /// Serials, one per line (or separated by commas or spaces).
    pub serials: String,
    pub range_prefix: String,
    pub range_from: String,
    pub range_to: String,
    pub lot_code: String,
    pub window_from: String,
    pub window_to: String,
}

/// A checked rule, naming records by model number, lot code and serial.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RuleInput {
    Serials {
        model: Option<String>,
        serials: Vec<String>,
    },
    Range {
        model: String,
        prefix: String,
        width: u8,
        from: u64,
        to: u64,
    },
    Lot {
        model: Option<String>,
        code: String,
    },
    Window {
        model: String,
        from: Date,
        to: Date,
    },
    ComponentLot {
        model: Option<String>,
        code: String,
    },
    ComponentSerial {
        model: Option<String>,
        serial: String,
    },
}

/// Serials separated by new lines, commas, semicolons or spaces — or a pasted CSV file whose
/// header starts with `serial` (then the first column) — normalised; problems name each bad
/// one.
pub fn parse_serial_list(problems: &mut Problems, field: &'static str, text: &str) -> Vec<String> {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let csv = lines.first().is_some_and(|header| {
        header.split(',').next().is_some_and(|first| {
            first
                .trim()
                .trim_matches('"')
                .eq_ignore_ascii_case("serial")
        })
    });
    let parts: Vec<&str> = if csv {
        lines
            .iter()
            .skip(1)
            .map(|line| {
                line.split(',')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .trim_matches('"')
            })
            .filter(|first| !first.is_empty())
            .collect()
    } else {
        text.split(|c: char| c == ',' || c == ';' || c.is_whitespace())
            .filter(|p| !p.is_empty())
            .collect()
    };
    let mut serials = Vec::new();
    for part in parts {
        match Serial::parse(part) {
            Ok(serial) => serials.push(serial.normalised().to_owned()),
            Err(error) => problems.push((field, format!("{part}: {error}"))),
        }
    }
    serials.sort();
    serials.dedup();
    serials
}

impl RuleForm {
    pub fn parse(&self) -> Result<RuleInput, Problems> {
        let mut problems = Problems::new();
        let model = Some(self.rule_model.trim().to_owned()).filter(|m| !m.is_empty());
        let need_model = |problems: &mut Problems| -> String {
            model.clone().unwrap_or_else(|| {
                problems.push((
                    "rule_model",
                    "This kind of rule needs the model number.".into(),
                ));
                String::new()
            })
        };
        let code = |problems: &mut Problems| {
            let code = self.lot_code.trim();
            if code.is_empty() {
                problems.push(("lot_code", "Enter the lot code.".into()));
            }
            code.to_owned()
        };
        let rule = match self.rule_kind.as_str() {
            "serials" => {
                let serials = parse_serial_list(&mut problems, "serials", &self.serials);
                if serials.is_empty() && problems.is_empty() {
                    problems.push(("serials", "List at least one serial.".into()));
                }
                if serials.len() > MAX_LISTED_SERIALS {
                    problems.push((
                        "serials",
                        format!("A rule lists at most {MAX_LISTED_SERIALS} serials; use a lot, a range or several rules."),
                    ));
                }
                RuleInput::Serials { model, serials }
            }
            "range" => {
                let model = need_model(&mut problems);
                let prefix = self.range_prefix.trim().to_ascii_uppercase();
                let (from, to) = (self.range_from.trim(), self.range_to.trim());
                let digits = |s: &str| {
                    !s.is_empty() && s.len() <= 18 && s.bytes().all(|b| b.is_ascii_digit())
                };
                if !digits(from) || !digits(to) {
                    problems.push(("range_from", "A range runs between two numbers of up to 18 digits, written as on the serials (with their leading zeros).".into()));
                } else if from.len() != to.len() {
                    problems.push((
                        "range_to",
                        "Write both ends of the range with the same number of digits.".into(),
                    ));
                }
                let (a, b) = (
                    from.parse::<u64>().unwrap_or(0),
                    to.parse::<u64>().unwrap_or(0),
                );
                if a > b {
                    problems.push(("range_to", "The range's start is after its end.".into()));
                }
                RuleInput::Range {
                    model,
                    prefix,
                    width: from.len() as u8,
                    from: a,
                    to: b,
                }
            }
            "lot" => RuleInput::Lot {
                model,
                code: code(&mut problems),
            },
            "component_lot" => RuleInput::ComponentLot {
                model,
                code: code(&mut problems),
            },
            "component_serial" => {
                let serials = parse_serial_list(&mut problems, "serials", &self.serials);
                if serials.len() != 1 && problems.is_empty() {
                    problems.push(("serials", "Enter the component's one serial.".into()));
                }
                RuleInput::ComponentSerial {
                    model,
                    serial: serials.into_iter().next().unwrap_or_default(),
                }
            }
            "window" => {
                let model = need_model(&mut problems);
                let from = optional_date(&mut problems, "window_from", &self.window_from);
                let to = optional_date(&mut problems, "window_to", &self.window_to);
                match (from, to) {
                    (Some(from), Some(to)) if from <= to => RuleInput::Window { model, from, to },
                    (Some(_), Some(_)) => {
                        problems.push(("window_to", "The window ends before it starts.".into()));
                        return Err(problems);
                    }
                    _ => {
                        problems.push((
                            "window_from",
                            "A production window needs both dates.".into(),
                        ));
                        return Err(problems);
                    }
                }
            }
            _ => {
                problems.push(("rule_kind", "Choose what the rule covers.".into()));
                return Err(problems);
            }
        };
        if problems.is_empty() {
            Ok(rule)
        } else {
            Err(problems)
        }
    }
}

/// One remedy update: a line of pasted CSV `serial,status[,remedied_on]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemedyUpdate {
    pub line: usize,
    pub serial: String,
    pub status: RemedyStatus,
    pub remedied_on: Option<Date>,
}

/// Reads pasted remedy lines (a header line `serial,status,remedied_on` is allowed);
/// problems are `line N: reason`.
pub fn parse_remedy_lines(text: &str) -> (Vec<RemedyUpdate>, Vec<String>) {
    let mut updates = Vec::new();
    let mut problems = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let raw = raw.trim();
        if raw.is_empty() || (line == 1 && raw.to_ascii_lowercase().starts_with("serial")) {
            continue;
        }
        let cells: Vec<&str> = raw.split(',').map(str::trim).collect();
        let serial = match Serial::parse(cells[0]) {
            Ok(s) => s.normalised().to_owned(),
            Err(error) => {
                problems.push(format!("line {line}: serial: {error}"));
                continue;
            }
        };
        let Some(status) = cells.get(1).and_then(|s| RemedyStatus::parse(s)) else {
            problems.push(format!(
                "line {line}: status: use open, remedy_unavailable or remedied"
            ));
            continue;
        };
        let remedied_on = match cells.get(2).filter(|d| !d.is_empty()) {
            Some(d) => match Date::parse(d, &time::format_description::well_known::Iso8601::DATE) {
                Ok(date) => Some(date),
                Err(_) => {
                    problems.push(format!(
                        "line {line}: remedied_on: '{d}' is not a date (YYYY-MM-DD)"
                    ));
                    continue;
                }
            },
            None => None,
        };
        updates.push(RemedyUpdate {
            line,
            serial,
            status,
            remedied_on,
        });
    }
    (updates, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_read_and_name_their_problems() {
        let form = RuleForm {
            rule_kind: "range".into(),
            rule_model: "HX-1".into(),
            range_prefix: "hx".into(),
            range_from: "000100".into(),
            range_to: "000199".into(),
            ..RuleForm::default()
        };
        assert_eq!(
            form.parse(),
            Ok(RuleInput::Range {
                model: "HX-1".into(),
                prefix: "HX".into(),
                width: 6,
                from: 100,
                to: 199
            })
        );
        let bad = RuleForm {
            rule_model: String::new(),
            range_to: "99".into(),
            ..form
        };
        let fields: Vec<_> = bad
            .parse()
            .unwrap_err()
            .into_iter()
            .map(|(f, _)| f)
            .collect();
        assert_eq!(fields, vec!["rule_model", "range_to", "range_to"]);
        let serials = RuleForm {
            rule_kind: "serials".into(),
            serials: "ab-12\nAB12, cd-34;EF56".into(),
            ..RuleForm::default()
        };
        assert!(
            matches!(serials.parse(), Ok(RuleInput::Serials { serials, .. }) if serials.len() == 3)
        );
        // A pasted CSV file: its first column, under a header.
        let mut problems = Problems::new();
        let listed = parse_serial_list(
            &mut problems,
            "serials",
            "serial,model\nAB12,X-1\n\"cd-34\",X-2\n",
        );
        assert_eq!(
            (listed, problems),
            (vec!["AB12".to_owned(), "CD34".to_owned()], Problems::new())
        );
    }

    #[test]
    fn remedy_lines_report_each_bad_line() {
        let (ok, bad) = parse_remedy_lines(
            "serial,status,remedied_on\nAB12,remedied,2026-11-01\nCD34,fixed\n,open\nEF56,open\n",
        );
        assert_eq!(ok.len(), 2);
        assert_eq!(
            ok[0].remedied_on.map(|d| d.to_string()).as_deref(),
            Some("2026-11-01")
        );
        assert_eq!(bad.len(), 2);
        assert!(bad[0].starts_with("line 3: status"), "{bad:?}");
        assert!(bad[1].starts_with("line 4: serial"), "{bad:?}");
    }
}
