//! The tasks that run beside the lookup service: the lookup-log writer (batches, so a lookup
//! never waits for a write), the alerts to owners of sighted stolen or lost units, and the
//! cache-epoch watcher.

use super::{EPOCH_POLL, LOG_BATCH};
use crate::store::catalogue::{self, ProductFormat};
use crate::store::lookups::{self, LookupLogEntry};
use crate::store::outbox::{self, NewMessage};
use crate::store::owners;
use crate::store::{Db, StoreResult, now_text, today};
use std::sync::RwLock;
use std::time::Duration;
use time::Date;
use tokio::sync::mpsc;

/// Follows the cache epoch other instances bump, so answers they changed are not served
/// from this one's cache for longer than one poll; when it moves, the product formats are
/// read again too (another instance may have changed the catalogue). Ends with the service.
pub(super) async fn watch_epoch(db: Db, formats: std::sync::Weak<RwLock<Vec<ProductFormat>>>) {
    let mut seen = None;
    loop {
        tokio::time::sleep(EPOCH_POLL).await;
        let Some(formats) = formats.upgrade() else {
            break;
        };
        match lookups::epoch(&db).await {
            Ok(current) => {
                db.saw_epoch(current);
                if seen.is_some_and(|seen| seen != current) {
                    match catalogue::product_formats(&db).await {
                        Ok(fresh) => *formats.write().unwrap_or_else(|e| e.into_inner()) = fresh,
                        Err(error) => {
                            tracing::warn!(%error, "could not re-read the product formats")
                        }
                    }
                }
                seen = Some(current);
            }
            Err(error) => tracing::warn!(%error, "could not read the cache epoch"),
        }
    }
}

/// Sightings waiting for the alert writer before new ones are dropped.
pub(super) const SIGHTING_QUEUE: usize = 10_000;

/// Mails the owner of each sighted stolen or lost unit, at most once a day per unit: the
/// outbox's dedupe key is the unit and the day, and units already alerted today are skipped
/// here without a query.
pub(super) async fn alert_owners(db: Db, mut rx: mpsc::Receiver<i64>) {
    let mut alerted: (Date, std::collections::HashSet<i64>) = (today(), Default::default());
    while let Some(unit) = rx.recv().await {
        let day = today();
        if alerted.0 != day {
            alerted = (day, Default::default());
        }
        if !alerted.1.insert(unit) {
            continue;
        }
        if let Err(error) = alert_owner(&db, unit, day).await {
            tracing::error!(%error, unit, "could not queue a sighting alert");
            alerted.1.remove(&unit);
        }
    }
}

async fn alert_owner(db: &Db, unit: i64, day: Date) -> StoreResult<()> {
    let Some((user_id, email, serial, model)) = owners::owner_contact(db, unit).await? else {
        return Ok(());
    };
    let body = format!(
        "Someone looked up the serial number of your {model} (serial {serial}) on serialtrace today, \
         while it is reported stolen or lost.\n\n\
         They were told only that it is reported; nothing about you. If you have a case with the \
         police, you may want to tell them. This alert is sent at most once a day.\n"
    );
    let key = format!("sighting:{unit}:{day}");
    let mut conn = db.writer().acquire().await?;
    outbox::enqueue(
        &mut conn,
        &NewMessage {
            kind: "sighting",
            recipient_user_id: Some(user_id),
            to_address: &email,
            subject: "Your reported product was looked up",
            body: &body,
            dedupe_key: Some(&key),
        },
        &now_text(),
    )
    .await?;
    Ok(())
}

/// Drains the log queue in batches, so a lookup never waits for a write.
pub(super) async fn write_log(db: Db, mut rx: mpsc::Receiver<LookupLogEntry>) {
    let mut batch = Vec::with_capacity(LOG_BATCH);
    loop {
        let received = rx.recv_many(&mut batch, LOG_BATCH).await;
        if received == 0 {
            break;
        }
        if let Err(error) = lookups::append(&db, &now_text(), &batch).await {
            tracing::error!(%error, entries = batch.len(), "could not write the lookup log");
        }
        batch.clear();
        if received < LOG_BATCH {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}
