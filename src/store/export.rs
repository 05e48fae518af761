//! The units export: the manufacturer's units matching a filter, streamed in export order.

use crate::store::{Db, StoreResult};
use sqlx::Row;

/// The manufacturer's units matching the filter, in export order, each as the export's eight
/// fields (slug, model, serial, lot, made, status, warranty start and end; absent ones empty).
/// The rows stream from one query on a task of its own, so a million are never held at once;
/// dropping the receiver stops it, and an error is the last item sent.
pub fn export_rows(
    db: &Db,
    manufacturer: i64,
    filter: &crate::export::UnitExportFilter,
) -> tokio::sync::mpsc::Receiver<StoreResult<[String; 8]>> {
    use futures_util::StreamExt as _;
    let (sql, binds) = export_query(filter);
    let db = db.clone();
    let (tx, rx) = tokio::sync::mpsc::channel(1024);
    tokio::spawn(async move {
        let mut query = sqlx::query(&sql).bind(manufacturer);
        for value in &binds {
            query = query.bind(value.as_str());
        }
        let mut rows = query.fetch(db.reader());
        while let Some(found) = rows.next().await {
            let fields = found.and_then(|row| {
                let text = |name: &str| {
                    row.try_get::<Option<String>, _>(name)
                        .map(Option::unwrap_or_default)
                };
                Ok([
                    text("slug")?,
                    text("model")?,
                    text("serial_raw")?,
                    text("lot")?,
                    text("manufactured_on")?,
                    text("status")?,
                    text("starts_on")?,
                    text("ends_on")?,
                ])
            });
            let failed = fields.is_err();
            if tx.send(fields.map_err(Into::into)).await.is_err() || failed {
                return;
            }
        }
    });
    rx
}

/// The query for a units export and its binds in order; the manufacturer is bound first, as
/// `$1`.
fn export_query(filter: &crate::export::UnitExportFilter) -> (String, Vec<String>) {
    let mut sql = String::from(
        "SELECT m.slug, p.model, u.serial_raw, l.code AS lot, u.manufactured_on, u.status,
                w.starts_on, w.ends_on
         FROM units u
         JOIN products p ON p.id = u.product_id
         JOIN manufacturers m ON m.id = u.manufacturer_id
         LEFT JOIN lots l ON l.id = u.lot_id
         LEFT JOIN warranty_records w ON w.unit_id = u.id AND w.kind = 'initial'
         WHERE u.manufacturer_id = $1",
    );
    let mut binds = Vec::new();
    let mut add = |sql: &mut String, clause: &str, value: &str| {
        binds.push(value.to_owned());
        sql.push_str(&clause.replace('?', &format!("${}", binds.len() + 1)));
    };
    if let Some(model) = &filter.model {
        add(&mut sql, " AND p.model = ?", model);
    }
    if let Some(lot) = &filter.lot {
        add(&mut sql, " AND l.code = ?", lot);
    }
    if let Some(status) = &filter.status {
        add(&mut sql, " AND u.status = ?", status);
    }
    if let Some(recall) = &filter.recall {
        add(
            &mut sql,
            " AND u.id IN (SELECT ru.unit_id FROM recall_units ru JOIN recalls r ON r.id = ru.recall_id
                           WHERE r.number = ? AND r.manufacturer_id = u.manufacturer_id)",
            recall,
        );
    }
    sql.push_str(" ORDER BY u.id");
    (sql, binds)
}
