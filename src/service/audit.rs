//! The audit log, for the administrator's screen and `serialtrace audit verify`: entries are
//! written by each workflow through `accounts::entry`; here they are searched and the hash
//! chain that makes them tamper-evident is checked.

use crate::admin::{AuditFilter, AuditRecord};
use crate::audit::ChainBreak;
use crate::store::{Db, StoreResult, audit};

/// Entries matching the filter, newest first, at most `limit`.
pub async fn search(db: &Db, filter: &AuditFilter, limit: i64) -> StoreResult<Vec<AuditRecord>> {
    audit::search(db, filter, limit).await
}

/// Walks the whole chain: the number of entries when it holds, or where it breaks.
pub async fn verify(db: &Db) -> StoreResult<Result<u64, ChainBreak>> {
    audit::verify(db).await
}
