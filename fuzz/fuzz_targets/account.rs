//! E-mail addresses and passwords as typed into sign-up, sign-in and reset forms.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serialtrace::account::{Email, MAX_PASSWORD_CHARS, Password};

fuzz_target!(|input: &str| {
    let (email, password) = input.split_once('\0').unwrap_or((input, input));
    let email = Email::parse(email).ok();
    if let Some(email) = &email {
        // An accepted address reads back as itself.
        assert_eq!(Email::parse(email.as_str()).as_ref(), Ok(email));
    }
    if let Ok(password) = Password::parse(password, email.as_ref()) {
        let n = password.expose().chars().count();
        assert!((12..=MAX_PASSWORD_CHARS).contains(&n), "{n}");
    }
});
