//! The staff theft-flag queue: reports (from owners, police or staff) on the manufacturer's
//! units — verify, mark recovered, withdraw, note — and a report made on an owner's behalf.
//! Every action is audited; a change to whether a unit is reported stolen reaches public
//! lookups at once.

use super::accounts::Actor;
use super::change::{Audit, Change};
use super::{Error, Result};
use crate::store::thefts::{self as store, NewReport};
use crate::store::{Db, catalogue, now_text};
use crate::theft::ReportStatus;
use serde_json::json;

/// Checks a new report's kind (stolen or lost, the problem on `kind_field`) and that it did
/// not happen in the future.
pub(crate) fn check_report(kind: &str, occurred_on: Option<&str>, kind_field: &str) -> Result<()> {
    if kind != "stolen" && kind != "lost" {
        return Err(Error::invalid(kind_field, "Choose stolen or lost."));
    }
    if crate::store::parse_date(occurred_on).is_some_and(|d| d > crate::store::today()) {
        return Err(Error::invalid("occurred_on", "That date is in the future."));
    }
    Ok(())
}

/// Files a report in the caller's transaction — the one way a theft or loss report comes to
/// be, whoever files it (owner, police, staff): refused while the unit has an active one
/// (`already`, on `field`); open transfer codes cancelled, so a code handed out before the
/// theft cannot move the unit; audited as `theft.report`; public lookups change with it.
pub(crate) async fn file(
    tx: &mut Change<'_>,
    new: &NewReport,
    (field, already): (&str, String),
    _actor: &Actor<'_>,
) -> Result<i64> {
    if store::active_for_unit(&mut *tx, new.unit_id).await? {
        return Err(Error::invalid(field, already));
    }
    let now = now_text();
    let id = store::insert_report(&mut *tx, new, &now).await?;
    crate::store::owners::cancel_transfers(&mut *tx, new.unit_id, &now).await?;
    tx.record(
        Audit::of("theft.report", "theft_report", id)
            .after(serde_json::to_value(new).unwrap_or_default()),
    )
    .await?;
    tx.lookups_change();
    Ok(id)
}

/// What staff do with a report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Review {
    Verify,
    Recover { place: Option<String> },
    Withdraw,
    Note,
}

/// Applies a review action (with an optional note, required for a note alone).
pub async fn review(
    db: &Db,
    manufacturer_id: i64,
    report_id: i64,
    action: &Review,
    note: Option<&str>,
    actor: &Actor<'_>,
) -> Result<()> {
    let mut tx = Change::begin(db, actor).await?;
    let Some((unit_id, status, verified, reporter_kind)) =
        store::own_report(&mut tx, manufacturer_id, report_id).await?
    else {
        return Err(Error::NotFound(format!("There is no report {report_id}.")));
    };
    // The police's own reports are closed by their agency, as on the police desk.
    if matches!(action, Review::Recover { .. } | Review::Withdraw) && reporter_kind == "police" {
        return Err(super::police::filed_by_the_police());
    }
    let now = now_text();
    let field = format!("report-{report_id}");
    let (name, public) = match action {
        Review::Verify => {
            if verified.is_some() {
                return Err(Error::invalid(&field, "This report is verified already."));
            }
            store::verify(&mut tx, report_id, actor.user_id, &now).await?;
            ("theft.verify", false)
        }
        Review::Recover { place } => {
            if status != ReportStatus::Active {
                return Err(Error::invalid(
                    &field,
                    format!("This report is {status} already."),
                ));
            }
            if !store::resolve(
                &mut tx,
                report_id,
                ReportStatus::Recovered,
                place.as_deref(),
                &now,
            )
            .await?
            {
                return Err(super::police::closed_meanwhile(&field));
            }
            ("theft.recover", true)
        }
        Review::Withdraw => {
            if status != ReportStatus::Active {
                return Err(Error::invalid(
                    &field,
                    format!("This report is {status} already."),
                ));
            }
            if !store::resolve(&mut tx, report_id, ReportStatus::Withdrawn, None, &now).await? {
                return Err(super::police::closed_meanwhile(&field));
            }
            ("theft.withdraw", true)
        }
        Review::Note => {
            if note.is_none() {
                return Err(Error::invalid(&field, "Write the note first."));
            }
            ("theft.note", false)
        }
    };
    if let Some(note) = note {
        store::add_note(&mut tx, report_id, actor.user_id, actor.role, note, &now).await?;
    }
    tx.record(
        Audit::of(name, "theft_report", report_id)
            .before(json!({ "status": status, "verified_at": verified }))
            .after(json!({ "unit_id": unit_id, "action": format!("{action:?}"), "note": note })),
    )
    .await?;
    if public {
        tx.lookups_change();
    }
    tx.commit().await?;
    Ok(())
}

/// A report staff make on an owner's behalf.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OnBehalf {
    pub serial: String,
    pub model: Option<String>,
    pub kind: String,
    pub occurred_on: Option<String>,
    pub place: Option<String>,
    pub agency: Option<String>,
    pub case_number: Option<String>,
    pub note: Option<String>,
}

pub async fn report_on_behalf(
    db: &Db,
    manufacturer_id: i64,
    report: &OnBehalf,
    actor: &Actor<'_>,
) -> Result<i64> {
    check_report(&report.kind, report.occurred_on.as_deref(), "theft_kind")?;
    let mut tx = Change::begin(db, actor).await?;
    let product = match &report.model {
        Some(model) => Some(
            catalogue::product_id_by_model(&mut tx, manufacturer_id, model)
                .await?
                .ok_or_else(|| {
                    Error::invalid("theft_model", format!("You have no model {model}."))
                })?,
        ),
        None => None,
    };
    let units =
        catalogue::units_by_serial(&mut tx, manufacturer_id, &report.serial, product).await?;
    let unit_id = match units.as_slice() {
        [] => {
            return Err(Error::invalid(
                "theft_serial",
                format!("{} is not among your units.", report.serial),
            ));
        }
        [(unit, _)] => *unit,
        _ => {
            return Err(Error::invalid(
                "theft_model",
                format!(
                    "Several of your models have a unit {}: name the model.",
                    report.serial
                ),
            ));
        }
    };
    let new = NewReport {
        unit_id,
        reporter_user_id: actor.user_id,
        reporter_kind: "staff",
        kind: report.kind.clone(),
        agency: report.agency.clone(),
        case_number: report.case_number.clone(),
        place: report.place.clone(),
        occurred_on: report.occurred_on.clone(),
    };
    let id = file(
        &mut tx,
        &new,
        (
            "theft_serial",
            format!(
                "{} is reported already; see its report below.",
                report.serial
            ),
        ),
        actor,
    )
    .await?;
    let now = now_text();
    let note = format!(
        "Reported by staff on the owner's behalf.{}",
        report
            .note
            .as_ref()
            .map(|n| format!(" {n}"))
            .unwrap_or_default()
    );
    store::add_note(&mut tx, id, actor.user_id, actor.role, &note, &now).await?;
    tx.commit().await?;
    Ok(id)
}

pub use crate::store::thefts::TheftLine;

/// The manufacturer's theft and loss reports: active ones first (oldest waiting first), then,
/// with `all`, the most recently resolved.
pub async fn staff_queue(
    db: &Db,
    manufacturer: i64,
    all: bool,
) -> crate::store::StoreResult<Vec<TheftLine>> {
    store::staff_queue(db, manufacturer, all).await
}
