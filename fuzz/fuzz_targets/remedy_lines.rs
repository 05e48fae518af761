//! Pasted remedy lines (`serial,status[,remedied_on]`): each line is an update or a problem
//! naming its line, never both, never more than there are lines.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serialtrace::recall::forms::parse_remedy_lines;

fuzz_target!(|input: &str| {
    let (updates, problems) = parse_remedy_lines(input);
    let lines = input.lines().count();
    assert!(updates.len() + problems.len() <= lines);
    for update in &updates {
        assert!(update.line >= 1 && update.line <= lines);
    }
    for problem in &problems {
        assert!(problem.starts_with("line "), "{problem}");
    }
});
