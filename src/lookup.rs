//! A public lookup: what a person typed, pasted or scanned, and the one answer they get.
//!
//! Parsing runs in the browser (wasm) for instant feedback and on the server for the final
//! word; the answer types are what both the HTML pages and the JSON API show.

use crate::gs1::{self, Gs1Data, Gs1Error, Gtin, GtinError};
use crate::serial::{Imei, ImeiError, Serial, SerialError};
use serde::{Deserialize, Serialize};

/// Longest input taken as a lookup; a Digital Link URL may be longer (a host and path).
pub const MAX_INPUT_LEN: usize = 64;
pub const MAX_LINK_LEN: usize = 512;

/// How the serial reached us.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InputKind {
    Typed,
    Gs1ElementString,
    DigitalLink,
    Imei,
}

/// A parsed lookup request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LookupQuery {
    pub serial: Serial,
    pub gtin: Option<Gtin>,
    pub lot: Option<String>,
    pub kind: InputKind,
}

/// Why an input could not be looked up.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LookupError {
    /// Not a lookup at all: answered with 400.
    #[error("{0}")]
    Rejected(Rejection),
    /// A lookup whose serial cannot exist: answered as the `invalid` outcome.
    #[error("{0}")]
    Invalid(String),
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("Enter a serial number, or paste barcode data or a product link.")]
    Empty,
    #[error(
        "That is too long to be a serial number ({0} characters; at most {MAX_INPUT_LEN}, or {MAX_LINK_LEN} for a product link)."
    )]
    TooLong(usize),
    #[error("The input contains control characters; type or paste just the serial number.")]
    ControlCharacters,
    #[error("The product number (GTIN) is too long.")]
    GtinTooLong,
}

impl From<SerialError> for LookupError {
    fn from(e: SerialError) -> Self {
        match e {
            SerialError::Empty => LookupError::Rejected(Rejection::Empty),
            other => LookupError::Invalid(other.to_string()),
        }
    }
}

impl From<Gs1Error> for LookupError {
    fn from(e: Gs1Error) -> Self {
        LookupError::Invalid(e.to_string())
    }
}

impl From<GtinError> for LookupError {
    fn from(e: GtinError) -> Self {
        LookupError::Invalid(format!("The product number (GTIN) is not valid: {e}"))
    }
}

impl From<ImeiError> for LookupError {
    fn from(e: ImeiError) -> Self {
        LookupError::Invalid(e.to_string())
    }
}

impl LookupQuery {
    /// Parses what a person entered: a serial, GS1 barcode data, a Digital Link URL or an
    /// IMEI, with an optional product number (GTIN) to narrow the search.
    pub fn parse(input: &str, gtin: Option<&str>) -> Result<Self, LookupError> {
        let trimmed = input.trim_matches(|c: char| c.is_whitespace());
        let chars = trimmed.chars().count();
        let is_link = gs1::looks_like_digital_link(trimmed);
        let limit = if is_link { MAX_LINK_LEN } else { MAX_INPUT_LEN };
        if chars > limit {
            return Err(LookupError::Rejected(Rejection::TooLong(chars)));
        }
        if trimmed.chars().any(|c| c.is_control() && c != '\u{1d}') {
            return Err(LookupError::Rejected(Rejection::ControlCharacters));
        }
        if trimmed.is_empty() {
            return Err(LookupError::Rejected(Rejection::Empty));
        }
        let typed_gtin = match gtin.map(str::trim).filter(|g| !g.is_empty()) {
            Some(g) if g.chars().count() > MAX_INPUT_LEN => {
                return Err(LookupError::Rejected(Rejection::GtinTooLong));
            }
            Some(g) if g.chars().any(char::is_control) => {
                return Err(LookupError::Rejected(Rejection::ControlCharacters));
            }
            Some(g) => Some(Gtin::parse(g)?),
            None => None,
        };

        let (serial, data, kind) = if is_link {
            let data = gs1::parse_digital_link(trimmed)?;
            (take_serial(&data)?, data, InputKind::DigitalLink)
        } else if gs1::looks_like_element_string(trimmed) {
            let data = gs1::parse_element_string(trimmed)?;
            (take_serial(&data)?, data, InputKind::Gs1ElementString)
        } else if let Some(imei) = strip_imei_label(trimmed) {
            let imei = Imei::parse(imei)?;
            (
                Serial::parse(imei.as_str())?,
                Gs1Data::default(),
                InputKind::Imei,
            )
        } else {
            (
                Serial::parse(trimmed)?,
                Gs1Data::default(),
                InputKind::Typed,
            )
        };

        let gtin = match (typed_gtin, data.gtin) {
            (Some(typed), Some(scanned)) if typed != scanned => {
                return Err(LookupError::Invalid(
                    "The product number (GTIN) entered differs from the one in the barcode; leave the product number empty.".into(),
                ));
            }
            (typed, scanned) => typed.or(scanned),
        };
        Ok(Self {
            serial,
            gtin,
            lot: data.lot,
            kind,
        })
    }
}

fn take_serial(data: &Gs1Data) -> Result<Serial, LookupError> {
    let raw = data.serial.as_deref().ok_or(Gs1Error::NoSerial)?;
    Ok(Serial::parse(raw)?)
}

/// "IMEI 35…", "IMEI: 35…" or "IMEI1: 35…" as printed on phone boxes.
fn strip_imei_label(input: &str) -> Option<&str> {
    let head = input.get(..4)?;
    if !head.eq_ignore_ascii_case("imei") {
        return None;
    }
    let rest = &input[4..];
    let rest = rest
        .strip_prefix(['1', '2'])
        .filter(|r| r.starts_with([':', ' ']))
        .unwrap_or(rest);
    Some(rest.trim_start_matches([':', ' ', '\t']))
}

/// The overall outcome of a lookup.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub enum LookupResult {
    Found,
    NotFound,
    Invalid,
}

impl LookupResult {
    pub fn as_str(self) -> &'static str {
        match self {
            LookupResult::Found => "found",
            LookupResult::NotFound => "not_found",
            LookupResult::Invalid => "invalid",
        }
    }
}

/// The one answer a lookup gets. Never carries an owner's identity, a price or case details.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct LookupAnswer {
    pub result: LookupResult,
    pub message: String,
    /// The normalised serial that was searched for, when the input had one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
    pub matches: Vec<UnitAnswer>,
    /// When a manufacturer has identified this serial as counterfeit (printed on fakes, or a
    /// genuine unit's cloned label): what to know, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counterfeit: Option<String>,
}

impl LookupAnswer {
    pub fn invalid(message: impl Into<String>, serial: Option<String>) -> Self {
        Self {
            result: LookupResult::Invalid,
            message: message.into(),
            serial,
            matches: Vec::new(),
            counterfeit: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct UnitAnswer {
    pub serial: String,
    pub product: ProductInfo,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lot: Option<String>,
    pub warranty: WarrantyInfo,
    pub recalls: Vec<RecallNotice>,
    pub stolen: StolenInfo,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ProductInfo {
    pub manufacturer: String,
    pub model: String,
    pub name: String,
    pub gtin: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub enum WarrantyState {
    Active,
    Expired,
    NotStarted,
    None,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct WarrantyInfo {
    pub status: WarrantyState,
    /// ISO date: when an active warranty ends, or when an expired one ended.
    pub ends_on: Option<String>,
    /// The cover counts from a purchase date only the registrant gave, which the
    /// manufacturer's records do not confirm: a statement, not a fact.
    #[serde(default)]
    pub unconfirmed_start: bool,
}

impl From<&crate::warranty::WarrantyStatus> for WarrantyInfo {
    fn from(status: &crate::warranty::WarrantyStatus) -> Self {
        use crate::warranty::WarrantyStatus as S;
        let (status, ends_on) = match status {
            S::Active { ends_on } => (WarrantyState::Active, Some(ends_on.to_string())),
            S::Expired { ended_on } => (WarrantyState::Expired, Some(ended_on.to_string())),
            S::NotStarted => (WarrantyState::NotStarted, None),
            S::None => (WarrantyState::None, None),
        };
        Self {
            status,
            ends_on,
            unconfirmed_start: false,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct RecallNotice {
    pub number: String,
    pub title: String,
    pub hazard: String,
    pub remedy: crate::recall::Remedy,
    pub instructions: String,
    pub severity: crate::recall::Severity,
    pub remedy_status: crate::recall::RemedyStatus,
    /// The recall's public page: `/recalls/{manufacturer}/{number}`.
    pub path: String,
}

/// Whether a unit is reported stolen or lost; ordered gravest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub enum StolenState {
    ReportedStolen,
    /// Reported lost by its owner: not a crime report, but a found or offered unit should
    /// still go back to them.
    ReportedLost,
    NotReported,
}

impl StolenState {
    /// The state for the kind of a unit's active report (`stolen` or `lost`), if it has one.
    pub fn from_report(kind: Option<&str>) -> Self {
        match kind {
            Some("stolen") => Self::ReportedStolen,
            Some(_) => Self::ReportedLost,
            None => Self::NotReported,
        }
    }

    pub fn is_reported(self) -> bool {
        self != Self::NotReported
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct StolenInfo {
    pub status: StolenState,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn plain_serials_and_gtins() {
        let q = LookupQuery::parse(" ab-123 ", Some("09506000134352")).unwrap();
        assert_eq!(q.serial.normalised(), "AB123");
        assert_eq!(q.gtin.unwrap().as_str(), "09506000134352");
        assert_eq!(q.kind, InputKind::Typed);
        assert_eq!(LookupQuery::parse("AB123", Some("  ")).unwrap().gtin, None);
    }

    #[test]
    fn barcodes_links_and_imeis() {
        let q = LookupQuery::parse("(01)09506000134352(21)XYZ1", None).unwrap();
        assert_eq!(
            (q.serial.normalised(), q.kind),
            ("XYZ1", InputKind::Gs1ElementString)
        );
        let q = LookupQuery::parse("]C101095060001343522112345\u{1d}10L9", None).unwrap();
        assert_eq!(q.serial.normalised(), "12345");
        assert_eq!(q.lot.as_deref(), Some("L9"));
        let q = LookupQuery::parse(
            "https://id.example.org/01/09506000134352/21/QQ7?17=270101",
            None,
        )
        .unwrap();
        assert_eq!(
            (q.serial.normalised(), q.kind),
            ("QQ7", InputKind::DigitalLink)
        );
        let q = LookupQuery::parse("IMEI: 490154203237518", None).unwrap();
        assert_eq!(
            (q.serial.normalised(), q.kind),
            ("490154203237518", InputKind::Imei)
        );
        assert!(matches!(
            LookupQuery::parse("IMEI 490154203237519", None),
            Err(LookupError::Invalid(_))
        ));
    }

    #[test]
    fn rejections_and_invalid_inputs() {
        use LookupError::*;
        assert_eq!(
            LookupQuery::parse("   ", None),
            Err(Rejected(Rejection::Empty))
        );
        assert_eq!(
            LookupQuery::parse("", None),
            Err(Rejected(Rejection::Empty))
        );
        assert_eq!(
            LookupQuery::parse(&"A".repeat(10_000), None),
            Err(Rejected(Rejection::TooLong(10_000)))
        );
        assert_eq!(
            LookupQuery::parse("AB\0C", None),
            Err(Rejected(Rejection::ControlCharacters))
        );
        assert_eq!(
            LookupQuery::parse("AB\u{7}C", None),
            Err(Rejected(Rejection::ControlCharacters))
        );
        assert!(matches!(
            LookupQuery::parse("<script>alert(1)</script>", None),
            Err(Invalid(_))
        ));
        assert!(matches!(
            LookupQuery::parse("' OR 1=1 --", None),
            Err(Invalid(_))
        ));
        assert!(matches!(
            LookupQuery::parse("АВС123", None),
            Err(Invalid(_))
        ));
        assert!(matches!(
            LookupQuery::parse("A".repeat(21).as_str(), None),
            Err(Invalid(_))
        ));
        assert!(matches!(
            LookupQuery::parse("(01)123(21)X", None),
            Err(Invalid(_))
        ));
        assert!(matches!(
            LookupQuery::parse("AB1", Some("123")),
            Err(Invalid(_))
        ));
        assert!(matches!(
            LookupQuery::parse("(01)09506000134352(21)X", Some("96385074")),
            Err(Invalid(_))
        ));
    }

    proptest! {
        #[test]
        fn parse_never_panics(input in "\\PC{0,100}", gtin in proptest::option::of("\\PC{0,20}")) {
            let _ = LookupQuery::parse(&input, gtin.as_deref());
        }

        #[test]
        fn parsed_serials_are_always_clean(input in "[ -~]{0,70}") {
            if let Ok(q) = LookupQuery::parse(&input, None) {
                prop_assert!(q.serial.normalised().bytes().all(|b| b.is_ascii_alphanumeric()));
            }
        }
    }
}
