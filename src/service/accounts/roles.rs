//! Granting and revoking roles: audited with the grants before and after; the user's
//! sessions take a new id on their next request.

use super::{AccountError, Actor};
use crate::account::Role;
use crate::service::change::{Audit, Change};
use crate::store::{Db, now_text, users};

/// A role to grant, with what it needs.
pub struct RoleChange<'a> {
    pub user_id: i64,
    pub role: Role,
    /// For staff: the manufacturer's short name.
    pub manufacturer: Option<&'a str>,
    /// For police: the agency.
    pub agency: Option<&'a str>,
}

/// Grants (or re-scopes) a role; audited with the grants before and after. The user's
/// sessions take a new id on their next request.
pub async fn grant_role(
    db: &Db,
    change: &RoleChange<'_>,
    actor: Actor<'_>,
) -> Result<(), AccountError> {
    let manufacturer = change.manufacturer.map(str::trim).filter(|s| !s.is_empty());
    let agency = change.agency.map(str::trim).filter(|s| !s.is_empty());
    if change.role == Role::Staff && manufacturer.is_none() {
        return Err(AccountError::StaffNeedManufacturer);
    }
    if change.role == Role::Police && agency.is_none() {
        return Err(AccountError::PoliceNeedAgency);
    }
    let mut tx = Change::begin(db, &actor).await?;
    users::lock_role_changes(&mut tx).await?;
    let before = users::grants_in(&mut tx, change.user_id).await?;
    if users::password_hash(&mut tx, change.user_id)
        .await?
        .is_none()
    {
        return Err(AccountError::NoSuchUser);
    }
    let manufacturer_id = match manufacturer.filter(|_| change.role == Role::Staff) {
        Some(slug) => Some(
            users::manufacturer_id(&mut tx, slug)
                .await?
                .ok_or_else(|| AccountError::UnknownManufacturer(slug.to_owned()))?,
        ),
        None => None,
    };
    let agency = agency.filter(|_| change.role == Role::Police);
    users::grant_role(
        &mut tx,
        change.user_id,
        change.role,
        manufacturer_id,
        agency,
        &now_text(),
    )
    .await?;
    finish_role_change(tx, change.user_id, "user.role_grant", before).await
}

/// After a role change in `tx`: the user's sessions are told to take a new id, the change
/// goes in the audit log with the grants before and after, and it all commits.
async fn finish_role_change(
    mut tx: Change<'_>,
    user_id: i64,
    action: &str,
    before: Vec<crate::account::Grant>,
) -> Result<(), AccountError> {
    users::bump_auth_epoch(&mut tx, user_id).await?;
    let after = users::grants_in(&mut tx, user_id).await?;
    tx.record(
        Audit::of(action, "user", user_id)
            .before(serde_json::json!({ "roles": before }))
            .after(serde_json::json!({ "roles": after })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Takes a role away; audited. Owner cannot be revoked, nor an admin's own admin role.
pub async fn revoke_role(
    db: &Db,
    user_id: i64,
    role: Role,
    actor: Actor<'_>,
) -> Result<bool, AccountError> {
    if role == Role::Owner {
        return Err(AccountError::OwnerIsPermanent);
    }
    if role == Role::Admin && actor.user_id == Some(user_id) {
        return Err(AccountError::OwnAdminRole);
    }
    let mut tx = Change::begin(db, &actor).await?;
    users::lock_role_changes(&mut tx).await?;
    let before = users::grants_in(&mut tx, user_id).await?;
    if !users::revoke_role(&mut tx, user_id, role).await? {
        return Ok(false);
    }
    if role == Role::Admin && users::role_holders(&mut tx, Role::Admin).await? == 0 {
        return Err(AccountError::LastAdmin);
    }
    finish_role_change(tx, user_id, "user.role_revoke", before).await?;
    Ok(true)
}
