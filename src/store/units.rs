//! Units: the lookup's indexed reads.

use super::column::Column;
use super::{Db, StoreResult, placeholders};
pub use crate::unit::UnitRecord;
use crate::warranty::WarrantyStart;
use sqlx::{AnyConnection, Row};

/// What a public lookup needs of one unit (no owner, no price, no case details).
#[derive(Clone, Debug)]
pub struct UnitRow {
    pub id: i64,
    pub serial_raw: String,
    pub manufactured_on: Option<time::Date>,
    pub manufacturer_id: i64,
    pub manufacturer: String,
    pub model: String,
    pub name: String,
    pub gtin: Option<String>,
    pub lot: Option<String>,
    pub warranty_months: i64,
    pub warranty_starts: WarrantyStart,
    pub warranty_transferable: bool,
    /// The kind of its active theft report (`stolen` wins over `lost`), if any.
    pub report: Option<String>,
}

/// Units whose normalised serial is `serial`, optionally of the product with `gtin`.
pub async fn find_by_serial(
    db: &Db,
    serial: &str,
    gtin: Option<&str>,
) -> StoreResult<Vec<UnitRow>> {
    const SELECT: &str = "SELECT u.id, u.serial_raw, u.manufactured_on, u.manufacturer_id, m.name AS manufacturer, p.model, p.name,
            p.warranty_months, p.warranty_starts, p.warranty_transferable, l.code AS lot,
            (SELECT MIN(g.gtin) FROM product_gtins g WHERE g.product_id = p.id) AS gtin,
            (SELECT MAX(t.kind) FROM theft_reports t WHERE t.unit_id = u.id AND t.status = 'active') AS report
         FROM units u
         JOIN products p ON p.id = u.product_id
         JOIN manufacturers m ON m.id = u.manufacturer_id
         LEFT JOIN lots l ON l.id = u.lot_id
         WHERE u.serial_norm = $1";
    let rows = match gtin {
        Some(gtin) => {
            sqlx::query(&format!(
                "{SELECT} AND u.product_id = (SELECT g.product_id FROM product_gtins g WHERE g.gtin = $2) ORDER BY m.name, p.model"
            ))
            .bind(serial)
            .bind(gtin)
            .fetch_all(db.reader())
            .await?
        }
        None => {
            sqlx::query(&format!("{SELECT} ORDER BY m.name, p.model"))
                .bind(serial)
                .fetch_all(db.reader())
                .await?
        }
    };
    rows.into_iter()
        .map(|r| -> StoreResult<UnitRow> {
            Ok(UnitRow {
                id: r.get("id"),
                serial_raw: r.get("serial_raw"),
                manufactured_on: Column::read(&r, "manufactured_on")?,
                manufacturer_id: r.get("manufacturer_id"),
                manufacturer: r.get("manufacturer"),
                model: r.get("model"),
                name: r.get("name"),
                gtin: r.get("gtin"),
                lot: r.get("lot"),
                warranty_months: r.get("warranty_months"),
                warranty_starts: Column::read(&r, "warranty_starts")?,
                warranty_transferable: Column::read(&r, "warranty_transferable")?,
                report: r.get("report"),
            })
        })
        .collect()
}

/// A unit's warranty record as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredWarranty {
    pub unit_id: i64,
    pub kind: String,
    pub starts_on: time::Date,
    pub ends_on: time::Date,
    /// Where its start came from: the policy's start (`sale`, `registration`, …), a
    /// repair or extension, or [`crate::warranty::OWNER_STATEMENT`].
    pub source: String,
}

impl StoredWarranty {
    /// The period it covers.
    pub fn record(&self) -> crate::warranty::WarrantyRecord {
        crate::warranty::WarrantyRecord {
            kind: self.kind.clone(),
            starts_on: self.starts_on,
            ends_on: self.ends_on,
        }
    }

    /// Its start is only what an owner said (a purchase date the records do not confirm).
    pub fn unconfirmed_start(&self) -> bool {
        self.source == crate::warranty::OWNER_STATEMENT
    }
}

/// The warranty records of the given units, oldest start first.
pub async fn warranty_records(db: &Db, unit_ids: &[i64]) -> StoreResult<Vec<StoredWarranty>> {
    if unit_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT unit_id, kind, starts_on, ends_on, source FROM warranty_records WHERE unit_id IN ({}) ORDER BY starts_on",
        placeholders(1, unit_ids.len())
    );
    let mut query = sqlx::query(&sql);
    for id in unit_ids {
        query = query.bind(*id);
    }
    query
        .fetch_all(db.reader())
        .await?
        .into_iter()
        .map(|r| -> StoreResult<StoredWarranty> {
            Ok(StoredWarranty {
                unit_id: r.get("unit_id"),
                kind: r.get("kind"),
                starts_on: Column::read(&r, "starts_on")?,
                ends_on: Column::read(&r, "ends_on")?,
                source: r.get("source"),
            })
        })
        .collect()
}

/// A journey event as written: what happened to a unit, when (an instant or a day), where and
/// by whom.
#[derive(Clone, Copy, Debug)]
pub struct NewEvent<'a> {
    pub unit_id: i64,
    pub kind: &'a str,
    pub at: &'a str,
    pub place: Option<&'a str>,
    pub actor: &'a str,
    pub note: Option<&'a str>,
}

/// Adds an event to a unit's journey: the one writer of `events` (staff, imports, stock
/// audits, owners' and agents' actions).
pub async fn add_event(conn: &mut AnyConnection, event: &NewEvent<'_>) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO events (unit_id, kind, at, place, actor, note) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(event.unit_id)
    .bind(event.kind)
    .bind(event.at)
    .bind(event.place)
    .bind(event.actor)
    .bind(event.note)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A unit with everything known of it: one of the manufacturer's (another's is `None`), or
/// any unit when no manufacturer is given (support agents).
pub async fn unit_record(
    db: &Db,
    manufacturer_id: Option<i64>,
    id: i64,
) -> StoreResult<Option<UnitRecord>> {
    let pool = db.reader();
    let Some(u) = sqlx::query(
        "SELECT u.id, u.serial_raw, u.serial_norm, u.product_id, p.model, p.name, l.code AS lot, u.status, u.location,
                u.manufactured_on, u.revision, u.created_at
         FROM units u JOIN products p ON p.id = u.product_id LEFT JOIN lots l ON l.id = u.lot_id
         WHERE u.id = $1 AND ($2 IS NULL OR u.manufacturer_id = $2)",
    )
    .bind(id)
    .bind(manufacturer_id)
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    let serial_norm: String = u.get("serial_norm");
    let journey = sqlx::query_as(
        "SELECT kind, at, place, actor, note FROM events WHERE unit_id = $1 ORDER BY at, id",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    let contains = sqlx::query_as(
        "SELECT 'unit' AS what, cu.serial_raw AS name, cp.model FROM component_links c
           JOIN units cu ON cu.id = c.child_unit_id JOIN products cp ON cp.id = cu.product_id
           WHERE c.parent_unit_id = $1
         UNION ALL
         SELECT 'lot' AS what, cl.code AS name, lp.model FROM component_links c
           JOIN lots cl ON cl.id = c.child_lot_id JOIN products lp ON lp.id = cl.product_id
           WHERE c.parent_unit_id = $1
         ORDER BY 1, 2",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    let built_into = sqlx::query_as(
        "SELECT pu.id, pu.serial_raw, pp.model FROM component_links c
           JOIN units pu ON pu.id = c.parent_unit_id JOIN products pp ON pp.id = pu.product_id
         WHERE c.child_unit_id = $1 OR c.child_lot_id = (SELECT lot_id FROM units WHERE id = $1)
         ORDER BY pu.id LIMIT 100",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    let warranties = sqlx::query_as(
        "SELECT kind, starts_on, ends_on, source FROM warranty_records WHERE unit_id = $1 ORDER BY starts_on",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    let ownership = sqlx::query_as(
        "SELECT started_at, ended_at, via FROM ownerships WHERE unit_id = $1 ORDER BY started_at",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    let recalls = sqlx::query_as(
        "SELECT r.number, r.status, ru.remedy_status FROM recall_units ru JOIN recalls r ON r.id = ru.recall_id
         WHERE ru.unit_id = $1 ORDER BY r.number",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    let thefts = sqlx::query_as(
        "SELECT kind, status, reported_at, reporter_kind, agency, case_number FROM theft_reports
         WHERE unit_id = $1 ORDER BY reported_at DESC",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    let lookups = sqlx::query_as(
        "SELECT at, result, channel, hits FROM lookup_log WHERE serial_norm = $1 ORDER BY at DESC LIMIT 10",
    )
    .bind(&serial_norm)
    .fetch_all(pool)
    .await?;
    let lookups_total: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(hits), 0) AS BIGINT) FROM lookup_log WHERE serial_norm = $1",
    )
    .bind(&serial_norm)
    .fetch_one(pool)
    .await?;
    Ok(Some(UnitRecord {
        id,
        serial: u.get("serial_raw"),
        product_id: u.get("product_id"),
        model: u.get("model"),
        product_name: u.get("name"),
        lot: u.get("lot"),
        status: u.get("status"),
        location: u.get("location"),
        manufactured_on: u.get("manufactured_on"),
        revision: u.get("revision"),
        created_at: u.get("created_at"),
        journey,
        contains,
        built_into,
        warranties,
        ownership,
        recalls,
        thefts,
        lookups,
        lookups_total,
    }))
}

/// The manufacturer's units whose serial is `serial` (normalised): (id, serial, model).
pub async fn find_own(
    db: &Db,
    manufacturer_id: i64,
    serial: &str,
) -> StoreResult<Vec<(i64, String, String)>> {
    Ok(sqlx::query_as(
        "SELECT u.id, u.serial_raw, p.model FROM units u JOIN products p ON p.id = u.product_id
         WHERE u.serial_norm = $1 AND u.manufacturer_id = $2 ORDER BY p.model",
    )
    .bind(serial)
    .bind(manufacturer_id)
    .fetch_all(db.reader())
    .await?)
}

/// Whether `ancestor` is `unit` or contains it, however deep (a link the other way would
/// make a cycle).
pub async fn contains_unit(
    conn: &mut sqlx::AnyConnection,
    ancestor: i64,
    unit: i64,
) -> StoreResult<bool> {
    let found: i64 = sqlx::query_scalar(
        "WITH RECURSIVE up(id) AS (
            SELECT $1 UNION SELECT c.parent_unit_id FROM component_links c JOIN up ON c.child_unit_id = up.id
         ) SELECT COUNT(*) FROM up WHERE id = $2",
    )
    .bind(unit)
    .bind(ancestor)
    .fetch_one(&mut *conn)
    .await?;
    Ok(found > 0)
}

/// A unit record's fields staff edit.
pub struct RecordChange<'a> {
    pub status: &'a str,
    pub location: Option<&'a str>,
    pub manufactured_on: Option<&'a str>,
    pub revision: Option<&'a str>,
}

pub async fn update_record(
    conn: &mut AnyConnection,
    id: i64,
    change: &RecordChange<'_>,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE units SET status = $2, location = $3, manufactured_on = $4, revision = $5 WHERE id = $1",
    )
    .bind(id)
    .bind(change.status)
    .bind(change.location)
    .bind(change.manufactured_on)
    .bind(change.revision)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Links a component (a unit, or a lot) into `parent`: false when that link is there already.
/// The one way a component link is written (the unit page and the bulk upload).
pub async fn link_component(
    conn: &mut AnyConnection,
    parent: i64,
    child_unit: Option<i64>,
    child_lot: Option<i64>,
    now: &str,
) -> StoreResult<bool> {
    let exists: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM component_links WHERE parent_unit_id = $1
           AND (child_unit_id = $2 OR child_lot_id = $3)",
    )
    .bind(parent)
    .bind(child_unit)
    .bind(child_lot)
    .fetch_one(&mut *conn)
    .await?;
    if exists > 0 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO component_links (parent_unit_id, child_unit_id, child_lot_id, linked_at)
         VALUES ($1, $2, $3, $4)",
    )
    .bind(parent)
    .bind(child_unit)
    .bind(child_lot)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(true)
}
