//! What goes by mailed link: confirming the address of a new account, and resetting a
//! password. Each link is single use and expiring, stored as a SHA-256 digest, and mailed
//! through the outbox in the same transaction that makes it. Sign-up and reset answer the
//! same whether or not the address already has an account; only its owner's mailbox learns.

use super::{AccountError, Actor, NewUser, PasswordHasher, create_user};
use crate::account::{Email, Password};
use crate::service::change::{Audit, Change};
use crate::store::outbox::{self, NewMessage};
use crate::store::users::{self, TokenPurpose};
use crate::store::{Db, StoreError, instant_text, now_text, sessions};
use argon2::password_hash::rand_core::{OsRng, RngCore as _};
use sqlx::AnyConnection;

/// How long a password reset link stays usable.
pub const RESET_LINK_LIFETIME: time::Duration = time::Duration::hours(1);
/// How long a link confirming a new account's address stays usable.
pub const VERIFY_LINK_LIFETIME: time::Duration = time::Duration::hours(24);

/// A link's kind, as pages name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Link {
    Reset,
    Verify,
}

impl Link {
    fn purpose(self) -> TokenPurpose {
        match self {
            Link::Reset => TokenPurpose::Reset,
            Link::Verify => TokenPurpose::Verify,
        }
    }
}

/// Makes a link for `user_id` and queues the mail carrying it, inside `conn`'s transaction.
async fn mail_link(
    conn: &mut AnyConnection,
    user_id: i64,
    to: &Email,
    link: Link,
    site_origin: &str,
) -> Result<(), AccountError> {
    let token = random_token();
    let now = time::OffsetDateTime::now_utc();
    let (lifetime, path, kind, subject) = match link {
        Link::Reset => (
            RESET_LINK_LIFETIME,
            "reset-password",
            "password_reset",
            "Reset your serialtrace password",
        ),
        Link::Verify => (
            VERIFY_LINK_LIFETIME,
            "verify-email",
            "verify_email",
            "Confirm your serialtrace account",
        ),
    };
    let url = format!("{}/{path}?token={token}", site_origin.trim_end_matches('/'));
    let body = match link {
        Link::Reset => format!(
            "Someone (we hope you) asked to reset the password of your serialtrace account.\n\n\
             Choose a new password here within the next hour:\n\n{url}\n\n\
             The link works once. If you did not ask for this, ignore this message: your \
             password stays as it is.\n"
        ),
        Link::Verify => format!(
            "Welcome to serialtrace. To finish making your account, confirm that this address \
             is yours within 24 hours:\n\n{url}\n\n\
             If you did not make an account, ignore this message; nothing will be done with \
             your address.\n"
        ),
    };
    let now_text = instant_text(now);
    users::insert_token(
        conn,
        user_id,
        link.purpose(),
        &hash_token(&token),
        &now_text,
        &instant_text(now + lifetime),
    )
    .await?;
    outbox::enqueue(
        conn,
        &NewMessage {
            kind,
            recipient_user_id: Some(user_id),
            to_address: to.as_str(),
            subject,
            body: &body,
            dedupe_key: None,
        },
        &now_text,
    )
    .await?;
    Ok(())
}

/// Signs up: a new address gets an account (an owner's) that signs in once the address is
/// confirmed by the mailed link; an address that already has an account gets a message
/// saying so, with the ways in. Both take the same work and give the caller the same answer.
pub async fn sign_up(
    db: &Db,
    hasher: &PasswordHasher,
    email: &Email,
    password: &Password,
    site_origin: &str,
    client_ip: Option<&str>,
) -> Result<(), AccountError> {
    let created = create_user(
        db,
        hasher,
        NewUser {
            email,
            password,
            role: None,
            manufacturer: None,
            agency: None,
            verified: false,
        },
        Actor {
            user_id: None,
            role: "self-sign-up",
            client_ip,
        },
    )
    .await;
    let mut tx = db.writer().begin().await.map_err(StoreError::from)?;
    match created {
        Ok(user_id) => mail_link(&mut tx, user_id, email, Link::Verify, site_origin).await?,
        Err(AccountError::EmailTaken(_)) => {
            let Some(found) = users::credentials(db, email).await? else {
                return Ok(());
            };
            let origin = site_origin.trim_end_matches('/');
            let body = format!(
                "Someone (we hope you) tried to make a serialtrace account with this address, \
                 which already has one.\n\n\
                 To get in, sign in at {origin}/signin, or choose a new password at \
                 {origin}/forgot-password.\n\n\
                 If it was not you, ignore this message: nothing has changed.\n"
            );
            outbox::enqueue(
                &mut tx,
                &NewMessage {
                    kind: "account_exists",
                    recipient_user_id: Some(found.user_id),
                    to_address: email.as_str(),
                    subject: "Your serialtrace account",
                    body: &body,
                    dedupe_key: None,
                },
                &now_text(),
            )
            .await?;
        }
        Err(other) => return Err(other),
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

/// Mails a new confirmation link to an account whose address is not confirmed yet.
pub async fn resend_verification(
    db: &Db,
    user_id: i64,
    email: &Email,
    site_origin: &str,
) -> Result<(), AccountError> {
    let mut tx = db.writer().begin().await.map_err(StoreError::from)?;
    users::void_tokens(&mut tx, user_id, TokenPurpose::Verify, &now_text()).await?;
    mail_link(&mut tx, user_id, email, Link::Verify, site_origin).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

/// Confirms an address from its link; the account can sign in from now. Returns the user.
pub async fn verify_email(
    db: &Db,
    token: &str,
    client_ip: Option<&str>,
) -> Result<i64, AccountError> {
    let now = now_text();
    let mut tx = Change::begin(db, &Actor::anonymous(client_ip)).await?;
    let Some(user_id) =
        users::consume_token(&mut tx, TokenPurpose::Verify, &hash_token(token), &now).await?
    else {
        return Err(AccountError::LinkInvalid);
    };
    if users::disabled(&mut tx, user_id).await? != Some(false) {
        return Err(AccountError::LinkInvalid);
    }
    users::mark_verified(&mut tx, user_id, &now).await?;
    tx.identify(Actor::user(user_id, client_ip));
    tx.record(Audit::of("user.email_verified", "user", user_id))
        .await?;
    tx.commit().await?;
    Ok(user_id)
}

/// Starts a password reset: when the address belongs to an active account, a single-use
/// link valid for an hour is mailed to it. The caller says the same thing either way (and
/// should not wait for this, so the time taken tells nothing either).
pub async fn request_password_reset(
    db: &Db,
    email: &Email,
    site_origin: &str,
    client_ip: Option<&str>,
) -> Result<(), AccountError> {
    let Some(found) = users::credentials(db, email).await? else {
        return Ok(());
    };
    if found.disabled {
        return Ok(());
    }
    let mut tx = Change::begin(db, &Actor::anonymous(client_ip)).await?;
    mail_link(&mut tx, found.user_id, email, Link::Reset, site_origin).await?;
    tx.record(Audit::of(
        "auth.password_reset_requested",
        "user",
        found.user_id,
    ))
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Whether a link can still be used (its page offers the form only then).
pub async fn link_usable(db: &Db, link: Link, token: &str) -> Result<bool, AccountError> {
    Ok(users::token_usable(db, link.purpose(), &hash_token(token), &now_text()).await?)
}

/// Sets a new password from a reset link; the link (and any other open one) is used up,
/// the address counts as confirmed (the link reached it), and every session of the user
/// ends. Returns the user.
pub async fn reset_password(
    db: &Db,
    hasher: &PasswordHasher,
    token: &str,
    new: &Password,
    client_ip: Option<&str>,
) -> Result<i64, AccountError> {
    let hash = hasher.hash(new).await?;
    let now = now_text();
    let mut tx = Change::begin(db, &Actor::anonymous(client_ip)).await?;
    let Some(user_id) =
        users::consume_token(&mut tx, TokenPurpose::Reset, &hash_token(token), &now).await?
    else {
        return Err(AccountError::LinkInvalid);
    };
    // A link mailed before the account was disabled does not bring it back.
    if users::disabled(&mut tx, user_id).await? != Some(false) {
        return Err(AccountError::LinkInvalid);
    }
    users::set_password(&mut tx, user_id, &hash, &now).await?;
    users::mark_verified(&mut tx, user_id, &now).await?;
    tx.identify(Actor::user(user_id, client_ip));
    tx.record(Audit::of("auth.password_reset", "user", user_id))
        .await?;
    tx.commit().await?;
    sessions::delete_for_user(db, user_id, None).await?;
    Ok(user_id)
}

/// 32 random bytes as hex: unguessable, URL-safe.
fn random_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    sessions::hex(&bytes)
}

/// The digest a link's token is stored under.
pub fn hash_token(token: &str) -> String {
    sessions::id_hash(token.trim())
}
