//! An agent decides an open dispute: the unit reassigned, the registration ended, or the
//! dispute rejected; both sides told, the upheld side's reports and stated warranty undone.

use super::tell;
use crate::service::accounts::Actor;
use crate::service::change::{Audit, Change};
use crate::service::owners::start_warranty;
use crate::service::{Error, Result};
use crate::store::disputes::{self as store};
use crate::store::owners::{self, NewOwnership};
use crate::store::{Db, now_text, parse_date, thefts};
use crate::theft::ReportStatus;
use serde_json::json;

/// What an agent decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// The claimant is the rightful owner: the unit becomes theirs.
    Reassign,
    /// The registration was wrong, and the claimant's right is not shown either: it ends and
    /// the unit is unregistered.
    End,
    /// The registration stands.
    Reject,
}

impl Decision {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "reassign" => Some(Self::Reassign),
            "end" => Some(Self::End),
            "reject" => Some(Self::Reject),
            _ => None,
        }
    }
}

/// Decides an open dispute with a reason both sides are sent.
pub async fn decide(
    db: &Db,
    dispute_id: i64,
    decision: Decision,
    note: &str,
    actor: &Actor<'_>,
) -> Result<()> {
    let note = note.trim();
    if note.chars().count() < 3 || note.chars().count() > 1000 {
        return Err(Error::invalid(
            "note",
            "Say why, in 3 to 1,000 characters: both sides are sent it.",
        ));
    }
    let mut tx = Change::begin(db, actor).await?;
    let no_such = || Error::NotFound(format!("There is no dispute {dispute_id}."));
    // The registration first, then the dispute: decisions of two disputes of one
    // registration (and a transfer of it) queue on the registration.
    let ownership = store::ownership_of(&mut tx, dispute_id)
        .await?
        .ok_or_else(no_such)?;
    owners::lock_ownership(&mut tx, db.backend(), ownership).await?;
    let Some(d) = store::for_update(&mut tx, db.backend(), dispute_id).await? else {
        return Err(no_such());
    };
    if d.status != "open" {
        return Err(Error::invalid(
            "form",
            format!("This dispute is {} already.", d.status),
        ));
    }
    let ended_since = || {
        Error::invalid(
            "form",
            "The disputed registration has ended since the dispute was filed (the unit was transferred or unregistered): reject the dispute, saying so.",
        )
    };
    if decision != Decision::Reject
        && (d.registration_ended_at.is_some()
            || owners::current_owner(&mut tx, d.unit_id)
                .await?
                .map(|(o, _)| o)
                != Some(d.ownership_id))
    {
        return Err(ended_since());
    }
    let now = now_text();
    let (status, outcome) = match decision {
        Decision::Reassign => ("upheld", Some("reassigned")),
        Decision::End => ("upheld", Some("ended")),
        Decision::Reject => ("rejected", None),
    };
    store::decide(
        &mut tx,
        dispute_id,
        status,
        outcome,
        note,
        actor.user_id,
        &now,
    )
    .await?;
    let mut withdrawn = Vec::new();
    let mut closed_with_it = Vec::new();
    let (mut codes_cancelled, mut stated_warranty_dropped) = (0, 0);
    let mut new_ownership = None;
    let mut warranty = None;
    // A scrapped unit stays scrapped whoever it is registered to.
    let scrapped = owners::unit_facts(&mut tx, d.unit_id)
        .await?
        .is_some_and(|f| f.status == "scrapped");
    if decision != Decision::Reject {
        // The guarded update is the lock: of two decisions (or a decision and a transfer)
        // ending the same registration at once, the second finds it ended.
        if !owners::end_ownership(&mut tx, d.ownership_id, &now).await? {
            return Err(ended_since());
        }
        codes_cancelled = owners::cancel_transfers(&mut tx, d.unit_id, &now).await?;
        stated_warranty_dropped = owners::drop_stated_warranty(&mut tx, d.ownership_id).await?;
        // The reports filed during the ended registration on its owner's word: by the owner,
        // or by staff on their behalf. A police report stands; its agency closes it.
        for (report, _, reported_at, reporter_kind, by) in
            thefts::active_of_unit(&mut tx, d.unit_id).await?
        {
            let on_owners_word = by == Some(d.owner_user_id)
                || (reporter_kind == "staff" && reported_at >= d.registered_at);
            if on_owners_word
                && thefts::resolve(&mut tx, report, ReportStatus::Withdrawn, None, &now).await?
            {
                thefts::add_note(
                    &mut tx,
                    report,
                    actor.user_id,
                    actor.role,
                    &format!("Withdrawn: the registration of the person who reported it was ended by ownership dispute {dispute_id}."),
                    &now,
                )
                .await?;
                withdrawn.push(report);
            }
        }
        for (other, claimant) in store::close_others(
            &mut tx,
            d.ownership_id,
            dispute_id,
            "Decided in another dispute of the same registration.",
            &now,
        )
        .await?
        {
            tx.record(
                Audit::of("dispute.close", "dispute", other)
                    .before(json!({ "status": "open" }))
                    .after(json!({ "status": "rejected", "decided_in": dispute_id })),
            )
            .await?;
            closed_with_it.push(other);
            tell(
                &mut tx,
                claimant,
                "dispute_decided",
                "Your ownership dispute is closed",
                &format!(
                    "Your dispute of the registration of the {} {} (serial {}) was closed: another dispute of the same registration was decided. \
                     Sign in to serialtrace and open \"Disputes\" under \"My products\" to see where it stands.\n",
                    d.manufacturer, d.model, d.serial
                ),
                &now,
            )
            .await?;
        }
    }
    if decision == Decision::Reassign {
        let ownership = owners::insert_ownership(
            &mut tx,
            &NewOwnership {
                unit_id: d.unit_id,
                user_id: d.claimant_user_id,
                purchase_date: Some(&d.purchase_date),
                retailer: Some(&d.retailer),
                via: "staff",
                registered_from: None,
            },
            &now,
        )
        .await?;
        store::copy_proof(&mut tx, dispute_id, ownership).await?;
        if !scrapped {
            owners::set_status(&mut tx, d.unit_id, "registered").await?;
        }
        crate::store::units::add_event(
            &mut tx,
            &crate::store::units::NewEvent {
                unit_id: d.unit_id,
                kind: "registered",
                at: &now,
                place: None,
                actor: "agent",
                note: Some("Reassigned to its buyer after an ownership dispute."),
            },
        )
        .await?;
        if let (Some(facts), Some(bought)) = (
            owners::unit_facts(&mut tx, d.unit_id).await?,
            parse_date(Some(&d.purchase_date)),
        ) {
            warranty = start_warranty(
                &mut tx,
                &facts,
                ownership,
                (bought, crate::warranty::CHECKED_PROOF),
                &now,
            )
            .await?;
        }
        owners::notify_unit(&mut tx, d.unit_id, &now).await?;
        new_ownership = Some(ownership);
    } else if decision == Decision::End && !scrapped {
        let status = store::unregistered_status(&mut tx, d.unit_id).await?;
        owners::set_status(&mut tx, d.unit_id, status).await?;
    }
    let product = format!("{} {} (serial {})", d.manufacturer, d.model, d.serial);
    let (to_claimant, to_owner) = match decision {
        Decision::Reassign => (
            format!(
                "The support agent decided that the {product} is yours: it is now registered to you, with the purchase date and proof you gave."
            ),
            format!(
                "The support agent decided that the {product} belongs to the person who disputed your registration: it is no longer registered to you.{}",
                if withdrawn.is_empty() {
                    ""
                } else {
                    " Your stolen or lost report on it is withdrawn."
                }
            ),
        ),
        Decision::End => (
            format!(
                "The support agent ended the registration of the {product} you disputed; it is registered to nobody now. You can register it with your proof of purchase."
            ),
            format!(
                "The support agent ended your registration of the {product}: it is no longer registered to you.{}",
                if withdrawn.is_empty() {
                    ""
                } else {
                    " Your stolen or lost report on it is withdrawn."
                }
            ),
        ),
        Decision::Reject => (
            format!(
                "The support agent decided that the registration of the {product} you disputed stands."
            ),
            format!(
                "The support agent decided that your registration of the {product} stands: it stays registered to you."
            ),
        ),
    };
    for (user, text) in [
        (d.claimant_user_id, to_claimant),
        (d.owner_user_id, to_owner),
    ] {
        tell(
            &mut tx,
            user,
            "dispute_decided",
            "An ownership dispute is decided",
            &format!("{text}\n\nThe agent wrote: {note}\n"),
            &now,
        )
        .await?;
    }
    tx.record(
        Audit::of("dispute.decide", "dispute", dispute_id)
            .before(
                json!({ "status": "open", "unit_id": d.unit_id, "ownership_id": d.ownership_id }),
            )
            .after(json!({
            "status": status, "outcome": outcome, "note": note,
            "reports_withdrawn": withdrawn, "new_ownership_id": new_ownership, "warranty": warranty,
            "disputes_closed": closed_with_it, "transfer_codes_cancelled": codes_cancelled,
            "stated_warranties_dropped": stated_warranty_dropped,
            })),
    )
    .await?;
    let public = decision != Decision::Reject;
    if public {
        tx.lookups_change();
    }
    tx.commit().await?;
    Ok(())
}
