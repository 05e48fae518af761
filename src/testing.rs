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
    NewRecall, insert_draft, insert_rule, members, publish, recompute_membership, replace_rules,
};
pub use crate::store::users::{TokenPurpose, insert_token, roles};
