//! Administrators' screens: users and roles (`/admin/users`) and the audit log
//! (`/admin/audit`).

pub mod api_keys;
pub mod audit;
pub mod users;
