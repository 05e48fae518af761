//! Administrators' screens: users and roles (`/admin/users`) and the audit log
//! (`/admin/audit`).

pub mod api_keys;
pub mod audit;
pub mod users;

/// This group's form posts, for the server to mount.
#[cfg(feature = "ssr")]
pub fn routes() -> crate::web::routes::Routes {
    crate::web::routes::Routes::new()
        .post("/admin/users", users::change_role)
        .post("/admin/api-keys", api_keys::change_api_keys)
}
