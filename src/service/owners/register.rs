//! Registering a unit: the form's checks, the per-account and per-address limits, and the
//! warranty a registration starts.

use crate::lookup::{LookupError, LookupQuery};
use crate::service::accounts::Actor;
use crate::service::change::{Audit, Change};
use crate::service::{Error, Result};
use crate::store::owners::{self as store, NewOwnership, NewWarranty};
use crate::store::{Db, instant_text, now_text, today, units};
use crate::warranty::{WarrantyStart, add_months};
use serde_json::json;

use super::{FileOf, Upload};

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
) -> Result<units::UnitRow> {
    let query = match LookupQuery::parse(input, gtin) {
        Ok(query) => query,
        Err(LookupError::Rejected(why)) => return Err(Error::invalid(field, why.to_string())),
        Err(LookupError::Invalid(why)) => return Err(Error::invalid(field, why)),
    };
    let serial = query.serial.normalised().to_owned();
    let mut rows =
        units::find_by_serial(db, &serial, query.gtin.as_ref().map(|g| g.as_str())).await?;
    match rows.len() {
        0 => Err(Error::invalid(
            field,
            format!(
                "{serial} is not in the manufacturers' records. Check it for a typo (0 and O, 1 and I are easily confused)."
            ),
        )),
        1 => Ok(rows.remove(0)),
        _ => Err(Error::invalid(
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
    backend: crate::store::Backend,
    user_id: i64,
    actor: &Actor<'_>,
) -> Result<()> {
    crate::store::serialise(conn, backend, crate::store::Serialised::Registrations).await?;
    let since = instant_text(time::OffsetDateTime::now_utc() - time::Duration::days(1));
    if store::registrations_since(conn, user_id, &since).await? >= REGISTRATIONS_PER_ACCOUNT_PER_DAY
    {
        return Err(Error::Limited(format!(
            "You have registered {REGISTRATIONS_PER_ACCOUNT_PER_DAY} products in the last 24 hours, the most one account may. \
             Register this one tomorrow; a unit bought second-hand can be transferred to you with its owner's transfer code at any time."
        )));
    }
    if let Some(network) = actor.client_ip.map(crate::client::network_of)
        && store::registrations_from(conn, &network, &since).await?
            >= REGISTRATIONS_PER_ADDRESS_PER_DAY
    {
        return Err(Error::Limited(format!(
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
    user_id: i64,
    form: &Registration,
    actor: &Actor<'_>,
) -> Result<i64> {
    let mut problems = Vec::new();
    let (purchase_date, retailer) =
        purchase_fields(&form.purchase_date, &form.retailer, &mut problems);
    let proof = Upload::checked(form.proof.as_ref(), "proof", &mut problems);
    let unit = match find_unit(db, &form.serial, form.gtin.as_deref(), "serial").await {
        Ok(unit) => Some(unit),
        Err(Error::Invalid(found)) => {
            problems.extend(found);
            None
        }
        Err(other) => return Err(other),
    };
    let (Some(unit), Some(purchase_date), true) = (unit, purchase_date, problems.is_empty()) else {
        return Err(Error::Invalid(problems));
    };
    let mut tx = Change::begin(db, actor).await?;
    let facts = store::unit_facts(&mut tx, unit.id)
        .await?
        .ok_or_else(|| Error::invalid("serial", "That unit is no longer in the records."))?;
    if let Some((_, owner)) = store::current_owner(&mut tx, unit.id).await? {
        return Err(if owner == user_id {
            Error::invalid(
                "serial",
                format!("{} is already registered to you.", facts.serial),
            )
        } else {
            already_registered(&facts.serial)
        });
    }
    if let Some(kind) = &facts.reported {
        return Err(Error::invalid(
            "serial",
            format!(
                "{} is reported {kind}, so it cannot be registered. If you bought it, keep the receipt and contact the police or the seller.",
                facts.serial
            ),
        ));
    }
    if facts.status == "scrapped" {
        return Err(Error::invalid(
            "serial",
            format!("{} is recorded as scrapped.", facts.serial),
        ));
    }
    if let Some(made) = facts.manufactured_on
        && purchase_date < made
    {
        return Err(Error::invalid(
            "purchase_date",
            format!("This unit was made on {made}; it cannot have been bought before that."),
        ));
    }
    if crate::store::disputes::ousted_from(&mut tx, user_id, unit.id).await? {
        return Err(Error::invalid(
            "serial",
            format!(
                "Your registration of {} was ended after an ownership dispute, so it cannot be registered to you again here. \
                 If you have new proof that it is yours, contact support.",
                facts.serial
            ),
        ));
    }
    within_registration_limits(&mut tx, db.backend(), user_id, actor).await?;
    let now = now_text();
    let purchase = purchase_date.to_string();
    let network = actor.client_ip.map(crate::client::network_of);
    let ownership = store::insert_ownership(
        &mut tx,
        &NewOwnership {
            unit_id: unit.id,
            user_id,
            purchase_date: Some(&purchase),
            retailer: Some(retailer),
            via: "registration",
            registered_from: network.as_deref(),
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
    tx.record(
        Audit::of("unit.register", "unit", unit.id)
            .after(json!({ "purchase_date": purchase, "retailer": retailer, "warranty": warranty, "proof": form.proof.is_some() })),
    )
    .await?;
    tx.lookups_change();
    tx.commit().await?;
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
) -> Result<Option<(String, String, String)>> {
    let (start, source) = match facts.warranty_starts {
        WarrantyStart::Registration => (today(), WarrantyStart::Registration.as_str()),
        WarrantyStart::Sale => match store::recorded_sale(conn, facts.id).await? {
            Some(sold) => (sold, crate::warranty::RECORDED_SALE),
            None => purchase,
        },
        WarrantyStart::Manufacture => return Ok(None),
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

fn already_registered(serial: &str) -> Error {
    Error::invalid(
        "serial",
        format!(
            "{serial} is already registered to another owner. If they sold or gave it to you, ask them for a transfer code and redeem it under Transfers. \
             If you bought it and they have no right to it, dispute the registration with your proof of purchase (My products, Disputes)."
        ),
    )
}
