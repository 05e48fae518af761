//! Units: the lookup's indexed reads.

use super::{Db, StoreResult, placeholders};
use sqlx::Row;

/// What a public lookup needs of one unit (no owner, no price, no case details).
#[derive(Clone, Debug)]
pub struct UnitRow {
    pub id: i64,
    pub serial_raw: String,
    pub manufactured_on: Option<String>,
    pub manufacturer: String,
    pub model: String,
    pub name: String,
    pub gtin: Option<String>,
    pub lot: Option<String>,
    pub warranty_months: i64,
    pub warranty_starts: String,
    pub warranty_transferable: bool,
    pub stolen: bool,
}

/// Units whose normalised serial is `serial`, optionally of the product with `gtin`.
pub async fn find_by_serial(
    db: &Db,
    serial: &str,
    gtin: Option<&str>,
) -> StoreResult<Vec<UnitRow>> {
    const SELECT: &str = "SELECT u.id, u.serial_raw, u.manufactured_on, m.name AS manufacturer, p.model, p.name,
            p.warranty_months, p.warranty_starts, p.warranty_transferable, l.code AS lot,
            (SELECT MIN(g.gtin) FROM product_gtins g WHERE g.product_id = p.id) AS gtin,
            CASE WHEN EXISTS (SELECT 1 FROM theft_reports t WHERE t.unit_id = u.id AND t.status = 'active')
                 THEN 1 ELSE 0 END AS stolen
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
    Ok(rows
        .into_iter()
        .map(|r| UnitRow {
            id: r.get("id"),
            serial_raw: r.get("serial_raw"),
            manufactured_on: r.get("manufactured_on"),
            manufacturer: r.get("manufacturer"),
            model: r.get("model"),
            name: r.get("name"),
            gtin: r.get("gtin"),
            lot: r.get("lot"),
            warranty_months: r.get("warranty_months"),
            warranty_starts: r.get("warranty_starts"),
            warranty_transferable: r.get::<i64, _>("warranty_transferable") != 0,
            stolen: r.get::<i64, _>("stolen") != 0,
        })
        .collect())
}

/// (unit id, kind, starts_on, ends_on) for each warranty record of the given units.
pub async fn warranty_records(
    db: &Db,
    unit_ids: &[i64],
) -> StoreResult<Vec<(i64, String, String, String)>> {
    if unit_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT unit_id, kind, starts_on, ends_on FROM warranty_records WHERE unit_id IN ({}) ORDER BY starts_on",
        placeholders(1, unit_ids.len())
    );
    let mut query = sqlx::query(&sql);
    for id in unit_ids {
        query = query.bind(*id);
    }
    Ok(query
        .fetch_all(db.reader())
        .await?
        .into_iter()
        .map(|r| {
            (
                r.get("unit_id"),
                r.get("kind"),
                r.get("starts_on"),
                r.get("ends_on"),
            )
        })
        .collect())
}
