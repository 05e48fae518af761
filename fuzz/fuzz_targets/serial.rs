//! Typed serials and IMEIs, and the stock-audit scan lines (one serial per line).
#![no_main]

use libfuzzer_sys::fuzz_target;
use serialtrace::serial::{Imei, MAX_SERIAL_LEN, Serial};

fuzz_target!(|input: &str| {
    for line in input.lines() {
        if let Ok(serial) = Serial::parse(line) {
            let norm = serial.normalised();
            assert!(!norm.is_empty() && norm.len() <= MAX_SERIAL_LEN);
            // Normalising is idempotent, and the look-alike fold is too.
            let again = Serial::parse(norm).expect("a normalised serial parses");
            assert_eq!(again.normalised(), norm);
            let folded = serial.folded();
            assert_eq!(
                Serial::parse(&folded)
                    .expect("a folded serial parses")
                    .folded(),
                folded
            );
        }
    }
    if let Ok(imei) = Imei::parse(input) {
        assert_eq!(imei.as_str().len(), 15);
        assert_eq!(Imei::parse(imei.as_str()).as_ref(), Ok(&imei));
    }
});
