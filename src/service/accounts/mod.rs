//! Accounts: creating users and checking credentials. Passwords are hashed with Argon2id on
//! a blocking thread, at most as many at once as the machine has cores; a caller that waits
//! too long gets `Busy` (answered with 503 and Retry-After) instead of exhausting memory.

mod links;
mod roles;

pub use links::*;
pub use roles::*;

use crate::account::{Email, Password, Role};
use crate::service::change::{Audit, Change};
use crate::store::{Db, StoreError, now_text, users};
use argon2::password_hash::{
    PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString, rand_core::OsRng,
};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// OWASP's Argon2id settings: 19 MiB, 2 passes, 1 lane.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// How long a hash may wait for a free slot before the caller is told to come back.
const QUEUE_WAIT: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// One message for an unknown e-mail and a wrong password alike.
    #[error("The e-mail address or password is not right.")]
    BadCredentials,
    #[error("{0} already has an account.")]
    EmailTaken(Email),
    #[error("There is no manufacturer '{0}'.")]
    UnknownManufacturer(String),
    #[error("Staff belong to a manufacturer: name it (its short name, such as 'nordvik').")]
    StaffNeedManufacturer,
    #[error("Police accounts name their agency.")]
    PoliceNeedAgency,
    #[error("Too many sign-ins at once; try again in a few seconds.")]
    Busy,
    #[error("Your current password is not right.")]
    WrongCurrentPassword,
    #[error("This link has expired or has already been used.")]
    LinkInvalid,
    /// The right password for an account whose address is not confirmed yet.
    #[error("Confirm your e-mail address first: we have sent you a new link.")]
    Unverified { user_id: i64, email: Email },
    #[error("There is no such user.")]
    NoSuchUser,
    #[error("Every user is an owner; that role cannot be taken away.")]
    OwnerIsPermanent,
    #[error("You cannot remove your own administrator role; ask another administrator.")]
    OwnAdminRole,
    #[error("That is the last administrator; grant the role to someone else first.")]
    LastAdmin,
    #[error("That user does not hold that role.")]
    RoleNotHeld,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("password hashing failed: {0}")]
    Hashing(String),
}

#[derive(Clone)]
pub struct PasswordHasher {
    slots: Arc<Semaphore>,
    /// How long a hash waits for a slot before the caller is told `Busy`.
    queue_wait: Duration,
    /// Verified against when the e-mail is unknown, so both cases take the same time.
    dummy: Arc<str>,
}

impl PasswordHasher {
    /// One hash at a time per core; a hash waits up to 5 s for its turn.
    pub fn new() -> Self {
        Self::with_limits(0, QUEUE_WAIT)
    }

    /// At most `slots` hashes at once (each takes 19 MiB; 0: one per core), each waiting up
    /// to `queue_wait` for its turn.
    pub fn with_limits(slots: usize, queue_wait: Duration) -> Self {
        let slots = match slots {
            0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
            n => n,
        };
        let salt = SaltString::generate(&mut OsRng);
        let dummy = argon2()
            .hash_password(b"no such account: a dummy to spend the time", &salt)
            .map(|h| h.to_string())
            .unwrap_or_default();
        Self {
            slots: Arc::new(Semaphore::new(slots)),
            queue_wait,
            dummy: dummy.into(),
        }
    }

    pub async fn hash(&self, password: &Password) -> Result<String, AccountError> {
        let password = password.expose().to_owned();
        self.run(move || {
            let salt = SaltString::generate(&mut OsRng);
            argon2()
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| AccountError::Hashing(e.to_string()))
        })
        .await?
    }

    /// Whether `password` matches `hash`; with no hash, spends the same time and says no.
    pub async fn verify(&self, password: &str, hash: Option<&str>) -> Result<bool, AccountError> {
        let known = hash.is_some();
        let hash = hash.map_or_else(|| self.dummy.to_string(), str::to_owned);
        let password = password.to_owned();
        let matches = self
            .run(move || {
                PasswordHash::new(&hash).is_ok_and(|parsed| {
                    argon2()
                        .verify_password(password.as_bytes(), &parsed)
                        .is_ok()
                })
            })
            .await?;
        Ok(known && matches)
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AccountError> {
        let _slot = tokio::time::timeout(self.queue_wait, self.slots.clone().acquire_owned())
            .await
            .map_err(|_| AccountError::Busy)?
            .map_err(|_| AccountError::Busy)?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| AccountError::Hashing(e.to_string()))
    }
}

impl Default for PasswordHasher {
    fn default() -> Self {
        Self::new()
    }
}

/// A new account's details.
pub struct NewUser<'a> {
    pub email: &'a Email,
    pub password: &'a Password,
    /// Roles beyond owner, which every user has.
    pub role: Option<Role>,
    pub manufacturer: Option<&'a str>,
    pub agency: Option<&'a str>,
    /// Whether the address counts as confirmed (accounts made by the CLI, the demo or an
    /// administrator); a self-made account confirms it by a mailed link.
    pub verified: bool,
}

/// Who made a change, for the audit log.
#[derive(Clone, Copy, Debug)]
pub struct Actor<'a> {
    pub user_id: Option<i64>,
    pub role: &'a str,
    pub client_ip: Option<&'a str>,
}

impl<'a> Actor<'a> {
    /// A user acting on their own account.
    pub fn user(user_id: i64, client_ip: Option<&'a str>) -> Self {
        Self {
            user_id: Some(user_id),
            role: "user",
            client_ip,
        }
    }

    /// Someone not signed in.
    pub fn anonymous(client_ip: Option<&'a str>) -> Self {
        Self {
            user_id: None,
            role: "anonymous",
            client_ip,
        }
    }
}

/// Creates a user with the owner role and, if asked, one more; audited.
pub async fn create_user(
    db: &Db,
    hasher: &PasswordHasher,
    new: NewUser<'_>,
    actor: Actor<'_>,
) -> Result<i64, AccountError> {
    if new.role == Some(Role::Staff) && new.manufacturer.is_none() {
        return Err(AccountError::StaffNeedManufacturer);
    }
    if new.role == Some(Role::Police) && new.agency.is_none_or(|a| a.trim().is_empty()) {
        return Err(AccountError::PoliceNeedAgency);
    }
    let hash = hasher.hash(new.password).await?;
    let now = now_text();
    let mut tx = Change::begin(db, &actor).await?;
    if users::email_taken(&mut tx, new.email).await? {
        return Err(AccountError::EmailTaken(new.email.clone()));
    }
    let manufacturer_id = match new.manufacturer {
        Some(slug) => Some(
            users::manufacturer_id(&mut tx, slug)
                .await?
                .ok_or_else(|| AccountError::UnknownManufacturer(slug.to_owned()))?,
        ),
        None => None,
    };
    let user_id = users::insert(&mut tx, new.email, &hash, &now, new.verified)
        .await
        .map_err(|e| {
            if e.is_unique_violation() {
                AccountError::EmailTaken(new.email.clone())
            } else {
                AccountError::Store(e)
            }
        })?;
    users::grant_role(&mut tx, user_id, Role::Owner, None, None, &now).await?;
    if let Some(role) = new.role.filter(|r| *r != Role::Owner) {
        let manufacturer = manufacturer_id.filter(|_| role == Role::Staff);
        let agency = new.agency.filter(|_| role == Role::Police);
        users::grant_role(&mut tx, user_id, role, manufacturer, agency, &now).await?;
    }
    let roles: Vec<&str> = std::iter::once(Role::Owner)
        .chain(new.role.filter(|r| *r != Role::Owner))
        .map(Role::as_str)
        .collect();
    let after = serde_json::json!({
        "email": new.email.as_str(),
        "roles": roles,
        "manufacturer": new.manufacturer,
        "agency": new.agency,
    });
    tx.record(Audit::of("user.create", "user", user_id).after(after))
        .await?;
    tx.commit().await?;
    Ok(user_id)
}

/// The user whose e-mail and password these are. Unknown e-mails, wrong passwords, disabled
/// accounts and malformed input all get the same error after the same work.
pub async fn check_credentials(
    db: &Db,
    hasher: &PasswordHasher,
    email: &str,
    password: &str,
) -> Result<i64, AccountError> {
    let found = match Email::parse(email) {
        Ok(email) => users::credentials(db, &email).await?,
        Err(_) => None,
    };
    let ok = hasher
        .verify(password, found.as_ref().map(|c| c.password_hash.as_str()))
        .await?;
    match found {
        Some(c) if ok && !c.disabled && c.verified => Ok(c.user_id),
        Some(c) if ok && !c.disabled => Err(AccountError::Unverified {
            user_id: c.user_id,
            email: Email::parse(email).map_err(|_| AccountError::BadCredentials)?,
        }),
        _ => Err(AccountError::BadCredentials),
    }
}

/// Signs in: the user, or one error for every kind of bad credentials. Both outcomes are
/// written to the audit log (a failure names the e-mail tried, never the password).
pub async fn sign_in(
    db: &Db,
    hasher: &PasswordHasher,
    email: &str,
    password: &str,
    client_ip: Option<&str>,
) -> Result<i64, AccountError> {
    let outcome = check_credentials(db, hasher, email, password).await;
    let tried = Email::parse(email).map(|e| e.as_str().to_owned()).ok();
    let (actor, audit) = match &outcome {
        Ok(user_id) => (
            Actor::user(*user_id, client_ip),
            Audit::of("auth.sign_in", "user", user_id),
        ),
        Err(AccountError::BadCredentials) => (
            Actor::anonymous(client_ip),
            Audit::on("auth.sign_in_failed", "user").after(serde_json::json!({ "email": tried })),
        ),
        // The right password for an address not confirmed yet: still no sign-in.
        Err(AccountError::Unverified { user_id, .. }) => (
            Actor::anonymous(client_ip),
            Audit::of("auth.sign_in_failed", "user", user_id)
                .after(serde_json::json!({ "email": tried, "reason": "address not confirmed" })),
        ),
        Err(_) => return outcome,
    };
    let mut tx = Change::begin(db, &actor).await?;
    tx.record(audit).await?;
    tx.commit().await?;
    outcome
}

/// Records a sign-out in the audit log.
pub async fn record_sign_out(
    db: &Db,
    user_id: i64,
    client_ip: Option<&str>,
) -> Result<(), AccountError> {
    let mut tx = Change::begin(db, &Actor::user(user_id, client_ip)).await?;
    tx.record(Audit::of("auth.sign_out", "user", user_id))
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Changes a signed-in user's password after checking the current one. The caller ends the
/// user's other sessions.
pub async fn change_password(
    db: &Db,
    hasher: &PasswordHasher,
    user_id: i64,
    current: &str,
    new: &Password,
    client_ip: Option<&str>,
) -> Result<(), AccountError> {
    let stored = {
        let mut conn = db.reader().acquire().await.map_err(StoreError::from)?;
        users::password_hash(&mut conn, user_id).await?
    };
    let Some(stored) = stored else {
        return Err(AccountError::NoSuchUser);
    };
    if !hasher.verify(current, Some(&stored)).await? {
        return Err(AccountError::WrongCurrentPassword);
    }
    let hash = hasher.hash(new).await?;
    let mut tx = Change::begin(db, &Actor::user(user_id, client_ip)).await?;
    users::set_password(&mut tx, user_id, &hash, &now_text()).await?;
    tx.record(Audit::of("user.password_change", "user", user_id))
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The accounts whose e-mail address contains `search` (all when `None`), a page of them.
pub async fn list_users(
    db: &Db,
    search: Option<&str>,
    limit: i64,
) -> Result<Vec<users::UserRecord>, StoreError> {
    users::list(db, search, limit, 0).await
}

/// The manufacturers, as (slug, name), by name: what the role and filter menus offer.
pub async fn manufacturers(db: &Db) -> Result<Vec<(String, String)>, StoreError> {
    users::manufacturers(db).await
}

/// One account with its grants, role epoch and whether it is disabled.
pub async fn user_record(db: &Db, user_id: i64) -> Result<Option<users::UserRecord>, StoreError> {
    users::record(db, user_id).await
}
