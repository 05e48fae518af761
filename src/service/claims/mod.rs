//! Warranty claims and the support agents' work on them: an owner files a claim (told up
//! front whether the unit is in warranty; out of warranty it is a paid repair request),
//! agents move it through its statuses with notes the owner sees (or internal ones), log
//! repairs with the parts replaced (the genealogy follows) and an optional repair warranty,
//! and extend a warranty by hand with a reason. Every agent change is audited.
//!
//! Repairs and warranty extensions are in [`repairs`].

mod repairs;

pub use repairs::{Repair, extend_warranty, log_repair, parse_parts};

use super::accounts::Actor;
use super::change::{Audit, Change};
use super::owners::FileOf;
use super::owners::{self, Upload};
use super::{Error, Result};
use crate::claim::{Claim, ClaimDetail, ClaimOnDesk, ExpiryLine, FoundUnit, UnitClaims};
use crate::serial::Serial;
use crate::store::claims::{self as store, NewClaimEvent};
use crate::store::outbox::{self, NewMessage};
use crate::store::{Backend, Db, StoreResult, now_text, today};
use crate::warranty::WarrantyStatus;
use serde_json::json;

pub use crate::claim::{STATUSES, next_statuses, status_label};

/// The statuses of claims the desk still has to work on.
pub const OPEN: [&str; 3] = ["new", "in_review", "approved"];

/// The owner's claims, newest first.
pub async fn owners_claims(db: &Db, owner: i64) -> StoreResult<Vec<Claim>> {
    store::claims_of_owner(db, owner).await
}

/// One of the owner's claims, with the history the owner sees and its photos; `None` when
/// there is no such claim or it is someone else's.
pub async fn owners_claim(db: &Db, owner: i64, id: i64) -> StoreResult<Option<ClaimDetail>> {
    match store::claim_by_id(db, id).await? {
        Some(claim) if claim.owner_user_id == Some(owner) => {
            Ok(Some(detail(db, claim, false).await?))
        }
        _ => Ok(None),
    }
}

/// A claim as the desk sees it: every note, internal ones too, and the claimant's e-mail.
pub async fn desk_claim(db: &Db, id: i64) -> StoreResult<Option<ClaimOnDesk>> {
    let Some(claim) = store::claim_by_id(db, id).await? else {
        return Ok(None);
    };
    let owner_email = match claim.owner_user_id {
        Some(owner) => crate::store::users::record(db, owner)
            .await?
            .map(|r| r.user.email.to_string()),
        None => None,
    };
    Ok(Some(ClaimOnDesk {
        detail: detail(db, claim, true).await?,
        owner_email,
    }))
}

async fn detail(db: &Db, claim: Claim, with_internal: bool) -> StoreResult<ClaimDetail> {
    Ok(ClaimDetail {
        history: store::events(db, claim.id, with_internal).await?,
        photos: store::photos(db, claim.id).await?,
        claim,
    })
}

/// The desk's queue: open claims, the longest unchanged first.
pub async fn open_claims(db: &Db) -> StoreResult<Vec<Claim>> {
    store::queue(db, &OPEN).await
}

/// A unit's claims, repairs and current proof of purchase, for the desk.
pub async fn unit_claims(db: &Db, unit_id: i64) -> StoreResult<UnitClaims> {
    Ok(UnitClaims {
        claims: store::claims_of_unit(db, unit_id).await?,
        repairs: store::repairs(db, unit_id).await?,
        proof: store::current_proof(db, unit_id).await?,
    })
}

/// The desk's unit search: units with the typed serial, then those whose serial differs only
/// by look-alike characters (O for 0 and the like). Nothing for what is not a serial.
pub async fn search_units(db: &Db, typed: &str) -> StoreResult<Vec<FoundUnit>> {
    match Serial::parse(typed) {
        Ok(serial) => store::search_units(db, serial.normalised(), &serial.folded()).await,
        Err(_) => Ok(Vec::new()),
    }
}

/// Units whose warranty ends in the next `days` days, soonest first; only the manufacturer's
/// when given. At most `limit`.
pub async fn expiring(
    db: &Db,
    days: u32,
    manufacturer_id: Option<i64>,
    limit: i64,
) -> StoreResult<Vec<ExpiryLine>> {
    let from = today();
    let to = from + time::Duration::days(i64::from(days));
    store::expiring(
        db,
        &from.to_string(),
        &to.to_string(),
        manufacturer_id,
        limit,
    )
    .await
}

/// The most photos one claim takes.
pub const MAX_PHOTOS: usize = 3;

/// A claim as the owner files it.
#[derive(Clone, Debug, Default)]
pub struct NewClaim {
    pub description: String,
    pub photos: Vec<Upload>,
    /// The owner accepts that an out-of-warranty claim is a paid repair request.
    pub paid_repair_ok: bool,
}

/// Files a claim on my unit: its id.
pub async fn file_claim(
    db: &Db,
    user_id: i64,
    unit_id: i64,
    claim: &NewClaim,
    actor: &Actor<'_>,
) -> Result<i64> {
    let Some(unit) = owners::my_unit(db, user_id, unit_id).await? else {
        return Err(Error::NotFound("You have no such product.".into()));
    };
    let mut problems = Vec::new();
    let description = claim.description.trim();
    if description.chars().count() < 10 {
        problems.push((
            "description".to_owned(),
            "Describe the problem in a sentence or two (at least 10 characters).".to_owned(),
        ));
    } else if description.chars().count() > 4000 {
        problems.push((
            "description".to_owned(),
            "Keep the description under 4,000 characters.".to_owned(),
        ));
    }
    if claim.photos.len() > MAX_PHOTOS {
        problems.push((
            "photos".to_owned(),
            format!("Attach at most {MAX_PHOTOS} photos."),
        ));
    }
    let mut kinds = Vec::new();
    for photo in &claim.photos {
        match photo.content_type() {
            Ok(kind) => kinds.push(kind),
            Err(why) => problems.push((
                "photos".to_owned(),
                format!("{}: {why}", photo.clean_name()),
            )),
        }
    }
    let in_warranty = matches!(
        owners::status_of(&unit, &records_of(db, unit_id).await?),
        WarrantyStatus::Active { .. }
    );
    if !in_warranty && !claim.paid_repair_ok {
        problems.push((
            "paid_repair_ok".to_owned(),
            "This unit is not under warranty: tick the box to ask for a paid repair, or contact the seller.".to_owned(),
        ));
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    let mut tx = Change::begin(db, actor).await?;
    let now = now_text();
    let id = store::insert_claim(&mut tx, unit_id, user_id, description, in_warranty, &now).await?;
    store::add_event(
        &mut tx,
        &NewClaimEvent {
            claim_id: id,
            status: "new",
            note: Some(if in_warranty {
                "Filed under warranty."
            } else {
                "Filed as a paid repair request (not under warranty)."
            }),
            actor_role: "owner",
            actor_user_id: Some(user_id),
            internal: false,
        },
        &now,
    )
    .await?;
    for (photo, kind) in claim.photos.iter().zip(kinds) {
        photo
            .keep(&mut tx, (user_id, unit_id), FileOf::Claim(id), kind, &now)
            .await?;
    }
    tx.record(Audit::of("claim.file", "claim", id).after(
        json!({ "unit_id": unit_id, "in_warranty": in_warranty, "photos": claim.photos.len() }),
    ))
    .await?;
    tx.commit().await?;
    Ok(id)
}

async fn records_of(db: &Db, unit_id: i64) -> Result<Vec<crate::store::units::StoredWarranty>> {
    Ok(crate::store::units::warranty_records(db, &[unit_id]).await?)
}

/// An agent's change to a claim: a new status and/or a note.
#[derive(Clone, Debug, Default)]
pub struct ClaimUpdate {
    pub status: Option<String>,
    pub note: Option<String>,
    /// The note is for agents only.
    pub internal: bool,
}

/// Applies an agent's change; the owner is mailed a status change or a note meant for them.
pub async fn update_claim(
    db: &Db,
    claim_id: i64,
    update: &ClaimUpdate,
    actor: &Actor<'_>,
) -> Result<()> {
    let note = update
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    if update.status.is_none() && note.is_none() {
        return Err(Error::invalid(
            "note",
            "Choose a new status or write a note.",
        ));
    }
    let mut tx = Change::begin(db, actor).await?;
    let lock = match db.backend() {
        Backend::Postgres => "FOR UPDATE",
        Backend::Sqlite => "",
    };
    let Some((unit_id, from, owner)) = store::status_for_update(&mut tx, claim_id, lock).await?
    else {
        return Err(Error::NotFound(format!("There is no claim {claim_id}.")));
    };
    let to = match &update.status {
        Some(to) if to == &from => None,
        Some(to) if next_statuses(&from).contains(&to.as_str()) => Some(to.clone()),
        Some(to) => {
            return Err(Error::invalid(
                "status",
                format!(
                    "A {} claim cannot become {}; it can become {}.",
                    status_label(&from),
                    status_label(to),
                    next_statuses(&from)
                        .iter()
                        .map(|s| status_label(s))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        None => None,
    };
    if to.is_none() && note.is_none() {
        return Err(Error::invalid(
            "status",
            format!("The claim is {} already.", status_label(&from)),
        ));
    }
    let now = now_text();
    let status = to.clone().unwrap_or_else(|| from.clone());
    if to.is_some() {
        store::set_status(&mut tx, claim_id, &status, &now).await?;
    }
    store::add_event(
        &mut tx,
        &NewClaimEvent {
            claim_id,
            status: &status,
            note,
            actor_role: actor.role,
            actor_user_id: actor.user_id,
            internal: update.internal,
        },
        &now,
    )
    .await?;
    let tells_owner = to.is_some() || !update.internal;
    if let (true, Some(owner)) = (tells_owner, owner) {
        tell_owner(
            &mut tx,
            owner,
            claim_id,
            unit_id,
            &status,
            note.filter(|_| !update.internal),
            &now,
        )
        .await?;
    }
    tx.record(
        Audit::of("claim.update", "claim", claim_id)
            .before(json!({ "status": from }))
            .after(json!({ "status": status, "note": note, "internal": update.internal })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn tell_owner(
    conn: &mut sqlx::AnyConnection,
    owner: i64,
    claim_id: i64,
    unit_id: i64,
    status: &str,
    note: Option<&str>,
    now: &str,
) -> Result<()> {
    let Some((email, serial, model)) = store::owner_and_unit(conn, owner, unit_id).await? else {
        return Ok(());
    };
    let body = format!(
        "Your warranty claim {claim_id} on your {model} (serial {serial}) is now {}.\n{}\n\
         Sign in to serialtrace and open \"My claims\" to see its history.\n",
        status_label(status),
        note.map(|n| format!("\nThe support agent wrote: {n}\n"))
            .unwrap_or_default()
    );
    outbox::enqueue(
        conn,
        &NewMessage {
            kind: "claim_update",
            recipient_user_id: Some(owner),
            to_address: &email,
            subject: &format!("Your claim {claim_id} is {}", status_label(status)),
            body: &body,
            dedupe_key: None,
        },
        now,
    )
    .await?;
    Ok(())
}
