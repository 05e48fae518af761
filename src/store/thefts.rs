//! Theft and loss reports as the manufacturer's staff review them.

use super::column::Column;
use super::{Db, StoreResult};
use crate::police::RegistryEntry;
use crate::theft::ReportStatus;
use sqlx::{AnyConnection, Row};

/// A report in the staff queue (no owner identity: staff see the reporter's kind only).
pub use crate::theft::TheftLine;

/// The manufacturer's reports: active ones first (oldest waiting first), then the 50 most
/// recently resolved when `all`.
pub async fn staff_queue(db: &Db, manufacturer_id: i64, all: bool) -> StoreResult<Vec<TheftLine>> {
    let rows = sqlx::query(
        "SELECT t.id, t.unit_id, u.serial_raw, p.model, t.kind, t.reporter_kind, t.agency, t.case_number, t.place,
                t.occurred_on, t.status, t.reported_at, t.verified_at, t.recovered_place
         FROM theft_reports t JOIN units u ON u.id = t.unit_id JOIN products p ON p.id = u.product_id
         WHERE u.manufacturer_id = $1 AND ($2 = 1 OR t.status = 'active')
         ORDER BY CASE t.status WHEN 'active' THEN 0 ELSE 1 END, t.reported_at
         LIMIT 500",
    )
    .bind(manufacturer_id)
    .bind(i64::from(all))
    .fetch_all(db.reader())
    .await?;
    let mut lines = rows
        .iter()
        .map(|r| -> Result<TheftLine, sqlx::Error> {
            Ok(TheftLine {
                id: r.get("id"),
                unit_id: r.get("unit_id"),
                serial: r.get("serial_raw"),
                model: r.get("model"),
                kind: r.get("kind"),
                reporter_kind: r.get("reporter_kind"),
                agency: r.get("agency"),
                case_number: r.get("case_number"),
                place: r.get("place"),
                occurred_on: r.get("occurred_on"),
                status: Column::read(r, "status")?,
                reported_at: r.get("reported_at"),
                verified_at: r.get("verified_at"),
                recovered_place: r.get("recovered_place"),
                notes: Vec::new(),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if lines.is_empty() {
        return Ok(lines);
    }
    let ids: Vec<i64> = lines.iter().map(|l| l.id).collect();
    let sql = format!(
        "SELECT report_id, at, role, note FROM theft_report_notes WHERE report_id IN ({}) ORDER BY id",
        super::placeholders(1, ids.len())
    );
    let mut q = sqlx::query(&sql);
    for id in &ids {
        q = q.bind(*id);
    }
    for row in q.fetch_all(db.reader()).await? {
        let report: i64 = row.get("report_id");
        if let Some(line) = lines.iter_mut().find(|l| l.id == report) {
            line.notes
                .push((row.get("at"), row.get("role"), row.get("note")));
        }
    }
    Ok(lines)
}

/// (unit id, status, verified_at, reporter kind) of one of the manufacturer's reports.
pub async fn own_report(
    conn: &mut AnyConnection,
    manufacturer_id: i64,
    id: i64,
) -> StoreResult<Option<(i64, ReportStatus, Option<String>, String)>> {
    let row = sqlx::query(
        "SELECT t.unit_id, t.status, t.verified_at, t.reporter_kind
         FROM theft_reports t JOIN units u ON u.id = t.unit_id
         WHERE t.id = $1 AND u.manufacturer_id = $2",
    )
    .bind(id)
    .bind(manufacturer_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match row {
        Some(r) => Some((
            r.try_get("unit_id")?,
            Column::read(&r, "status")?,
            r.try_get("verified_at")?,
            r.try_get("reporter_kind")?,
        )),
        None => None,
    })
}

pub async fn active_for_unit(conn: &mut AnyConnection, unit_id: i64) -> StoreResult<bool> {
    Ok(sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM theft_reports WHERE unit_id = $1 AND status = 'active'",
    )
    .bind(unit_id)
    .fetch_one(&mut *conn)
    .await?
        > 0)
}

/// The active reports on a unit: (id, kind, reported_at, reporter kind, reporter's account).
pub async fn active_of_unit(
    conn: &mut AnyConnection,
    unit_id: i64,
) -> StoreResult<Vec<(i64, String, String, String, Option<i64>)>> {
    Ok(sqlx::query_as(
        "SELECT id, kind, reported_at, reporter_kind, reporter_user_id FROM theft_reports
         WHERE unit_id = $1 AND status = 'active' ORDER BY id",
    )
    .bind(unit_id)
    .fetch_all(&mut *conn)
    .await?)
}

/// A new report.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct NewReport {
    pub unit_id: i64,
    pub reporter_user_id: Option<i64>,
    pub reporter_kind: &'static str,
    pub kind: String,
    pub agency: Option<String>,
    pub case_number: Option<String>,
    pub place: Option<String>,
    pub occurred_on: Option<String>,
}

pub async fn insert_report(
    conn: &mut AnyConnection,
    report: &NewReport,
    now: &str,
) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO theft_reports (unit_id, reporter_user_id, reporter_kind, kind, agency, case_number, place,
                                    occurred_on, status, reported_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'active', $9) RETURNING id",
    )
    .bind(report.unit_id)
    .bind(report.reporter_user_id)
    .bind(report.reporter_kind)
    .bind(&report.kind)
    .bind(report.agency.as_deref())
    .bind(report.case_number.as_deref())
    .bind(report.place.as_deref())
    .bind(report.occurred_on.as_deref())
    .bind(now)
    .fetch_one(&mut *conn)
    .await?)
}

/// Closes an active report: false when it was closed already (by another hand since it was
/// read; on PostgreSQL the update waits for that change and then finds it closed).
pub async fn resolve(
    conn: &mut AnyConnection,
    id: i64,
    status: ReportStatus,
    recovered_place: Option<&str>,
    now: &str,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE theft_reports SET status = $2, resolved_at = $3, recovered_place = $4
         WHERE id = $1 AND status = 'active'",
    )
    .bind(id)
    .bind(status.as_str())
    .bind(now)
    .bind(recovered_place)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn verify(
    conn: &mut AnyConnection,
    id: i64,
    user_id: Option<i64>,
    now: &str,
) -> StoreResult<()> {
    sqlx::query("UPDATE theft_reports SET verified_at = $2, verified_by = $3 WHERE id = $1")
        .bind(id)
        .bind(now)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn add_note(
    conn: &mut AnyConnection,
    id: i64,
    user_id: Option<i64>,
    role: &str,
    note: &str,
    now: &str,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO theft_report_notes (report_id, user_id, role, note, at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(user_id)
    .bind(role)
    .bind(note)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The registry's columns, named as [`RegistryEntry`]'s fields.
const ENTRY: &str = "SELECT t.id AS report_id, t.unit_id, u.serial_raw AS serial, u.serial_norm,
        m.name AS manufacturer, p.model, t.kind, t.status, t.reporter_kind, t.agency,
        t.case_number, t.occurred_on, t.place, t.reported_at, t.recovered_place
     FROM theft_reports t JOIN units u ON u.id = t.unit_id JOIN products p ON p.id = u.product_id
     JOIN manufacturers m ON m.id = u.manufacturer_id";

/// A registry entry with its unit's normalised serial (what searches match on).
pub struct Registered {
    pub serial_norm: String,
    pub entry: RegistryEntry,
}

impl<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> for Registered {
    fn from_row(row: &'r sqlx::any::AnyRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            serial_norm: row.try_get("serial_norm")?,
            entry: RegistryEntry::from_row(row)?,
        })
    }
}

/// The active reports, on one manufacturer's units when a slug is given, oldest first.
pub async fn active_registry(db: &Db, manufacturer: Option<&str>) -> StoreResult<Vec<Registered>> {
    Ok(sqlx::query_as(&format!(
        "{ENTRY} WHERE t.status = 'active' AND ($1 IS NULL OR m.slug = $1) ORDER BY t.id"
    ))
    .bind(manufacturer)
    .fetch_all(db.reader())
    .await?)
}

/// One report, whatever its status.
pub async fn registered(db: &Db, report_id: i64) -> StoreResult<Option<Registered>> {
    Ok(sqlx::query_as(&format!("{ENTRY} WHERE t.id = $1"))
        .bind(report_id)
        .fetch_optional(db.reader())
        .await?)
}

/// The active reports naming `agency` (all when none), newest first: the hot list.
pub async fn hot_list(db: &Db, agency: Option<&str>) -> StoreResult<Vec<RegistryEntry>> {
    Ok(sqlx::query_as(&format!(
        "{ENTRY} WHERE t.status = 'active' AND ($1 IS NULL OR t.agency = $1)
         ORDER BY t.reported_at DESC, t.id DESC"
    ))
    .bind(agency)
    .fetch_all(db.reader())
    .await?)
}
