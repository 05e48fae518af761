//! Owners' units: ownership, the facts registration and transfer check, attachments (proofs
//! of purchase and claim photos), transfer codes and recall notices.
//! Ownership, warranties and reports here; [`attachments`], [`transfers`] and [`notices`]
//! in their own files.

mod attachments;
mod notices;
mod transfers;

pub use attachments::*;
pub use notices::*;
pub use transfers::*;

use super::column::Column;
use super::{Db, StoreResult};
use crate::owner::UnitReport;
use crate::warranty::WarrantyStart;
use sqlx::{AnyConnection, Row};

/// What registering or transferring a unit needs to know of it.
#[derive(Clone, Debug)]
pub struct UnitFacts {
    pub id: i64,
    pub manufacturer_id: i64,
    pub serial: String,
    pub model: String,
    pub status: String,
    pub manufactured_on: Option<time::Date>,
    pub warranty_months: i64,
    pub warranty_starts: WarrantyStart,
    pub transferable: bool,
    /// The kind of the unit's active theft or loss report, if any.
    pub reported: Option<String>,
}

pub async fn unit_facts(conn: &mut AnyConnection, unit_id: i64) -> StoreResult<Option<UnitFacts>> {
    let row = sqlx::query(
        "SELECT u.id, u.manufacturer_id, u.serial_raw, p.model, u.status, u.manufactured_on,
                p.warranty_months, p.warranty_starts, p.warranty_transferable,
                (SELECT MIN(t.kind) FROM theft_reports t WHERE t.unit_id = u.id AND t.status = 'active') AS reported
         FROM units u JOIN products p ON p.id = u.product_id WHERE u.id = $1",
    )
    .bind(unit_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(r) = row else {
        return Ok(None);
    };
    Ok(Some(UnitFacts {
        id: r.get("id"),
        manufacturer_id: r.get("manufacturer_id"),
        serial: r.get("serial_raw"),
        model: r.get("model"),
        status: r.get("status"),
        manufactured_on: Column::read(&r, "manufactured_on")?,
        warranty_months: r.get("warranty_months"),
        warranty_starts: Column::read(&r, "warranty_starts")?,
        transferable: Column::read(&r, "warranty_transferable")?,
        reported: r.get("reported"),
    }))
}

/// The unit's current ownership: (ownership id, user id).
pub async fn current_owner(
    conn: &mut AnyConnection,
    unit_id: i64,
) -> StoreResult<Option<(i64, i64)>> {
    Ok(
        sqlx::query_as(
            "SELECT id, user_id FROM ownerships WHERE unit_id = $1 AND ended_at IS NULL",
        )
        .bind(unit_id)
        .fetch_optional(&mut *conn)
        .await?,
    )
}

/// A new current ownership (the unique index refuses a second one for the unit).
pub struct NewOwnership<'a> {
    pub unit_id: i64,
    pub user_id: i64,
    pub purchase_date: Option<&'a str>,
    pub retailer: Option<&'a str>,
    pub via: &'a str,
    /// The client's network, for a registration (see `crate::client::network_of`).
    pub registered_from: Option<&'a str>,
}

pub async fn insert_ownership(
    conn: &mut AnyConnection,
    new: &NewOwnership<'_>,
    now: &str,
) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO ownerships (unit_id, user_id, started_at, purchase_date, retailer, via,
                                 registered_from)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(new.unit_id)
    .bind(new.user_id)
    .bind(now)
    .bind(new.purchase_date)
    .bind(new.retailer)
    .bind(new.via)
    .bind(new.registered_from)
    .fetch_one(&mut *conn)
    .await?)
}

/// Locks an ownership row until the transaction ends (PostgreSQL; SQLite's one writer
/// serialises changes already). Changes that end an ownership and touch its transfer codes
/// take this lock first, so two of them queue instead of deadlocking.
pub async fn lock_ownership(
    conn: &mut AnyConnection,
    backend: super::Backend,
    id: i64,
) -> StoreResult<()> {
    if backend == super::Backend::Postgres {
        sqlx::query("SELECT id FROM ownerships WHERE id = $1 FOR UPDATE")
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Ends a current ownership: false when it had ended already (another change ended it since
/// it was read; on PostgreSQL the update waits for that change and then finds it ended).
pub async fn end_ownership(conn: &mut AnyConnection, id: i64, now: &str) -> StoreResult<bool> {
    let done =
        sqlx::query("UPDATE ownerships SET ended_at = $2 WHERE id = $1 AND ended_at IS NULL")
            .bind(id)
            .bind(now)
            .execute(&mut *conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_status(conn: &mut AnyConnection, unit_id: i64, status: &str) -> StoreResult<()> {
    sqlx::query("UPDATE units SET status = $2 WHERE id = $1")
        .bind(unit_id)
        .bind(status)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Units this account registered since `since` (transfers and staff assignments aside).
pub async fn registrations_since(
    conn: &mut AnyConnection,
    user_id: i64,
    since: &str,
) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM ownerships WHERE user_id = $1 AND via = 'registration' AND started_at >= $2",
    )
    .bind(user_id)
    .bind(since)
    .fetch_one(&mut *conn)
    .await?)
}

/// Registrations made from this network (an IPv4 address or an IPv6 /64) since `since`.
pub async fn registrations_from(
    conn: &mut AnyConnection,
    network: &str,
    since: &str,
) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM ownerships WHERE registered_from = $1 AND started_at >= $2",
    )
    .bind(network)
    .bind(since)
    .fetch_one(&mut *conn)
    .await?)
}

/// The date the records say the unit was sold (its latest `sold` journey event), if any.
pub async fn recorded_sale(
    conn: &mut AnyConnection,
    unit_id: i64,
) -> StoreResult<Option<time::Date>> {
    super::stored_day(
        sqlx::query_scalar("SELECT MAX(at) FROM events WHERE unit_id = $1 AND kind = 'sold'")
            .bind(unit_id)
            .fetch_one(&mut *conn)
            .await?,
    )
}

/// Removes the warranty records an ownership's registration started on the owner's word
/// alone (an ownership ended by an upheld dispute takes its back-dated warranty with it);
/// how many went.
pub async fn drop_stated_warranty(conn: &mut AnyConnection, ownership_id: i64) -> StoreResult<u64> {
    Ok(
        sqlx::query("DELETE FROM warranty_records WHERE ownership_id = $1 AND source = $2")
            .bind(ownership_id)
            .bind(crate::warranty::OWNER_STATEMENT)
            .execute(&mut *conn)
            .await?
            .rows_affected(),
    )
}

/// Whether the unit has a warranty record of this kind.
pub async fn has_warranty(conn: &mut AnyConnection, unit_id: i64, kind: &str) -> StoreResult<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM warranty_records WHERE unit_id = $1 AND kind = $2",
    )
    .bind(unit_id)
    .bind(kind)
    .fetch_one(&mut *conn)
    .await?;
    Ok(n > 0)
}

pub struct NewWarranty<'a> {
    pub unit_id: i64,
    pub kind: &'a str,
    pub starts_on: &'a str,
    pub ends_on: &'a str,
    pub source: &'a str,
    /// The ownership whose registration started it, when it did.
    pub ownership_id: Option<i64>,
}

pub async fn insert_warranty(
    conn: &mut AnyConnection,
    new: &NewWarranty<'_>,
    now: &str,
) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO warranty_records (unit_id, kind, starts_on, ends_on, source, created_at, ownership_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(new.unit_id)
    .bind(new.kind)
    .bind(new.starts_on)
    .bind(new.ends_on)
    .bind(new.source)
    .bind(now)
    .bind(new.ownership_id)
    .fetch_one(&mut *conn)
    .await?)
}

/// Ends the unit's running initial warranty on `today` (a warranty that does not pass to a
/// new owner); how many records changed.
pub async fn end_initial_warranty(
    conn: &mut AnyConnection,
    unit_id: i64,
    today: &str,
) -> StoreResult<u64> {
    Ok(sqlx::query(
        "UPDATE warranty_records SET ends_on = $2
         WHERE unit_id = $1 AND kind = 'initial' AND starts_on <= $2 AND ends_on > $2",
    )
    .bind(unit_id)
    .bind(today)
    .execute(&mut *conn)
    .await?
    .rows_affected())
}

crate::read_model::read_model! {
    /// One of an owner's units with what its live status is worked out from.
    #[derive(Clone, Debug)]
    pub struct OwnedUnit {
        pub unit_id: i64,
        pub ownership_id: i64,
        pub serial: String,
        pub manufacturer: String,
        pub model: String,
        pub name: String,
        pub since: String,
        pub via: String,
        pub purchase_date: Option<String>,
        pub retailer: Option<String>,
        pub manufactured_on: Option<time::Date>,
        pub warranty_months: i64,
        pub warranty_starts: WarrantyStart,
        pub transferable: bool,
        pub proof_id: Option<i64>,
    }
}

const OWNED: &str = "SELECT u.id AS unit_id, o.id AS ownership_id, u.serial_raw AS serial,
        m.name AS manufacturer, p.model, p.name, o.started_at AS since, o.via, o.purchase_date,
        o.retailer, u.manufactured_on, p.warranty_months, p.warranty_starts,
        p.warranty_transferable AS transferable,
        (SELECT MIN(a.id) FROM attachments a WHERE a.ownership_id = o.id) AS proof_id
     FROM ownerships o JOIN units u ON u.id = o.unit_id JOIN products p ON p.id = u.product_id
     JOIN manufacturers m ON m.id = u.manufacturer_id
     WHERE o.user_id = $1 AND o.ended_at IS NULL";

/// The user's units, newest first.
pub async fn owned_units(db: &Db, user_id: i64) -> StoreResult<Vec<OwnedUnit>> {
    Ok(
        sqlx::query_as(&format!("{OWNED} ORDER BY o.started_at DESC, o.id DESC"))
            .bind(user_id)
            .fetch_all(db.reader())
            .await?,
    )
}

/// One of the user's units (another's is `None`).
pub async fn owned_unit(db: &Db, user_id: i64, unit_id: i64) -> StoreResult<Option<OwnedUnit>> {
    Ok(sqlx::query_as(&format!("{OWNED} AND u.id = $2"))
        .bind(user_id)
        .bind(unit_id)
        .fetch_optional(db.reader())
        .await?)
}

/// The reports on a unit since `since` and any still active, newest first; `mine` marks
/// those `owner` filed.
pub async fn reports_since(
    db: &Db,
    unit_id: i64,
    since: &str,
    owner: i64,
) -> StoreResult<Vec<UnitReport>> {
    Ok(sqlx::query_as(
        "SELECT kind, status, reporter_kind, reported_at, occurred_on, place, agency, case_number,
                CASE WHEN reporter_user_id = $3 THEN 1 ELSE 0 END AS mine
         FROM theft_reports WHERE unit_id = $1 AND (status = 'active' OR reported_at >= $2)
         ORDER BY reported_at DESC, id DESC",
    )
    .bind(unit_id)
    .bind(since)
    .bind(owner)
    .fetch_all(db.reader())
    .await?)
}

/// The unit's active report: (id, reporter user).
pub async fn active_report(
    conn: &mut AnyConnection,
    unit_id: i64,
) -> StoreResult<Option<(i64, Option<i64>)>> {
    Ok(sqlx::query_as(
        "SELECT id, reporter_user_id FROM theft_reports WHERE unit_id = $1 AND status = 'active' ORDER BY id LIMIT 1",
    )
    .bind(unit_id)
    .fetch_optional(&mut *conn)
    .await?)
}

/// The current owner of a unit, for an alert: (user id, e-mail, serial, model).
pub async fn owner_contact(
    db: &Db,
    unit_id: i64,
) -> StoreResult<Option<(i64, String, String, String)>> {
    Ok(sqlx::query_as(
        "SELECT us.id, us.email, u.serial_raw, p.model FROM ownerships o JOIN users us ON us.id = o.user_id
         JOIN units u ON u.id = o.unit_id JOIN products p ON p.id = u.product_id
         WHERE o.unit_id = $1 AND o.ended_at IS NULL",
    )
    .bind(unit_id)
    .fetch_optional(db.reader())
    .await?)
}
