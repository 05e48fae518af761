//! GS1 element strings (with FNC1 as GS), Digital Link URLs and GTINs as scanners send them.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serialtrace::gs1::{Gtin, parse_digital_link, parse_element_string};

fn check(data: serialtrace::gs1::Gs1Data) {
    if let Some(gtin) = data.gtin {
        // A GTIN that was accepted reads back as itself.
        assert_eq!(Gtin::parse(gtin.as_str()).as_ref(), Ok(&gtin));
    }
}

fuzz_target!(|input: &str| {
    if let Ok(data) = parse_element_string(input) {
        check(data);
    }
    if let Ok(data) = parse_digital_link(input) {
        check(data);
    }
    if let Ok(gtin) = Gtin::parse(input) {
        assert_eq!(gtin.as_str().len(), 14);
        assert!(gtin.as_str().bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(Gtin::parse(gtin.as_str()).as_ref(), Ok(&gtin));
    }
});
