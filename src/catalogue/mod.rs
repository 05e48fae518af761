//! The staff catalogue's forms: products (GTINs, warranty policy, serial format), lots and
//! serial generation, each read from what was typed into a checked value or a list of
//! problems by field. Builds for the browser too, so a form can check itself as it is typed.

mod view;

pub use view::{Batch, Lot, ProductDetail, ProductLine};

use crate::format::{Alphabet, CheckScheme, SerialFormat};
use crate::gs1::Gtin;
use crate::warranty::{WarrantyPolicy, WarrantyStart};
use serde::{Deserialize, Serialize};
use time::Date;

/// Problems with a submitted form, by field name.
pub type Problems = Vec<(&'static str, String)>;

/// The most serials one generation makes (a bigger run is several actions, or an import).
pub const MAX_GENERATE: u32 = 100_000;
/// The longest serial the records hold.
pub const MAX_SERIAL_LEN: usize = 20;

/// A product as typed into the catalogue form (every field text, as forms send them).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProductForm {
    pub model: String,
    pub name: String,
    pub category: String,
    /// GTINs separated by commas, spaces or new lines.
    pub gtins: String,
    pub warranty_months: String,
    pub warranty_starts: String,
    /// "on" when the warranty passes to a new owner.
    pub transferable: String,
    /// free, structured or imei.
    pub format_kind: String,
    pub prefix: String,
    pub body_len: String,
    /// digits or safe.
    pub alphabet: String,
    /// iso7064, luhn or none.
    pub check: String,
    /// sequential or random.
    pub order: String,
    pub tac: String,
}

/// A checked product.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductSpec {
    pub model: String,
    pub name: String,
    pub category: String,
    pub gtins: Vec<Gtin>,
    pub warranty: WarrantyPolicy,
    pub format: SerialFormat,
}

fn text(
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
    } else if value.chars().any(char::is_control) {
        problems.push((
            field,
            format!("The {label} has a character that cannot be shown."),
        ));
    }
    value.to_owned()
}

fn number<T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy>(
    problems: &mut Problems,
    field: &'static str,
    label: &str,
    value: &str,
    (low, high): (T, T),
) -> Option<T> {
    match value.trim().parse::<T>() {
        Ok(n) if n >= low && n <= high => Some(n),
        _ => {
            problems.push((
                field,
                format!("The {label} is a whole number from {low} to {high}."),
            ));
            None
        }
    }
}

/// An optional ISO 8601 date (`YYYY-MM-DD`).
pub fn optional_date(problems: &mut Problems, field: &'static str, value: &str) -> Option<Date> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    match Date::parse(value, &time::format_description::well_known::Iso8601::DATE) {
        Ok(date) => Some(date),
        Err(_) => {
            problems.push((field, format!("'{value}' is not a date (YYYY-MM-DD).")));
            None
        }
    }
}

/// GTINs separated by commas, spaces or new lines, each with a correct check digit.
pub fn parse_gtins(problems: &mut Problems, value: &str) -> Vec<Gtin> {
    let mut gtins: Vec<Gtin> = Vec::new();
    for part in value
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|p| !p.is_empty())
    {
        match Gtin::parse(part) {
            Ok(gtin) if !gtins.contains(&gtin) => gtins.push(gtin),
            Ok(_) => {}
            Err(error) => problems.push(("gtins", format!("GTIN {part}: {error}"))),
        }
    }
    if gtins.len() > 20 {
        problems.push(("gtins", "A product has at most 20 GTINs.".to_owned()));
    }
    gtins
}

impl ProductForm {
    /// The form of an existing product, to edit it.
    pub fn of(spec: &ProductSpec) -> Self {
        let mut form = Self {
            model: spec.model.clone(),
            name: spec.name.clone(),
            category: spec.category.clone(),
            gtins: spec
                .gtins
                .iter()
                .map(|g| g.as_str().to_owned())
                .collect::<Vec<_>>()
                .join(", "),
            warranty_months: spec.warranty.months.to_string(),
            warranty_starts: spec.warranty.starts.as_str().to_owned(),
            transferable: if spec.warranty.transferable { "on" } else { "" }.to_owned(),
            format_kind: "free".to_owned(),
            ..Self::default()
        };
        match &spec.format {
            SerialFormat::Free => {}
            SerialFormat::Imei { tac } => {
                form.format_kind = "imei".into();
                form.tac = tac.clone();
            }
            SerialFormat::Structured {
                prefix,
                body_len,
                alphabet,
                check,
                random,
            } => {
                form.format_kind = "structured".into();
                form.prefix = prefix.clone();
                form.body_len = body_len.to_string();
                form.alphabet = match alphabet {
                    Alphabet::Digits => "digits",
                    Alphabet::Safe => "safe",
                }
                .into();
                form.check = match check {
                    CheckScheme::Iso7064Mod37_36 => "iso7064",
                    CheckScheme::Luhn => "luhn",
                    CheckScheme::None => "none",
                }
                .into();
                form.order = if *random { "random" } else { "sequential" }.into();
            }
        }
        form
    }

    pub fn parse(&self) -> Result<ProductSpec, Problems> {
        let mut problems = Problems::new();
        let model = text(&mut problems, "model", "model number", &self.model, 40);
        let name = text(&mut problems, "name", "product name", &self.name, 120);
        let category = text(&mut problems, "category", "category", &self.category, 60);
        let gtins = parse_gtins(&mut problems, &self.gtins);
        let months = number::<u16>(
            &mut problems,
            "warranty_months",
            "warranty in months",
            &self.warranty_months,
            (0, 240),
        );
        let starts = WarrantyStart::parse(self.warranty_starts.trim());
        if starts.is_none() {
            problems.push((
                "warranty_starts",
                "Choose when the warranty starts: at sale, registration or manufacture.".into(),
            ));
        }
        let format = self.format(&mut problems);
        match (months, starts, format) {
            (Some(months), Some(starts), Some(format)) if problems.is_empty() => Ok(ProductSpec {
                model,
                name,
                category,
                gtins,
                warranty: WarrantyPolicy {
                    months,
                    starts,
                    transferable: self.transferable == "on",
                },
                format,
            }),
            _ => Err(problems),
        }
    }

    fn format(&self, problems: &mut Problems) -> Option<SerialFormat> {
        match self.format_kind.trim() {
            "" | "free" => Some(SerialFormat::Free),
            "imei" => {
                let tac = self.tac.trim();
                if tac.len() == 8 && tac.bytes().all(|b| b.is_ascii_digit()) {
                    Some(SerialFormat::Imei { tac: tac.into() })
                } else {
                    problems.push((
                        "tac",
                        "An IMEI format needs the 8-digit type allocation code (TAC).".into(),
                    ));
                    None
                }
            }
            "structured" => {
                let prefix = self.prefix.trim().to_ascii_uppercase();
                if prefix.len() > 10 || !prefix.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    problems.push(("prefix", "A prefix has up to 10 letters and digits.".into()));
                }
                let body_len =
                    number::<u8>(problems, "body_len", "body length", &self.body_len, (4, 16));
                let alphabet = match self.alphabet.trim() {
                    "digits" => Some(Alphabet::Digits),
                    "safe" => Some(Alphabet::Safe),
                    _ => {
                        problems.push((
                            "alphabet",
                            "Choose the body's characters: digits, or letters and digits without look-alikes.".into(),
                        ));
                        None
                    }
                };
                let check = match self.check.trim() {
                    "iso7064" => Some(CheckScheme::Iso7064Mod37_36),
                    "luhn" => Some(CheckScheme::Luhn),
                    "none" => Some(CheckScheme::None),
                    _ => {
                        problems.push(("check", "Choose a check character scheme.".into()));
                        None
                    }
                };
                if check == Some(CheckScheme::Luhn)
                    && (alphabet != Some(Alphabet::Digits)
                        || !prefix.bytes().all(|b| b.is_ascii_digit()))
                {
                    problems.push((
                        "check",
                        "Luhn works on digits only: use a digits body and prefix, or ISO 7064 MOD 37,36.".into(),
                    ));
                }
                let random = match self.order.trim() {
                    "" | "sequential" => false,
                    "random" => true,
                    _ => {
                        problems.push(("order", "Choose sequential or random bodies.".into()));
                        false
                    }
                };
                let (body_len, alphabet, check) = (body_len?, alphabet?, check?);
                let total =
                    prefix.len() + usize::from(body_len) + usize::from(check != CheckScheme::None);
                if total > MAX_SERIAL_LEN {
                    problems.push((
                        "body_len",
                        format!("Serials of this format would have {total} characters; the most is {MAX_SERIAL_LEN}."),
                    ));
                    return None;
                }
                Some(SerialFormat::Structured {
                    prefix,
                    body_len,
                    alphabet,
                    check,
                    random,
                })
            }
            _ => {
                problems.push(("format_kind", "Choose a serial format.".into()));
                None
            }
        }
    }
}

/// A lot as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LotForm {
    pub code: String,
    pub produced_on: String,
    pub expires_on: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LotSpec {
    pub code: String,
    pub produced_on: Option<Date>,
    pub expires_on: Option<Date>,
}

impl LotForm {
    pub fn parse(&self) -> Result<LotSpec, Problems> {
        let mut problems = Problems::new();
        let code = text(&mut problems, "code", "lot code", &self.code, 40);
        let produced_on = optional_date(&mut problems, "produced_on", &self.produced_on);
        let expires_on = optional_date(&mut problems, "expires_on", &self.expires_on);
        if let (Some(p), Some(e)) = (produced_on, expires_on)
            && e < p
        {
            problems.push((
                "expires_on",
                "A lot cannot expire before it is made.".into(),
            ));
        }
        if problems.is_empty() {
            Ok(LotSpec {
                code,
                produced_on,
                expires_on,
            })
        } else {
            Err(problems)
        }
    }
}

/// A request to generate serials.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct GenerateForm {
    pub count: String,
    /// A lot code of the product, or empty.
    pub lot: String,
    pub manufactured_on: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenerateSpec {
    pub count: u32,
    pub lot: Option<String>,
    pub manufactured_on: Option<Date>,
}

impl GenerateForm {
    pub fn parse(&self) -> Result<GenerateSpec, Problems> {
        let mut problems = Problems::new();
        let count = number::<u32>(
            &mut problems,
            "count",
            "number of serials",
            &self.count,
            (1, MAX_GENERATE),
        );
        let manufactured_on =
            optional_date(&mut problems, "manufactured_on", &self.manufactured_on);
        let lot = Some(self.lot.trim().to_owned()).filter(|l| !l.is_empty());
        match count {
            Some(count) if problems.is_empty() => Ok(GenerateSpec {
                count,
                lot,
                manufactured_on,
            }),
            _ => Err(problems),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> ProductForm {
        ProductForm {
            model: "HX-200".into(),
            name: "Hallmark HX-200".into(),
            category: "laptop".into(),
            gtins: "09506000134352, 4006381333931".into(),
            warranty_months: "24".into(),
            warranty_starts: "sale".into(),
            transferable: "on".into(),
            format_kind: "structured".into(),
            prefix: "hx".into(),
            body_len: "8".into(),
            alphabet: "safe".into(),
            check: "iso7064".into(),
            order: "random".into(),
            tac: String::new(),
        }
    }

    #[test]
    fn a_good_product_reads_and_round_trips() {
        let spec = form().parse().expect("valid");
        assert_eq!(spec.gtins.len(), 2);
        assert_eq!(spec.gtins[1].as_str(), "04006381333931");
        assert!(
            matches!(&spec.format, SerialFormat::Structured { prefix, random: true, .. } if prefix == "HX")
        );
        assert_eq!(ProductForm::of(&spec).parse(), Ok(spec));
    }

    #[test]
    fn each_bad_field_is_named() {
        let bad = ProductForm {
            model: " ".into(),
            gtins: "09506000134353".into(),
            warranty_months: "-1".into(),
            warranty_starts: "never".into(),
            check: "luhn".into(),
            ..form()
        };
        let problems = bad.parse().unwrap_err();
        let fields: Vec<_> = problems.iter().map(|(f, _)| *f).collect();
        for field in [
            "model",
            "gtins",
            "warranty_months",
            "warranty_starts",
            "check",
        ] {
            assert!(fields.contains(&field), "{field} in {problems:?}");
        }
        let long = ProductForm {
            prefix: "ABCDEFGHIJ".into(),
            body_len: "16".into(),
            ..form()
        };
        assert!(long.parse().unwrap_err()[0].1.contains("27 characters"));
    }

    #[test]
    fn lots_and_generation_check_their_fields() {
        let lot = LotForm {
            code: "L-1".into(),
            produced_on: "2026-05-01".into(),
            expires_on: "2026-04-01".into(),
        };
        assert_eq!(lot.parse().unwrap_err()[0].0, "expires_on");
        let generate = GenerateForm {
            count: "0".into(),
            ..GenerateForm::default()
        };
        assert_eq!(generate.parse().unwrap_err()[0].0, "count");
        let generate = GenerateForm {
            count: "500".into(),
            lot: " L-1 ".into(),
            manufactured_on: "2026-05-01".into(),
        };
        let spec = generate.parse().unwrap();
        assert_eq!((spec.count, spec.lot.as_deref()), (500, Some("L-1")));
    }
}
