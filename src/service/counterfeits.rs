//! Counterfeit and clone signals for a manufacturer's staff, and marking a serial as a known
//! counterfeit (which the public answer then states). Marks are audited.

use super::accounts::Actor;
use super::change::{Audit, Change};
use super::{Error, Result};
use crate::format::FormatVerdict;
use crate::serial::Serial;
use crate::signals::{Enumeration, looks_sequential};
use crate::store::{Db, StoreResult, catalogue, counterfeits as store, now_text, units};
use serde_json::json;
use std::collections::BTreeMap;

/// Networks that must have looked up a genuine serial within the window for it to count as
/// possibly cloned.
pub const CLONE_NETWORKS: i64 = 3;
/// How far back the signals look.
pub const WINDOW_DAYS: i64 = 7;

/// What the dashboard shows.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Signals {
    /// Genuine serials looked up from many networks: (serial, networks, lookups).
    pub widespread: Vec<(String, i64, i64)>,
    pub enumerations: Vec<Enumeration>,
    /// (serial, note, marked_at).
    pub marks: Vec<(String, Option<String>, String)>,
}

pub async fn signals(db: &Db, manufacturer_id: i64) -> StoreResult<Signals> {
    let since = crate::store::instant_text(
        time::OffsetDateTime::now_utc() - time::Duration::days(WINDOW_DAYS),
    );
    let (widespread, busy, marks, products, formats) = tokio::try_join!(
        store::widespread(db, manufacturer_id, &since, CLONE_NETWORKS),
        store::busy_origins(db, &since, crate::signals::MIN_ENUMERATED as i64),
        store::marks(db, manufacturer_id),
        catalogue::list_products(db, manufacturer_id),
        catalogue::product_formats(db),
    )?;
    let theirs: Vec<_> = formats
        .iter()
        .filter(|f| f.manufacturer_id != manufacturer_id)
        .collect();
    let mut by_origin: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (origin, serial) in busy {
        // Another maker's lookups are theirs, even where formats overlap (an overlap made
        // before they were refused).
        let ours = products
            .iter()
            .any(|p| p.spec.format.check(&serial) != FormatVerdict::Foreign)
            && !theirs
                .iter()
                .any(|f| f.format.check(&serial) != FormatVerdict::Foreign);
        if ours {
            by_origin.entry(origin).or_default().push(serial);
        }
    }
    let enumerations = by_origin
        .into_iter()
        .filter(|(_, serials)| looks_sequential(serials))
        .map(|(origin, mut serials)| {
            serials.sort();
            Enumeration {
                origin,
                serials: serials.len(),
                first: serials.first().cloned().unwrap_or_default(),
                last: serials.last().cloned().unwrap_or_default(),
            }
        })
        .collect();
    Ok(Signals {
        widespread,
        enumerations,
        marks,
    })
}

/// Marks (or, with `clear`, unmarks) a serial as a known counterfeit of the manufacturer's:
/// one of its units' serials (a cloned label) or one that fits one of its formats.
pub async fn set_mark(
    db: &Db,
    manufacturer_id: i64,
    input: &str,
    note: Option<&str>,
    clear: bool,
    actor: &Actor<'_>,
) -> Result<String> {
    let invalid = |m: String| Error::invalid("counterfeit_serial", m);
    let serial = Serial::parse(input).map_err(|e| invalid(e.to_string()))?;
    let serial = serial.normalised().to_owned();
    let products = catalogue::list_products(db, manufacturer_id).await?;
    let fits = products
        .iter()
        .any(|p| p.spec.format.check(&serial) == FormatVerdict::Valid);
    let ours = !units::find_own(db, manufacturer_id, &serial)
        .await?
        .is_empty();
    if !fits && !ours {
        return Err(invalid(format!(
            "{serial} is neither one of your units nor fits one of your serial formats."
        )));
    }
    let mut tx = Change::begin(db, actor).await?;
    let changed = if clear {
        store::unmark(&mut tx, manufacturer_id, &serial).await?
    } else {
        store::mark(
            &mut tx,
            manufacturer_id,
            &serial,
            note,
            actor.user_id,
            &now_text(),
        )
        .await?
    };
    if !changed {
        return Err(invalid(if clear {
            format!("{serial} is not marked.")
        } else {
            format!("{serial} is marked already.")
        }));
    }
    tx.record(
        Audit::of(
            if clear {
                "counterfeit.unmark"
            } else {
                "counterfeit.mark"
            },
            "serial",
            &serial,
        )
        .after(json!({ "note": note, "genuine_unit": ours })),
    )
    .await?;
    tx.lookups_change();
    tx.commit().await?;
    Ok(serial)
}
