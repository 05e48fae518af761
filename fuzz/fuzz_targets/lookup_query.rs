//! What a person types, pastes or scans into the lookup (with the optional GTIN box): any
//! text gets an answer or a reason, and an accepted query is a serial the store can match.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serialtrace::lookup::LookupQuery;
use serialtrace::serial::{MAX_SERIAL_LEN, Serial};

fuzz_target!(|data: &str| {
    // "input\0gtin": the second box is empty when there is no NUL.
    let (input, gtin) = match data.split_once('\0') {
        Some((input, gtin)) => (input, Some(gtin)),
        None => (data, None),
    };
    if let Ok(query) = LookupQuery::parse(input, gtin) {
        let serial = query.serial.normalised();
        assert!(
            !serial.is_empty() && serial.len() <= MAX_SERIAL_LEN,
            "{serial:?}"
        );
        assert!(
            serial
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()),
            "{serial:?}"
        );
        // The normalised serial reads back as itself (what the store keys on).
        let again = Serial::parse(serial).expect("a normalised serial parses");
        assert_eq!(again.normalised(), serial);
        if let Some(gtin) = &query.gtin {
            assert_eq!(gtin.as_str().len(), 14);
        }
    }
});
