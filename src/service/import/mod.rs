//! Importing units from CSV, streamed: a blocking thread reads and checks rows while this
//! task resolves them against the catalogue and writes each batch in one transaction.
//! Importing the same file twice changes nothing the second time; a dry run reports every
//! bad row and what would change, writing nothing.
//!
//! [`read`] is the reading thread, [`resolve`] matches rows to the catalogue (making what is
//! missing when asked), [`write`] writes the batches; [`jobs`] runs an import from the staff
//! screens in the background and records its progress.

mod jobs;
mod read;
mod resolve;
mod write;

pub use jobs::{create_job, job, recent_jobs, spawn_job};

use read::{Reading, spawn_reader};
use resolve::{Catalogue, Importer, Resolved};
use write::{Counts, Writer};

use super::accounts::{AccountError, Actor};
use super::change::{Audit, Change};
use crate::import::{ImportSummary, RowProblem};
use crate::store::import::{self as store};
use crate::store::{Db, StoreError};
use std::collections::HashMap;
use std::io::Read;
use std::sync::Arc;

/// Rows written per transaction.
pub(super) const BATCH: usize = 20_000;

#[derive(Clone, Copy, Debug, Default)]
pub struct ImportOptions {
    /// Check and count, write nothing.
    pub dry_run: bool,
    /// Make manufacturers and products the file names but the catalogue lacks.
    pub create_missing: bool,
    /// Staff import only their manufacturer's units; other rows are rejected.
    pub only_manufacturer: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file as a whole is unusable (no header, missing columns, unreadable).
    #[error("{0}")]
    File(RowProblem),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<AccountError> for ImportError {
    fn from(error: AccountError) -> Self {
        match error {
            AccountError::Store(e) => ImportError::Store(e),
            other => ImportError::File(RowProblem::new(0, "import", other.to_string())),
        }
    }
}

/// Imports units from `input` (CSV with a header line). `progress` is told the running
/// summary after each batch. Rejected rows are reported, never written; the rest of the
/// file goes on. An unusable file (no header, missing columns) is an error.
pub async fn import_units<R: Read + Send + 'static>(
    db: &Db,
    input: R,
    options: ImportOptions,
    actor: &Actor<'_>,
    mut progress: impl FnMut(&ImportSummary),
) -> Result<ImportSummary, ImportError> {
    let catalogue = Catalogue::load(db).await?;
    let mut writer = Writer {
        db: db.clone(),
        dry_run: options.dry_run,
        lots: store::lots(db)
            .await?
            .into_iter()
            .map(|(product, code, id)| ((product, code), id))
            .collect(),
        had_units: store::products_with_units(db).await?.into_iter().collect(),
        pretend: catalogue.pretend.clone(),
        counts: Counts::default(),
    };
    let mut importer = Importer {
        db,
        options,
        actor,
        catalogue,
        seen: HashMap::new(),
        summary: ImportSummary {
            dry_run: options.dry_run,
            ..ImportSummary::default()
        },
    };
    // Three stages at once: the reader thread parses, this task resolves, the writer task
    // writes the batch before.
    let written = Arc::new(std::sync::Mutex::new(Counts::default()));
    let (to_writer, mut batches_to_write) = tokio::sync::mpsc::channel::<Vec<Resolved>>(2);
    let writer_task = tokio::spawn({
        let written = written.clone();
        async move {
            while let Some(rows) = batches_to_write.recv().await {
                writer.write(rows).await?;
                if let Ok(mut w) = written.lock() {
                    *w = writer.counts;
                }
            }
            Ok::<Counts, ImportError>(writer.counts)
        }
    });
    let mut batches = spawn_reader(input);
    while let Some(read) = batches.recv().await {
        let rows = match read {
            Reading::Fatal(problem) => return Err(ImportError::File(problem)),
            Reading::Rows(rows) => rows,
        };
        let mut resolved = Vec::with_capacity(rows.len());
        for row in rows {
            importer.summary.rows += 1;
            match row {
                Err(problem) => importer.reject(problem),
                Ok(row) => {
                    if let Some(r) = importer.resolve(row).await? {
                        resolved.push(r);
                    }
                }
            }
        }
        if to_writer.send(resolved).await.is_err() {
            break; // the writer stopped: its error follows
        }
        let counts = written.lock().map(|w| *w).unwrap_or_default();
        let so_far = &importer.summary;
        progress(&ImportSummary {
            rows: so_far.rows,
            created: counts.created,
            updated: counts.updated,
            unchanged: counts.unchanged,
            rejected: so_far.rejected,
            created_manufacturers: so_far.created_manufacturers,
            created_products: so_far.created_products,
            problems: Vec::new(),
            dry_run: so_far.dry_run,
        });
    }
    drop(to_writer);
    let counts = writer_task
        .await
        .map_err(|e| ImportError::File(RowProblem::new(0, "import", e.to_string())))??;
    importer.summary.created = counts.created;
    importer.summary.updated = counts.updated;
    importer.summary.unchanged = counts.unchanged;
    let summary = importer.summary;
    if !options.dry_run {
        let mut tx = Change::begin(db, actor).await?;
        tx.record(
            Audit::of("units.import", "units", "import").after(serde_json::json!({
                "rows": summary.rows,
                "created": summary.created,
                "updated": summary.updated,
                "unchanged": summary.unchanged,
                "rejected": summary.rejected,
                "created_manufacturers": summary.created_manufacturers,
                "created_products": summary.created_products,
            })),
        )
        .await?;
        tx.commit().await?;
    }
    Ok(summary)
}
