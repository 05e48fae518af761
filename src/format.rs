//! Serial format strategies: how a product's serials are built, so that a mistyped or
//! invented serial is caught before any database query.

use crate::serial::{luhn_check_digit, luhn_valid};
use serde::{Deserialize, Serialize};

/// Letters and digits without the look-alikes (no 0/O, 1/I/L, 2/Z, 5/S, 8/B).
pub const SAFE_ALPHABET: &str = "34679ACDEFGHJKMNPQRTUVWXY";
const ISO7064_ALPHABET: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Alphabet {
    Digits,
    Safe,
}

impl Alphabet {
    pub fn chars(self) -> &'static str {
        match self {
            Alphabet::Digits => "0123456789",
            Alphabet::Safe => SAFE_ALPHABET,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckScheme {
    /// ISO/IEC 7064 MOD 37,36: one character from 0-9A-Z; catches every single substitution.
    Iso7064Mod37_36,
    /// Luhn over digits (bodies must be digits).
    Luhn,
    None,
}

/// How a product's serials look.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SerialFormat {
    /// Prefix, a body of fixed length from an alphabet, then a check character.
    Structured {
        prefix: String,
        body_len: u8,
        alphabet: Alphabet,
        check: CheckScheme,
        /// New serials take random bodies (hard to guess) rather than the next number.
        #[serde(default)]
        random: bool,
    },
    /// An IMEI whose type allocation code (first 8 digits) names the model.
    Imei { tac: String },
    /// No structure known: anything that normalises is accepted.
    Free,
}

/// What a format says of a normalised serial.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormatVerdict {
    /// Not this format's serial at all (another prefix or length).
    Foreign,
    /// This format's shape, with a correct check character.
    Valid,
    /// This format's shape, but the check character does not match: a typo or an invention.
    BadCheck,
    /// This format's prefix and length, but characters outside its alphabet.
    BadBody,
}

impl SerialFormat {
    pub fn total_len(&self) -> Option<usize> {
        match self {
            SerialFormat::Structured {
                prefix,
                body_len,
                check,
                ..
            } => Some(
                prefix.len() + usize::from(*body_len) + usize::from(*check != CheckScheme::None),
            ),
            SerialFormat::Imei { .. } => Some(15),
            SerialFormat::Free => None,
        }
    }

    /// How many distinct serials the format can make (saturating).
    pub fn capacity(&self) -> u64 {
        match self {
            SerialFormat::Structured {
                body_len, alphabet, ..
            } => (alphabet.chars().len() as u64).saturating_pow(u32::from(*body_len)),
            SerialFormat::Imei { .. } => 1_000_000,
            SerialFormat::Free => 0,
        }
    }

    /// In words, for the catalogue: "HX + 8 digits + Luhn check digit, sequential".
    pub fn describe(&self) -> String {
        match self {
            SerialFormat::Free => "any serial (no format)".to_owned(),
            SerialFormat::Imei { tac } => format!("IMEI with TAC {tac}"),
            SerialFormat::Structured {
                prefix,
                body_len,
                alphabet,
                check,
                random,
            } => {
                let body = match alphabet {
                    Alphabet::Digits => "digits",
                    Alphabet::Safe => "letters and digits without look-alikes",
                };
                let check = match check {
                    CheckScheme::Iso7064Mod37_36 => " + ISO 7064 check character",
                    CheckScheme::Luhn => " + Luhn check digit",
                    CheckScheme::None => "",
                };
                let order = if *random { "random" } else { "sequential" };
                let prefix = if prefix.is_empty() {
                    String::new()
                } else {
                    format!("{prefix} + ")
                };
                format!("{prefix}{body_len} {body}{check}, {order}")
            }
        }
    }

    /// Whether new serials take random bodies.
    pub fn random(&self) -> bool {
        matches!(self, SerialFormat::Structured { random: true, .. })
    }

    pub fn check(&self, normalised: &str) -> FormatVerdict {
        match self {
            SerialFormat::Free => FormatVerdict::Foreign,
            SerialFormat::Imei { tac } => {
                if normalised.len() != 15
                    || !normalised.starts_with(tac.as_str())
                    || !normalised.bytes().all(|b| b.is_ascii_digit())
                {
                    FormatVerdict::Foreign
                } else if luhn_valid(normalised) {
                    FormatVerdict::Valid
                } else {
                    FormatVerdict::BadCheck
                }
            }
            SerialFormat::Structured {
                prefix,
                body_len,
                alphabet,
                check,
                ..
            } => {
                // Serials are ASCII (normalised ones always are): anything else is no
                // serial of this format, and is never cut inside a character.
                if Some(normalised.len()) != self.total_len()
                    || !normalised.is_ascii()
                    || !normalised.starts_with(prefix.as_str())
                {
                    return FormatVerdict::Foreign;
                }
                let rest = &normalised[prefix.len()..];
                let (body, check_char) = rest.split_at(usize::from(*body_len));
                if !body.chars().all(|c| alphabet.chars().contains(c)) {
                    return FormatVerdict::BadBody;
                }
                match check {
                    CheckScheme::None => FormatVerdict::Valid,
                    scheme => {
                        if check_character(*scheme, &normalised[..normalised.len() - 1])
                            == check_char.chars().next()
                        {
                            FormatVerdict::Valid
                        } else {
                            FormatVerdict::BadCheck
                        }
                    }
                }
            }
        }
    }

    /// The space of serials this format speaks for (every serial it does not call
    /// [`FormatVerdict::Foreign`]): its length and prefix, and for an IMEI only digits.
    /// `None` for a free format, which speaks for no serial.
    fn space(&self) -> Option<(usize, &str, bool)> {
        match self {
            SerialFormat::Structured { prefix, .. } => {
                Some((self.total_len()?, prefix.as_str(), false))
            }
            SerialFormat::Imei { tac } => Some((15, tac.as_str(), true)),
            SerialFormat::Free => None,
        }
    }

    /// Whether some serial is this format's and `other`'s too (each would judge it: valid,
    /// a bad check character, a bad body). Serial spaces belong to one manufacturer, so a
    /// format that overlaps another manufacturer's is refused.
    pub fn overlaps(&self, other: &SerialFormat) -> bool {
        let (Some((len_a, prefix_a, digits_a)), Some((len_b, prefix_b, digits_b))) =
            (self.space(), other.space())
        else {
            return false;
        };
        let (short, long) = if prefix_a.len() <= prefix_b.len() {
            (prefix_a, prefix_b)
        } else {
            (prefix_b, prefix_a)
        };
        // A digits-only space (an IMEI's) shares a serial only under a prefix of digits.
        len_a == len_b
            && long.starts_with(short)
            && (!(digits_a || digits_b) || long.bytes().all(|b| b.is_ascii_digit()))
    }

    /// The prefix and length of the serials this format speaks for (`None` for a free one),
    /// for finding records that fall in its space.
    pub fn prefix_and_len(&self) -> Option<(&str, usize)> {
        self.space().map(|(len, prefix, _)| (prefix, len))
    }

    /// The serial for sequence number `n` (bodies are zero-padded numbers or, for the safe
    /// alphabet, `n` written in that alphabet's base).
    pub fn serial_for(&self, n: u64) -> String {
        match self {
            SerialFormat::Structured {
                prefix,
                body_len,
                alphabet,
                check,
                ..
            } => {
                let digits = alphabet.chars().as_bytes();
                let base = digits.len() as u64;
                let mut body = vec![digits[0]; usize::from(*body_len)];
                let mut rest = n;
                for slot in body.iter_mut().rev() {
                    *slot = digits[(rest % base) as usize];
                    rest /= base;
                }
                let mut serial = format!("{prefix}{}", String::from_utf8_lossy(&body));
                if let Some(c) = check_character(*check, &serial) {
                    serial.push(c);
                }
                serial
            }
            SerialFormat::Imei { tac } => {
                let body = format!("{tac}{:06}", n % 1_000_000);
                format!("{body}{}", luhn_check_digit(&body))
            }
            SerialFormat::Free => format!("{n}"),
        }
    }
}

/// The check character for `payload` under `scheme`, if the scheme has one.
pub fn check_character(scheme: CheckScheme, payload: &str) -> Option<char> {
    match scheme {
        CheckScheme::Iso7064Mod37_36 => Some(iso7064_mod37_36(payload)),
        CheckScheme::Luhn => {
            let digits: String = payload.chars().filter(char::is_ascii_digit).collect();
            Some(luhn_check_digit(&digits))
        }
        CheckScheme::None => None,
    }
}

/// ISO/IEC 7064 MOD 37,36 (hybrid system) over 0-9A-Z.
pub fn iso7064_mod37_36(payload: &str) -> char {
    let value = |c: u8| -> u32 {
        ISO7064_ALPHABET
            .iter()
            .position(|a| *a == c)
            .map_or(0, |p| p as u32)
    };
    let mut p: u32 = 36;
    for c in payload.bytes() {
        let mut s = (p + value(c)) % 36;
        if s == 0 {
            s = 36;
        }
        p = (s * 2) % 37;
    }
    let check = (37 - p) % 36;
    char::from(ISO7064_ALPHABET[check as usize])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn shaped(prefix: &str, body_len: u8, check: CheckScheme) -> SerialFormat {
        SerialFormat::Structured {
            prefix: prefix.into(),
            body_len,
            alphabet: Alphabet::Digits,
            check,
            random: false,
        }
    }

    /// Found by the serial_format fuzz target: text of the right length in bytes but not
    /// ASCII was cut inside a character (a panic).
    #[test]
    fn text_that_is_not_ascii_is_foreign_to_every_format() {
        for format in [
            shaped("", 4, CheckScheme::None),
            shaped("A", 2, CheckScheme::Iso7064Mod37_36),
            shaped("", 3, CheckScheme::Luhn),
        ] {
            for text in ["a\u{FFFD}", "`\u{1b}\u{FFFD}", "\u{FFFD}\u{1b}", "Aé\u{1}"] {
                assert_eq!(format.check(text), FormatVerdict::Foreign, "{text:?}");
            }
        }
    }

    #[test]
    fn formats_overlap_where_some_serial_is_judged_by_both() {
        let imei = |tac: &str| SerialFormat::Imei { tac: tac.into() };
        let hl = shaped("HL", 8, CheckScheme::Iso7064Mod37_36);
        // Same prefix and length, another check scheme: the same space.
        assert!(hl.overlaps(&shaped("HL", 8, CheckScheme::Luhn)));
        // A longer prefix inside it, a prefix-less one of the same length.
        assert!(hl.overlaps(&shaped("HLX", 7, CheckScheme::Iso7064Mod37_36)));
        assert!(shaped("", 11, CheckScheme::None).overlaps(&hl));
        // Another length or another prefix: apart.
        assert!(!hl.overlaps(&shaped("HL", 9, CheckScheme::Iso7064Mod37_36)));
        assert!(!hl.overlaps(&shaped("HM", 8, CheckScheme::Iso7064Mod37_36)));
        // IMEIs: the same TAC, a structured format on its digits; not another TAC, nor a
        // 15-character format whose prefix holds a letter.
        assert!(imei("35332011").overlaps(&imei("35332011")));
        assert!(!imei("35332011").overlaps(&imei("35332012")));
        assert!(imei("35332011").overlaps(&shaped("3533", 10, CheckScheme::Luhn)));
        assert!(imei("35332011").overlaps(&shaped("353320117", 5, CheckScheme::Luhn)));
        assert!(!imei("35332011").overlaps(&shaped("35332011X", 5, CheckScheme::Luhn)));
        assert!(!imei("35332011").overlaps(&shaped("3533", 9, CheckScheme::Luhn)));
        // A free format speaks for no serial.
        assert!(!SerialFormat::Free.overlaps(&hl) && !hl.overlaps(&SerialFormat::Free));
    }

    proptest! {
        /// Overlap is symmetric, and a serial that both formats judge is proof of it.
        #[test]
        fn overlap_is_symmetric_and_witnessed(
            a in "[A-C0-2]{0,3}", b in "[A-C0-2]{0,3}", la in 4u8..6, lb in 4u8..6,
            n in 0u64..10_000,
        ) {
            let (fa, fb) = (shaped(&a, la, CheckScheme::None), shaped(&b, lb, CheckScheme::None));
            prop_assert_eq!(fa.overlaps(&fb), fb.overlaps(&fa));
            for serial in [fa.serial_for(n), fb.serial_for(n)] {
                if fa.check(&serial) != FormatVerdict::Foreign && fb.check(&serial) != FormatVerdict::Foreign {
                    prop_assert!(fa.overlaps(&fb), "{} judged by both {:?} and {:?}", serial, fa, fb);
                }
            }
        }
    }

    fn acme() -> SerialFormat {
        SerialFormat::Structured {
            prefix: "AC".into(),
            body_len: 8,
            alphabet: Alphabet::Safe,
            check: CheckScheme::Iso7064Mod37_36,
            random: false,
        }
    }

    #[test]
    fn generated_serials_validate() {
        let f = acme();
        for n in [0, 1, 99, 123_456] {
            let s = f.serial_for(n);
            assert_eq!(s.len(), 11);
            assert_eq!(f.check(&s), FormatVerdict::Valid, "{s}");
        }
        assert_eq!(f.check("XX123"), FormatVerdict::Foreign);
        let imei = SerialFormat::Imei {
            tac: "35332011".into(),
        };
        let s = imei.serial_for(42);
        assert_eq!(imei.check(&s), FormatVerdict::Valid);
    }

    #[test]
    fn the_iso7064_vector() {
        // A worked example: the MOD 37,36 check of "A12425GABC1234002" is "M".
        assert_eq!(iso7064_mod37_36("A12425GABC1234002"), 'M');
    }

    proptest! {
        #[test]
        fn every_single_character_typo_is_caught(n in 0u64..10_000_000, pos in 0usize..11, replacement in "[0-9A-Z]") {
            let f = acme();
            let serial = f.serial_for(n);
            let mut chars: Vec<char> = serial.chars().collect();
            let r = replacement.chars().next().unwrap();
            prop_assume!(chars[pos] != r);
            chars[pos] = r;
            let typo: String = chars.into_iter().collect();
            prop_assert_ne!(f.check(&typo), FormatVerdict::Valid);
        }

        #[test]
        fn luhn_numbered_formats_catch_digit_typos(n in 0u64..1_000_000, pos in 2usize..11, delta in 1u8..10) {
            let f = SerialFormat::Structured { prefix: "WM".into(), body_len: 8, alphabet: Alphabet::Digits, check: CheckScheme::Luhn, random: false };
            let serial = f.serial_for(n);
            prop_assert_eq!(f.check(&serial), FormatVerdict::Valid);
            let mut bytes = serial.into_bytes();
            bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
            prop_assert_eq!(f.check(std::str::from_utf8(&bytes).unwrap()), FormatVerdict::BadCheck);
        }
    }
}
