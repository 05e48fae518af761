//! A change to the records in one transaction that may change what public lookups answer.
//! Where a workflow marks [`Change::lookups_change`], its commit bumps the lookup cache epoch
//! in the same transaction (so every instance drops the answers it cached) and refreshes this
//! instance's epoch at once: no workflow pairs the bump and the refresh by hand.

use super::lookup::LookupService;
use crate::store::{Db, StoreResult, lookups};
use std::ops::{Deref, DerefMut};

/// The transaction (it derefs to one, so the store's functions take `&mut change`) and
/// whether public answers change.
pub struct Change {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    lookups: bool,
}

impl Change {
    /// Begins a change on the writer.
    pub async fn begin(db: &Db) -> StoreResult<Self> {
        Ok(Self {
            tx: db.writer().begin().await?,
            lookups: false,
        })
    }

    /// Public answers change with this: the commit tells every instance's cache.
    pub fn lookups_change(&mut self) {
        self.lookups = true;
    }

    /// Commits (with the epoch bump when lookups change), then refreshes `lookup`'s epoch.
    pub async fn commit(mut self, lookup: &LookupService) -> StoreResult<()> {
        if self.lookups {
            lookups::bump_epoch(&mut self.tx).await?;
        }
        self.tx.commit().await?;
        if self.lookups {
            lookup.refresh_epoch().await?;
        }
        Ok(())
    }
}

impl Deref for Change {
    type Target = sqlx::Transaction<'static, sqlx::Any>;

    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl DerefMut for Change {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}
