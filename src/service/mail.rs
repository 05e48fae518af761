//! Sending what the outbox holds: to files under a folder (the default: one `.eml` per
//! message, for development and tests) or through an SMTP server (lettre). A worker drains
//! the outbox with retries and exponential backoff.

use crate::store::outbox::{self, Message};
use crate::store::{Db, StoreResult, instant_text};
use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::path::PathBuf;
use std::time::Duration;

/// Where mail goes.
#[derive(Clone)]
pub enum MailTransport {
    /// Each message written as `NNNNNNNN-kind.eml` in this folder.
    Files(PathBuf),
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

#[derive(Clone)]
pub struct Mailer {
    transport: MailTransport,
    from: Mailbox,
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("the sender address is not valid: {0}")]
    From(String),
    #[error("SMTP URL not usable: {0}")]
    SmtpUrl(String),
    #[error("could not build the message: {0}")]
    Build(String),
    #[error("could not send: {0}")]
    Send(String),
}

/// Attempts before a message is given up on (its last error stays in the outbox row).
const MAX_ATTEMPTS: i64 = 8;

impl Mailer {
    /// Mail to files in `dir`, or through `smtp_url` (e.g. `smtps://user:pass@host` or
    /// `smtp://host:25?tls=required`) when given.
    pub fn new(dir: PathBuf, smtp_url: Option<&str>, from: &str) -> Result<Self, MailError> {
        let from: Mailbox = from.parse().map_err(|e| MailError::From(format!("{e}")))?;
        let transport = match smtp_url.filter(|u| !u.trim().is_empty()) {
            Some(url) => MailTransport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| MailError::SmtpUrl(e.to_string()))?
                    .build(),
            ),
            None => MailTransport::Files(dir),
        };
        Ok(Self { transport, from })
    }

    pub async fn send(&self, message: &Message) -> Result<(), MailError> {
        let to: Mailbox = message
            .to_address
            .parse()
            .map_err(|e| MailError::Build(format!("recipient: {e}")))?;
        let email = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&message.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(message.body.clone())
            .map_err(|e| MailError::Build(e.to_string()))?;
        match &self.transport {
            MailTransport::Files(dir) => {
                tokio::fs::create_dir_all(dir)
                    .await
                    .map_err(|e| MailError::Send(format!("{}: {e}", dir.display())))?;
                let name = format!("{:08}-{}.eml", message.id, message.kind);
                let tmp = dir.join(format!(".{name}.tmp"));
                // Written aside and renamed, so a reader never sees half a message.
                tokio::fs::write(&tmp, email.formatted())
                    .await
                    .map_err(|e| MailError::Send(e.to_string()))?;
                tokio::fs::rename(&tmp, dir.join(&name))
                    .await
                    .map_err(|e| MailError::Send(e.to_string()))?;
                Ok(())
            }
            MailTransport::Smtp(smtp) => smtp
                .send(email)
                .await
                .map(|_| ())
                .map_err(|e| MailError::Send(e.to_string())),
        }
    }
}

/// Messages claimed at once, and how long the claim holds: long enough to send them all
/// even when each send waits out an SMTP timeout (a minute), so no other worker takes them.
const BATCH: i64 = 10;
const LEASE: time::Duration = time::Duration::minutes(15);

/// Sends what is due once; returns how many messages were sent.
pub async fn drain_once(db: &Db, mailer: &Mailer) -> StoreResult<usize> {
    let now = time::OffsetDateTime::now_utc();
    let lease = instant_text(now + LEASE);
    let claimed = outbox::claim(db, &instant_text(now), &lease, BATCH).await?;
    let mut sent = 0;
    for message in claimed {
        match mailer.send(&message).await {
            Ok(()) => {
                let at = instant_text(time::OffsetDateTime::now_utc());
                if outbox::mark_sent(db, message.id, &lease, &at).await? {
                    sent += 1;
                } else {
                    tracing::warn!(
                        id = message.id,
                        "outbox lease lost before the send was recorded"
                    );
                }
            }
            Err(error) => {
                tracing::warn!(id = message.id, attempts = message.attempts, %error, "outbox send failed");
                let retry_at = if message.attempts >= MAX_ATTEMPTS {
                    "9999-12-31T00:00:00Z".to_owned()
                } else {
                    // 30 s, 1 min, 2 min, … up to about an hour.
                    let wait = 30i64 << (message.attempts - 1).clamp(0, 7);
                    instant_text(time::OffsetDateTime::now_utc() + time::Duration::seconds(wait))
                };
                outbox::mark_failed(db, message.id, &lease, &error.to_string(), &retry_at).await?;
            }
        }
    }
    Ok(sent)
}

/// Drains the outbox every `every` until the process ends.
pub fn spawn_worker(db: Db, mailer: Mailer, every: Duration) {
    tokio::spawn(async move {
        loop {
            match drain_once(&db, &mailer).await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(error) => tracing::error!(%error, "outbox worker"),
            }
            tokio::time::sleep(every).await;
        }
    });
}
