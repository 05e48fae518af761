//! What owners do with their units: register one (with an optional proof of purchase), see
//! them with their live status, pass one on with a transfer code, report one stolen or lost
//! and close the report, and read their recall notices.

use super::accounts::{Actor, entry};
use super::catalogue::{CatalogueError, CatalogueResult};
use super::lookup::LookupService;
use crate::lookup::{LookupError, LookupQuery, RecallNotice, WarrantyInfo};
use crate::store::owners::{self as store, NewAttachment, NewOwnership, NewWarranty, OwnedUnit};
use crate::store::thefts::{self, NewReport};
use crate::store::{
    Db, StoreResult, audit, instant_text, lookups, now_text, parse_date, recalls, today, units,
};
use crate::warranty::{WarrantyPolicy, WarrantyRecord, WarrantyStart, add_months, warranty_status};
use serde_json::json;
use sha2::{Digest, Sha256};

fn invalid(field: &str, message: impl Into<String>) -> CatalogueError {
    CatalogueError::Invalid(vec![(field.to_owned(), message.into())])
}

fn not_yours() -> CatalogueError {
    CatalogueError::NotFound("You have no such product.".into())
}

/// The largest proof of purchase or claim photo accepted.
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;

/// A file as uploaded.
#[derive(Clone, Debug, Default)]
pub struct Upload {
    pub filename: String,
    pub bytes: Vec<u8>,
}

impl Upload {
    /// The file's type, read from its first bytes (never from its name or the browser's
    /// claim): JPEG, PNG, WebP or PDF; otherwise why it is refused.
    pub fn content_type(&self) -> Result<&'static str, String> {
        let b = &self.bytes;
        if b.is_empty() {
            return Err("The file is empty.".into());
        }
        if b.len() > MAX_FILE_BYTES {
            return Err(format!(
                "The file is {:.1} MB; the most is {} MB.",
                b.len() as f64 / 1_048_576.0,
                MAX_FILE_BYTES / 1_048_576
            ));
        }
        if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Ok("image/jpeg")
        } else if b.starts_with(b"\x89PNG\r\n\x1a\n") {
            Ok("image/png")
        } else if b.len() > 12 && &b[..4] == b"RIFF" && &b[8..12] == b"WEBP" {
            Ok("image/webp")
        } else if b.starts_with(b"%PDF-") {
            Ok("application/pdf")
        } else {
            Err("Upload a photo (JPEG, PNG or WebP) or a PDF.".into())
        }
    }

    /// The name kept with the file: its last path part, printable characters only.
    pub fn clean_name(&self) -> String {
        let name = self.filename.rsplit(['/', '\\']).next().unwrap_or_default();
        let name: String = name
            .chars()
            .filter(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | ' '))
            .take(100)
            .collect();
        if name.trim().is_empty() {
            "upload".into()
        } else {
            name
        }
    }
}

/// A registration as the owner fills it in.
#[derive(Clone, Debug, Default)]
pub struct Registration {
    /// Typed, pasted barcode data or a Digital Link URL.
    pub serial: String,
    pub gtin: Option<String>,
    pub purchase_date: String,
    pub retailer: String,
    pub proof: Option<Upload>,
}

/// Finds the one unit `input` names (with the GTIN when given), or says why not, on `field`.
async fn find_unit(
    db: &Db,
    input: &str,
    gtin: Option<&str>,
    field: &str,
) -> CatalogueResult<units::UnitRow> {
    let query = match LookupQuery::parse(input, gtin) {
        Ok(query) => query,
        Err(LookupError::Rejected(why)) => return Err(invalid(field, why.to_string())),
        Err(LookupError::Invalid(why)) => return Err(invalid(field, why)),
    };
    let serial = query.serial.normalised().to_owned();
    let mut rows =
        units::find_by_serial(db, &serial, query.gtin.as_ref().map(|g| g.as_str())).await?;
    match rows.len() {
        0 => Err(invalid(
            field,
            format!(
                "{serial} is not in the manufacturers' records. Check it for a typo (0 and O, 1 and I are easily confused)."
            ),
        )),
        1 => Ok(rows.remove(0)),
        _ => Err(invalid(
            "gtin",
            format!(
                "Units of {} products carry serial {serial}: add the product number (GTIN, the 13 or 14 digits under the barcode) to say which is yours.",
                rows.len()
            ),
        )),
    }
}

/// Registers the unit to `user_id`: returns the unit's id.
pub async fn register(
    db: &Db,
    lookup: &LookupService,
    user_id: i64,
    form: &Registration,
    actor: &Actor<'_>,
) -> CatalogueResult<i64> {
    let mut problems = Vec::new();
    let today = today();
    let purchase_date = match time::Date::parse(
        form.purchase_date.trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    ) {
        Ok(d) if d > today => {
            problems.push((
                "purchase_date".to_owned(),
                "The purchase date is in the future.".to_owned(),
            ));
            None
        }
        Ok(d) => Some(d),
        Err(_) if form.purchase_date.trim().is_empty() => {
            problems.push((
                "purchase_date".to_owned(),
                "Enter the date you bought it.".to_owned(),
            ));
            None
        }
        Err(_) => {
            problems.push((
                "purchase_date".to_owned(),
                "Enter the date as YYYY-MM-DD.".to_owned(),
            ));
            None
        }
    };
    let retailer = form.retailer.trim();
    if retailer.is_empty() {
        problems.push((
            "retailer".to_owned(),
            "Enter where you bought it (a shop, a website, or \"private sale\").".to_owned(),
        ));
    } else if retailer.chars().count() > 200 {
        problems.push((
            "retailer".to_owned(),
            "Keep it under 200 characters.".to_owned(),
        ));
    }
    let proof = match &form.proof {
        Some(upload) => match upload.content_type() {
            Ok(kind) => Some((upload, kind)),
            Err(why) => {
                problems.push(("proof".to_owned(), why));
                None
            }
        },
        None => None,
    };
    let unit = match find_unit(db, &form.serial, form.gtin.as_deref(), "serial").await {
        Ok(unit) => Some(unit),
        Err(CatalogueError::Invalid(found)) => {
            problems.extend(found);
            None
        }
        Err(other) => return Err(other),
    };
    let (Some(unit), Some(purchase_date), true) = (unit, purchase_date, problems.is_empty()) else {
        return Err(CatalogueError::Invalid(problems));
    };
    let mut tx = db.writer().begin().await?;
    let facts = store::unit_facts(&mut tx, unit.id)
        .await?
        .ok_or_else(|| invalid("serial", "That unit is no longer in the records."))?;
    if let Some((_, owner)) = store::current_owner(&mut tx, unit.id).await? {
        return Err(if owner == user_id {
            invalid(
                "serial",
                format!("{} is already registered to you.", facts.serial),
            )
        } else {
            already_registered(&facts.serial)
        });
    }
    if let Some(kind) = &facts.reported {
        return Err(invalid(
            "serial",
            format!(
                "{} is reported {kind}, so it cannot be registered. If you bought it, keep the receipt and contact the police or the seller.",
                facts.serial
            ),
        ));
    }
    if facts.status == "scrapped" {
        return Err(invalid(
            "serial",
            format!("{} is recorded as scrapped.", facts.serial),
        ));
    }
    if let Some(made) = parse_date(facts.manufactured_on.as_deref())
        && purchase_date < made
    {
        return Err(invalid(
            "purchase_date",
            format!("This unit was made on {made}; it cannot have been bought before that."),
        ));
    }
    let now = now_text();
    let purchase = purchase_date.to_string();
    let ownership = store::insert_ownership(
        &mut tx,
        &NewOwnership {
            unit_id: unit.id,
            user_id,
            purchase_date: Some(&purchase),
            retailer: Some(retailer),
            via: "registration",
        },
        &now,
    )
    .await
    .map_err(|e| {
        if e.is_unique_violation() {
            already_registered(&facts.serial)
        } else {
            e.into()
        }
    })?;
    store::set_status(&mut tx, unit.id, "registered").await?;
    store::add_event(&mut tx, unit.id, "registered", &now, "owner", None).await?;
    // The warranty starts now (or at the sale), as the product's policy says, unless the
    // unit's initial warranty is already on record.
    let start = match WarrantyStart::parse(&facts.warranty_starts) {
        Some(WarrantyStart::Registration) => Some(today),
        Some(WarrantyStart::Sale) => Some(purchase_date),
        _ => None,
    };
    let mut warranty = None;
    if let Some(start) = start.filter(|_| facts.warranty_months > 0)
        && !store::has_warranty(&mut tx, unit.id, "initial").await?
    {
        let ends = add_months(start, u32::try_from(facts.warranty_months).unwrap_or(0));
        store::insert_warranty(
            &mut tx,
            &NewWarranty {
                unit_id: unit.id,
                kind: "initial",
                starts_on: &start.to_string(),
                ends_on: &ends.to_string(),
                source: facts.warranty_starts.as_str(),
            },
            &now,
        )
        .await?;
        warranty = Some((start.to_string(), ends.to_string()));
    }
    if let Some((upload, kind)) = proof {
        store::insert_attachment(
            &mut tx,
            &NewAttachment {
                user_id,
                unit_id: unit.id,
                ownership_id: Some(ownership),
                claim_id: None,
                content_type: kind,
                filename: &upload.clean_name(),
                bytes: &upload.bytes,
            },
            &now,
        )
        .await?;
    }
    store::notify_unit(&mut tx, unit.id, &now).await?;
    audit::append(
        &mut tx,
        &entry(
            "unit.register",
            actor,
            "unit",
            Some(unit.id.to_string()),
            None,
            Some(json!({ "purchase_date": purchase, "retailer": retailer, "warranty": warranty, "proof": form.proof.is_some() })),
        ),
    )
    .await?;
    lookups::bump_epoch(&mut tx).await?;
    tx.commit().await?;
    lookup.refresh_epoch().await?;
    Ok(unit.id)
}

fn already_registered(serial: &str) -> CatalogueError {
    invalid(
        "serial",
        format!(
            "{serial} is already registered to another owner. If they sold or gave it to you, ask them for a transfer code and redeem it under Transfers."
        ),
    )
}

/// One of my units with its live status.
#[derive(Clone, Debug)]
pub struct MyProduct {
    pub unit: OwnedUnit,
    pub warranty: WarrantyInfo,
    pub recalls: Vec<RecallNotice>,
    pub reports: Vec<store::OwnerReport>,
    pub transfer_open_until: Option<String>,
}

/// My units, newest first, each with its warranty, open recalls and reports.
pub async fn my_products(db: &Db, user_id: i64) -> StoreResult<Vec<MyProduct>> {
    let owned = store::owned_units(db, user_id).await?;
    with_status(db, owned).await
}

/// One of my units (None for anyone else's).
pub async fn my_product(db: &Db, user_id: i64, unit_id: i64) -> StoreResult<Option<MyProduct>> {
    let Some(unit) = store::owned_unit(db, user_id, unit_id).await? else {
        return Ok(None);
    };
    Ok(with_status(db, vec![unit]).await?.pop())
}

async fn with_status(db: &Db, owned: Vec<OwnedUnit>) -> StoreResult<Vec<MyProduct>> {
    let ids: Vec<i64> = owned.iter().map(|u| u.unit_id).collect();
    let (records, notices) = tokio::try_join!(
        units::warranty_records(db, &ids),
        recalls::for_units(db, &ids)
    )?;
    let now = now_text();
    let mut out = Vec::with_capacity(owned.len());
    for unit in owned {
        let warranty = WarrantyInfo::from(&status_of(&unit, &records));
        let reports = store::reports_since(db, unit.unit_id, &unit.since).await?;
        let transfer_open_until = store::open_transfer(db, unit.unit_id, &now).await?;
        out.push(MyProduct {
            recalls: notices
                .iter()
                .filter(|(id, _)| *id == unit.unit_id)
                .map(|(_, n)| n.clone())
                .collect(),
            warranty,
            reports,
            transfer_open_until,
            unit,
        });
    }
    Ok(out)
}

/// The warranty status of an owned unit from its records.
pub fn status_of(
    unit: &OwnedUnit,
    records: &[(i64, String, String, String)],
) -> crate::warranty::WarrantyStatus {
    let policy = WarrantyPolicy {
        months: u16::try_from(unit.warranty_months).unwrap_or(0),
        starts: WarrantyStart::parse(&unit.warranty_starts).unwrap_or(WarrantyStart::Sale),
        transferable: unit.transferable,
    };
    let mine: Vec<WarrantyRecord> = records
        .iter()
        .filter(|(id, ..)| *id == unit.unit_id)
        .filter_map(|(_, kind, start, end)| {
            Some(WarrantyRecord {
                kind: kind.clone(),
                starts_on: parse_date(Some(start))?,
                ends_on: parse_date(Some(end))?,
            })
        })
        .collect();
    warranty_status(
        &policy,
        &mine,
        parse_date(unit.manufactured_on.as_deref()),
        today(),
    )
}

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
) -> CatalogueResult<(String, String)> {
    let mut tx = db.writer().begin().await?;
    match store::current_owner(&mut tx, unit_id).await? {
        Some((_, owner)) if owner == user_id => {}
        _ => return Err(not_yours()),
    }
    let facts = store::unit_facts(&mut tx, unit_id)
        .await?
        .ok_or_else(not_yours)?;
    if let Some(kind) = facts.reported {
        return Err(invalid(
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
    audit::append(
        &mut tx,
        &entry(
            "transfer.create",
            actor,
            "unit",
            Some(unit_id.to_string()),
            None,
            Some(json!({ "transfer": id, "expires_at": expires })),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok((code, expires))
}

/// Cancels my unit's open transfer code.
pub async fn cancel_transfer(
    db: &Db,
    user_id: i64,
    unit_id: i64,
    actor: &Actor<'_>,
) -> CatalogueResult<()> {
    let mut tx = db.writer().begin().await?;
    match store::current_owner(&mut tx, unit_id).await? {
        Some((_, owner)) if owner == user_id => {}
        _ => return Err(not_yours()),
    }
    let now = now_text();
    if store::cancel_transfers(&mut tx, unit_id, &now).await? == 0 {
        return Err(invalid(
            "transfer",
            "There is no open transfer code for this unit.",
        ));
    }
    audit::append(
        &mut tx,
        &entry(
            "transfer.cancel",
            actor,
            "unit",
            Some(unit_id.to_string()),
            None,
            None,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Redeems a transfer code: the unit becomes mine. Returns the unit's id.
pub async fn redeem_transfer(
    db: &Db,
    lookup: &LookupService,
    user_id: i64,
    code: &str,
    actor: &Actor<'_>,
) -> CatalogueResult<i64> {
    const FIELD: &str = "code";
    if code.trim().is_empty() {
        return Err(invalid(
            FIELD,
            "Enter the transfer code the owner gave you.",
        ));
    }
    let mut tx = db.writer().begin().await?;
    let Some(transfer) = store::transfer_by_hash(&mut tx, &transfer_code_hash(code)).await? else {
        return Err(invalid(
            FIELD,
            "That is not a transfer code we issued. Check it with the owner.",
        ));
    };
    let now = now_text();
    if transfer.used_at.is_some() {
        return Err(invalid(
            FIELD,
            "That transfer code has been used already; each code works once.",
        ));
    }
    if transfer.cancelled_at.is_some() {
        return Err(invalid(
            FIELD,
            "The owner cancelled that transfer code. Ask them for a new one.",
        ));
    }
    if transfer.expires_at <= now {
        return Err(invalid(
            FIELD,
            format!(
                "That transfer code expired on {}. Ask the owner for a new one.",
                transfer.expires_at.get(..10).unwrap_or_default()
            ),
        ));
    }
    if transfer.from_user_id == user_id {
        return Err(invalid(
            FIELD,
            "This is your own transfer code: give it to the new owner to redeem.",
        ));
    }
    let facts = store::unit_facts(&mut tx, transfer.unit_id)
        .await?
        .ok_or_else(|| invalid(FIELD, "That unit is no longer in the records."))?;
    if let Some(kind) = &facts.reported {
        return Err(invalid(
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
        return Err(invalid(
            FIELD,
            "That transfer code is no longer valid: the unit has changed hands.",
        ));
    };
    if !store::use_transfer(&mut tx, transfer.id, user_id, &now).await? {
        return Err(invalid(
            FIELD,
            "That transfer code has been used already; each code works once.",
        ));
    }
    store::end_ownership(&mut tx, ownership, &now).await?;
    store::insert_ownership(
        &mut tx,
        &NewOwnership {
            unit_id: transfer.unit_id,
            user_id,
            purchase_date: None,
            retailer: None,
            via: "transfer",
        },
        &now,
    )
    .await?;
    store::add_event(
        &mut tx,
        transfer.unit_id,
        "transferred",
        &now,
        "owner",
        None,
    )
    .await?;
    let ended = if facts.transferable {
        0
    } else {
        store::end_initial_warranty(&mut tx, transfer.unit_id, &today().to_string()).await?
    };
    store::notify_unit(&mut tx, transfer.unit_id, &now).await?;
    audit::append(
        &mut tx,
        &entry(
            "transfer.redeem",
            actor,
            "unit",
            Some(transfer.unit_id.to_string()),
            Some(json!({ "owner": from })),
            Some(json!({ "owner": user_id, "transfer": transfer.id, "warranty_ended": ended > 0 })),
        ),
    )
    .await?;
    lookups::bump_epoch(&mut tx).await?;
    tx.commit().await?;
    lookup.refresh_epoch().await?;
    Ok(transfer.unit_id)
}

/// A stolen or lost report as the owner files it.
#[derive(Clone, Debug, Default)]
pub struct OwnerReport {
    pub kind: String,
    pub occurred_on: Option<String>,
    pub place: Option<String>,
    pub agency: Option<String>,
    pub case_number: Option<String>,
}

/// Reports my unit stolen or lost; public lookups say so at once.
pub async fn report_theft(
    db: &Db,
    lookup: &LookupService,
    user_id: i64,
    unit_id: i64,
    report: &OwnerReport,
    actor: &Actor<'_>,
) -> CatalogueResult<i64> {
    if report.kind != "stolen" && report.kind != "lost" {
        return Err(invalid("report_kind", "Choose stolen or lost."));
    }
    if let Some(on) = &report.occurred_on
        && parse_date(Some(on)).is_some_and(|d| d > today())
    {
        return Err(invalid("occurred_on", "That date is in the future."));
    }
    let mut tx = db.writer().begin().await?;
    match store::current_owner(&mut tx, unit_id).await? {
        Some((_, owner)) if owner == user_id => {}
        _ => return Err(not_yours()),
    }
    if thefts::active_for_unit(&mut tx, unit_id).await? {
        return Err(invalid("report_kind", "This unit is reported already."));
    }
    let now = now_text();
    let new = NewReport {
        unit_id,
        reporter_user_id: Some(user_id),
        reporter_kind: "owner",
        kind: report.kind.clone(),
        agency: report.agency.clone(),
        case_number: report.case_number.clone(),
        place: report.place.clone(),
        occurred_on: report.occurred_on.clone(),
    };
    let id = thefts::insert_report(&mut tx, &new, &now).await?;
    // A code handed out before the theft must not let the unit change hands.
    store::cancel_transfers(&mut tx, unit_id, &now).await?;
    audit::append(
        &mut tx,
        &entry(
            "theft.report",
            actor,
            "theft_report",
            Some(id.to_string()),
            None,
            Some(serde_json::to_value(&new).unwrap_or_default()),
        ),
    )
    .await?;
    lookups::bump_epoch(&mut tx).await?;
    tx.commit().await?;
    lookup.refresh_epoch().await?;
    Ok(id)
}

/// Closes my unit's active report that I filed: recovered (where) or withdrawn.
pub async fn close_report(
    db: &Db,
    lookup: &LookupService,
    user_id: i64,
    unit_id: i64,
    recovered: Option<Option<String>>,
    actor: &Actor<'_>,
) -> CatalogueResult<()> {
    let mut tx = db.writer().begin().await?;
    match store::current_owner(&mut tx, unit_id).await? {
        Some((_, owner)) if owner == user_id => {}
        _ => return Err(not_yours()),
    }
    let Some((report, reporter)) = store::active_report(&mut tx, unit_id).await? else {
        return Err(invalid("report", "This unit has no open report."));
    };
    if reporter != Some(user_id) {
        return Err(invalid(
            "report",
            "This report was filed by the police or the manufacturer; ask them to close it.",
        ));
    }
    let now = now_text();
    let (status, place) = match &recovered {
        Some(place) => ("recovered", place.as_deref()),
        None => ("withdrawn", None),
    };
    thefts::resolve(&mut tx, report, status, place, &now).await?;
    audit::append(
        &mut tx,
        &entry(
            if recovered.is_some() {
                "theft.recover"
            } else {
                "theft.withdraw"
            },
            actor,
            "theft_report",
            Some(report.to_string()),
            Some(json!({ "status": "active" })),
            Some(json!({ "status": status, "place": place })),
        ),
    )
    .await?;
    lookups::bump_epoch(&mut tx).await?;
    tx.commit().await?;
    lookup.refresh_epoch().await?;
    Ok(())
}

/// Marks one of my notices read.
pub async fn read_notice(db: &Db, user_id: i64, notice_id: i64) -> CatalogueResult<()> {
    let mut conn = db.writer().acquire().await?;
    if store::mark_read(&mut conn, user_id, notice_id, &now_text()).await? {
        Ok(())
    } else {
        Err(CatalogueError::NotFound(
            "There is no such unread notice.".into(),
        ))
    }
}
