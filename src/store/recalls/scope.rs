//! A recall's scope rules as stored, and the SQL that turns them into per-unit membership.

use super::*;

pub async fn insert_rule(
    conn: &mut AnyConnection,
    recall_id: i64,
    rule: &ScopeRule,
) -> StoreResult<()> {
    let row = RuleRow::from(rule);
    sqlx::query(
        "INSERT INTO recall_scope_rules (recall_id, kind, product_id, serial_norm, range_prefix, range_width,
                                         range_from, range_to, lot_id, window_from, window_to, component_unit_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(recall_id)
    .bind(row.kind)
    .bind(row.product_id)
    .bind(row.serial)
    .bind(row.range_prefix)
    .bind(row.range_width)
    .bind(row.range_from)
    .bind(row.range_to)
    .bind(row.lot_id)
    .bind(row.window_from)
    .bind(row.window_to)
    .bind(row.component_unit_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A scope rule as its table row: the kind and the columns that kind uses.
#[derive(Default)]
struct RuleRow {
    kind: &'static str,
    product_id: Option<i64>,
    serial: Option<String>,
    range_prefix: Option<String>,
    range_width: Option<i64>,
    range_from: Option<i64>,
    range_to: Option<i64>,
    lot_id: Option<i64>,
    window_from: Option<String>,
    window_to: Option<String>,
    component_unit_id: Option<i64>,
}

impl From<&ScopeRule> for RuleRow {
    fn from(rule: &ScopeRule) -> Self {
        match rule {
            ScopeRule::Serial { product_id, serial } => Self {
                kind: "serial",
                product_id: *product_id,
                serial: Some(serial.clone()),
                ..Self::default()
            },
            ScopeRule::SerialRange(r) => Self {
                kind: "serial_range",
                product_id: r.product_id,
                range_prefix: Some(r.prefix.clone()),
                range_width: Some(i64::from(r.width)),
                range_from: Some(r.from as i64),
                range_to: Some(r.to as i64),
                ..Self::default()
            },
            ScopeRule::Lot { lot_id } => Self {
                kind: "lot",
                lot_id: Some(*lot_id),
                ..Self::default()
            },
            ScopeRule::ProductionWindow {
                product_id,
                from,
                to,
            } => Self {
                kind: "production_window",
                product_id: Some(*product_id),
                window_from: Some(from.to_string()),
                window_to: Some(to.to_string()),
                ..Self::default()
            },
            ScopeRule::ComponentLot { lot_id } => Self {
                kind: "component_lot",
                lot_id: Some(*lot_id),
                ..Self::default()
            },
            ScopeRule::ComponentSerial { unit_id } => Self {
                kind: "component_serial",
                component_unit_id: Some(*unit_id),
                ..Self::default()
            },
        }
    }
}

pub async fn rules(conn: &mut AnyConnection, recall_id: i64) -> StoreResult<Vec<ScopeRule>> {
    let rows = sqlx::query("SELECT * FROM recall_scope_rules WHERE recall_id = $1 ORDER BY id")
        .bind(recall_id)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(rule_from_row).collect()
}

fn rule_from_row(r: &AnyRow) -> StoreResult<ScopeRule> {
    let corrupt =
        |what: &str| StoreError::Database(sqlx::Error::Protocol(format!("scope rule {what}")));
    let kind: String = r.get("kind");
    let int = |c: &str| r.get::<Option<i64>, _>(c).ok_or_else(|| corrupt(c));
    let text = |c: &str| r.get::<Option<String>, _>(c).ok_or_else(|| corrupt(c));
    let date = |c: &str| {
        crate::store::parse_date(r.get::<Option<String>, _>(c).as_deref()).ok_or_else(|| corrupt(c))
    };
    Ok(match kind.as_str() {
        "serial" => ScopeRule::Serial {
            product_id: r.get("product_id"),
            serial: text("serial_norm")?,
        },
        "serial_range" => ScopeRule::SerialRange(
            SerialRange::new(
                r.get("product_id"),
                &text("range_prefix")?,
                u8::try_from(int("range_width")?).map_err(|_| corrupt("width"))?,
                int("range_from")? as u64,
                int("range_to")? as u64,
            )
            .map_err(|_| corrupt("range"))?,
        ),
        "lot" => ScopeRule::Lot {
            lot_id: int("lot_id")?,
        },
        "production_window" => ScopeRule::ProductionWindow {
            product_id: int("product_id")?,
            from: date("window_from")?,
            to: date("window_to")?,
        },
        "component_lot" => ScopeRule::ComponentLot {
            lot_id: int("lot_id")?,
        },
        "component_serial" => ScopeRule::ComponentSerial {
            unit_id: int("component_unit_id")?,
        },
        other => return Err(corrupt(other)),
    })
}

/// One rule as SQL: an optional CTE and a SELECT of unit ids; parameters from `$4` on.
enum Bind {
    Int(i64),
    Text(String),
}

fn rule_sql(rule: &ScopeRule) -> (String, String, Vec<Bind>) {
    const ANCESTORS: &str = "WITH RECURSIVE affected(id) AS (
            SELECT seed.id FROM ({seed}) seed
            UNION
            SELECT cl.parent_unit_id FROM component_links cl JOIN affected a ON cl.child_unit_id = a.id
         ) ";
    match rule {
        ScopeRule::Serial { product_id: Some(p), serial } => (
            String::new(),
            "SELECT id FROM units WHERE serial_norm = $4 AND product_id = $5".into(),
            vec![Bind::Text(serial.clone()), Bind::Int(*p)],
        ),
        ScopeRule::Serial { product_id: None, serial } => (
            String::new(),
            "SELECT id FROM units WHERE serial_norm = $4".into(),
            vec![Bind::Text(serial.clone())],
        ),
        ScopeRule::SerialRange(range) => {
            let (lo, hi) = range.bounds();
            let (short, long) = range.lengths();
            let mut binds = vec![
                Bind::Text(lo),
                Bind::Text(hi),
                Bind::Int(short as i64),
                Bind::Int(long as i64),
            ];
            let product = match range.product_id {
                Some(p) => {
                    binds.push(Bind::Int(p));
                    " AND product_id = $8"
                }
                None => "",
            };
            (
                String::new(),
                format!(
                    "SELECT id FROM units WHERE serial_norm >= $4 AND serial_norm < $5
                       AND LENGTH(serial_norm) BETWEEN $6 AND $7{product}"
                ),
                binds,
            )
        }
        ScopeRule::Lot { lot_id } => (
            String::new(),
            "SELECT id FROM units WHERE lot_id = $4".into(),
            vec![Bind::Int(*lot_id)],
        ),
        ScopeRule::ProductionWindow { product_id, from, to } => (
            String::new(),
            "SELECT id FROM units WHERE product_id = $4 AND manufactured_on >= $5 AND manufactured_on <= $6".into(),
            vec![Bind::Int(*product_id), Bind::Text(from.to_string()), Bind::Text(to.to_string())],
        ),
        ScopeRule::ComponentLot { lot_id } => (
            ANCESTORS.replace(
                "{seed}",
                "SELECT id FROM units WHERE lot_id = $4 UNION SELECT parent_unit_id AS id FROM component_links WHERE child_lot_id = $4",
            ),
            "SELECT id FROM affected".into(),
            vec![Bind::Int(*lot_id)],
        ),
        ScopeRule::ComponentSerial { unit_id } => (
            ANCESTORS.replace("{seed}", "SELECT id FROM units WHERE id = $4"),
            "SELECT id FROM affected".into(),
            vec![Bind::Int(*unit_id)],
        ),
    }
}

/// What a recompute changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MembershipChange {
    pub members: i64,
    pub removed: u64,
}

/// Evaluates a recall's scope into per-unit membership. Units that stay in scope keep their
/// remedy status; units that left are removed; new ones start open (or "remedy not yet
/// available" when the recall says so).
pub async fn recompute_membership(
    conn: &mut AnyConnection,
    recall_id: i64,
) -> StoreResult<MembershipChange> {
    let remedy_available: i64 =
        sqlx::query_scalar("SELECT remedy_available FROM recalls WHERE id = $1")
            .bind(recall_id)
            .fetch_one(&mut *conn)
            .await?;
    let status = if remedy_available != 0 {
        RemedyStatus::Open
    } else {
        RemedyStatus::RemedyUnavailable
    };
    let generation: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(generation), 0) + 1 FROM recall_units WHERE recall_id = $1",
    )
    .bind(recall_id)
    .fetch_one(&mut *conn)
    .await?;
    for rule in rules(conn, recall_id).await? {
        let (cte, select, binds) = rule_sql(&rule);
        let sql = format!(
            "{cte}INSERT INTO recall_units (recall_id, unit_id, remedy_status, generation)
             SELECT $1, s.id, $2, $3 FROM ({select}) s WHERE s.id IS NOT NULL
             ON CONFLICT (recall_id, unit_id) DO UPDATE SET generation = excluded.generation"
        );
        let mut q = sqlx::query(&sql)
            .bind(recall_id)
            .bind(status.as_str())
            .bind(generation);
        for b in binds {
            q = match b {
                Bind::Int(v) => q.bind(v),
                Bind::Text(v) => q.bind(v),
            };
        }
        q.execute(&mut *conn).await?;
    }
    let removed = sqlx::query("DELETE FROM recall_units WHERE recall_id = $1 AND generation <> $2")
        .bind(recall_id)
        .bind(generation)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    let members: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM recall_units WHERE recall_id = $1")
        .bind(recall_id)
        .fetch_one(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO recall_products (recall_id, product_id)
         SELECT DISTINCT $1, u.product_id FROM recall_units ru JOIN units u ON u.id = ru.unit_id
         WHERE ru.recall_id = $1
         ON CONFLICT (recall_id, product_id) DO NOTHING",
    )
    .bind(recall_id)
    .execute(&mut *conn)
    .await?;
    Ok(MembershipChange { members, removed })
}

/// Replaces a recall's scope rules (membership follows on the next recompute).
#[cfg(feature = "test-support")]
pub async fn replace_rules(
    conn: &mut AnyConnection,
    recall_id: i64,
    new_rules: &[ScopeRule],
) -> StoreResult<()> {
    sqlx::query("DELETE FROM recall_scope_rules WHERE recall_id = $1")
        .bind(recall_id)
        .execute(&mut *conn)
        .await?;
    for rule in new_rules {
        insert_rule(conn, recall_id, rule).await?;
    }
    Ok(())
}

/// (unit id, remedy status) of every member of a recall, by unit id.
#[cfg(feature = "test-support")]
pub async fn members(conn: &mut AnyConnection, recall_id: i64) -> StoreResult<Vec<(i64, String)>> {
    Ok(sqlx::query(
        "SELECT unit_id, remedy_status FROM recall_units WHERE recall_id = $1 ORDER BY unit_id",
    )
    .bind(recall_id)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| (r.get("unit_id"), r.get("remedy_status")))
    .collect())
}

/// (rule id, rule) of a recall's scope, in the order added.
pub async fn rule_rows(
    conn: &mut AnyConnection,
    recall_id: i64,
) -> StoreResult<Vec<(i64, ScopeRule)>> {
    let rows = sqlx::query("SELECT * FROM recall_scope_rules WHERE recall_id = $1 ORDER BY id")
        .bind(recall_id)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| Ok((r.get("id"), rule_from_row(r)?)))
        .collect()
}

pub async fn delete_rule(
    conn: &mut AnyConnection,
    recall_id: i64,
    rule_id: i64,
) -> StoreResult<bool> {
    Ok(
        sqlx::query("DELETE FROM recall_scope_rules WHERE recall_id = $1 AND id = $2")
            .bind(recall_id)
            .bind(rule_id)
            .execute(&mut *conn)
            .await?
            .rows_affected()
            > 0,
    )
}

/// Words for a rule, naming its records.
pub async fn describe_rule(conn: &mut AnyConnection, rule: &ScopeRule) -> StoreResult<String> {
    let model = |id: i64| {
        sqlx::query_scalar::<_, String>("SELECT model FROM products WHERE id = $1").bind(id)
    };
    let lot = |id: i64| {
        sqlx::query_as::<_, (String, String)>(
            "SELECT l.code, p.model FROM lots l JOIN products p ON p.id = l.product_id WHERE l.id = $1",
        )
        .bind(id)
    };
    Ok(match rule {
        ScopeRule::Serial { product_id, serial } => match product_id {
            Some(p) => format!(
                "serial {serial} of {}",
                model(*p).fetch_one(&mut *conn).await?
            ),
            None => format!("serial {serial}"),
        },
        ScopeRule::SerialRange(r) => {
            let w = usize::from(r.width);
            let of = match r.product_id {
                Some(p) => format!(" of {}", model(p).fetch_one(&mut *conn).await?),
                None => String::new(),
            };
            format!(
                "serials {}{:0w$} to {}{:0w$}{of}",
                r.prefix, r.from, r.prefix, r.to
            )
        }
        ScopeRule::Lot { lot_id } => {
            let (code, m) = lot(*lot_id).fetch_one(&mut *conn).await?;
            format!("lot {code} of {m}")
        }
        ScopeRule::ProductionWindow {
            product_id,
            from,
            to,
        } => format!(
            "{} made {from} to {to}",
            model(*product_id).fetch_one(&mut *conn).await?
        ),
        ScopeRule::ComponentLot { lot_id } => {
            let (code, m) = lot(*lot_id).fetch_one(&mut *conn).await?;
            format!("component lot {code} of {m}, and every unit built with it")
        }
        ScopeRule::ComponentSerial { unit_id } => {
            let serial: String = sqlx::query_scalar("SELECT serial_raw FROM units WHERE id = $1")
                .bind(unit_id)
                .fetch_one(&mut *conn)
                .await?;
            format!("component {serial}, and every unit built with it")
        }
    })
}

/// The live recalls whose scope reaches through components (their membership follows
/// component links).
pub async fn component_recalls(conn: &mut AnyConnection) -> StoreResult<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT r.id FROM recalls r JOIN recall_scope_rules s ON s.recall_id = r.id
         WHERE r.status = 'active' AND s.kind IN ('component_lot', 'component_serial')",
    )
    .fetch_all(&mut *conn)
    .await?)
}

/// What a recall's scope covers now, read without writing (so a draft's page never holds the
/// write lock): the number of units and up to `sample` of them as (serial, model).
pub async fn preview(
    conn: &mut AnyConnection,
    recall_id: i64,
    sample: usize,
) -> StoreResult<(i64, Vec<(String, String)>)> {
    let mut covered: std::collections::BTreeSet<i64> = std::collections::BTreeSet::new();
    for rule in rules(conn, recall_id).await? {
        let (cte, select, binds) = rule_sql(&rule);
        // The membership statement numbers a rule's parameters from $4; alone it starts at $1.
        let mut sql = format!("{cte}SELECT s.id FROM ({select}) s WHERE s.id IS NOT NULL");
        for n in 4..=8 {
            sql = sql.replace(&format!("${n}"), &format!("${}", n - 3));
        }
        let mut q = sqlx::query_scalar::<_, i64>(&sql);
        for b in binds {
            q = match b {
                Bind::Int(v) => q.bind(v),
                Bind::Text(v) => q.bind(v),
            };
        }
        covered.extend(q.fetch_all(&mut *conn).await?);
    }
    let first: Vec<i64> = covered.iter().take(sample).copied().collect();
    let mut shown = Vec::with_capacity(first.len());
    if !first.is_empty() {
        let sql = format!(
            "SELECT u.serial_raw, p.model FROM units u JOIN products p ON p.id = u.product_id
             WHERE u.id IN ({}) ORDER BY u.id",
            placeholders(1, first.len())
        );
        let mut q = sqlx::query_as::<_, (String, String)>(&sql);
        for id in &first {
            q = q.bind(*id);
        }
        shown = q.fetch_all(&mut *conn).await?;
    }
    Ok((covered.len() as i64, shown))
}
