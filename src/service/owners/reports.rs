//! An owner's stolen or lost report on their unit, and closing it.

use super::not_yours;
use crate::service::accounts::Actor;
use crate::service::change::{Audit, Change};
use crate::service::{Error, Result};
use crate::store::owners as store;
use crate::store::thefts::{self, NewReport};
use crate::store::{Db, now_text};
use crate::theft::ReportStatus;
use serde_json::json;

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
    user_id: i64,
    unit_id: i64,
    report: &OwnerReport,
    actor: &Actor<'_>,
) -> Result<i64> {
    crate::service::thefts::check_report(
        &report.kind,
        report.occurred_on.as_deref(),
        "report_kind",
    )?;
    let mut tx = Change::begin(db, actor).await?;
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
    let id = crate::service::thefts::file(
        &mut tx,
        &new,
        ("report_kind", "This unit is reported already.".to_owned()),
        actor,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Closes my unit's active report that I filed: recovered (where) or withdrawn.
pub async fn close_report(
    db: &Db,
    user_id: i64,
    unit_id: i64,
    recovered: Option<Option<String>>,
    actor: &Actor<'_>,
) -> Result<()> {
    let mut tx = Change::begin(db, actor).await?;
    match store::current_owner(&mut tx, unit_id).await? {
        Some((_, owner)) if owner == user_id => {}
        _ => return Err(not_yours()),
    }
    let Some((report, reporter)) = store::active_report(&mut tx, unit_id).await? else {
        return Err(Error::invalid("report", "This unit has no open report."));
    };
    if reporter != Some(user_id) {
        return Err(Error::invalid(
            "report",
            "This report was filed by the police or the manufacturer; ask them to close it.",
        ));
    }
    let now = now_text();
    let (status, place) = match &recovered {
        Some(place) => (ReportStatus::Recovered, place.as_deref()),
        None => (ReportStatus::Withdrawn, None),
    };
    if !thefts::resolve(&mut tx, report, status, place, &now).await? {
        return Err(crate::service::police::closed_meanwhile("report"));
    }
    tx.record(
        Audit::of(
            if recovered.is_some() {
                "theft.recover"
            } else {
                "theft.withdraw"
            },
            "theft_report",
            report,
        )
        .before(json!({ "status": "active" }))
        .after(json!({ "status": status, "place": place })),
    )
    .await?;
    tx.lookups_change();
    tx.commit().await?;
    Ok(())
}
