//! Repairs an agent logs (replaced parts move in the genealogy, a repair warranty adds its
//! own record) and warranty extensions by hand.

use super::{status_label, tell_owner};
use crate::serial::Serial;
use crate::service::accounts::Actor;
use crate::service::change::{Audit, Change};
use crate::service::{Error, Result};
use crate::store::claims::{self as store, NewClaimEvent};
use crate::store::owners::{self as owned, NewWarranty};
use crate::store::{Backend, Db, now_text, today};
use crate::warranty::add_months;
use serde_json::json;

/// A repair an agent logs.
#[derive(Clone, Debug, Default)]
pub struct Repair {
    pub claim_id: Option<i64>,
    pub description: String,
    /// Parts replaced: (old component serial, new component serial).
    pub parts: Vec<(String, String)>,
    /// Months of warranty on the repair, if any.
    pub warranty_months: Option<u32>,
}

/// Reads `old serial -> new serial` lines (also `old,new`): the parts replaced.
pub fn parse_parts(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut parts = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let (old, new) = line
            .split_once("->")
            .or_else(|| line.split_once(','))
            .ok_or_else(|| {
                format!(
                    "line {}: write the old part's serial, then -> and the new one's.",
                    n + 1
                )
            })?;
        let old = Serial::parse(old).map_err(|e| format!("line {}: old part: {e}", n + 1))?;
        let new = Serial::parse(new).map_err(|e| format!("line {}: new part: {e}", n + 1))?;
        parts.push((old.normalised().to_owned(), new.normalised().to_owned()));
    }
    Ok(parts)
}

/// Logs a repair of the unit: replaced parts move in the genealogy (live component recalls
/// follow), a repair warranty adds its own record, a claim it names becomes repaired.
pub async fn log_repair(db: &Db, unit_id: i64, repair: &Repair, actor: &Actor<'_>) -> Result<i64> {
    let description = repair.description.trim();
    if description.is_empty() {
        return Err(Error::invalid(
            "repair_description",
            "Describe what was done.",
        ));
    }
    if repair.warranty_months.is_some_and(|m| m == 0 || m > 120) {
        return Err(Error::invalid(
            "repair_warranty_months",
            "A repair warranty is 1 to 120 months.",
        ));
    }
    let mut tx = Change::begin(db, actor).await?;
    let Some(facts) = owned::unit_facts(&mut tx, unit_id).await? else {
        return Err(Error::NotFound(format!("There is no unit {unit_id}.")));
    };
    if let Some(claim) = repair.claim_id {
        let lock = match db.backend() {
            Backend::Postgres => "FOR UPDATE",
            Backend::Sqlite => "",
        };
        match store::status_for_update(&mut tx, claim, lock).await? {
            Some((unit, status, _)) if unit == unit_id && status == "approved" => {}
            Some((unit, status, _)) if unit == unit_id => {
                return Err(Error::invalid(
                    "repair_claim",
                    format!(
                        "Claim {claim} is {}; approve it before logging its repair.",
                        status_label(&status)
                    ),
                ));
            }
            _ => {
                return Err(Error::invalid(
                    "repair_claim",
                    format!("Claim {claim} is not a claim on this unit."),
                ));
            }
        }
    }
    let now = now_text();
    let mut moved = Vec::new();
    for (n, (old, new)) in repair.parts.iter().enumerate() {
        let line = n + 1;
        let Some((link, old_id)) = store::component_link(&mut tx, unit_id, old).await? else {
            return Err(Error::invalid(
                "repair_parts",
                format!("line {line}: {old} is not a component of {}.", facts.serial),
            ));
        };
        let candidates = store::free_units(&mut tx, new).await?;
        let new_id = match candidates.as_slice() {
            [] => {
                return Err(Error::invalid(
                    "repair_parts",
                    format!(
                        "line {line}: {new} is not a spare part in the records (unknown, or built into another unit)."
                    ),
                ));
            }
            [(id, _)] => *id,
            several => match several.iter().find(|(_, m)| *m == facts.manufacturer_id) {
                Some((id, _)) => *id,
                None => {
                    return Err(Error::invalid(
                        "repair_parts",
                        format!("line {line}: several units carry serial {new}."),
                    ));
                }
            },
        };
        if new_id == unit_id || crate::store::units::contains_unit(&mut tx, new_id, unit_id).await?
        {
            return Err(Error::invalid(
                "repair_parts",
                format!("line {line}: {new} contains this unit."),
            ));
        }
        store::replace_component(&mut tx, link, new_id, &now).await?;
        crate::store::units::add_event(
            &mut tx,
            &crate::store::units::NewEvent {
                unit_id: old_id,
                kind: "returned",
                at: &now,
                place: None,
                actor: "agent",
                note: Some(&format!("removed from {} in a repair", facts.serial)),
            },
        )
        .await?;
        moved.push(json!({ "old": old, "new": new }));
    }
    let parts_text = (!repair.parts.is_empty()).then(|| {
        repair
            .parts
            .iter()
            .map(|(o, n)| format!("{o} -> {n}"))
            .collect::<Vec<_>>()
            .join("; ")
    });
    let id = store::insert_repair(
        &mut tx,
        repair.claim_id,
        unit_id,
        description,
        parts_text.as_deref(),
        actor.user_id,
        &now,
    )
    .await?;
    crate::store::units::add_event(
        &mut tx,
        &crate::store::units::NewEvent {
            unit_id,
            kind: "repaired",
            at: &now,
            place: None,
            actor: "agent",
            note: Some(description),
        },
    )
    .await?;
    let mut warranty = None;
    if let Some(months) = repair.warranty_months {
        let start = today();
        let ends = add_months(start, months);
        owned::insert_warranty(
            &mut tx,
            &NewWarranty {
                ownership_id: None,
                unit_id,
                kind: "repair",
                starts_on: &start.to_string(),
                ends_on: &ends.to_string(),
                source: &format!("repair {id}"),
            },
            &now,
        )
        .await?;
        warranty = Some(ends.to_string());
    }
    if let Some(claim) = repair.claim_id {
        store::set_status(&mut tx, claim, "repaired", &now).await?;
        store::add_event(
            &mut tx,
            &NewClaimEvent {
                claim_id: claim,
                status: "repaired",
                note: Some(description),
                actor_role: actor.role,
                actor_user_id: actor.user_id,
                internal: false,
            },
            &now,
        )
        .await?;
        if let Some(owner) = store::claim_owner(&mut tx, claim).await? {
            tell_owner(
                &mut tx,
                owner,
                claim,
                unit_id,
                "repaired",
                Some(description),
                &now,
            )
            .await?;
        }
    }
    if !moved.is_empty() {
        crate::service::recall_admin::recompute_component_recalls(&mut tx).await?;
    }
    tx.record(
        Audit::of("repair.log", "unit", unit_id)
            .after(json!({ "repair": id, "claim": repair.claim_id, "parts": moved, "warranty_ends": warranty })),
    )
    .await?;
    tx.lookups_change();
    tx.commit().await?;
    Ok(id)
}

/// Extends a unit's warranty by `months` (from its current end, or from today when it has
/// ended or never started), for a stated reason; audited.
pub async fn extend_warranty(
    db: &Db,
    unit_id: i64,
    months: u32,
    reason: &str,
    actor: &Actor<'_>,
) -> Result<String> {
    let reason = reason.trim();
    if reason.chars().count() < 5 {
        return Err(Error::invalid(
            "extend_reason",
            "Give the reason for the extension (at least 5 characters).",
        ));
    }
    if months == 0 || months > 120 {
        return Err(Error::invalid(
            "extend_months",
            "Extend by 1 to 120 months.",
        ));
    }
    let mut tx = Change::begin(db, actor).await?;
    if owned::unit_facts(&mut tx, unit_id).await?.is_none() {
        return Err(Error::NotFound(format!("There is no unit {unit_id}.")));
    }
    let today = today();
    let start = match store::warranty_end(&mut tx, unit_id).await? {
        Some(end) if end >= today => end.next_day().unwrap_or(end),
        _ => today,
    };
    let ends = add_months(start, months);
    let now = now_text();
    owned::insert_warranty(
        &mut tx,
        &NewWarranty {
            ownership_id: None,
            unit_id,
            kind: "extended",
            starts_on: &start.to_string(),
            ends_on: &ends.to_string(),
            source: &format!("by hand: {reason}"),
        },
        &now,
    )
    .await?;
    tx.record(
        Audit::of("warranty.extend", "unit", unit_id)
            .after(json!({ "months": months, "starts_on": start.to_string(), "ends_on": ends.to_string(), "reason": reason })),
    )
    .await?;
    tx.lookups_change();
    tx.commit().await?;
    Ok(ends.to_string())
}
