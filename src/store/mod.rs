//! The store: one pool (SQLite or PostgreSQL, chosen by URL) and named queries.
//!
//! Queries are written once in SQL that both engines accept (`$n` parameters, ISO 8601 text
//! dates, integers for flags); where a dialect must differ, [`Backend`] says so in one place.

pub(crate) mod api_keys;
pub(crate) mod audit;
pub(crate) mod bulk;
pub(crate) mod catalogue;
pub(crate) mod claims;
pub(crate) mod column;
pub(crate) mod counterfeits;
pub(crate) mod disputes;
pub(crate) mod export;
pub(crate) mod import;
pub(crate) mod import_jobs;
pub(crate) mod lookups;
pub(crate) mod migrations;
pub(crate) mod outbox;
pub(crate) mod owners;
pub(crate) mod recalls;
pub(crate) mod sessions;
pub(crate) mod stock;
pub(crate) mod thefts;
pub(crate) mod units;
pub(crate) mod users;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyConnection, AnyPool, Executor};
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Checks whose count and insert must not interleave: a limit counted in one transaction and
/// passed by two at once would let both through.
#[derive(Clone, Copy, Debug)]
pub enum Serialised {
    /// Registrations, counted per account and per address.
    Registrations = 1,
    /// Ownership disputes, counted per claimant and unit.
    Disputes = 2,
    /// An officer's contact requests, counted per day.
    ContactRequests = 3,
}

/// Holds, until the transaction ends, the lock for `what` (PostgreSQL's advisory lock;
/// SQLite has one writer, which serialises every change already).
pub async fn serialise(
    conn: &mut AnyConnection,
    backend: Backend,
    what: Serialised,
) -> StoreResult<()> {
    if backend == Backend::Postgres {
        sqlx::query("SELECT 1 FROM (SELECT pg_advisory_xact_lock($1)) AS held")
            .bind(0x5E71_0000_i64 + what as i64)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL (use sqlite:… or postgres://…): {0}")]
    UnsupportedUrl(String),
    #[error("could not create the database directory {0}: {1}")]
    Directory(String, std::io::Error),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    /// Whether the error is a unique-constraint violation (on either engine).
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Database(sqlx::Error::Database(db)) if db.kind() == sqlx::error::ErrorKind::UniqueViolation)
    }

    /// The name of the violated constraint, when the error is a constraint violation.
    pub fn constraint(&self) -> Option<&str> {
        match self {
            StoreError::Database(sqlx::Error::Database(db)) => db.constraint(),
            _ => None,
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// The database: a writer pool and a reader pool (the same pool on PostgreSQL; on SQLite one
/// writer connection, since SQLite allows one writer at a time, and a small read pool).
#[derive(Clone, Debug)]
pub struct Db {
    backend: Backend,
    writer: AnyPool,
    reader: AnyPool,
    /// The newest cache epoch this process has seen committed (see [`lookups::bump_epoch`]):
    /// shared by every clone, so a change committed through one is seen by the lookup
    /// cache at once.
    epoch: Arc<AtomicI64>,
}

impl Db {
    pub async fn connect(url: &str, read_connections: u32) -> StoreResult<Self> {
        install_default_drivers();
        if url.starts_with("sqlite:") {
            ensure_sqlite_directory(url)?;
            let url = if url.contains('?') {
                url.to_owned()
            } else {
                format!("{url}?mode=rwc")
            };
            let writer = sqlite_pool(&url, 1, WRITER_CACHE_KIB).await?;
            // WAL is a property of the file: set it once, on the writer.
            writer.execute("PRAGMA journal_mode = WAL").await?;
            let reader = sqlite_pool(&url, read_connections.max(1), READER_CACHE_KIB).await?;
            Ok(Self {
                backend: Backend::Sqlite,
                writer,
                reader,
                epoch: Arc::default(),
            })
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = AnyPoolOptions::new()
                .max_connections(read_connections.max(2) + 2)
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
                .await?;
            Ok(Self {
                backend: Backend::Postgres,
                writer: pool.clone(),
                reader: pool,
                epoch: Arc::default(),
            })
        } else {
            Err(StoreError::UnsupportedUrl(redact(url)))
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The pool for statements that change data.
    pub fn writer(&self) -> &AnyPool {
        &self.writer
    }

    /// The pool for reads.
    pub fn reader(&self) -> &AnyPool {
        &self.reader
    }

    /// The newest cache epoch this process has seen committed.
    pub fn known_epoch(&self) -> i64 {
        self.epoch.load(Ordering::SeqCst)
    }

    /// Notes a committed epoch (never moving back: a slow poll must not undo a commit's).
    pub(crate) fn saw_epoch(&self, epoch: i64) {
        self.epoch.fetch_max(epoch, Ordering::SeqCst);
    }

    pub async fn migrate(&self) -> StoreResult<()> {
        let migrations = match self.backend {
            Backend::Sqlite => migrations::SQLITE_MIGRATIONS,
            Backend::Postgres => migrations::POSTGRES_MIGRATIONS,
        };
        migrations.migrator().await?.run(&self.writer).await?;
        Ok(())
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.reader).await?;
        Ok(())
    }

    /// After rows were inserted with explicit ids, PostgreSQL's identity sequences must be
    /// moved past them; SQLite needs nothing.
    pub async fn resync_ids(&self, tables: &[&str]) -> StoreResult<()> {
        if self.backend == Backend::Postgres {
            for table in tables {
                let sql = format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
                );
                sqlx::query(&sql).execute(&self.writer).await?;
            }
        }
        Ok(())
    }

    pub async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }
}

/// SQLite page cache per connection: large for the one writer (bulk loads and imports touch
/// many index pages), modest for each reader.
const WRITER_CACHE_KIB: u32 = 256 * 1024;
const READER_CACHE_KIB: u32 = 32 * 1024;

async fn sqlite_pool(url: &str, max: u32, cache_kib: u32) -> StoreResult<AnyPool> {
    Ok(AnyPoolOptions::new()
        .max_connections(max)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(30))
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                conn.execute(
                    format!(
                        "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL; \
                         PRAGMA cache_size = -{cache_kib}; PRAGMA temp_store = MEMORY;"
                    )
                    .as_str(),
                )
                .await?;
                Ok(())
            })
        })
        .connect(url)
        .await?)
}

fn ensure_sqlite_directory(url: &str) -> StoreResult<()> {
    let path = url
        .trim_start_matches("sqlite:")
        .trim_start_matches("//")
        .split('?')
        .next()
        .unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Ok(());
    }
    if let Some(parent) = Path::new(path)
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent)
            .map_err(|e| StoreError::Directory(parent.display().to_string(), e))?;
    }
    Ok(())
}

/// A URL with any password hidden, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// `$first, $first+1, …` for `n` values: placeholders for an IN list or a VALUES row.
pub fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The current instant as stored: ISO 8601 UTC to the second.
pub fn now_text() -> String {
    instant_text(time::OffsetDateTime::now_utc())
}

/// An instant as stored: ISO 8601 UTC to the second (text sorts in time order).
pub fn instant_text(at: time::OffsetDateTime) -> String {
    let now = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        now.year(),
        now.month() as u8,
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    )
}

pub fn today() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}

/// The day of a stored date or instant (its first ten characters, `YYYY-MM-DD`): text that
/// holds no day is an error, never read as "no date".
pub(crate) fn stored_day(text: Option<String>) -> StoreResult<Option<time::Date>> {
    match text {
        None => Ok(None),
        Some(text) => parse_date(Some(&text)).map(Some).ok_or_else(|| {
            StoreError::Database(sqlx::Error::Decode(
                format!("'{text}' holds no day (YYYY-MM-DD)").into(),
            ))
        }),
    }
}

/// Parses an ISO date (or the day of an instant) that may be malformed, such as a date
/// typed into a form: `None` when it is not one. Stored dates are read with [`stored_day`]
/// or as a read model's `time::Date`, where malformed text is an error.
pub fn parse_date(s: Option<&str>) -> Option<time::Date> {
    let s = s?;
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s.get(..10)?, &format).ok()
}

impl FromStr for Backend {
    type Err = StoreError;
    fn from_str(url: &str) -> Result<Self, Self::Err> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl(redact(url)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("sqlite://data/x.db"), "sqlite://data/x.db");
    }

    #[test]
    fn numbered_placeholders() {
        assert_eq!(placeholders(3, 3), "$3, $4, $5");
    }
}
