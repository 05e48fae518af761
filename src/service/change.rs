//! A change to the records: one transaction, who makes it, what the audit log says of it
//! and whether public lookups change with it.
//!
//! A workflow begins a [`Change`] for its actor, does its store calls on it (it derefs to
//! the transaction), [`record`](Change::record)s what it did, marks
//! [`lookups_change`](Change::lookups_change) where a public answer may differ, and commits.
//! The audit entries commit with the change or not at all; where lookups change, the commit
//! bumps the cache epoch in the same transaction (so every instance drops the answers it
//! cached) and this process's lookup cache sees the new epoch at once. No workflow writes an
//! audit entry or pairs an epoch bump by hand.

use super::accounts::Actor;
use crate::audit::AuditEntry;
use crate::store::{Db, StoreResult, audit, lookups, now_text};
use serde_json::Value;
use std::ops::{Deref, DerefMut};

/// The transaction (it derefs to one, so the store's functions take `&mut change`), who
/// makes the change, and whether public answers change.
pub struct Change<'a> {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    db: Db,
    by: Actor<'a>,
    lookups: bool,
}

/// What one audit entry says: the action, what it acted on, and (as JSON) what that was
/// before and is after. Who and when come from the [`Change`] it is recorded in.
#[derive(Clone, Debug)]
#[must_use = "an audit entry is written by Change::record"]
pub struct Audit {
    action: String,
    target_type: &'static str,
    target_id: Option<String>,
    before: Option<Value>,
    after: Option<Value>,
}

impl Audit {
    /// `action` on `target_type` number (or name) `target_id`.
    pub fn of(
        action: impl Into<String>,
        target_type: &'static str,
        target_id: impl ToString,
    ) -> Self {
        Self {
            target_id: Some(target_id.to_string()),
            ..Self::on(action, target_type)
        }
    }

    /// `action` on `target_type` as a whole (a search of the registry, an import).
    pub fn on(action: impl Into<String>, target_type: &'static str) -> Self {
        Self {
            action: action.into(),
            target_type,
            target_id: None,
            before: None,
            after: None,
        }
    }

    /// What the target was before.
    pub fn before(mut self, before: Value) -> Self {
        self.before = Some(before);
        self
    }

    /// What the target is after (or what the action did).
    pub fn after(mut self, after: Value) -> Self {
        self.after = Some(after);
        self
    }

    /// The entry `by` makes at `at`.
    pub(crate) fn entry(self, by: &Actor<'_>, at: String) -> AuditEntry {
        AuditEntry {
            at,
            actor_user_id: by.user_id,
            actor_role: Some(by.role.to_owned()),
            action: self.action,
            target_type: self.target_type.into(),
            target_id: self.target_id,
            before_json: self.before.map(|v| v.to_string()),
            after_json: self.after.map(|v| v.to_string()),
            client_ip: by.client_ip.map(str::to_owned),
        }
    }
}

impl<'a> Change<'a> {
    /// Begins a change `by` someone, on the writer.
    pub async fn begin(db: &Db, by: &Actor<'a>) -> StoreResult<Self> {
        Ok(Self {
            tx: db.writer().begin().await?,
            db: db.clone(),
            by: *by,
            lookups: false,
        })
    }

    /// The change turns out to be `by` someone known (a link's token names its user).
    pub fn identify(&mut self, by: Actor<'a>) {
        self.by = by;
    }

    /// Writes an audit entry for this change (chained to the last; it commits with the
    /// change). Its id.
    pub async fn record(&mut self, audit: Audit) -> StoreResult<i64> {
        let entry = audit.entry(&self.by, now_text());
        audit::append(&mut self.tx, &entry).await
    }

    /// Public answers change with this: the commit tells every instance's cache.
    pub fn lookups_change(&mut self) {
        self.lookups = true;
    }

    /// Commits (with the epoch bump when lookups change, which this process's lookup cache
    /// then sees at once).
    pub async fn commit(mut self) -> StoreResult<()> {
        let epoch = match self.lookups {
            true => Some(lookups::bump_epoch(&mut self.tx).await?),
            false => None,
        };
        self.tx.commit().await?;
        if let Some(epoch) = epoch {
            self.db.saw_epoch(epoch);
        }
        Ok(())
    }
}

impl Deref for Change<'_> {
    type Target = sqlx::Transaction<'static, sqlx::Any>;

    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl DerefMut for Change<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}
