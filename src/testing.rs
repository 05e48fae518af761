//! Under the services, for the integration tests only: the store queries they build fixtures
//! with (a fleet loaded in bulk, a recall drafted and published rule by rule, a token issued
//! without its e-mail) and the counts they check. Compiled with the `test-support` feature,
//! which only `serialtrace-server`'s dev-dependency turns on, so no page, API handler or CLI
//! command of a real build can reach the store this way.

pub use crate::store::audit::append as append_audit_entry;
pub use crate::store::bulk::{Val, insert_rows};
pub use crate::store::lookups::{bump_epoch, count_for_serial};
pub use crate::store::outbox::pending as outbox_pending;
pub use crate::store::recalls::{
    MembershipChange, NewRecall, insert_draft, insert_rule, members, replace_rules,
};
pub use crate::store::users::{TokenPurpose, insert_token, roles};

use crate::store::StoreResult;
use sqlx::AnyConnection;

/// A recall's membership computed again in place, and every cached answer marked stale, as
/// the recall workflow (`service::recall_admin`) does it, without telling owners.
pub async fn recompute_membership(
    conn: &mut AnyConnection,
    recall_id: i64,
) -> StoreResult<MembershipChange> {
    let change = crate::store::recalls::recompute_membership(conn, recall_id).await?;
    bump_epoch(conn).await?;
    Ok(change)
}

/// A draft published in place (membership computed, the recall active, answers stale), as
/// the recall workflow does it, without telling owners.
pub async fn publish(
    conn: &mut AnyConnection,
    recall_id: i64,
    now: &str,
) -> StoreResult<MembershipChange> {
    let change = recompute_membership(conn, recall_id).await?;
    crate::store::recalls::mark_published(conn, recall_id, now).await?;
    Ok(change)
}
