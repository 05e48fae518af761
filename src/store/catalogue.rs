//! Manufacturers, products, GTINs and lots.

use super::{Db, StoreResult};
use crate::format::SerialFormat;
use sqlx::Row;

/// A product's serial format, for catching impossible serials before any unit query.
#[derive(Clone, Debug)]
pub struct ProductFormat {
    pub product_id: i64,
    pub manufacturer: String,
    pub model: String,
    pub name: String,
    pub format: SerialFormat,
}

pub async fn product_formats(db: &Db) -> StoreResult<Vec<ProductFormat>> {
    let rows = sqlx::query(
        "SELECT p.id, m.name AS manufacturer, p.model, p.name, p.serial_format
         FROM products p JOIN manufacturers m ON m.id = p.manufacturer_id
         WHERE p.serialised = 1 AND p.retired_at IS NULL
         ORDER BY p.id",
    )
    .fetch_all(db.reader())
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let spec: String = row.get("serial_format");
            let format = match serde_json::from_str(&spec) {
                Ok(format) => format,
                Err(error) => {
                    tracing::warn!(product_id = row.get::<i64, _>("id"), %error, "unreadable serial format");
                    return None;
                }
            };
            Some(ProductFormat {
                product_id: row.get("id"),
                manufacturer: row.get("manufacturer"),
                model: row.get("model"),
                name: row.get("name"),
                format,
            })
        })
        .collect())
}

pub async fn manufacturer_count(db: &Db) -> StoreResult<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM manufacturers")
        .fetch_one(db.reader())
        .await?)
}

/// Manufacturers that have at least one public recall, for the recall search filter.
pub async fn manufacturers_with_recalls(db: &Db) -> StoreResult<Vec<(String, String)>> {
    let rows = sqlx::query(
        "SELECT DISTINCT m.slug, m.name FROM manufacturers m
         JOIN recalls r ON r.manufacturer_id = m.id AND r.status = 'active'
         ORDER BY m.name",
    )
    .fetch_all(db.reader())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.get("slug"), r.get("name")))
        .collect())
}
