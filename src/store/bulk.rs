//! Multi-row inserts: many rows per statement, for loading data sets and imports.

use super::StoreResult;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

/// One value of a row to insert.
#[derive(Clone, Debug)]
pub enum Val {
    Int(i64),
    Text(String),
    OptInt(Option<i64>),
    OptText(Option<String>),
}

impl From<i64> for Val {
    fn from(v: i64) -> Self {
        Val::Int(v)
    }
}
impl From<String> for Val {
    fn from(v: String) -> Self {
        Val::Text(v)
    }
}
impl From<&str> for Val {
    fn from(v: &str) -> Self {
        Val::Text(v.to_owned())
    }
}
impl From<Option<i64>> for Val {
    fn from(v: Option<i64>) -> Self {
        Val::OptInt(v)
    }
}
impl From<Option<String>> for Val {
    fn from(v: Option<String>) -> Self {
        Val::OptText(v)
    }
}

/// Stays under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters per statement.
const MAX_PARAMS: usize = 30_000;
/// Rows per statement.
const MAX_ROWS: usize = 1_000;

/// Inserts `rows` into `table` in as few statements as the parameter limits allow.
pub async fn insert_rows(
    conn: &mut AnyConnection,
    table: &str,
    columns: &[&str],
    rows: &[Vec<Val>],
) -> StoreResult<()> {
    insert(conn, table, columns, rows, None).await.map(|_| ())
}

/// The same, returning `returning` (a column list) of every inserted row, in no set order.
pub async fn insert_rows_returning(
    conn: &mut AnyConnection,
    table: &str,
    columns: &[&str],
    rows: &[Vec<Val>],
    returning: &str,
) -> StoreResult<Vec<AnyRow>> {
    insert(conn, table, columns, rows, Some(returning)).await
}

async fn insert(
    conn: &mut AnyConnection,
    table: &str,
    columns: &[&str],
    rows: &[Vec<Val>],
    returning: Option<&str>,
) -> StoreResult<Vec<AnyRow>> {
    let per_statement = (MAX_PARAMS / columns.len()).clamp(1, MAX_ROWS);
    // SQLite looks a numbered parameter's name up with a linear scan, which makes `$n` in a
    // statement of thousands of parameters quadratic; plain `?` binds in order at no cost.
    let numbered = conn.backend_name() != "SQLite";
    let mut returned = Vec::new();
    for chunk in rows.chunks(per_statement) {
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
        let mut n = 1;
        for (i, row) in chunk.iter().enumerate() {
            debug_assert_eq!(row.len(), columns.len());
            sql.push_str(if i == 0 { "(" } else { ", (" });
            for j in 0..row.len() {
                if j > 0 {
                    sql.push_str(", ");
                }
                if numbered {
                    sql.push('$');
                    sql.push_str(&n.to_string());
                } else {
                    sql.push('?');
                }
                n += 1;
            }
            sql.push(')');
        }
        if let Some(returning) = returning {
            sql.push_str(" RETURNING ");
            sql.push_str(returning);
        }
        let mut query = sqlx::query(&sql);
        for row in chunk {
            for value in row {
                query = match value {
                    Val::Int(v) => query.bind(*v),
                    Val::Text(v) => query.bind(v.as_str()),
                    Val::OptInt(v) => query.bind(*v),
                    Val::OptText(v) => query.bind(v.as_deref()),
                };
            }
        }
        if returning.is_some() {
            returned.extend(query.fetch_all(&mut *conn).await?);
        } else {
            query.execute(&mut *conn).await?;
        }
    }
    Ok(returned)
}

/// `n` placeholders for a list (`IN (…)`), numbered from `first` where the engine wants
/// numbers; plain `?` on SQLite (see [`insert_rows`]).
pub fn list_placeholders(conn: &AnyConnection, first: usize, n: usize) -> String {
    if conn.backend_name() == "SQLite" {
        vec!["?"; n].join(", ")
    } else {
        super::placeholders(first, n)
    }
}
