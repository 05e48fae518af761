//! What owners do with their units: register one (with an optional proof of purchase), see
//! them with their live status, pass one on with a transfer code, report one stolen or lost
//! and close the report, and read their recall notices.
//!
//! One file per thing an owner does: `register` (with its limits and the warranty it
//! starts), `transfers`, `reports`; `uploads` is the files they send. This file: my products
//! with their live status, and notices.

mod register;
mod reports;
mod transfers;
mod uploads;

pub use register::{
    REGISTRATIONS_PER_ACCOUNT_PER_DAY, REGISTRATIONS_PER_ADDRESS_PER_DAY, Registration, register,
};
pub(crate) use register::{find_unit, purchase_fields, start_warranty};
pub use reports::{OwnerReport, close_report, report_theft};
pub use transfers::{
    TRANSFER_LIFETIME, cancel_transfer, create_transfer, redeem_transfer, transfer_code_hash,
};
pub use uploads::{FileOf, MAX_FILE_BYTES, Upload};

use crate::lookup::WarrantyInfo;
use crate::owner::{OpenDispute, OwnedProduct};
use crate::recall::Notice;
use crate::service::{Error, Result};
use crate::store::owners::{self as store, OwnedUnit};
use crate::store::units::StoredWarranty;
use crate::store::{Db, StoreResult, now_text, parse_date, recalls, today, units};
use crate::warranty::{WarrantyPolicy, WarrantyRecord, warranty_status};

fn not_yours() -> Error {
    Error::NotFound("You have no such product.".into())
}

/// My units, newest first, each with its warranty, open recalls and reports.
pub async fn my_products(db: &Db, user_id: i64) -> StoreResult<Vec<OwnedProduct>> {
    let owned = store::owned_units(db, user_id).await?;
    with_status(db, user_id, owned).await
}

/// One of my units (None for anyone else's), with the open disputes of my registration.
pub async fn my_product(db: &Db, user_id: i64, unit_id: i64) -> StoreResult<Option<OwnedProduct>> {
    let Some(unit) = store::owned_unit(db, user_id, unit_id).await? else {
        return Ok(None);
    };
    let ownership = unit.ownership_id;
    let Some(mut product) = with_status(db, user_id, vec![unit]).await?.pop() else {
        return Ok(None);
    };
    product.disputes = crate::store::disputes::open_on_ownership(db, ownership)
        .await?
        .into_iter()
        .map(|d| OpenDispute {
            id: d.id,
            filed_on: d.created_at.get(..10).unwrap_or_default().to_owned(),
            answered: d.owner_reply.is_some(),
        })
        .collect();
    Ok(Some(product))
}

/// One of my units as the store has it (None for anyone else's): what rules about it are
/// worked out from.
pub(crate) async fn my_unit(db: &Db, user_id: i64, unit_id: i64) -> StoreResult<Option<OwnedUnit>> {
    store::owned_unit(db, user_id, unit_id).await
}

async fn with_status(
    db: &Db,
    user_id: i64,
    owned: Vec<OwnedUnit>,
) -> StoreResult<Vec<OwnedProduct>> {
    let ids: Vec<i64> = owned.iter().map(|u| u.unit_id).collect();
    let (records, notices) = tokio::try_join!(
        units::warranty_records(db, &ids),
        recalls::for_units(db, &ids)
    )?;
    let now = now_text();
    let today = today();
    let mut out = Vec::with_capacity(owned.len());
    for unit in owned {
        let (status, stated) = warranty_of(
            &policy_of(&unit),
            unit.unit_id,
            &records,
            unit.manufactured_on,
        );
        let warranty = warranty_info(&status, stated);
        let days_left = parse_date(warranty.ends_on.as_deref())
            .filter(|_| warranty.status == crate::lookup::WarrantyState::Active)
            .map(|end| (end - today).whole_days());
        let reports = store::reports_since(db, unit.unit_id, &unit.since, user_id).await?;
        let transfer_open_until = store::open_transfer(db, unit.unit_id, &now).await?;
        out.push(OwnedProduct {
            recalls: notices
                .iter()
                .filter(|(id, _)| *id == unit.unit_id)
                .map(|(_, n)| n.clone())
                .collect(),
            warranty,
            days_left,
            reports,
            transfer_open_until,
            since: unit.since.get(..10).unwrap_or_default().to_owned(),
            unit_id: unit.unit_id,
            serial: unit.serial,
            manufacturer: unit.manufacturer,
            model: unit.model,
            name: unit.name,
            via: unit.via,
            purchase_date: unit.purchase_date,
            retailer: unit.retailer,
            transferable: unit.transferable,
            proof: unit.proof_id,
            disputes: Vec::new(),
        });
    }
    Ok(out)
}

fn policy_of(unit: &OwnedUnit) -> WarrantyPolicy {
    WarrantyPolicy {
        months: u16::try_from(unit.warranty_months).unwrap_or(0),
        starts: unit.warranty_starts,
        transferable: unit.transferable,
    }
}

/// The warranty status of an owned unit from its records.
pub fn status_of(unit: &OwnedUnit, records: &[StoredWarranty]) -> crate::warranty::WarrantyStatus {
    warranty_of(
        &policy_of(unit),
        unit.unit_id,
        records,
        unit.manufactured_on,
    )
    .0
}

/// One unit's warranty from its policy and the stored records (of any units: those of
/// `unit_id` count): the status, and whether its cover counts from a date only the owner
/// gave.
pub fn warranty_of(
    policy: &WarrantyPolicy,
    unit_id: i64,
    records: &[StoredWarranty],
    manufactured_on: Option<time::Date>,
) -> (crate::warranty::WarrantyStatus, bool) {
    let mine = records.iter().filter(|r| r.unit_id == unit_id);
    let periods: Vec<WarrantyRecord> = mine.clone().map(StoredWarranty::record).collect();
    let status = warranty_status(policy, &periods, manufactured_on, today());
    let stated = mine.clone().any(StoredWarranty::unconfirmed_start)
        && matches!(
            status,
            crate::warranty::WarrantyStatus::Active { .. }
                | crate::warranty::WarrantyStatus::Expired { .. }
        );
    (status, stated)
}

/// The warranty a person sees: its status, marked when it rests on the owner's word.
pub fn warranty_info(
    status: &crate::warranty::WarrantyStatus,
    unconfirmed_start: bool,
) -> WarrantyInfo {
    WarrantyInfo {
        unconfirmed_start,
        ..WarrantyInfo::from(status)
    }
}

/// My recall notices, unread first, newest first.
pub async fn my_notices(db: &Db, user_id: i64) -> StoreResult<Vec<Notice>> {
    store::notices(db, user_id).await
}

/// Marks one of my notices read.
pub async fn read_notice(db: &Db, user_id: i64, notice_id: i64) -> Result<()> {
    let mut conn = db.writer().acquire().await?;
    if store::mark_read(&mut conn, user_id, notice_id, &now_text()).await? {
        Ok(())
    } else {
        Err(Error::NotFound("There is no such unread notice.".into()))
    }
}

pub use crate::store::owners::Attachment;

/// Whether the unit is registered to this person now.
pub async fn owns(db: &Db, user_id: i64, unit_id: i64) -> StoreResult<bool> {
    Ok(store::owned_unit(db, user_id, unit_id).await?.is_some())
}

/// A file for `viewer` to open, or `None` when there is no such file or it is not theirs to
/// see: its uploader, support agents, and the unit's manufacturer's staff (not a dispute's
/// proof, which is for its claimant and the desk only). The same answer either way, so ids
/// cannot be probed.
pub async fn file_for(
    db: &Db,
    viewer: &crate::account::SignedInUser,
    id: i64,
) -> StoreResult<Option<Attachment>> {
    use crate::account::Role;
    Ok(store::attachment(db, id).await?.filter(|file| {
        file.user_id == viewer.id
            || viewer.has(Role::Agent)
            || (!file.of_dispute && viewer.staff_manufacturer() == Some(file.manufacturer_id))
    }))
}
