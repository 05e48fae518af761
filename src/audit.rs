//! The audit log's hash chain: each entry stores the hash of the one before it, so a changed,
//! removed or inserted row is detectable.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The hash the first entry chains from.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One change: who (user and role), what (action, target), before and after (JSON), when,
/// and from where.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at: String,
    pub actor_user_id: Option<i64>,
    pub actor_role: Option<String>,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<String>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub client_ip: Option<String>,
}

impl AuditEntry {
    /// SHA-256 (hex) over the previous hash and every field, each length-prefixed so no two
    /// different entries serialise alike.
    pub fn chain_hash(&self, prev_hash: &str) -> String {
        let mut hasher = Sha256::new();
        let mut field = |value: Option<&str>| match value {
            Some(v) => {
                hasher.update((v.len() as u64).to_be_bytes());
                hasher.update(v.as_bytes());
            }
            None => hasher.update(u64::MAX.to_be_bytes()),
        };
        let user = self.actor_user_id.map(|id| id.to_string());
        field(Some(prev_hash));
        field(Some(&self.at));
        field(user.as_deref());
        field(self.actor_role.as_deref());
        field(Some(&self.action));
        field(Some(&self.target_type));
        field(self.target_id.as_deref());
        field(self.before_json.as_deref());
        field(self.after_json.as_deref());
        field(self.client_ip.as_deref());
        hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// Where a chain stops verifying.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    #[error("audit entry {id} does not follow the entry before it (a row was removed or inserted)")]
    Link { id: i64 },
    #[error("audit entry {id} was changed after it was written (its hash does not match)")]
    Content { id: i64 },
    #[error(
        "the audit log's head does not match its last entry (entries were removed from the end)"
    )]
    Head,
}

/// Checks a chain, in order: each row's `prev_hash` is the previous row's `hash`, and each
/// `hash` is that of the row's content.
pub fn verify_chain<'a>(
    rows: impl IntoIterator<Item = (i64, &'a AuditEntry, &'a str, &'a str)>,
    head_hash: &str,
) -> Result<u64, ChainBreak> {
    let mut prev = GENESIS.to_owned();
    let mut count = 0;
    for (id, entry, prev_hash, hash) in rows {
        if prev_hash != prev {
            return Err(ChainBreak::Link { id });
        }
        if entry.chain_hash(prev_hash) != hash {
            return Err(ChainBreak::Content { id });
        }
        prev = hash.to_owned();
        count += 1;
    }
    if prev != head_hash {
        return Err(ChainBreak::Head);
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(action: &str) -> AuditEntry {
        AuditEntry {
            at: "2026-11-21T10:00:00Z".into(),
            actor_user_id: Some(7),
            actor_role: Some("staff".into()),
            action: action.into(),
            target_type: "recall".into(),
            target_id: Some("R-1".into()),
            before_json: None,
            after_json: Some("{\"status\":\"active\"}".into()),
            client_ip: Some("127.0.0.1".into()),
        }
    }

    fn chain(entries: &[AuditEntry]) -> Vec<(i64, AuditEntry, String, String)> {
        let mut prev = GENESIS.to_owned();
        entries
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let hash = e.chain_hash(&prev);
                let row = (i as i64 + 1, e.clone(), prev.clone(), hash.clone());
                prev = hash;
                row
            })
            .collect()
    }

    fn check(rows: &[(i64, AuditEntry, String, String)], head: &str) -> Result<u64, ChainBreak> {
        verify_chain(
            rows.iter()
                .map(|(id, e, p, h)| (*id, e, p.as_str(), h.as_str())),
            head,
        )
    }

    #[test]
    fn an_intact_chain_verifies_and_any_tampering_is_found() {
        let rows = chain(&[entry("publish"), entry("close"), entry("grant")]);
        let head = rows[2].3.clone();
        assert_eq!(check(&rows, &head), Ok(3));
        assert_eq!(check(&[], GENESIS), Ok(0));

        let mut changed = rows.clone();
        changed[1].1.after_json = Some("{\"status\":\"draft\"}".into());
        assert_eq!(check(&changed, &head), Err(ChainBreak::Content { id: 2 }));

        let removed: Vec<_> = rows.iter().filter(|r| r.0 != 2).cloned().collect();
        assert_eq!(check(&removed, &head), Err(ChainBreak::Link { id: 3 }));

        assert_eq!(check(&rows[..2], &head), Err(ChainBreak::Head));
    }

    #[test]
    fn fields_cannot_be_shifted_into_one_another() {
        let mut a = entry("x");
        a.target_id = Some("ab".into());
        a.before_json = Some("c".into());
        let mut b = entry("x");
        b.target_id = Some("a".into());
        b.before_json = Some("bc".into());
        assert_ne!(a.chain_hash(GENESIS), b.chain_hash(GENESIS));
        let mut c = entry("x");
        c.before_json = Some(String::new());
        let mut d = entry("x");
        d.before_json = None;
        assert_ne!(c.chain_hash(GENESIS), d.chain_hash(GENESIS));
    }
}
