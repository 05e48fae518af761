//! GS1 identifiers: GTINs, element strings (barcode data) and Digital Link URLs.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A GTIN with a valid check digit, kept in its 14-digit form.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Gtin(String);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GtinError {
    #[error("A GTIN has 8, 12, 13 or 14 digits; this one has {0}.")]
    Length(usize),
    #[error("A GTIN has only digits.")]
    NotDigits,
    #[error("The GTIN's check digit is wrong — check it for a typo.")]
    CheckDigit,
}

impl Gtin {
    pub fn parse(input: &str) -> Result<Self, GtinError> {
        let digits: String = input
            .trim()
            .chars()
            .filter(|c| *c != ' ' && *c != '-')
            .collect();
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(GtinError::NotDigits);
        }
        if !matches!(digits.len(), 8 | 12 | 13 | 14) {
            return Err(GtinError::Length(digits.len()));
        }
        let (body, check) = digits.split_at(digits.len() - 1);
        if gs1_check_digit(body) != check.chars().next().unwrap_or_default() {
            return Err(GtinError::CheckDigit);
        }
        Ok(Self(format!("{digits:0>14}")))
    }

    /// Builds a GTIN-14 from 13 digits by appending the check digit.
    pub fn from_body(body13: &str) -> Option<Self> {
        if body13.len() != 13 || !body13.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(Self(format!("{body13}{}", gs1_check_digit(body13))))
    }

    /// The 14-digit form.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Gtin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The GS1 mod-10 check digit: weights 3 and 1 alternating from the right.
pub fn gs1_check_digit(body: &str) -> char {
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    char::from(b'0' + ((10 - sum % 10) % 10) as u8)
}

/// What a piece of barcode data says about a unit.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Gs1Data {
    pub gtin: Option<Gtin>,
    pub serial: Option<String>,
    pub lot: Option<String>,
    /// AI 17 as printed (YYMMDD).
    pub expiry: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Gs1Error {
    #[error("The barcode data is incomplete: {0}.")]
    Truncated(String),
    #[error("The barcode data has an application identifier we do not know: ({0}).")]
    UnknownAi(String),
    #[error("The barcode data is malformed: {0}.")]
    Malformed(String),
    #[error("The barcode's GTIN is not valid: {0}")]
    Gtin(#[from] GtinError),
    #[error("The barcode data has no serial number (AI 21).")]
    NoSerial,
}

const GROUP_SEPARATOR: char = '\u{1d}';

/// How long an AI's data is: fixed, or variable up to a maximum.
enum AiLength {
    Fixed(usize),
    Variable(usize),
}

/// The application identifiers we understand, with their data lengths.
fn ai_length(ai: &str) -> Option<AiLength> {
    use AiLength::*;
    Some(match ai {
        "00" => Fixed(18),
        "01" | "02" => Fixed(14),
        "11" | "12" | "13" | "15" | "16" | "17" => Fixed(6),
        "20" => Fixed(2),
        "10" | "21" | "22" => Variable(20),
        "30" | "37" => Variable(8),
        "235" => Variable(28),
        "240" | "241" | "250" | "251" => Variable(30),
        "422" | "424" => Fixed(3),
        "7003" => Fixed(10),
        _ if ai.len() == 4
            && matches!(ai.get(..2), Some("31" | "32" | "33" | "34" | "35" | "36")) =>
        {
            Fixed(6)
        }
        _ => return None,
    })
}

/// Whether `input` looks like GS1 element-string data rather than a plain serial.
pub fn looks_like_element_string(input: &str) -> bool {
    let s = input.trim_start();
    s.starts_with("(0")
        || s.starts_with("(1")
        || s.starts_with("(2")
        || s.starts_with(']')
        || s.contains(GROUP_SEPARATOR)
}

/// Parses GS1 element strings, bracketed `(01)…(21)…` or raw with ASCII 29 separators and
/// an optional symbology identifier such as `]d2`, `]C1` or `]Q3`.
pub fn parse_element_string(input: &str) -> Result<Gs1Data, Gs1Error> {
    let s = input.trim();
    let pairs = if s.starts_with('(') {
        parse_bracketed(s)?
    } else {
        parse_raw(s)?
    };
    let mut data = Gs1Data::default();
    for (ai, value) in pairs {
        match ai.as_str() {
            "01" => data.gtin = Some(Gtin::parse(&value)?),
            "21" => data.serial = Some(value),
            "10" => data.lot = Some(value),
            "17" => data.expiry = Some(value),
            _ => {}
        }
    }
    Ok(data)
}

fn parse_bracketed(s: &str) -> Result<Vec<(String, String)>, Gs1Error> {
    let mut pairs = Vec::new();
    let mut rest = s;
    while !rest.is_empty() {
        let Some(after_open) = rest.strip_prefix('(') else {
            return Err(Gs1Error::Malformed(
                "expected “(” to open an application identifier".into(),
            ));
        };
        let close = after_open.find(')').ok_or_else(|| {
            Gs1Error::Malformed("an application identifier is not closed with “)”".into())
        })?;
        let ai = &after_open[..close];
        if !(2..=4).contains(&ai.len()) || !ai.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Gs1Error::Malformed(format!(
                "“{ai}” is not an application identifier"
            )));
        }
        let after_ai = &after_open[close + 1..];
        let end = after_ai.find('(').unwrap_or(after_ai.len());
        let value = after_ai[..end].trim_end_matches(GROUP_SEPARATOR).to_owned();
        check_value(ai, &value)?;
        pairs.push((ai.to_owned(), value));
        rest = &after_ai[end..];
    }
    if pairs.is_empty() {
        return Err(Gs1Error::Truncated("no application identifiers".into()));
    }
    Ok(pairs)
}

fn parse_raw(s: &str) -> Result<Vec<(String, String)>, Gs1Error> {
    // A symbology identifier: "]" followed by a code character and a modifier digit.
    let mut rest = match s.strip_prefix(']') {
        Some(after) => after.get(2..).ok_or_else(|| {
            Gs1Error::Truncated("a symbology identifier with nothing after it".into())
        })?,
        None => s,
    };
    rest = rest.trim_start_matches(GROUP_SEPARATOR);
    let mut pairs = Vec::new();
    while !rest.is_empty() {
        let (ai, length) = (2..=4)
            .filter_map(|n| rest.get(..n))
            .filter(|ai| ai.bytes().all(|b| b.is_ascii_digit()))
            .find_map(|ai| ai_length(ai).map(|len| (ai, len)))
            .ok_or_else(|| Gs1Error::UnknownAi(rest.chars().take(4).collect::<String>()))?;
        let data = &rest[ai.len()..];
        let (value, next) = match length {
            AiLength::Fixed(n) => {
                let value = data
                    .get(..n)
                    .ok_or_else(|| Gs1Error::Truncated(format!("({ai}) needs {n} characters")))?;
                (value, &data[n..])
            }
            AiLength::Variable(max) => {
                let end = data.find(GROUP_SEPARATOR).unwrap_or(data.len());
                if end > max {
                    return Err(Gs1Error::Malformed(format!(
                        "({ai}) is longer than {max} characters"
                    )));
                }
                (&data[..end], &data[end..])
            }
        };
        check_value(ai, value)?;
        pairs.push((ai.to_owned(), value.to_owned()));
        rest = next.trim_start_matches(GROUP_SEPARATOR);
    }
    if pairs.is_empty() {
        return Err(Gs1Error::Truncated("no application identifiers".into()));
    }
    Ok(pairs)
}

fn check_value(ai: &str, value: &str) -> Result<(), Gs1Error> {
    if value.is_empty() {
        return Err(Gs1Error::Truncated(format!("({ai}) has no value")));
    }
    match ai_length(ai) {
        None => Err(Gs1Error::UnknownAi(ai.to_owned())),
        Some(AiLength::Fixed(n)) if value.len() != n => Err(Gs1Error::Malformed(format!(
            "({ai}) needs exactly {n} characters, not {}",
            value.len()
        ))),
        Some(AiLength::Variable(max)) if value.len() > max => Err(Gs1Error::Malformed(format!(
            "({ai}) is longer than {max} characters"
        ))),
        _ if value.chars().any(|c| c.is_control()) => Err(Gs1Error::Malformed(format!(
            "({ai}) contains control characters"
        ))),
        _ => Ok(()),
    }
}

/// Whether `input` is a GS1 Digital Link URL (or its path) carrying a GTIN.
pub fn looks_like_digital_link(input: &str) -> bool {
    let s = input.trim();
    (s.starts_with("http://") || s.starts_with("https://") || s.starts_with('/'))
        && (s.contains("/01/") || s.contains("/gtin/"))
}

/// Parses a GS1 Digital Link URL or path: `/01/{gtin}/21/{serial}`, optionally with
/// `/10/{lot}` and `?17=YYMMDD`, behind any host and path prefix.
pub fn parse_digital_link(input: &str) -> Result<Gs1Data, Gs1Error> {
    let s = input.trim();
    let without_scheme = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .map(|rest| rest.find('/').map_or("", |i| &rest[i..]))
        .unwrap_or(s);
    let (path, query) = match without_scheme.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (without_scheme, None),
    };
    let path = path.split('#').next().unwrap_or_default();
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let start = segments
        .iter()
        .position(|s| *s == "01" || *s == "gtin")
        .ok_or_else(|| Gs1Error::Malformed("a Digital Link needs /01/ and a GTIN".into()))?;
    let mut data = Gs1Data::default();
    let mut pairs = segments[start..].chunks(2);
    for pair in &mut pairs {
        let [key, value] = pair else {
            return Err(Gs1Error::Truncated(format!("/{}/ has no value", pair[0])));
        };
        let value = percent_decode(value)?;
        match *key {
            "01" | "gtin" => data.gtin = Some(Gtin::parse(&value)?),
            "21" | "ser" => data.serial = Some(value),
            "10" | "lot" => data.lot = Some(value),
            "22" | "cpv" => {}
            other => {
                return Err(Gs1Error::UnknownAi(other.to_owned()));
            }
        }
    }
    for (key, value) in query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .filter_map(|kv| kv.split_once('='))
    {
        let value = percent_decode(value)?;
        match key {
            "17" | "exp" => data.expiry = Some(value),
            "10" | "lot" => data.lot = Some(value),
            "21" | "ser" => data.serial = Some(value),
            _ => {}
        }
    }
    if data.gtin.is_none() {
        return Err(Gs1Error::Malformed(
            "a Digital Link needs a GTIN after /01/".into(),
        ));
    }
    Ok(data)
}

fn percent_decode(s: &str) -> Result<String, Gs1Error> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = s
                    .get(i + 1..i + 3)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| Gs1Error::Malformed("a bad %-escape in the link".into()))?;
                out.push(hex);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| Gs1Error::Malformed("the link is not valid UTF-8".into()))
}

/// The Digital Link path for a unit, as printed in its QR code.
pub fn digital_link_path(gtin: &Gtin, serial: &str) -> String {
    let encoded: String = serial
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("/01/{}/21/{encoded}", gtin.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn gtin_check_digits() {
        assert_eq!(
            Gtin::parse("09506000134352").unwrap().as_str(),
            "09506000134352"
        );
        assert_eq!(
            Gtin::parse("9506000134352").unwrap().as_str(),
            "09506000134352"
        );
        assert_eq!(Gtin::parse("96385074").unwrap().as_str(), "00000096385074");
        assert_eq!(Gtin::parse("09506000134353"), Err(GtinError::CheckDigit));
        assert_eq!(Gtin::parse("123"), Err(GtinError::Length(3)));
        assert_eq!(Gtin::parse("0950600013435X"), Err(GtinError::NotDigits));
    }

    #[test]
    fn bracketed_element_string() {
        let d = parse_element_string("(01)09506000134352(17)261231(10)AB-12(21)XYZ0001").unwrap();
        assert_eq!(d.gtin.unwrap().as_str(), "09506000134352");
        assert_eq!(d.serial.as_deref(), Some("XYZ0001"));
        assert_eq!(d.lot.as_deref(), Some("AB-12"));
        assert_eq!(d.expiry.as_deref(), Some("261231"));
    }

    #[test]
    fn raw_element_string_with_symbology_and_separators() {
        let raw = "]d20109506000134352172612311010AB12\u{1d}21XYZ0001";
        let d = parse_element_string(raw).unwrap();
        assert_eq!(d.gtin.unwrap().as_str(), "09506000134352");
        assert_eq!(d.lot.as_deref(), Some("10AB12"));
        assert_eq!(d.serial.as_deref(), Some("XYZ0001"));
        let qr = "]Q3010950600013435221SER9\u{1d}10L1";
        let d = parse_element_string(qr).unwrap();
        assert_eq!(d.serial.as_deref(), Some("SER9"));
        assert_eq!(d.lot.as_deref(), Some("L1"));
    }

    #[test]
    fn malformed_element_strings_say_why() {
        assert!(matches!(
            parse_element_string("(01)0950600013435"),
            Err(Gs1Error::Malformed(_))
        ));
        assert!(matches!(
            parse_element_string("(01)09506000134353(21)A"),
            Err(Gs1Error::Gtin(_))
        ));
        assert!(matches!(
            parse_element_string("(99)ABC"),
            Err(Gs1Error::UnknownAi(_))
        ));
        assert!(matches!(
            parse_element_string("]C1010950600013"),
            Err(Gs1Error::Truncated(_))
        ));
        assert!(matches!(
            parse_element_string("(21"),
            Err(Gs1Error::Malformed(_))
        ));
        assert!(matches!(
            parse_element_string("]d2"),
            Err(Gs1Error::Truncated(_))
        ));
        assert!(matches!(
            parse_element_string("(21)"),
            Err(Gs1Error::Truncated(_))
        ));
    }

    #[test]
    fn digital_links() {
        let d = parse_digital_link(
            "https://id.example.com/01/09506000134352/10/LOT%2F7/21/ABC%20123?17=261231",
        )
        .unwrap();
        assert_eq!(d.gtin.unwrap().as_str(), "09506000134352");
        assert_eq!(d.serial.as_deref(), Some("ABC 123"));
        assert_eq!(d.lot.as_deref(), Some("LOT/7"));
        assert_eq!(d.expiry.as_deref(), Some("261231"));
        let d = parse_digital_link("/01/9506000134352/21/X1").unwrap();
        assert_eq!(d.serial.as_deref(), Some("X1"));
        assert!(parse_digital_link("https://x.example/01/09506000134353/21/X").is_err());
        assert!(parse_digital_link("https://x.example/01/09506000134352/21").is_err());
        assert!(parse_digital_link("https://x.example/01/09506000134352/99/1").is_err());
    }

    #[test]
    fn digital_link_round_trip() {
        let g = Gtin::parse("09506000134352").unwrap();
        let path = digital_link_path(&g, "AB/12 3");
        let d = parse_digital_link(&path).unwrap();
        assert_eq!(d.serial.as_deref(), Some("AB/12 3"));
    }

    proptest! {
        #[test]
        fn any_valid_gtin_parses(body in "[0-9]{13}") {
            let g = Gtin::from_body(&body).unwrap();
            prop_assert_eq!(Gtin::parse(g.as_str()).unwrap(), g);
        }

        #[test]
        fn a_changed_digit_breaks_the_gtin(body in "[0-9]{13}", pos in 0usize..14, delta in 1u8..10) {
            let g = Gtin::from_body(&body).unwrap();
            let mut bytes = g.as_str().as_bytes().to_vec();
            bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
            prop_assert_eq!(Gtin::parse(std::str::from_utf8(&bytes).unwrap()), Err(GtinError::CheckDigit));
        }

        #[test]
        fn element_strings_round_trip(body in "[0-9]{13}", serial in "[A-Z0-9]{1,20}", lot in "[A-Z0-9]{1,20}") {
            let g = Gtin::from_body(&body).unwrap();
            let bracketed = format!("(01){}(10){lot}(21){serial}", g.as_str());
            let raw = format!("]d201{}10{lot}\u{1d}21{serial}", g.as_str());
            for input in [bracketed, raw] {
                let d = parse_element_string(&input).unwrap();
                prop_assert_eq!(d.gtin.as_ref(), Some(&g));
                prop_assert_eq!(d.serial.as_deref(), Some(serial.as_str()));
                prop_assert_eq!(d.lot.as_deref(), Some(lot.as_str()));
            }
        }

        #[test]
        fn parsers_never_panic(input in "\\PC{0,80}") {
            let _ = parse_element_string(&input);
            let _ = parse_digital_link(&input);
        }
    }
}
