//! Serial formats (prefix, body, alphabet, check character; IMEI TACs) and their verdicts:
//! every serial a format makes is valid under it, any text gets a verdict, and overlap
//! between two formats is symmetric and never denies a serial both formats judge.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serialtrace::format::{Alphabet, CheckScheme, FormatVerdict, SerialFormat};

fn format_of(bytes: &[u8]) -> SerialFormat {
    let byte = |i: usize| bytes.get(i).copied().unwrap_or(0);
    let prefix: String = bytes
        .iter()
        .skip(4)
        .take(usize::from(byte(0) % 6))
        .map(|b| char::from(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[usize::from(*b) % 36]))
        .collect();
    match byte(1) % 5 {
        0 => SerialFormat::Free,
        1 => SerialFormat::Imei {
            tac: format!(
                "{:08}",
                u32::from_le_bytes([byte(2), byte(3), byte(4), 0]) % 100_000_000
            ),
        },
        kind => SerialFormat::Structured {
            prefix,
            body_len: 4 + byte(2) % 13,
            alphabet: if byte(3) % 2 == 0 {
                Alphabet::Digits
            } else {
                Alphabet::Safe
            },
            check: match kind {
                2 => CheckScheme::Iso7064Mod37_36,
                3 if byte(3) % 2 == 0 => CheckScheme::Luhn,
                _ => CheckScheme::None,
            },
            random: false,
        },
    }
}

fuzz_target!(|data: &[u8]| {
    let half = data.len() / 2;
    let (a, b) = (format_of(&data[..half]), format_of(&data[half..]));
    let n = data.iter().fold(0u64, |acc, b| {
        acc.wrapping_mul(31).wrapping_add(u64::from(*b))
    });
    for f in [&a, &b] {
        if *f != SerialFormat::Free {
            let made = f.serial_for(n % f.capacity().max(1));
            assert_eq!(f.check(&made), FormatVerdict::Valid, "{f:?} made {made}");
        }
    }
    assert_eq!(a.overlaps(&b), b.overlaps(&a));
    let text = String::from_utf8_lossy(data);
    for serial in [text.as_ref(), &a.serial_for(n), &b.serial_for(n)] {
        let judged = |f: &SerialFormat| f.check(serial) != FormatVerdict::Foreign;
        if judged(&a) && judged(&b) {
            assert!(a.overlaps(&b), "{serial} judged by {a:?} and {b:?}");
        }
    }
});
