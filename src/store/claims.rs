//! Warranty claims, their history and repairs; the agents' unit search and the warranty
//! expiry report.

use super::{Db, StoreResult};
use crate::claim::{Claim, ClaimEvent, ExpiryLine, FileLink, FoundUnit, RepairRecord};
use sqlx::AnyConnection;

/// The look-alike-folded serial (O→0, I and L→1, S→5, Z→2, B→8) as SQL: the expression the
/// `units_serial_folded` index is built on (migration 0006), so both must read the same.
pub const FOLDED_SERIAL: &str = "REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(serial_norm, 'O', '0'), 'I', '1'), 'L', '1'), 'S', '5'), 'Z', '2'), 'B', '8')";

/// Units whose serial is `normalised`, then those whose folded serial is `folded`.
pub async fn search_units(db: &Db, normalised: &str, folded: &str) -> StoreResult<Vec<FoundUnit>> {
    Ok(sqlx::query_as(&format!(
        "SELECT u.id, u.serial_raw AS serial, m.name AS manufacturer, p.model, 'exact' AS how FROM units u
           JOIN products p ON p.id = u.product_id JOIN manufacturers m ON m.id = u.manufacturer_id
           WHERE u.serial_norm = $1
         UNION ALL
         SELECT u.id, u.serial_raw AS serial, m.name AS manufacturer, p.model, 'look-alike' AS how FROM units u
           JOIN products p ON p.id = u.product_id JOIN manufacturers m ON m.id = u.manufacturer_id
           WHERE {FOLDED_SERIAL} = $2 AND u.serial_norm <> $1
         ORDER BY 5, 3, 4 LIMIT 50"
    ))
    .bind(normalised)
    .bind(folded)
    .fetch_all(db.reader())
    .await?)
}

const CLAIM: &str =
    "SELECT c.id, c.unit_id, u.serial_raw AS serial, m.name AS manufacturer, p.model,
        c.owner_user_id, c.status, c.description, c.in_warranty, c.created_at, c.updated_at
     FROM claims c JOIN units u ON u.id = c.unit_id JOIN products p ON p.id = u.product_id
     JOIN manufacturers m ON m.id = u.manufacturer_id";

pub async fn claim_by_id(db: &Db, id: i64) -> StoreResult<Option<Claim>> {
    Ok(sqlx::query_as(&format!("{CLAIM} WHERE c.id = $1"))
        .bind(id)
        .fetch_optional(db.reader())
        .await?)
}

/// A user's claims, newest first.
pub async fn claims_of_owner(db: &Db, user_id: i64) -> StoreResult<Vec<Claim>> {
    Ok(sqlx::query_as(&format!(
        "{CLAIM} WHERE c.owner_user_id = $1 ORDER BY c.created_at DESC, c.id DESC LIMIT 200"
    ))
    .bind(user_id)
    .fetch_all(db.reader())
    .await?)
}

/// A unit's claims, newest first.
pub async fn claims_of_unit(db: &Db, unit_id: i64) -> StoreResult<Vec<Claim>> {
    Ok(sqlx::query_as(&format!(
        "{CLAIM} WHERE c.unit_id = $1 ORDER BY c.created_at DESC, c.id DESC"
    ))
    .bind(unit_id)
    .fetch_all(db.reader())
    .await?)
}

/// The agents' queue: claims in `statuses`, oldest change first.
pub async fn queue(db: &Db, statuses: &[&str]) -> StoreResult<Vec<Claim>> {
    let sql = format!(
        "{CLAIM} WHERE c.status IN ({}) ORDER BY c.updated_at, c.id LIMIT 500",
        super::placeholders(1, statuses.len())
    );
    let mut q = sqlx::query_as(&sql);
    for s in statuses {
        q = q.bind(*s);
    }
    Ok(q.fetch_all(db.reader()).await?)
}

pub async fn insert_claim(
    conn: &mut AnyConnection,
    unit_id: i64,
    owner_user_id: i64,
    description: &str,
    in_warranty: bool,
    now: &str,
) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO claims (unit_id, owner_user_id, status, description, in_warranty, created_at, updated_at)
         VALUES ($1, $2, 'new', $3, $4, $5, $5) RETURNING id",
    )
    .bind(unit_id)
    .bind(owner_user_id)
    .bind(description)
    .bind(i64::from(in_warranty))
    .bind(now)
    .fetch_one(&mut *conn)
    .await?)
}

/// The claim's status, locked for the change (PostgreSQL) or read in the write transaction.
pub async fn status_for_update(
    conn: &mut AnyConnection,
    id: i64,
    lock: &str,
) -> StoreResult<Option<(i64, String, Option<i64>)>> {
    Ok(sqlx::query_as(&format!(
        "SELECT unit_id, status, owner_user_id FROM claims WHERE id = $1 {lock}"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?)
}

pub async fn set_status(
    conn: &mut AnyConnection,
    id: i64,
    status: &str,
    now: &str,
) -> StoreResult<()> {
    sqlx::query("UPDATE claims SET status = $2, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(status)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// One step in a claim's history.
pub struct NewClaimEvent<'a> {
    pub claim_id: i64,
    pub status: &'a str,
    pub note: Option<&'a str>,
    pub actor_role: &'a str,
    pub actor_user_id: Option<i64>,
    pub internal: bool,
}

pub async fn add_event(
    conn: &mut AnyConnection,
    e: &NewClaimEvent<'_>,
    now: &str,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO claim_events (claim_id, at, status, note, actor_role, actor_user_id, internal)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(e.claim_id)
    .bind(now)
    .bind(e.status)
    .bind(e.note)
    .bind(e.actor_role)
    .bind(e.actor_user_id)
    .bind(i64::from(e.internal))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A claim's history, oldest first; notes for agents only when `with_internal`.
pub async fn events(db: &Db, claim_id: i64, with_internal: bool) -> StoreResult<Vec<ClaimEvent>> {
    Ok(sqlx::query_as(
        "SELECT at, status, note, actor_role, internal FROM claim_events
         WHERE claim_id = $1 AND ($2 = 1 OR internal = 0) ORDER BY id",
    )
    .bind(claim_id)
    .bind(i64::from(with_internal))
    .fetch_all(db.reader())
    .await?)
}

/// The claim's photos.
pub async fn photos(db: &Db, claim_id: i64) -> StoreResult<Vec<FileLink>> {
    Ok(
        sqlx::query_as("SELECT id, filename FROM attachments WHERE claim_id = $1 ORDER BY id")
            .bind(claim_id)
            .fetch_all(db.reader())
            .await?,
    )
}

/// The proof of purchase of the unit's current ownership.
pub async fn current_proof(db: &Db, unit_id: i64) -> StoreResult<Option<FileLink>> {
    Ok(sqlx::query_as(
        "SELECT a.id, a.filename FROM attachments a JOIN ownerships o ON o.id = a.ownership_id
         WHERE o.unit_id = $1 AND o.ended_at IS NULL ORDER BY a.id LIMIT 1",
    )
    .bind(unit_id)
    .fetch_optional(db.reader())
    .await?)
}

/// A unit's repairs, newest first.
pub async fn repairs(db: &Db, unit_id: i64) -> StoreResult<Vec<RepairRecord>> {
    Ok(sqlx::query_as(
        "SELECT at, description, parts FROM repairs WHERE unit_id = $1 ORDER BY at DESC, id DESC",
    )
    .bind(unit_id)
    .fetch_all(db.reader())
    .await?)
}

pub async fn insert_repair(
    conn: &mut AnyConnection,
    claim_id: Option<i64>,
    unit_id: i64,
    description: &str,
    parts: Option<&str>,
    agent: Option<i64>,
    now: &str,
) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO repairs (claim_id, unit_id, at, description, parts, agent_user_id)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(claim_id)
    .bind(unit_id)
    .bind(now)
    .bind(description)
    .bind(parts)
    .bind(agent)
    .fetch_one(&mut *conn)
    .await?)
}

/// The unit's direct component link to a unit with this normalised serial: (link id, child
/// unit id).
pub async fn component_link(
    conn: &mut AnyConnection,
    parent: i64,
    child_serial: &str,
) -> StoreResult<Option<(i64, i64)>> {
    Ok(sqlx::query_as(
        "SELECT c.id, c.child_unit_id FROM component_links c JOIN units cu ON cu.id = c.child_unit_id
         WHERE c.parent_unit_id = $1 AND cu.serial_norm = $2",
    )
    .bind(parent)
    .bind(child_serial)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Units with this normalised serial that are built into nothing: (id, manufacturer).
pub async fn free_units(conn: &mut AnyConnection, serial: &str) -> StoreResult<Vec<(i64, i64)>> {
    Ok(sqlx::query_as(
        "SELECT u.id, u.manufacturer_id FROM units u WHERE u.serial_norm = $1
         AND NOT EXISTS (SELECT 1 FROM component_links c WHERE c.child_unit_id = u.id)",
    )
    .bind(serial)
    .fetch_all(&mut *conn)
    .await?)
}

/// Moves a component link to a new child unit.
pub async fn replace_component(
    conn: &mut AnyConnection,
    link: i64,
    new_child: i64,
    now: &str,
) -> StoreResult<()> {
    sqlx::query("UPDATE component_links SET child_unit_id = $2, linked_at = $3 WHERE id = $1")
        .bind(link)
        .bind(new_child)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The latest end of the unit's warranty records.
pub async fn warranty_end(
    conn: &mut AnyConnection,
    unit_id: i64,
) -> StoreResult<Option<time::Date>> {
    super::stored_day(
        sqlx::query_scalar("SELECT MAX(ends_on) FROM warranty_records WHERE unit_id = $1")
            .bind(unit_id)
            .fetch_one(&mut *conn)
            .await?,
    )
}

/// Units whose warranty (its latest record) ends between `from` and `to`, soonest first;
/// only the manufacturer's when given. At most `limit`.
pub async fn expiring(
    db: &Db,
    from: &str,
    to: &str,
    manufacturer_id: Option<i64>,
    limit: i64,
) -> StoreResult<Vec<ExpiryLine>> {
    Ok(sqlx::query_as(
        "SELECT u.id AS unit_id, u.serial_raw AS serial, m.name AS manufacturer, p.model, w.ends_on,
                CASE WHEN EXISTS (SELECT 1 FROM ownerships o WHERE o.unit_id = u.id AND o.ended_at IS NULL)
                     THEN 1 ELSE 0 END AS registered
         FROM (SELECT unit_id, MAX(ends_on) AS ends_on FROM warranty_records
               WHERE unit_id IN (SELECT unit_id FROM warranty_records WHERE ends_on >= $1 AND ends_on <= $2)
               GROUP BY unit_id) w
         JOIN units u ON u.id = w.unit_id JOIN products p ON p.id = u.product_id
         JOIN manufacturers m ON m.id = u.manufacturer_id
         WHERE w.ends_on >= $1 AND w.ends_on <= $2 AND ($3 IS NULL OR u.manufacturer_id = $3)
         ORDER BY w.ends_on, u.id LIMIT $4",
    )
    .bind(from)
    .bind(to)
    .bind(manufacturer_id)
    .bind(limit)
    .fetch_all(db.reader())
    .await?)
}

/// The owner's e-mail address and the unit's serial and model, for telling the owner of a
/// claim's progress.
pub async fn owner_and_unit(
    conn: &mut AnyConnection,
    owner: i64,
    unit_id: i64,
) -> StoreResult<Option<(String, String, String)>> {
    Ok(sqlx::query_as(
        "SELECT us.email, u.serial_raw, p.model FROM users us, units u JOIN products p ON p.id = u.product_id
         WHERE us.id = $1 AND u.id = $2",
    )
    .bind(owner)
    .bind(unit_id)
    .fetch_optional(&mut *conn)
    .await?)
}

/// The owner who filed the claim, if it has one (a claim staff opened for a repair may not).
pub async fn claim_owner(conn: &mut AnyConnection, claim: i64) -> StoreResult<Option<i64>> {
    let owner: Option<Option<i64>> =
        sqlx::query_scalar("SELECT owner_user_id FROM claims WHERE id = $1")
            .bind(claim)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(owner.flatten())
}
