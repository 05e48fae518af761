//! The units CSV a manufacturer imports: any header and any row get a line-numbered reason
//! or a checked row, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serialtrace::import::{UNIT_COLUMNS, UnitColumns, UnitRow};

fuzz_target!(|input: &str| {
    let today = time::macros::date!(2026 - 12 - 01);
    let mut lines = input.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    let columns = UnitColumns::from_header(&header)
        .unwrap_or_else(|_| UnitColumns::from_header(&UNIT_COLUMNS).expect("the standard header"));
    for (i, line) in lines.enumerate() {
        let fields: Vec<&str> = line.split(',').collect();
        let line_number = i as u64 + 2;
        match UnitRow::parse(line_number, &columns, &fields, today) {
            Ok(row) => assert!(!row.serial.normalised().is_empty()),
            Err(problem) => assert_eq!(problem.line, line_number),
        }
    }
});
