//! What owners do with their units: register one (with an optional proof of purchase), see
//! them with their live status, pass one on with a transfer code, report one stolen or lost
//! and close the report, and read their recall notices.

use super::accounts::{Actor, entry};
use super::catalogue::{CatalogueError, CatalogueResult};
use super::lookup::LookupService;
use crate::lookup::{LookupError, LookupQuery, RecallNotice, WarrantyInfo};
use crate::store::owners::{self as store, NewAttachment, NewOwnership, NewWarranty, OwnedUnit};
use crate::store::thefts::{self, NewReport};
use crate::store::units::StoredWarranty;
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

    /// An optional upload with its checked type; what is wrong with it goes to `problems`
    /// under `field`.
    pub fn checked<'a>(
        upload: Option<&'a Upload>,
        field: &str,
        problems: &mut Vec<(String, String)>,
    ) -> Option<(&'a Upload, &'static str)> {
        let upload = upload?;
        match upload.content_type() {
            Ok(kind) => Some((upload, kind)),
            Err(why) => {
                problems.push((field.to_owned(), why));
                None
            }
        }
    }

    /// Keeps the file (its type checked as `kind`), uploaded by `user_id` about `unit_id`,
    /// with what it belongs to: its id.
    pub(crate) async fn keep(
        &self,
        conn: &mut sqlx::AnyConnection,
        (user_id, unit_id): (i64, i64),
        of: FileOf,
        kind: &str,
        now: &str,
    ) -> StoreResult<i64> {
        let (ownership_id, claim_id, dispute_id) = match of {
            FileOf::Ownership(id) => (Some(id), None, None),
            FileOf::Claim(id) => (None, Some(id), None),
            FileOf::Dispute(id) => (None, None, Some(id)),
        };
        store::insert_attachment(
            conn,
            &NewAttachment {
                user_id,
                unit_id,
                ownership_id,
                claim_id,
                dispute_id,
                content_type: kind,
                filename: &self.clean_name(),
                bytes: &self.bytes,
            },
            now,
        )
        .await
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

/// What a kept file belongs to: a proof of purchase of an ownership or of a dispute, or a
/// claim's photo.
#[derive(Clone, Copy, Debug)]
pub enum FileOf {
    Ownership(i64),
    Claim(i64),
    Dispute(i64),
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
pub(crate) async fn find_unit(
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

/// The purchase date (today or earlier) and the retailer of a registration or a dispute,
/// with what is wrong with them added to `problems`.
pub(crate) fn purchase_fields<'a>(
    date: &str,
    retailer: &'a str,
    problems: &mut Vec<(String, String)>,
) -> (Option<time::Date>, &'a str) {
    let mut problem = |field: &str, text: &str| problems.push((field.to_owned(), text.to_owned()));
    let purchase_date = match time::Date::parse(
        date.trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    ) {
        Ok(d) if d > today() => {
            problem("purchase_date", "The purchase date is in the future.");
            None
        }
        Ok(d) => Some(d),
        Err(_) if date.trim().is_empty() => {
            problem("purchase_date", "Enter the date you bought it.");
            None
        }
        Err(_) => {
            problem("purchase_date", "Enter the date as YYYY-MM-DD.");
            None
        }
    };
    let retailer = retailer.trim();
    if retailer.is_empty() {
        problem(
            "retailer",
            "Enter where you bought it (a shop, a website, or \"private sale\").",
        );
    } else if retailer.chars().count() > 200 {
        problem("retailer", "Keep it under 200 characters.");
    }
    (purchase_date, retailer)
}

/// Units one account may register in a day (24 hours): a household's new things, not a
/// squatter's run through a manufacturer's sequential serials. Transfers do not count.
pub const REGISTRATIONS_PER_ACCOUNT_PER_DAY: i64 = 5;
/// Registrations one client address may make in a day, whatever the accounts (a shared
/// address, an office or a family, has room).
pub const REGISTRATIONS_PER_ADDRESS_PER_DAY: i64 = 20;

/// Refuses a registration over the account's or the address's daily limit.
async fn within_registration_limits(
    conn: &mut sqlx::AnyConnection,
    user_id: i64,
    actor: &Actor<'_>,
) -> CatalogueResult<()> {
    let since = instant_text(time::OffsetDateTime::now_utc() - time::Duration::days(1));
    if store::registrations_since(conn, user_id, &since).await? >= REGISTRATIONS_PER_ACCOUNT_PER_DAY
    {
        return Err(CatalogueError::Limited(format!(
            "You have registered {REGISTRATIONS_PER_ACCOUNT_PER_DAY} products in the last 24 hours, the most one account may. \
             Register this one tomorrow; a unit bought second-hand can be transferred to you with its owner's transfer code at any time."
        )));
    }
    if let Some(ip) = actor.client_ip
        && store::registrations_from(conn, ip, &since).await? >= REGISTRATIONS_PER_ADDRESS_PER_DAY
    {
        return Err(CatalogueError::Limited(format!(
            "{REGISTRATIONS_PER_ADDRESS_PER_DAY} products have been registered from your network in the last 24 hours, the most we take from one address. \
             Try again tomorrow, or ask support to register it for you."
        )));
    }
    Ok(())
}

/// Registers the unit to `user_id`: returns the unit's id. At most
/// [`REGISTRATIONS_PER_ACCOUNT_PER_DAY`] per account and [`REGISTRATIONS_PER_ADDRESS_PER_DAY`]
/// per client address. A warranty that starts at the sale starts at the sale the records hold;
/// without one, at the purchase date given, marked as the owner's statement.
pub async fn register(
    db: &Db,
    lookup: &LookupService,
    user_id: i64,
    form: &Registration,
    actor: &Actor<'_>,
) -> CatalogueResult<i64> {
    let mut problems = Vec::new();
    let (purchase_date, retailer) =
        purchase_fields(&form.purchase_date, &form.retailer, &mut problems);
    let proof = Upload::checked(form.proof.as_ref(), "proof", &mut problems);
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
    within_registration_limits(&mut tx, user_id, actor).await?;
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
    crate::store::units::add_event(
        &mut tx,
        &crate::store::units::NewEvent {
            unit_id: unit.id,
            kind: "registered",
            at: &now,
            place: None,
            actor: "owner",
            note: None,
        },
    )
    .await?;
    let warranty = start_warranty(
        &mut tx,
        &facts,
        ownership,
        (purchase_date, crate::warranty::OWNER_STATEMENT),
        &now,
    )
    .await?;
    if let Some((upload, kind)) = proof {
        upload
            .keep(
                &mut tx,
                (user_id, unit.id),
                FileOf::Ownership(ownership),
                kind,
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

/// Starts the unit's initial warranty for a new ownership, as the product's policy says,
/// unless one is on record: at registration (today), or at the sale — the sale the records
/// hold, else `purchase`, the date the new owner gave and where that date comes from
/// ([`crate::warranty::OWNER_STATEMENT`], or [`crate::warranty::CHECKED_PROOF`] when an agent
/// checked it). Returns the period started, if one was.
pub(crate) async fn start_warranty(
    conn: &mut sqlx::AnyConnection,
    facts: &store::UnitFacts,
    ownership: i64,
    purchase: (time::Date, &str),
    now: &str,
) -> CatalogueResult<Option<(String, String, String)>> {
    let (start, source) = match WarrantyStart::parse(&facts.warranty_starts) {
        Some(WarrantyStart::Registration) => (today(), WarrantyStart::Registration.as_str()),
        Some(WarrantyStart::Sale) => {
            match parse_date(store::recorded_sale(conn, facts.id).await?.as_deref()) {
                Some(sold) => (sold, crate::warranty::RECORDED_SALE),
                None => purchase,
            }
        }
        _ => return Ok(None),
    };
    if facts.warranty_months <= 0 || store::has_warranty(conn, facts.id, "initial").await? {
        return Ok(None);
    }
    let ends = add_months(start, u32::try_from(facts.warranty_months).unwrap_or(0));
    store::insert_warranty(
        conn,
        &NewWarranty {
            unit_id: facts.id,
            kind: "initial",
            starts_on: &start.to_string(),
            ends_on: &ends.to_string(),
            source,
            ownership_id: Some(ownership),
        },
        now,
    )
    .await?;
    Ok(Some((
        start.to_string(),
        ends.to_string(),
        source.to_owned(),
    )))
}

fn already_registered(serial: &str) -> CatalogueError {
    invalid(
        "serial",
        format!(
            "{serial} is already registered to another owner. If they sold or gave it to you, ask them for a transfer code and redeem it under Transfers. \
             If you bought it and they have no right to it, dispute the registration with your proof of purchase (My products, Disputes)."
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
        let policy = WarrantyPolicy {
            months: u16::try_from(unit.warranty_months).unwrap_or(0),
            starts: WarrantyStart::parse(&unit.warranty_starts).unwrap_or(WarrantyStart::Sale),
            transferable: unit.transferable,
        };
        let (status, stated) = warranty_of(
            &policy,
            unit.unit_id,
            &records,
            parse_date(unit.manufactured_on.as_deref()),
        );
        let warranty = warranty_info(&status, stated);
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
pub fn status_of(unit: &OwnedUnit, records: &[StoredWarranty]) -> crate::warranty::WarrantyStatus {
    let policy = WarrantyPolicy {
        months: u16::try_from(unit.warranty_months).unwrap_or(0),
        starts: WarrantyStart::parse(&unit.warranty_starts).unwrap_or(WarrantyStart::Sale),
        transferable: unit.transferable,
    };
    warranty_of(
        &policy,
        unit.unit_id,
        records,
        parse_date(unit.manufactured_on.as_deref()),
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
    let periods: Vec<WarrantyRecord> = mine.clone().filter_map(StoredWarranty::record).collect();
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
    super::thefts::check_report(&report.kind, report.occurred_on.as_deref(), "report_kind")?;
    let mut tx = db.writer().begin().await?;
    match store::current_owner(&mut tx, unit_id).await? {
        Some((_, owner)) if owner == user_id => {}
        _ => return Err(not_yours()),
    }
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
    let id = super::thefts::file(
        &mut tx,
        &new,
        ("report_kind", "This unit is reported already.".to_owned()),
        actor,
    )
    .await?;
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
