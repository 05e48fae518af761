//! Accounts: e-mail addresses, the password policy and roles.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A normalised e-mail address: trimmed, lower-cased, one `@`, a dotted domain.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Email(String);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("Enter your e-mail address.")]
    Empty,
    #[error("An e-mail address has at most 254 characters.")]
    TooLong,
    #[error(
        "That is not an e-mail address (it needs a name, an @ and a domain such as example.org)."
    )]
    Malformed,
}

impl Email {
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let s = input.trim().to_lowercase();
        if s.is_empty() {
            return Err(EmailError::Empty);
        }
        if s.chars().count() > 254 {
            return Err(EmailError::TooLong);
        }
        let Some((local, domain)) = s.split_once('@') else {
            return Err(EmailError::Malformed);
        };
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.chars().any(|c| {
                c.is_whitespace()
                    || c.is_control()
                    || matches!(c, '@' | '<' | '>' | '"' | ',' | ';')
            });
        if domain_ok && local_ok {
            Ok(Self(s))
        } else {
            Err(EmailError::Malformed)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

pub const MIN_PASSWORD_CHARS: usize = 12;
pub const MAX_PASSWORD_CHARS: usize = 128;

const COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

/// A password that meets the policy. Never printed: `Debug` hides it, and it is not `Serialize`.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("A password has at least {MIN_PASSWORD_CHARS} characters.")]
    TooShort,
    #[error("A password has at most {MAX_PASSWORD_CHARS} characters.")]
    TooLong,
    #[error("That password is on the list of the most common ones; choose another.")]
    Common,
    #[error("A password made of one repeated character is too easy to guess.")]
    Repeated,
    #[error("The password must not be your e-mail address.")]
    IsEmail,
}

impl Password {
    /// Checks the policy; `email` (when known) must not be the password or its name part.
    pub fn parse(input: &str, email: Option<&Email>) -> Result<Self, PasswordError> {
        let chars = input.chars().count();
        if chars < MIN_PASSWORD_CHARS {
            return Err(PasswordError::TooShort);
        }
        if chars > MAX_PASSWORD_CHARS {
            return Err(PasswordError::TooLong);
        }
        let lower = input.to_lowercase();
        if COMMON_PASSWORDS
            .lines()
            .map(str::trim)
            .any(|common| common == lower)
        {
            return Err(PasswordError::Common);
        }
        let mut distinct = input.chars();
        let first = distinct.next();
        if distinct.all(|c| Some(c) == first) {
            return Err(PasswordError::Repeated);
        }
        if let Some(email) = email {
            let name = email.as_str().split('@').next().unwrap_or_default();
            if lower == email.as_str() || lower == name {
                return Err(PasswordError::IsEmail);
            }
        }
        Ok(Self(input.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// What a user may do. Every signed-up user is an owner; the others are granted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Agent,
    Staff,
    Police,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Agent => "agent",
            Role::Staff => "staff",
            Role::Police => "police",
            Role::Admin => "admin",
        }
    }

    pub const ALL: [Role; 5] = [
        Role::Owner,
        Role::Agent,
        Role::Staff,
        Role::Police,
        Role::Admin,
    ];

    /// The role's name as a person reads it.
    pub fn label(self) -> &'static str {
        match self {
            Role::Owner => "Owner",
            Role::Agent => "Support agent",
            Role::Staff => "Manufacturer staff",
            Role::Police => "Police",
            Role::Admin => "Administrator",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_lowercase().as_str() {
            "owner" => Some(Role::Owner),
            "agent" | "support" | "support-agent" => Some(Role::Agent),
            "staff" => Some(Role::Staff),
            "police" => Some(Role::Police),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// One role a user holds; staff carry their manufacturer, police their agency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub role: Role,
    pub manufacturer_id: Option<i64>,
    /// The manufacturer's display name, for staff.
    pub manufacturer: Option<String>,
    pub agency: Option<String>,
}

/// The signed-in user a request acts for: who they are and what they may do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedInUser {
    pub id: i64,
    pub email: String,
    pub grants: Vec<Grant>,
}

impl SignedInUser {
    pub fn has(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }

    /// The manufacturer a staff user works for.
    pub fn staff_manufacturer(&self) -> Option<i64> {
        self.grants
            .iter()
            .find(|g| g.role == Role::Staff)
            .and_then(|g| g.manufacturer_id)
    }

    /// The agency a police user works for.
    pub fn police_agency(&self) -> Option<&str> {
        self.grants
            .iter()
            .find(|g| g.role == Role::Police)
            .and_then(|g| g.agency.as_deref())
    }

    /// The role that says most about the user (for the audit log's actor role).
    pub fn main_role(&self) -> Role {
        self.grants
            .iter()
            .map(|g| g.role)
            .max()
            .unwrap_or(Role::Owner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn emails() {
        assert_eq!(
            Email::parse("  Ada@Example.ORG ").unwrap().as_str(),
            "ada@example.org"
        );
        assert_eq!(Email::parse(""), Err(EmailError::Empty));
        for bad in [
            "ada",
            "ada@",
            "@example.org",
            "ada@example",
            "ada@@example.org",
            "a da@example.org",
            "ada@exa mple.org",
            "ada@.example.org",
            "<ada>@example.org",
        ] {
            assert_eq!(Email::parse(bad), Err(EmailError::Malformed), "{bad}");
        }
        assert_eq!(
            Email::parse(&format!("{}@example.org", "a".repeat(300))),
            Err(EmailError::TooLong)
        );
    }

    #[test]
    fn password_policy() {
        let email = Email::parse("ada.lovelace@example.org").unwrap();
        assert!(Password::parse("analytical engine 1843", Some(&email)).is_ok());
        assert_eq!(Password::parse("short", None), Err(PasswordError::TooShort));
        assert_eq!(
            Password::parse(&"x".repeat(129), None),
            Err(PasswordError::TooLong)
        );
        assert_eq!(
            Password::parse("PasswordPassword", None),
            Err(PasswordError::Common)
        );
        assert_eq!(
            Password::parse("zzzzzzzzzzzzzz", None),
            Err(PasswordError::Repeated)
        );
        assert_eq!(
            Password::parse("ada.lovelace@example.org", Some(&email)),
            Err(PasswordError::IsEmail)
        );
        assert_eq!(
            format!(
                "{:?}",
                Password::parse("analytical engine 1843", None).unwrap()
            ),
            "Password(***)"
        );
    }

    #[test]
    fn roles_round_trip() {
        for role in [
            Role::Owner,
            Role::Agent,
            Role::Staff,
            Role::Police,
            Role::Admin,
        ] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }

    proptest! {
        #[test]
        fn parsers_never_panic(input in "\\PC{0,300}") {
            let _ = Email::parse(&input);
            let _ = Password::parse(&input, None);
        }

        #[test]
        fn valid_emails_are_normalised(local in "[a-zA-Z0-9._%+-]{1,20}", domain in "[a-z0-9-]{1,20}\\.[a-z]{2,6}") {
            let e = Email::parse(&format!(" {local}@{domain} ")).unwrap();
            prop_assert_eq!(e.as_str(), format!("{}@{}", local.to_lowercase(), domain));
        }
    }
}
