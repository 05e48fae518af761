//! Sessions in the application's own database (SQLite or PostgreSQL), through the same
//! [`Db`] as everything else: a `tower_sessions` store over `service::sessions`, the cookie
//! settings, and the task that deletes expired sessions.

use async_trait::async_trait;
use serialtrace::service::sessions;
use serialtrace::store::{Db, instant_text, now_text};
use std::time::Duration;
use time::OffsetDateTime;
use tower_sessions::cookie::SameSite;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};
use tower_sessions::{Expiry, SessionManagerLayer};

#[derive(Clone, Debug)]
pub struct DbSessionStore {
    db: Db,
}

impl DbSessionStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// Deletes expired sessions every `every`, for as long as the server runs.
    pub fn spawn_cleanup(&self, every: Duration) {
        let db = self.db.clone();
        tokio::spawn(async move {
            loop {
                match sessions::delete_expired(&db, &now_text()).await {
                    Ok(0) => {}
                    Ok(n) => tracing::debug!(deleted = n, "expired sessions"),
                    Err(error) => tracing::error!(%error, "deleting expired sessions"),
                }
                tokio::time::sleep(every).await;
            }
        });
    }
}

fn backend(error: serialtrace::store::StoreError) -> session_store::Error {
    session_store::Error::Backend(error.to_string())
}

fn encode(record: &Record) -> session_store::Result<(String, Option<i64>, String)> {
    let data = serde_json::to_string(&record.data)
        .map_err(|e| session_store::Error::Encode(e.to_string()))?;
    let user_id = record
        .data
        .get(serialtrace_app::auth::USER_ID)
        .and_then(serde_json::Value::as_i64);
    Ok((data, user_id, instant_text(record.expiry_date)))
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        loop {
            let (data, user_id, expires) = encode(record)?;
            let id = record.id.to_string();
            if sessions::create(&self.db, &id, user_id, &data, &expires)
                .await
                .map_err(backend)?
            {
                return Ok(());
            }
            // Taken (one chance in 2^128): draw another.
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let (data, user_id, expires) = encode(record)?;
        sessions::save(&self.db, &record.id.to_string(), user_id, &data, &expires)
            .await
            .map_err(backend)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let Some(row) = sessions::load(&self.db, &id.to_string(), &now_text())
            .await
            .map_err(backend)?
        else {
            return Ok(None);
        };
        let data = serde_json::from_str(&row.data)
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let expiry_date = OffsetDateTime::parse(
            &row.expires_at,
            &time::format_description::well_known::Rfc3339,
        )
        .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        sessions::delete(&self.db, &id.to_string())
            .await
            .map_err(backend)
    }
}

/// The session cookie: `__Host-serialtrace` (Secure, so only over HTTPS) when the site is
/// served over HTTPS, `serialtrace-session` on plain http (development on 127.0.0.1).
/// HttpOnly, SameSite=Lax, path /, and an idle expiry the store enforces too.
pub fn layer(store: DbSessionStore, https: bool) -> SessionManagerLayer<DbSessionStore> {
    let name = if https {
        "__Host-serialtrace"
    } else {
        "serialtrace-session"
    };
    SessionManagerLayer::new(store)
        .with_name(name)
        .with_secure(https)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(time::Duration::seconds(
            serialtrace_app::auth::IDLE_LIFETIME,
        )))
}
