//! The police desk: searching the stolen registry (exact, normalised, look-alike-folded and
//! close matches, each labelled), a report's case details and the lookups of its unit, a
//! request to the owner for contact (through the portal: the officer never sees who the owner
//! is unless the owner replies, and an officer sends at most [`CONTACTS_PER_DAY`] a day),
//! filing a report, closing one (recovered, or withdrawn as filed in error: for the officers
//! of the agency the report names, or an administrator, with a reason), and the hot list.
//! Every search is audited with what was searched for, every change with its reason.

use super::accounts::Actor;
use super::change::{Audit, Change};
use super::{Error, Result};
use crate::lookup::{LookupError, LookupQuery};
use crate::police::{CaseFile, MatchKind, RegistryEntry, match_kind};
use crate::serial::Serial;
use crate::store::outbox::{self, NewMessage};
use crate::store::thefts::{self, NewReport};
use crate::store::{Db, audit, now_text, owners, today, units};
use crate::theft::ReportStatus;
use serde_json::json;

/// Searches the active reports for `query` (within one manufacturer's units when a slug is
/// given): each match with how it matched, best first. Audited.
pub async fn search(
    db: &Db,
    query: &str,
    manufacturer: Option<&str>,
    actor: &Actor<'_>,
) -> Result<Vec<(RegistryEntry, MatchKind)>> {
    let serial = Serial::parse(query).map_err(|e| Error::invalid("serial", e.to_string()))?;
    let q = serial.normalised().to_owned();
    let found = thefts::active_registry(db, manufacturer).await?;
    let mut found: Vec<(RegistryEntry, MatchKind)> = found
        .into_iter()
        .filter_map(|r| match_kind(&q, &r.serial_norm).map(|how| (r.entry, how)))
        .collect();
    found.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.serial.cmp(&b.0.serial)));
    found.truncate(100);
    let mut tx = Change::begin(db, actor).await?;
    tx.record(
        Audit::on("police.search", "stolen_registry")
            .after(json!({ "query": query, "manufacturer": manufacturer, "matches": found.len() })),
    )
    .await?;
    tx.commit().await?;
    Ok(found)
}

pub async fn case_file(db: &Db, report_id: i64) -> Result<CaseFile> {
    let thefts::Registered { serial_norm, entry } = thefts::registered(db, report_id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("There is no report {report_id}.")))?;
    let owner = owners::owner_contact(db, entry.unit_id).await?;
    let lookups = crate::store::lookups::found_lookups(db, &serial_norm).await?;
    Ok(CaseFile {
        entry,
        owner_on_record: owner.is_some(),
        lookups,
    })
}

/// Contact requests one officer may send in a day (UTC).
pub const CONTACTS_PER_DAY: i64 = 20;

/// Asks the unit's owner, through the portal, to contact the officer: the owner gets the
/// officer's address and message; the officer learns nothing of the owner. At most
/// [`CONTACTS_PER_DAY`] a day per officer. Audited with the message.
pub async fn request_contact(
    db: &Db,
    report_id: i64,
    officer_email: &str,
    agency: &str,
    message: &str,
    actor: &Actor<'_>,
) -> Result<()> {
    let message = message.trim();
    if message.chars().count() > 2000 {
        return Err(Error::invalid(
            "message",
            "Keep the message under 2,000 characters.",
        ));
    }
    let file = case_file(db, report_id).await?;
    let Some((owner_id, email, serial, model)) =
        owners::owner_contact(db, file.entry.unit_id).await?
    else {
        return Err(Error::invalid(
            "message",
            "No owner is on record for this unit.",
        ));
    };
    let mut tx = Change::begin(db, actor).await?;
    // Counted and sent under one lock: requests sent at once cannot all pass the count.
    crate::store::serialise(
        &mut tx,
        db.backend(),
        crate::store::Serialised::ContactRequests,
    )
    .await?;
    let sent_today = audit::actions_by(
        &mut tx,
        actor.user_id,
        "police.contact_request",
        &format!("{}T00:00:00", today()),
    )
    .await?;
    if sent_today >= CONTACTS_PER_DAY {
        return Err(Error::Limited(format!(
            "You have sent {CONTACTS_PER_DAY} contact requests today, the most one officer may send in a day. \
             Send more tomorrow (UTC), or reach the owner through your agency's own channels."
        )));
    }
    let body = format!(
        "An officer of {agency} asks you to get in touch about your {model} (serial {serial}), reported {} on serialtrace.\n\n\
         Their message: {}\n\n\
         Reply to them at {officer_email}. serialtrace has not given them your name or e-mail address.\n",
        file.entry.kind,
        if message.is_empty() {
            "(none)"
        } else {
            message
        },
    );
    outbox::enqueue(
        &mut tx,
        &NewMessage {
            kind: "police_contact",
            recipient_user_id: Some(owner_id),
            to_address: &email,
            subject: "The police ask you to get in touch about your reported product",
            body: &body,
            dedupe_key: None,
        },
        &now_text(),
    )
    .await?;
    tx.record(
        Audit::of("police.contact_request", "theft_report", report_id)
            .after(json!({ "agency": agency, "message": message })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A report a police officer files.
#[derive(Clone, Debug, Default)]
pub struct PoliceReport {
    /// The serial as typed, barcode text or a Digital Link.
    pub serial: String,
    pub gtin: Option<String>,
    pub kind: String,
    pub case_number: String,
    pub occurred_on: Option<String>,
    pub place: Option<String>,
}

async fn tell_owner(
    conn: &mut sqlx::AnyConnection,
    db: &Db,
    unit_id: i64,
    subject: &str,
    text: &str,
) -> Result<()> {
    if let Some((owner_id, email, serial, model)) = owners::owner_contact(db, unit_id).await? {
        let body = format!("Your {model} (serial {serial}): {text}\n");
        outbox::enqueue(
            conn,
            &NewMessage {
                kind: "police_report",
                recipient_user_id: Some(owner_id),
                to_address: &email,
                subject,
                body: &body,
                dedupe_key: None,
            },
            &now_text(),
        )
        .await?;
    }
    Ok(())
}

/// Files a theft or loss report for the officer's agency; the owner on record is told.
pub async fn file_report(
    db: &Db,
    agency: &str,
    report: &PoliceReport,
    actor: &Actor<'_>,
) -> Result<i64> {
    super::thefts::check_report(&report.kind, report.occurred_on.as_deref(), "report_kind")?;
    let case = report.case_number.trim();
    if case.is_empty() || case.chars().count() > 60 {
        return Err(Error::invalid(
            "case_number",
            "Enter the case number (up to 60 characters).",
        ));
    }
    let query = match LookupQuery::parse(&report.serial, report.gtin.as_deref()) {
        Ok(q) => q,
        Err(LookupError::Rejected(why)) => return Err(Error::invalid("serial", why.to_string())),
        Err(LookupError::Invalid(why)) => return Err(Error::invalid("serial", why)),
    };
    let rows = units::find_by_serial(
        db,
        query.serial.normalised(),
        query.gtin.as_ref().map(|g| g.as_str()),
    )
    .await?;
    let unit = match rows.as_slice() {
        [] => {
            return Err(Error::invalid(
                "serial",
                format!("{} is not in the records.", query.serial.normalised()),
            ));
        }
        [one] => one.clone(),
        _ => {
            return Err(Error::invalid(
                "gtin",
                "Several products carry this serial: add the GTIN.",
            ));
        }
    };
    let mut tx = Change::begin(db, actor).await?;
    let new = NewReport {
        unit_id: unit.id,
        reporter_user_id: actor.user_id,
        reporter_kind: "police",
        kind: report.kind.clone(),
        agency: Some(agency.to_owned()),
        case_number: Some(case.to_owned()),
        place: report.place.clone(),
        occurred_on: report.occurred_on.clone(),
    };
    let id = super::thefts::file(
        &mut tx,
        &new,
        (
            "serial",
            format!(
                "{} is reported already; see its case file.",
                unit.serial_raw
            ),
        ),
        actor,
    )
    .await?;
    tell_owner(
        &mut tx,
        db,
        unit.id,
        "Your product has been reported to serialtrace by the police",
        &format!(
            "{agency} has reported it {} (case {case}). Public lookups now say so.",
            report.kind
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The active stolen or lost reports on a unit: (id, kind, reported at, reporter kind,
/// reporter's account).
pub async fn active_reports(
    db: &Db,
    unit_id: i64,
) -> crate::store::StoreResult<Vec<(i64, String, String, String, Option<i64>)>> {
    let mut conn = db.reader().acquire().await?;
    thefts::active_of_unit(&mut conn, unit_id).await
}

/// Who closes a report: an officer of an agency (from the police desk), a support agent
/// (withdrawing a report shown to be false), or an administrator.
#[derive(Clone, Copy, Debug)]
pub enum Closer<'a> {
    Officer { agency: &'a str },
    Agent,
    Admin,
}

/// How a report is closed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Closing {
    /// The unit is found (where, when known).
    Recovered { place: Option<String> },
    /// The report was filed in error, or shown to be false.
    Withdrawn,
}

/// Why a support agent or the manufacturer may not close a report the police filed.
pub(crate) fn filed_by_the_police() -> Error {
    Error::Forbidden(
        "This report was filed by the police: only its agency, or an administrator, closes it."
            .into(),
    )
}

/// Closes an active report (recovered or withdrawn), which clears the public flag: only the
/// officers of the agency the report names, or an administrator, and always with a reason,
/// which is kept with the report and in the audit log. The owner on record is told.
pub async fn close(
    db: &Db,
    report_id: i64,
    closing: &Closing,
    reason: &str,
    by: Closer<'_>,
    actor: &Actor<'_>,
) -> Result<()> {
    let file = case_file(db, report_id).await?;
    if let (Closer::Agent, Closing::Recovered { .. }) = (by, closing) {
        return Err(Error::Forbidden(
            "Support agents withdraw reports shown to be false; the owner, the police or the manufacturer mark a unit recovered."
                .into(),
        ));
    }
    if let (Closer::Agent, "police") = (by, file.entry.reporter_kind.as_str()) {
        return Err(filed_by_the_police());
    }
    if let Closer::Officer { agency } = by {
        crate::police::may_close(file.entry.agency.as_deref(), Some(agency), false)
            .map_err(Error::Forbidden)?;
    }
    let reason = reason.trim();
    if reason.chars().count() < 3 || reason.chars().count() > 500 {
        return Err(Error::invalid(
            "reason",
            "Say why, in 3 to 500 characters: it is kept with the report.",
        ));
    }
    if file.entry.status != ReportStatus::Active {
        return Err(Error::invalid(
            "reason",
            format!("This report is {} already.", file.entry.status),
        ));
    }
    let mut tx = Change::begin(db, actor).await?;
    let now = now_text();
    let (status, action, place, subject, text) = match closing {
        Closing::Recovered { place } => (
            ReportStatus::Recovered,
            "theft.recover",
            place.as_deref(),
            "Your reported product has been recovered",
            format!(
                "the police have marked it recovered{}.",
                place
                    .as_deref()
                    .map(|p| format!(" at {p}"))
                    .unwrap_or_default()
            ),
        ),
        Closing::Withdrawn => (
            ReportStatus::Withdrawn,
            "theft.withdraw",
            None,
            "A report about your product has been withdrawn",
            format!(
                "the {} report has been withdrawn: {reason}",
                file.entry.kind
            ),
        ),
    };
    if !thefts::resolve(&mut tx, report_id, status, place, &now).await? {
        return Err(closed_meanwhile("reason"));
    }
    thefts::add_note(&mut tx, report_id, actor.user_id, actor.role, reason, &now).await?;
    tell_owner(&mut tx, db, file.entry.unit_id, subject, &text).await?;
    tx.record(
        Audit::of(action, "theft_report", report_id)
            .before(json!({ "status": "active", "agency": file.entry.agency }))
            .after(json!({ "status": status, "place": place, "reason": reason })),
    )
    .await?;
    tx.lookups_change();
    tx.commit().await?;
    Ok(())
}

/// A report someone else closed between reading it and closing it.
pub(crate) fn closed_meanwhile(field: &str) -> Error {
    Error::invalid(field, "This report has just been closed by someone else.")
}

/// Active reports, of one agency when given, newest first (the hot list).
pub async fn hot_list(db: &Db, agency: Option<&str>) -> Result<Vec<RegistryEntry>> {
    Ok(thefts::hot_list(db, agency).await?)
}
