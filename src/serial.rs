//! Serial numbers: the raw form people type and the normalised form we match on.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The longest serial we accept after normalisation (the FDA UDI and GS1 AI 21 limit).
pub const MAX_SERIAL_LEN: usize = 20;

/// A serial number that has passed normalisation: 1–20 ASCII letters and digits.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Serial {
    raw: String,
    normalised: String,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SerialError {
    #[error("Enter a serial number.")]
    Empty,
    #[error("A serial number has at most {MAX_SERIAL_LEN} letters and digits; this one has {0}.")]
    TooLong(usize),
    #[error(
        "A serial number contains only letters A–Z and digits 0–9; “{0}” at position {1} is not one of them."
    )]
    BadCharacter(char, usize),
}

impl Serial {
    /// Normalises for matching: trims, uppercases, and drops spaces, dashes, dots and slashes.
    pub fn parse(input: &str) -> Result<Self, SerialError> {
        let raw = input.trim();
        let mut normalised = String::with_capacity(raw.len());
        for (position, c) in raw.chars().enumerate() {
            match c {
                ' ' | '-' | '.' | '/' | '\t' => {}
                c if c.is_ascii_alphanumeric() => normalised.push(c.to_ascii_uppercase()),
                other => return Err(SerialError::BadCharacter(other, position + 1)),
            }
        }
        if normalised.is_empty() {
            return Err(SerialError::Empty);
        }
        if normalised.len() > MAX_SERIAL_LEN {
            return Err(SerialError::TooLong(normalised.len()));
        }
        Ok(Self {
            raw: raw.to_owned(),
            normalised,
        })
    }

    pub fn raw(&self) -> &str {
        &self.raw
    }

    pub fn normalised(&self) -> &str {
        &self.normalised
    }

    /// The look-alike-folded form used by police and staff searches (never by the public).
    pub fn folded(&self) -> String {
        fold_lookalikes(&self.normalised)
    }
}

impl fmt::Display for Serial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.normalised)
    }
}

/// Folds characters that are easily misread for one another onto one representative:
/// O→0, I and L→1, S→5, Z→2, B→8.
pub fn fold_lookalikes(normalised: &str) -> String {
    normalised
        .chars()
        .map(|c| match c {
            'O' => '0',
            'I' | 'L' => '1',
            'S' => '5',
            'Z' => '2',
            'B' => '8',
            other => other,
        })
        .collect()
}

/// The Luhn (mod 10) check over a string of digits, the last being the check digit.
pub fn luhn_valid(digits: &str) -> bool {
    if digits.len() < 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    luhn_sum(digits).is_multiple_of(10)
}

/// The Luhn check digit to append to `body`.
pub fn luhn_check_digit(body: &str) -> char {
    let with_zero = format!("{body}0");
    let digit = (10 - luhn_sum(&with_zero) % 10) % 10;
    char::from(b'0' + digit as u8)
}

fn luhn_sum(digits: &str) -> u32 {
    digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum()
}

/// An IMEI: 15 digits whose last is a Luhn check digit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Imei(String);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImeiError {
    #[error("An IMEI has 15 digits; this has {0} characters.")]
    Length(usize),
    #[error("An IMEI has only digits.")]
    NotDigits,
    #[error("The IMEI's last digit does not match the rest (Luhn check) — check it for a typo.")]
    CheckDigit,
}

impl Imei {
    pub fn parse(input: &str) -> Result<Self, ImeiError> {
        let digits: String = input
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '.' | '/'))
            .collect();
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ImeiError::NotDigits);
        }
        if digits.len() != 15 {
            return Err(ImeiError::Length(digits.len()));
        }
        if !luhn_valid(&digits) {
            return Err(ImeiError::CheckDigit);
        }
        Ok(Self(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The type allocation code: the first eight digits, naming the model.
    pub fn tac(&self) -> &str {
        &self.0[..8]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn normalises_case_spaces_and_separators() {
        let s = Serial::parse("  ab-12 3.4/5c ").unwrap();
        assert_eq!(s.normalised(), "AB12345C");
        assert_eq!(s.raw(), "ab-12 3.4/5c");
    }

    #[test]
    fn rejects_empty_long_and_foreign_characters() {
        assert_eq!(Serial::parse("  - . "), Err(SerialError::Empty));
        assert_eq!(
            Serial::parse("A".repeat(21).as_str()),
            Err(SerialError::TooLong(21))
        );
        // Cyrillic А looks like Latin A but is not one.
        assert_eq!(
            Serial::parse("\u{410}BC123"),
            Err(SerialError::BadCharacter('\u{410}', 1))
        );
        assert!(matches!(
            Serial::parse("AB'; DROP TABLE units;--"),
            Err(SerialError::BadCharacter('\'', 3))
        ));
    }

    #[test]
    fn folds_lookalikes() {
        assert_eq!(fold_lookalikes("OILSZB09"), "01152809");
    }

    #[test]
    fn luhn_known_values() {
        assert!(luhn_valid("490154203237518"));
        assert!(!luhn_valid("490154203237519"));
        assert_eq!(luhn_check_digit("49015420323751"), '8');
        assert!(Imei::parse("49-015420-323751-8").is_ok());
        assert_eq!(Imei::parse("490154203237517"), Err(ImeiError::CheckDigit));
        assert_eq!(Imei::parse("4901542032375"), Err(ImeiError::Length(13)));
    }

    proptest! {
        #[test]
        fn normalising_is_idempotent(input in "[ a-zA-Z0-9./-]{0,30}") {
            if let Ok(s) = Serial::parse(&input) {
                let again = Serial::parse(s.normalised()).unwrap();
                prop_assert_eq!(again.normalised(), s.normalised());
                prop_assert!(s.normalised().len() <= MAX_SERIAL_LEN);
                prop_assert!(s.normalised().bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
            }
        }

        #[test]
        fn never_panics_on_any_text(input in "\\PC{0,80}") {
            let _ = Serial::parse(&input);
            let _ = Imei::parse(&input);
        }

        #[test]
        fn luhn_digit_always_validates(body in "[0-9]{1,20}") {
            let full = format!("{body}{}", luhn_check_digit(&body));
            prop_assert!(luhn_valid(&full));
        }

        #[test]
        fn luhn_catches_every_single_digit_change(body in "[0-9]{14}", pos in 0usize..15, delta in 1u8..10) {
            let full = format!("{body}{}", luhn_check_digit(&body));
            let mut bytes = full.into_bytes();
            bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
            prop_assert!(!luhn_valid(std::str::from_utf8(&bytes).unwrap()));
        }
    }
}
