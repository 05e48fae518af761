//! Imports started from the staff screens: run in the background, their progress in
//! `import_jobs` (so any instance can show it), the spooled file removed after.

use super::{ImportError, ImportOptions, import_units};
use crate::import::{ImportSummary, RowProblem};
use crate::service::accounts::Actor;
use crate::store::import_jobs as store;
use crate::store::{Db, StoreError, now_text};

/// Runs an import started from the staff screens in the background, recording its progress
/// in `import_jobs` (so any server instance can show it) and removing the spooled file after.
pub fn spawn_job(
    services: crate::service::Services,
    job_id: i64,
    file: std::path::PathBuf,
    options: ImportOptions,
    actor_user_id: i64,
    client_ip: Option<String>,
) {
    let db = services.db.clone();
    tokio::spawn(async move {
        let outcome = async {
            let input = std::fs::File::open(&file).map_err(|e| {
                ImportError::File(RowProblem::new(
                    0,
                    "file",
                    format!("could not be read: {e}"),
                ))
            })?;
            let actor = Actor {
                user_id: Some(actor_user_id),
                role: "staff",
                client_ip: client_ip.as_deref(),
            };
            let (progress_tx, mut progress_rx) =
                tokio::sync::watch::channel(ImportSummary::default());
            let recorder = {
                let db = db.clone();
                tokio::spawn(async move {
                    while progress_rx.changed().await.is_ok() {
                        let json = serde_json::to_string(&*progress_rx.borrow_and_update())
                            .unwrap_or_default();
                        if let Err(error) =
                            store::update_job(&db, job_id, "running", &json, None, None).await
                        {
                            tracing::warn!(%error, job_id, "recording import progress");
                        }
                    }
                })
            };
            let result = import_units(
                &db,
                std::io::BufReader::with_capacity(1 << 20, input),
                options,
                &actor,
                |so_far| {
                    let _ = progress_tx.send(so_far.clone());
                },
            )
            .await;
            drop(progress_tx);
            let _ = recorder.await;
            result
        }
        .await;
        let now = now_text();
        let recorded = match outcome {
            Ok(summary) => {
                let json = serde_json::to_string(&summary).unwrap_or_default();
                store::update_job(&db, job_id, "done", &json, None, Some(&now)).await
            }
            Err(error) => {
                store::update_job(
                    &db,
                    job_id,
                    "failed",
                    "{}",
                    Some(&error.to_string()),
                    Some(&now),
                )
                .await
            }
        };
        if let Err(error) = recorded {
            tracing::error!(%error, job_id, "recording the end of an import");
        }
        let _ = std::fs::remove_file(&file);
    });
}

pub(super) fn job_view(job: store::ImportJob) -> crate::import::ImportJob {
    crate::import::ImportJob {
        id: job.id,
        file_name: job.file_name,
        dry_run: job.dry_run,
        // Written by this module only; a summary that cannot be read shows as nothing done.
        summary: serde_json::from_str(&job.summary_json).unwrap_or_default(),
        state: job.state,
        error: job.error,
        created_at: job.created_at,
        finished_at: job.finished_at,
    }
}

/// The manufacturer's latest imports from the staff screens, newest first.
pub async fn recent_jobs(
    db: &Db,
    manufacturer: i64,
) -> Result<Vec<crate::import::ImportJob>, StoreError> {
    Ok(store::recent_jobs(db, manufacturer, 20)
        .await?
        .into_iter()
        .map(job_view)
        .collect())
}

/// One of the manufacturer's imports (another manufacturer's is `None`).
pub async fn job(
    db: &Db,
    manufacturer: i64,
    id: i64,
) -> Result<Option<crate::import::ImportJob>, StoreError> {
    Ok(store::job(db, id)
        .await?
        .filter(|job| job.manufacturer_id == manufacturer)
        .map(job_view))
}

/// Records an import about to run from an uploaded file, for [`spawn_job`] to carry out:
/// its id, which the page showing its progress is named by.
pub async fn create_job(
    db: &Db,
    user_id: i64,
    manufacturer: i64,
    file_name: &str,
    dry_run: bool,
) -> Result<i64, StoreError> {
    store::create_job(db, user_id, manufacturer, file_name, dry_run, &now_text()).await
}
