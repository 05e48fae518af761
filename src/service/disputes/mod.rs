//! Ownership disputes. Anyone can register an unregistered unit, so a unit can be registered
//! by someone who never bought it (and then reported stolen, its warranty back-dated). Its
//! rightful buyer disputes the registration with a proof of purchase; the registered owner is
//! told and may give their side; a support agent decides: the unit reassigned to the
//! claimant, the registration ended, or the dispute rejected. An upheld dispute takes the
//! ended registration's stolen reports and the warranty it started on its owner's word with
//! it. Both sides are told the decision; every step is audited.
//!
//! Filing and replying here; the agent's decision in [`decide`].

mod decide;

pub use decide::{Decision, decide};

use super::accounts::Actor;
use super::change::{Audit, Change};
use super::owners::{FileOf, Upload, find_unit, purchase_fields};
use super::{Error, Result};
use crate::owner::{Dispute, DisputeOnDesk};
use crate::store::disputes::{self as store, NewDispute};
use crate::store::outbox::{self, NewMessage};
use crate::store::owners::{self};
use crate::store::{Db, now_text};
use serde_json::json;

/// Open disputes one account may have at a time.
pub const OPEN_DISPUTES_PER_ACCOUNT: i64 = 3;

/// A dispute as the claimant fills it in.
#[derive(Clone, Debug, Default)]
pub struct DisputeForm {
    /// As on the registration form: typed, scanned or a Digital Link.
    pub serial: String,
    pub gtin: Option<String>,
    pub purchase_date: String,
    pub retailer: String,
    /// Why the unit is theirs and not the registered owner's.
    pub statement: String,
    /// Required: a receipt, an invoice or an order confirmation.
    pub proof: Option<Upload>,
}

/// Checks a free-text statement of 10 to 2,000 characters.
fn statement(field: &str, text: &str, problems: &mut Vec<(String, String)>) -> String {
    let text = text.trim();
    let n = text.chars().count();
    if n < 10 {
        problems.push((
            field.to_owned(),
            "Say in a sentence or two how you came to have it (at least 10 characters).".into(),
        ));
    } else if n > 2000 {
        problems.push((field.to_owned(), "Keep it under 2,000 characters.".into()));
    }
    text.to_owned()
}

/// Files a dispute of the unit's current registration: its id. The registered owner is told
/// (never who disputes it). Refused for a unit nobody (or the claimant) has registered,
/// without a proof of purchase, and beyond [`OPEN_DISPUTES_PER_ACCOUNT`].
pub async fn file(db: &Db, claimant: i64, form: &DisputeForm, actor: &Actor<'_>) -> Result<i64> {
    let mut problems = Vec::new();
    let (purchase_date, retailer) =
        purchase_fields(&form.purchase_date, &form.retailer, &mut problems);
    let text = statement("statement", &form.statement, &mut problems);
    if form.proof.is_none() {
        problems.push((
            "proof".into(),
            "Attach your proof of purchase (a receipt, an invoice or an order confirmation): the agent decides on it.".into(),
        ));
    }
    let proof = Upload::checked(form.proof.as_ref(), "proof", &mut problems);
    let unit = match find_unit(db, &form.serial, form.gtin.as_deref(), "serial").await {
        Ok(unit) => Some(unit),
        Err(Error::Invalid(found)) => {
            problems.extend(found);
            None
        }
        Err(other) => return Err(other),
    };
    let (Some(unit), Some(purchase_date), Some((upload, kind)), true) =
        (unit, purchase_date, proof, problems.is_empty())
    else {
        return Err(Error::Invalid(problems));
    };
    let mut tx = Change::begin(db, actor).await?;
    let Some((ownership, owner)) = owners::current_owner(&mut tx, unit.id).await? else {
        return Err(Error::invalid(
            "serial",
            format!(
                "{} is not registered to anyone: register it as yours under \"Register a product\".",
                unit.serial_raw
            ),
        ));
    };
    if owner == claimant {
        return Err(Error::invalid(
            "serial",
            format!("{} is registered to you already.", unit.serial_raw),
        ));
    }
    if let Some(made) = owners::unit_facts(&mut tx, unit.id)
        .await?
        .and_then(|f| f.manufactured_on)
        && purchase_date < made
    {
        return Err(Error::invalid(
            "purchase_date",
            format!("This unit was made on {made}; it cannot have been bought before that."),
        ));
    }
    if store::rejected_before(&mut tx, claimant, ownership).await? {
        return Err(Error::invalid(
            "serial",
            format!(
                "Your dispute of this registration of {} was decided already, and the registration stands. \
                 If you have new proof, contact support.",
                unit.serial_raw
            ),
        ));
    }
    crate::store::serialise(&mut tx, db.backend(), crate::store::Serialised::Disputes).await?;
    if store::open_count(&mut tx, claimant).await? >= OPEN_DISPUTES_PER_ACCOUNT {
        return Err(Error::Limited(format!(
            "You have {OPEN_DISPUTES_PER_ACCOUNT} disputes waiting for a decision, the most one account may have. \
             File this one when one of them is decided."
        )));
    }
    let now = now_text();
    let purchase = purchase_date.to_string();
    let id = store::insert(
        &mut tx,
        &NewDispute {
            unit_id: unit.id,
            ownership_id: ownership,
            claimant_user_id: claimant,
            purchase_date: &purchase,
            retailer,
            statement: &text,
        },
        &now,
    )
    .await
    .map_err(|e| {
        if e.is_unique_violation() {
            Error::invalid(
                "serial",
                format!(
                    "You have disputed the registration of {} already; a support agent will decide it.",
                    unit.serial_raw
                ),
            )
        } else {
            e.into()
        }
    })?;
    upload
        .keep(
            &mut tx,
            (claimant, unit.id),
            FileOf::Dispute(id),
            kind,
            &now,
        )
        .await?;
    let facts = owners::unit_facts(&mut tx, unit.id).await?;
    let model = facts.map(|f| f.model).unwrap_or_default();
    tell(
        &mut tx,
        owner,
        "dispute_filed",
        "Someone disputes your registration of a product",
        &format!(
            "Someone says your {model} (serial {}) is theirs and has sent a proof of purchase. \
             A support agent will decide who it belongs to.\n\n\
             If it is yours, sign in to serialtrace, open the product under \"My products\" and give your side, \
             with your own proof of purchase if you have one. We have not told them who you are.\n",
            unit.serial_raw
        ),
        &now,
    )
    .await?;
    tx.record(
        Audit::of("dispute.file", "dispute", id)
            .after(json!({ "unit_id": unit.id, "ownership_id": ownership, "purchase_date": purchase, "retailer": retailer })),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The registered owner's side of an open dispute of their registration, with their proof
/// of purchase if they had not given one.
pub async fn reply(
    db: &Db,
    owner: i64,
    dispute_id: i64,
    text: &str,
    proof: Option<&Upload>,
    actor: &Actor<'_>,
) -> Result<()> {
    let mut problems = Vec::new();
    let text = statement("reply", text, &mut problems);
    let proof = Upload::checked(proof, "reply_proof", &mut problems);
    let mut tx = Change::begin(db, actor).await?;
    let dispute = store::for_update(&mut tx, db.backend(), dispute_id)
        .await?
        .filter(|d| d.owner_user_id == owner && d.registration_ended_at.is_none())
        .ok_or_else(|| Error::NotFound("There is no such dispute of your registration.".into()))?;
    if dispute.status != "open" {
        return Err(Error::invalid("reply", "This dispute is decided already."));
    }
    if proof.is_some()
        && store::ownership_file_count(&mut tx, dispute.ownership_id).await?
            >= store::MAX_OWNER_FILES
    {
        problems.push((
            "reply_proof".into(),
            format!(
                "You have given {} files with this registration, the most we keep: the agent sees them all. Send your reply without a file.",
                store::MAX_OWNER_FILES
            ),
        ));
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    let now = now_text();
    store::set_reply(&mut tx, dispute_id, &text).await?;
    if let Some((upload, kind)) = proof {
        upload
            .keep(
                &mut tx,
                (owner, dispute.unit_id),
                FileOf::Ownership(dispute.ownership_id),
                kind,
                &now,
            )
            .await?;
    }
    tx.record(
        Audit::of("dispute.reply", "dispute", dispute_id)
            .before(json!({ "owner_reply": dispute.owner_reply }))
            .after(json!({ "owner_reply": text, "proof": proof.is_some() })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Mails an account (inside the change's transaction, through the outbox).
pub(super) async fn tell(
    conn: &mut sqlx::AnyConnection,
    user: i64,
    kind: &str,
    subject: &str,
    body: &str,
    now: &str,
) -> Result<()> {
    if let Some(email) = store::email_of(conn, user).await? {
        outbox::enqueue(
            conn,
            &NewMessage {
                kind,
                recipient_user_id: Some(user),
                to_address: &email,
                subject,
                body,
                dedupe_key: None,
            },
            now,
        )
        .await?;
    }
    Ok(())
}

/// The disputes a person filed, newest first, as the claimant sees them.
pub async fn mine(db: &Db, claimant: i64) -> crate::store::StoreResult<Vec<Dispute>> {
    Ok(store::of_claimant(db, claimant)
        .await?
        .into_iter()
        .map(Dispute::for_claimant)
        .collect())
}

/// The desk's queue: open disputes, oldest first.
pub async fn open(db: &Db) -> crate::store::StoreResult<Vec<Dispute>> {
    store::open(db, 200).await
}

/// One dispute with both sides, for a support agent.
pub async fn on_desk(db: &Db, id: i64) -> crate::store::StoreResult<Option<DisputeOnDesk>> {
    let Some(dispute) = store::by_id(db, id).await? else {
        return Ok(None);
    };
    let email = async |user: i64| -> crate::store::StoreResult<Option<String>> {
        Ok(crate::store::users::record(db, user)
            .await?
            .map(|r| r.user.email.to_string()))
    };
    let (claimant, owner, owner_proof_ids) = tokio::try_join!(
        email(dispute.claimant_user_id),
        email(dispute.owner_user_id),
        store::owner_files(db, dispute.ownership_id),
    )?;
    Ok(Some(DisputeOnDesk {
        dispute,
        owner_proof_ids,
        claimant,
        owner,
    }))
}
