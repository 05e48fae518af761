//! Users and their roles.

use super::{Db, StoreResult};
use crate::account::{Email, Role};
use sqlx::{AnyConnection, Row};

/// What signing in needs of a user. The hash never leaves the server.
#[derive(Clone)]
pub struct Credentials {
    pub user_id: i64,
    pub password_hash: String,
    pub disabled: bool,
}

pub async fn insert(
    conn: &mut AnyConnection,
    email: &Email,
    password_hash: &str,
    now: &str,
) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO users (email, password_hash, created_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(email.as_str())
    .bind(password_hash)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?)
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
    Ok(
        sqlx::query("SELECT id, password_hash, disabled_at FROM users WHERE email = $1")
            .bind(email.as_str())
            .fetch_optional(db.reader())
            .await?
            .map(|r| Credentials {
                user_id: r.get("id"),
                password_hash: r.get("password_hash"),
                disabled: r.get::<Option<String>, _>("disabled_at").is_some(),
            }),
    )
}

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
