//! Users and their roles.

use super::{Db, StoreResult};
use crate::account::{Email, Grant, Role, SignedInUser};
use sqlx::{AnyConnection, Row};

/// What signing in needs of a user. The hash never leaves the server.
#[derive(Clone)]
pub struct Credentials {
    pub user_id: i64,
    pub password_hash: String,
    pub disabled: bool,
    /// Whether the address has been confirmed.
    pub verified: bool,
}

/// Inserts a user; `verified`: the address counts as confirmed from now.
pub async fn insert(
    conn: &mut AnyConnection,
    email: &Email,
    password_hash: &str,
    now: &str,
    verified: bool,
) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO users (email, password_hash, created_at, email_verified_at)
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(email.as_str())
    .bind(password_hash)
    .bind(now)
    .bind(verified.then_some(now))
    .fetch_one(&mut *conn)
    .await?)
}

/// Marks the user's address as confirmed (if it was not already).
pub async fn mark_verified(conn: &mut AnyConnection, user_id: i64, now: &str) -> StoreResult<()> {
    sqlx::query(
        "UPDATE users SET email_verified_at = $1 WHERE id = $2 AND email_verified_at IS NULL",
    )
    .bind(now)
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn email_taken(conn: &mut AnyConnection, email: &Email) -> StoreResult<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE email = $1")
        .bind(email.as_str())
        .fetch_one(&mut *conn)
        .await?;
    Ok(n > 0)
}

pub async fn grant_role(
    conn: &mut AnyConnection,
    user_id: i64,
    role: Role,
    manufacturer_id: Option<i64>,
    agency: Option<&str>,
    now: &str,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO user_roles (user_id, role, manufacturer_id, agency, granted_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (user_id, role) DO UPDATE SET manufacturer_id = excluded.manufacturer_id, agency = excluded.agency",
    )
    .bind(user_id)
    .bind(role.as_str())
    .bind(manufacturer_id)
    .bind(agency)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn credentials(db: &Db, email: &Email) -> StoreResult<Option<Credentials>> {
    Ok(sqlx::query(
        "SELECT id, password_hash, disabled_at, email_verified_at FROM users WHERE email = $1",
    )
    .bind(email.as_str())
    .fetch_optional(db.reader())
    .await?
    .map(|r| Credentials {
        user_id: r.get("id"),
        password_hash: r.get("password_hash"),
        disabled: r.get::<Option<String>, _>("disabled_at").is_some(),
        verified: r.get::<Option<String>, _>("email_verified_at").is_some(),
    }))
}

#[cfg(feature = "test-support")]
pub async fn roles(db: &Db, user_id: i64) -> StoreResult<Vec<Role>> {
    let names: Vec<String> =
        sqlx::query_scalar("SELECT role FROM user_roles WHERE user_id = $1 ORDER BY role")
            .bind(user_id)
            .fetch_all(db.reader())
            .await?;
    Ok(names.iter().filter_map(|n| Role::parse(n)).collect())
}

pub async fn manufacturer_id(conn: &mut AnyConnection, slug: &str) -> StoreResult<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT id FROM manufacturers WHERE slug = $1")
            .bind(slug)
            .fetch_optional(&mut *conn)
            .await?,
    )
}

/// The user with their grants, the epoch of their roles, and whether they are disabled.
pub struct UserRecord {
    pub user: SignedInUser,
    pub auth_epoch: i64,
    pub disabled: bool,
    pub created_at: String,
}

pub async fn record(db: &Db, user_id: i64) -> StoreResult<Option<UserRecord>> {
    let Some(row) = sqlx::query(
        "SELECT id, email, auth_epoch, disabled_at, created_at FROM users WHERE id = $1",
    )
    .bind(user_id)
    .fetch_optional(db.reader())
    .await?
    else {
        return Ok(None);
    };
    let grants = grants(db, &[user_id]).await?;
    Ok(Some(UserRecord {
        user: SignedInUser {
            id: row.get("id"),
            email: row.get("email"),
            grants: grants.into_iter().map(|(_, g)| g).collect(),
        },
        auth_epoch: row.get("auth_epoch"),
        disabled: row.get::<Option<String>, _>("disabled_at").is_some(),
        created_at: row.get("created_at"),
    }))
}

/// The grants of the given users, as (user id, grant), in role order.
async fn grants(db: &Db, user_ids: &[i64]) -> StoreResult<Vec<(i64, Grant)>> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT r.user_id, r.role, r.manufacturer_id, m.name AS manufacturer, r.agency
         FROM user_roles r LEFT JOIN manufacturers m ON m.id = r.manufacturer_id
         WHERE r.user_id IN ({})",
        super::placeholders(1, user_ids.len())
    );
    let mut query = sqlx::query(&sql);
    for id in user_ids {
        query = query.bind(*id);
    }
    let mut out: Vec<(i64, Grant)> = query
        .fetch_all(db.reader())
        .await?
        .iter()
        .filter_map(|r| {
            Some((
                r.get("user_id"),
                Grant {
                    role: Role::parse(r.get::<String, _>("role").as_str())?,
                    manufacturer_id: r.get("manufacturer_id"),
                    manufacturer: r.get("manufacturer"),
                    agency: r.get("agency"),
                },
            ))
        })
        .collect();
    out.sort_by_key(|(id, g)| (*id, g.role));
    Ok(out)
}

/// A page of users, optionally those whose e-mail contains `search`, newest first.
pub async fn list(
    db: &Db,
    search: Option<&str>,
    limit: i64,
    offset: i64,
) -> StoreResult<Vec<UserRecord>> {
    let pattern = format!("%{}%", search.unwrap_or_default().trim().to_lowercase());
    let rows = sqlx::query(
        "SELECT id, email, auth_epoch, disabled_at, created_at FROM users
         WHERE email LIKE $1 ORDER BY id DESC LIMIT $2 OFFSET $3",
    )
    .bind(&pattern)
    .bind(limit)
    .bind(offset)
    .fetch_all(db.reader())
    .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.get("id")).collect();
    let grants = grants(db, &ids).await?;
    Ok(rows
        .iter()
        .map(|r| {
            let id: i64 = r.get("id");
            UserRecord {
                user: SignedInUser {
                    id,
                    email: r.get("email"),
                    grants: grants
                        .iter()
                        .filter(|(uid, _)| *uid == id)
                        .map(|(_, g)| g.clone())
                        .collect(),
                },
                auth_epoch: r.get("auth_epoch"),
                disabled: r.get::<Option<String>, _>("disabled_at").is_some(),
                created_at: r.get("created_at"),
            }
        })
        .collect())
}

pub async fn password_hash(conn: &mut AnyConnection, user_id: i64) -> StoreResult<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&mut *conn)
            .await?,
    )
}

/// Sets a new password; any reset link still open for the user stops working.
pub async fn set_password(
    conn: &mut AnyConnection,
    user_id: i64,
    password_hash: &str,
    now: &str,
) -> StoreResult<()> {
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(password_hash)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    void_tokens(conn, user_id, TokenPurpose::Reset, now).await
}

/// Whether the user is disabled (None: no such user).
pub async fn disabled(conn: &mut AnyConnection, user_id: i64) -> StoreResult<Option<bool>> {
    let row: Option<Option<String>> =
        sqlx::query_scalar("SELECT disabled_at FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(row.map(|d| d.is_some()))
}

/// How many users hold a role.
pub async fn role_holders(conn: &mut AnyConnection, role: Role) -> StoreResult<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM user_roles WHERE role = $1")
            .bind(role.as_str())
            .fetch_one(&mut *conn)
            .await?,
    )
}

/// Serialises role changes across instances: takes the audit head's row lock (every role
/// change appends to the audit log anyway), so checks like "one admin must remain" hold.
pub async fn lock_role_changes(conn: &mut AnyConnection) -> StoreResult<()> {
    sqlx::query("UPDATE audit_head SET entries = entries WHERE id = 1")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Removes a role; false when the user did not hold it.
pub async fn revoke_role(conn: &mut AnyConnection, user_id: i64, role: Role) -> StoreResult<bool> {
    let done = sqlx::query("DELETE FROM user_roles WHERE user_id = $1 AND role = $2")
        .bind(user_id)
        .bind(role.as_str())
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Marks the user's roles as changed, so their sessions take a new id on their next request.
pub async fn bump_auth_epoch(conn: &mut AnyConnection, user_id: i64) -> StoreResult<()> {
    sqlx::query("UPDATE users SET auth_epoch = auth_epoch + 1 WHERE id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The grants a user holds, read inside a transaction (for before/after in the audit log).
pub async fn grants_in(conn: &mut AnyConnection, user_id: i64) -> StoreResult<Vec<Grant>> {
    let rows = sqlx::query(
        "SELECT r.role, r.manufacturer_id, m.name AS manufacturer, r.agency
         FROM user_roles r LEFT JOIN manufacturers m ON m.id = r.manufacturer_id
         WHERE r.user_id = $1",
    )
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut grants: Vec<Grant> = rows
        .iter()
        .filter_map(|r| {
            Some(Grant {
                role: Role::parse(r.get::<String, _>("role").as_str())?,
                manufacturer_id: r.get("manufacturer_id"),
                manufacturer: r.get("manufacturer"),
                agency: r.get("agency"),
            })
        })
        .collect();
    grants.sort_by_key(|g| g.role);
    Ok(grants)
}

/// Manufacturers as (slug, name), for choosing a staff user's employer.
pub async fn manufacturers(db: &Db) -> StoreResult<Vec<(String, String)>> {
    Ok(
        sqlx::query_as("SELECT slug, name FROM manufacturers ORDER BY name")
            .fetch_all(db.reader())
            .await?,
    )
}

/// What a mailed link is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenPurpose {
    Reset,
    Verify,
}

impl TokenPurpose {
    fn as_str(self) -> &'static str {
        match self {
            TokenPurpose::Reset => "reset",
            TokenPurpose::Verify => "verify",
        }
    }
}

pub async fn insert_token(
    conn: &mut AnyConnection,
    user_id: i64,
    purpose: TokenPurpose,
    token_hash: &str,
    now: &str,
    expires_at: &str,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO account_tokens (user_id, purpose, token_hash, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(user_id)
    .bind(purpose.as_str())
    .bind(token_hash)
    .bind(now)
    .bind(expires_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Uses a token: the user it belongs to, if it is for `purpose`, unused and unexpired. The
/// update is atomic, so two uses of one link cannot both succeed.
pub async fn consume_token(
    conn: &mut AnyConnection,
    purpose: TokenPurpose,
    token_hash: &str,
    now: &str,
) -> StoreResult<Option<i64>> {
    Ok(sqlx::query_scalar(
        "UPDATE account_tokens SET used_at = $1
         WHERE token_hash = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $1
         RETURNING user_id",
    )
    .bind(now)
    .bind(token_hash)
    .bind(purpose.as_str())
    .fetch_optional(&mut *conn)
    .await?)
}

/// Ends every open token of a purpose for a user.
pub async fn void_tokens(
    conn: &mut AnyConnection,
    user_id: i64,
    purpose: TokenPurpose,
    now: &str,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE account_tokens SET used_at = $1 WHERE user_id = $2 AND purpose = $3 AND used_at IS NULL",
    )
    .bind(now)
    .bind(user_id)
    .bind(purpose.as_str())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Whether a token is usable now (for showing its page before it is used).
pub async fn token_usable(
    db: &Db,
    purpose: TokenPurpose,
    token_hash: &str,
    now: &str,
) -> StoreResult<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM account_tokens
         WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3",
    )
    .bind(token_hash)
    .bind(purpose.as_str())
    .bind(now)
    .fetch_one(db.reader())
    .await?;
    Ok(n > 0)
}
