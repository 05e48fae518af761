//! Passing a unit on: a transfer code made, cancelled or redeemed.

use super::not_yours;
use crate::service::accounts::Actor;
use crate::service::change::{Audit, Change};
use crate::service::{Error, Result};
use crate::store::owners::{self as store, NewOwnership};
use crate::store::{Db, instant_text, now_text, today};
use serde_json::json;
use sha2::{Digest, Sha256};

/// How long a transfer code stays usable.
pub const TRANSFER_LIFETIME: time::Duration = time::Duration::days(7);
/// The characters of a transfer code: no 0/O, 1/I/L to misread.
const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// A code's stored digest: of its characters only, whatever the dashes, spaces or case.
pub fn transfer_code_hash(code: &str) -> String {
    let code = code.rsplit("code=").next().unwrap_or(code);
    let clean: String = code
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    crate::store::sessions::hex(&Sha256::digest(clean.as_bytes()))
}

/// Makes a transfer code for my unit (cancelling any earlier one): the code, shown once, and
/// when it expires.
pub async fn create_transfer(
    db: &Db,
    user_id: i64,
    unit_id: i64,
    actor: &Actor<'_>,
) -> Result<(String, String)> {
    let mut tx = Change::begin(db, actor).await?;
    match store::current_owner(&mut tx, unit_id).await? {
        Some((_, owner)) if owner == user_id => {}
        _ => return Err(not_yours()),
    }
    let facts = store::unit_facts(&mut tx, unit_id)
        .await?
        .ok_or_else(not_yours)?;
    if let Some(kind) = facts.reported {
        return Err(Error::invalid(
            "transfer",
            format!(
                "This unit is reported {kind}: close the report (recovered or withdrawn) before passing it on."
            ),
        ));
    }
    let code: String = {
        use rand::Rng;
        let mut rng = rand::rng();
        let chars: Vec<char> = (0..12)
            .map(|_| CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())] as char)
            .collect();
        chars
            .chunks(4)
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join("-")
    };
    let now = time::OffsetDateTime::now_utc();
    let expires = instant_text(now + TRANSFER_LIFETIME);
    let now = instant_text(now);
    store::cancel_transfers(&mut tx, unit_id, &now).await?;
    let id = store::insert_transfer(
        &mut tx,
        unit_id,
        user_id,
        &transfer_code_hash(&code),
        &now,
        &expires,
    )
    .await?;
    tx.record(
        Audit::of("transfer.create", "unit", unit_id)
            .after(json!({ "transfer": id, "expires_at": expires })),
    )
    .await?;
    tx.commit().await?;
    Ok((code, expires))
}

/// Cancels my unit's open transfer code.
pub async fn cancel_transfer(db: &Db, user_id: i64, unit_id: i64, actor: &Actor<'_>) -> Result<()> {
    let mut tx = Change::begin(db, actor).await?;
    match store::current_owner(&mut tx, unit_id).await? {
        Some((_, owner)) if owner == user_id => {}
        _ => return Err(not_yours()),
    }
    let now = now_text();
    if store::cancel_transfers(&mut tx, unit_id, &now).await? == 0 {
        return Err(Error::invalid(
            "transfer",
            "There is no open transfer code for this unit.",
        ));
    }
    tx.record(Audit::of("transfer.cancel", "unit", unit_id))
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Redeems a transfer code: the unit becomes mine. Returns the unit's id.
pub async fn redeem_transfer(db: &Db, user_id: i64, code: &str, actor: &Actor<'_>) -> Result<i64> {
    const FIELD: &str = "code";
    if code.trim().is_empty() {
        return Err(Error::invalid(
            FIELD,
            "Enter the transfer code the owner gave you.",
        ));
    }
    let mut tx = Change::begin(db, actor).await?;
    let Some(transfer) = store::transfer_by_hash(&mut tx, &transfer_code_hash(code)).await? else {
        return Err(Error::invalid(
            FIELD,
            "That is not a transfer code we issued. Check it with the owner.",
        ));
    };
    let now = now_text();
    if transfer.used_at.is_some() {
        return Err(Error::invalid(
            FIELD,
            "That transfer code has been used already; each code works once.",
        ));
    }
    if transfer.cancelled_at.is_some() {
        return Err(Error::invalid(
            FIELD,
            "The owner cancelled that transfer code. Ask them for a new one.",
        ));
    }
    if transfer.expires_at <= now {
        return Err(Error::invalid(
            FIELD,
            format!(
                "That transfer code expired on {}. Ask the owner for a new one.",
                transfer.expires_at.get(..10).unwrap_or_default()
            ),
        ));
    }
    if transfer.from_user_id == user_id {
        return Err(Error::invalid(
            FIELD,
            "This is your own transfer code: give it to the new owner to redeem.",
        ));
    }
    let facts = store::unit_facts(&mut tx, transfer.unit_id)
        .await?
        .ok_or_else(|| Error::invalid(FIELD, "That unit is no longer in the records."))?;
    if let Some(kind) = &facts.reported {
        return Err(Error::invalid(
            FIELD,
            format!(
                "{} is reported {kind}, so it cannot change hands here.",
                facts.serial
            ),
        ));
    }
    let current = store::current_owner(&mut tx, transfer.unit_id).await?;
    let Some((ownership, from)) = current.filter(|(_, owner)| *owner == transfer.from_user_id)
    else {
        return Err(Error::invalid(
            FIELD,
            "That transfer code is no longer valid: the unit has changed hands.",
        ));
    };
    // The registration before its code, in the order a dispute's decision takes them.
    store::lock_ownership(&mut tx, db.backend(), ownership).await?;
    if !store::use_transfer(&mut tx, transfer.id, user_id, &now).await? {
        return Err(Error::invalid(
            FIELD,
            "That transfer code has been used already; each code works once.",
        ));
    }
    if !store::end_ownership(&mut tx, ownership, &now).await? {
        return Err(Error::invalid(
            FIELD,
            "That transfer code is no longer valid: the unit has changed hands.",
        ));
    }
    store::insert_ownership(
        &mut tx,
        &NewOwnership {
            unit_id: transfer.unit_id,
            user_id,
            purchase_date: None,
            retailer: None,
            via: "transfer",
            registered_from: None,
        },
        &now,
    )
    .await?;
    crate::store::units::add_event(
        &mut tx,
        &crate::store::units::NewEvent {
            unit_id: transfer.unit_id,
            kind: "transferred",
            at: &now,
            place: None,
            actor: "owner",
            note: None,
        },
    )
    .await?;
    let ended = if facts.transferable {
        0
    } else {
        store::end_initial_warranty(&mut tx, transfer.unit_id, &today().to_string()).await?
    };
    store::notify_unit(&mut tx, transfer.unit_id, &now).await?;
    tx.record(
        Audit::of("transfer.redeem", "unit", transfer.unit_id)
            .before(json!({ "owner": from }))
            .after(
                json!({ "owner": user_id, "transfer": transfer.id, "warranty_ended": ended > 0 }),
            ),
    )
    .await?;
    tx.lookups_change();
    tx.commit().await?;
    Ok(transfer.unit_id)
}
