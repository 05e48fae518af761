//! What the administrators' screens show: users with their roles, and the audit log.

use crate::account::SignedInUser;
use serde::{Deserialize, Serialize};

/// A user as the admin screen lists them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    pub user: SignedInUser,
    pub created_at: String,
    pub disabled: bool,
}

/// One audit log entry, with the actor's e-mail for reading.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub id: i64,
    pub at: String,
    pub actor_user_id: Option<i64>,
    pub actor_email: Option<String>,
    pub actor_role: Option<String>,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<String>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub client_ip: Option<String>,
}

/// Filters on the audit log; empty fields do not filter.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    /// The actor's e-mail, or part of it.
    pub actor: Option<String>,
    /// An action, or its start (`user.` matches every user action).
    pub action: Option<String>,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    /// First day (YYYY-MM-DD), inclusive.
    pub from: Option<String>,
    /// Last day (YYYY-MM-DD), inclusive.
    pub to: Option<String>,
    /// Entries before this id (paging backwards through time).
    pub before_id: Option<i64>,
}

impl AuditFilter {
    /// The filter with blank fields removed and dates checked (a malformed date is an error
    /// the screen shows next to its field).
    pub fn normalised(mut self) -> Result<Self, (&'static str, String)> {
        fn clean(v: &mut Option<String>) {
            *v = v
                .take()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty());
        }
        for field in [
            &mut self.actor,
            &mut self.action,
            &mut self.target_type,
            &mut self.target_id,
            &mut self.from,
            &mut self.to,
        ] {
            clean(field);
        }
        let format = time::macros::format_description!("[year]-[month]-[day]");
        for (name, value) in [("from", &self.from), ("to", &self.to)] {
            if let Some(v) = value
                && time::Date::parse(v, &format).is_err()
            {
                return Err((name, format!("'{v}' is not a date: use YYYY-MM-DD.")));
            }
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_cleaned_and_dates_checked() {
        let f = AuditFilter {
            actor: Some("  ".into()),
            action: Some(" user. ".into()),
            from: Some("2026-11-01".into()),
            ..Default::default()
        }
        .normalised()
        .expect("valid");
        assert_eq!(f.actor, None);
        assert_eq!(f.action.as_deref(), Some("user."));
        let bad = AuditFilter {
            to: Some("21/11/2026".into()),
            ..Default::default()
        }
        .normalised();
        assert_eq!(bad.map_err(|e| e.0), Err("to"));
    }
}

/// A key as the API and the admin screen see it (never the key itself).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKey {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub scope: String,
    pub manufacturer_id: Option<i64>,
    pub manufacturer: Option<String>,
    pub per_minute: i64,
    pub per_day: i64,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

impl ApiKey {
    /// The day it was made.
    pub fn made_on(&self) -> &str {
        self.created_at.get(..10).unwrap_or(&self.created_at)
    }

    /// The day it was revoked, if it was.
    pub fn revoked_on(&self) -> Option<&str> {
        self.revoked_at
            .as_deref()
            .map(|at| at.get(..10).unwrap_or(at))
    }
}
