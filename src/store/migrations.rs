//! The schema's migrations, embedded in the binary by build.rs (one list per engine) and
//! handed to sqlx's migrator as they would be read from migrations/<engine>/.

use std::{borrow::Cow, future::Future, pin::Pin};

use sqlx::error::BoxDynError;
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};

include!(concat!(env!("OUT_DIR"), "/migrations.rs"));

/// One engine's migrations: `(file name, SQL)` in version order.
#[derive(Debug, Clone, Copy)]
pub struct Embedded(pub &'static [(&'static str, &'static str)]);

pub const SQLITE_MIGRATIONS: Embedded = Embedded(SQLITE);
pub const POSTGRES_MIGRATIONS: Embedded = Embedded(POSTGRES);

impl Embedded {
    /// Read the way sqlx reads a directory: `<version>_<description>.sql`, the description's
    /// underscores as spaces, `-- no-transaction` on the first line opting out of one.
    pub fn migrations(self) -> Result<Vec<Migration>, String> {
        self.0
            .iter()
            .map(|&(file, sql)| {
                let (version, rest) = file.split_once('_').ok_or_else(|| {
                    format!("migration {file:?}: expected <version>_<description>.sql")
                })?;
                let version: i64 = version
                    .parse()
                    .map_err(|_| format!("migration {file:?}: the version is not a number"))?;
                let kind = MigrationType::from_filename(rest);
                let description = rest.trim_end_matches(kind.suffix()).replace('_', " ");
                Ok(Migration::new(
                    version,
                    Cow::Owned(description),
                    kind,
                    Cow::Borrowed(sql),
                    sql.starts_with("-- no-transaction"),
                ))
            })
            .collect()
    }

    pub async fn migrator(self) -> Result<Migrator, sqlx::migrate::MigrateError> {
        Migrator::new(self).await
    }
}

impl MigrationSource<'static> for Embedded {
    fn resolve(self) -> Pin<Box<dyn Future<Output = Result<Vec<Migration>, BoxDynError>> + Send>> {
        Box::pin(async move { self.migrations().map_err(BoxDynError::from) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What is embedded is what sqlx would read from the folder: same versions, descriptions
    /// and checksums (a database migrated by an earlier build keeps validating).
    #[tokio::test]
    async fn embedded_migrations_match_the_folders() {
        for (embedded, dir) in [
            (SQLITE_MIGRATIONS, "sqlite"),
            (POSTGRES_MIGRATIONS, "postgres"),
        ] {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("migrations")
                .join(dir);
            let from_folder = Migrator::new(path).await.expect("the folder's migrations");
            let embedded = embedded.migrator().await.expect("the embedded migrations");
            assert!(
                !embedded.migrations.is_empty(),
                "{dir}: no migrations embedded"
            );
            let summary = |m: &Migrator| {
                m.iter()
                    .map(|m| {
                        (
                            m.version,
                            m.description.to_string(),
                            m.checksum.to_vec(),
                            m.no_tx,
                        )
                    })
                    .collect::<Vec<_>>()
            };
            assert_eq!(summary(&embedded), summary(&from_folder), "{dir}");
        }
    }
}
