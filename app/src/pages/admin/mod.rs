//! Administrators' screens: users and roles (`/admin/users`) and the audit log
//! (`/admin/audit`).

pub mod audit;
pub mod users;
