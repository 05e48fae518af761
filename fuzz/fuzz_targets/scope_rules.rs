//! A recall's scope-rule form as typed (every field from the input, split at \u{1}), and the
//! serial lists pasted into it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serialtrace::recall::forms::{RuleForm, parse_serial_list};
use serialtrace::serial::Serial;

fuzz_target!(|input: &str| {
    let mut fields = input.split('\u{1}').map(str::to_owned);
    let mut next = || fields.next().unwrap_or_default();
    let kinds = [
        "serials",
        "range",
        "lot",
        "window",
        "component_lot",
        "component_serial",
    ];
    let kind = next();
    let form = RuleForm {
        rule_kind: kinds
            .iter()
            .find(|k| kind.starts_with(**k))
            .map_or(kind.clone(), |k| (*k).to_owned()),
        rule_model: next(),
        serials: next(),
        range_prefix: next(),
        range_from: next(),
        range_to: next(),
        lot_code: next(),
        window_from: next(),
        window_to: next(),
    };
    let _ = form.parse();
    let mut problems = Vec::new();
    let serials = parse_serial_list(&mut problems, "serials", input);
    // Normalised, sorted, each once.
    assert!(serials.windows(2).all(|w| w[0] < w[1]));
    for serial in &serials {
        assert_eq!(
            Serial::parse(serial)
                .map(|s| s.normalised().to_owned())
                .as_ref(),
            Ok(serial)
        );
    }
});
