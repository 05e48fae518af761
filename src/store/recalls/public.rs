//! What the public sees of recalls: the listing, one recall, and the recalls of given units.

use super::*;
use crate::store::column::Column;

/// The active recalls covering each of the given units.
pub async fn for_units(db: &Db, unit_ids: &[i64]) -> StoreResult<Vec<(i64, RecallNotice)>> {
    if unit_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT ru.unit_id, ru.remedy_status, r.number, r.title, r.hazard, r.remedy, r.instructions, r.severity,
                m.slug AS manufacturer_slug
         FROM recall_units ru JOIN recalls r ON r.id = ru.recall_id
         JOIN manufacturers m ON m.id = r.manufacturer_id
         WHERE ru.unit_id IN ({}) AND r.status = 'active'
         ORDER BY r.starts_on DESC, r.number",
        placeholders(1, unit_ids.len())
    );
    let mut q = sqlx::query(&sql);
    for id in unit_ids {
        q = q.bind(*id);
    }
    q.fetch_all(db.reader())
        .await?
        .into_iter()
        .map(|r| -> StoreResult<(i64, RecallNotice)> {
            Ok((
                r.get("unit_id"),
                RecallNotice {
                    path: crate::recall::page_path(
                        &r.get::<String, _>("manufacturer_slug"),
                        &r.get::<String, _>("number"),
                    ),
                    number: r.get("number"),
                    title: r.get("title"),
                    hazard: r.get("hazard"),
                    remedy: Column::read(&r, "remedy")?,
                    instructions: r.get("instructions"),
                    severity: Column::read(&r, "severity")?,
                    remedy_status: Column::read(&r, "remedy_status")?,
                },
            ))
        })
        .collect()
}

/// `%text%` for LIKE, with the user's own wildcards escaped.
fn like_pattern(text: &str) -> String {
    let escaped = text
        .trim()
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

const SUMMARY_COLUMNS: &str = "r.id, r.number, r.title, r.hazard, r.remedy, r.severity, r.status, r.starts_on,
    r.description, r.instructions, r.remedy_available, r.published_at, r.closed_at, m.name AS manufacturer,
    m.slug AS manufacturer_slug";

/// Active recalls matching the filter, newest first.
pub async fn list_public(db: &Db, filter: &RecallFilter) -> StoreResult<Vec<RecallSummary>> {
    let mut sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM recalls r JOIN manufacturers m ON m.id = r.manufacturer_id
         WHERE r.status = 'active'"
    );
    let mut binds: Vec<String> = Vec::new();
    if let Some(text) = filter.text.as_deref().filter(|t| !t.trim().is_empty()) {
        binds.push(like_pattern(text));
        let n = binds.len();
        sql.push_str(&format!(
            " AND (LOWER(r.title) LIKE ${n} ESCAPE '\\' OR LOWER(r.hazard) LIKE ${n} ESCAPE '\\'
                 OR LOWER(r.number) LIKE ${n} ESCAPE '\\' OR LOWER(r.description) LIKE ${n} ESCAPE '\\'
                 OR LOWER(m.name) LIKE ${n} ESCAPE '\\'
                 OR EXISTS (SELECT 1 FROM recall_products rp JOIN products p ON p.id = rp.product_id
                            WHERE rp.recall_id = r.id AND (LOWER(p.name) LIKE ${n} ESCAPE '\\' OR LOWER(p.model) LIKE ${n} ESCAPE '\\')))"
        ));
    }
    if let Some(m) = filter
        .manufacturer
        .as_deref()
        .filter(|t| !t.trim().is_empty())
    {
        binds.push(m.trim().to_owned());
        sql.push_str(&format!(" AND m.slug = ${}", binds.len()));
    }
    if let Some(p) = filter.product.as_deref().filter(|t| !t.trim().is_empty()) {
        binds.push(like_pattern(p));
        let n = binds.len();
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM recall_products rp JOIN products p ON p.id = rp.product_id
                          WHERE rp.recall_id = r.id AND (LOWER(p.name) LIKE ${n} ESCAPE '\\' OR LOWER(p.model) LIKE ${n} ESCAPE '\\'))"
        ));
    }
    sql.push_str(" ORDER BY r.starts_on DESC, r.number LIMIT 200");
    let mut q = sqlx::query(&sql);
    for b in &binds {
        q = q.bind(b.as_str());
    }
    let rows = q.fetch_all(db.reader()).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        out.push(summary_from_row(db, row).await?);
    }
    Ok(out)
}

/// The manufacturers (slugs, in order) with a published recall of this number: the old
/// one-segment links name only the number.
pub async fn makers_with_number(db: &Db, number: &str) -> StoreResult<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT m.slug FROM recalls r JOIN manufacturers m ON m.id = r.manufacturer_id
         WHERE r.number = $1 AND r.status <> 'draft' ORDER BY m.slug LIMIT 100",
    )
    .bind(number)
    .fetch_all(db.reader())
    .await?)
}

/// A manufacturer's published (active or closed) recall by number; drafts are not public.
pub async fn public_detail(
    db: &Db,
    manufacturer_slug: &str,
    number: &str,
) -> StoreResult<Option<RecallDetail>> {
    let row = sqlx::query(&format!(
        "SELECT {SUMMARY_COLUMNS} FROM recalls r JOIN manufacturers m ON m.id = r.manufacturer_id
         WHERE m.slug = $1 AND r.number = $2 AND r.status <> 'draft'"
    ))
    .bind(manufacturer_slug)
    .bind(number)
    .fetch_optional(db.reader())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let summary = summary_from_row(db, &row).await?;
    let affected_units: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM recall_units WHERE recall_id = $1")
            .bind(row.get::<i64, _>("id"))
            .fetch_one(db.reader())
            .await?;
    Ok(Some(RecallDetail {
        summary,
        description: row.get("description"),
        instructions: row.get("instructions"),
        remedy_available: Column::read(&row, "remedy_available")?,
        published_at: row.get("published_at"),
        closed_at: row.get("closed_at"),
        affected_units,
    }))
}

async fn summary_from_row(db: &Db, row: &AnyRow) -> StoreResult<RecallSummary> {
    let id: i64 = row.get("id");
    let products = sqlx::query(
        "SELECT p.model, p.name, (SELECT MIN(g.gtin) FROM product_gtins g WHERE g.product_id = p.id) AS gtin
         FROM recall_products rp JOIN products p ON p.id = rp.product_id
         WHERE rp.recall_id = $1 ORDER BY p.model",
    )
    .bind(id)
    .fetch_all(db.reader())
    .await?
    .into_iter()
    .map(|p| ProductRef { model: p.get("model"), name: p.get("name"), gtin: p.get("gtin") })
    .collect();
    Ok(RecallSummary {
        path: crate::recall::page_path(
            &row.get::<String, _>("manufacturer_slug"),
            &row.get::<String, _>("number"),
        ),
        number: row.get("number"),
        title: row.get("title"),
        hazard: row.get("hazard"),
        remedy: Column::read(row, "remedy")?,
        severity: Column::read(row, "severity")?,
        status: Column::read(row, "status")?,
        manufacturer: row.get("manufacturer"),
        products,
        starts_on: row.get("starts_on"),
    })
}
