//! The storage boundary: read models come from a row by column name on both engines, and a
//! stored value of the wrong shape is an error, never a quiet default.

use crate::both_engines;
use crate::common::{Engine, fresh_db};
use serialtrace::claim::{ClaimEvent, FileLink};
use std::collections::{BTreeMap, BTreeSet};

async fn read_models_read_rows_and_refuse_a_malformed_flag(engine: Engine) {
    let (db, _) = fresh_db(engine).await;

    let event: ClaimEvent = sqlx::query_as(
        "SELECT '2026-11-02T14:05:09Z' AS at, 'in_review' AS status, NULL AS note,
                'agent' AS actor_role, 1 AS internal",
    )
    .fetch_one(db.reader())
    .await
    .expect("a well-formed row reads");
    assert_eq!(
        event,
        ClaimEvent {
            at: "2026-11-02T14:05:09Z".into(),
            status: "in_review".into(),
            note: None,
            actor_role: "agent".into(),
            internal: true,
        }
    );
    assert_eq!(event.when(), "2026-11-02 14:05");

    // A flag stored as anything but 0 or 1 is refused, naming the column.
    let malformed = sqlx::query_as::<_, ClaimEvent>(
        "SELECT 'x' AS at, 'new' AS status, 'n' AS note, 'owner' AS actor_role, 2 AS internal",
    )
    .fetch_one(db.reader())
    .await
    .expect_err("a flag of 2 is not read as true");
    let message = malformed.to_string();
    assert!(
        message.contains("internal") && message.contains("0 or 1"),
        "{message}"
    );

    // A column of the wrong type is refused too, rather than read as absent.
    let wrong_type = sqlx::query_as::<_, FileLink>("SELECT 'seven' AS id, 'a.pdf' AS filename")
        .fetch_one(db.reader())
        .await;
    assert!(wrong_type.is_err(), "{wrong_type:?}");

    // A missing column is an error naming it.
    let missing = sqlx::query_as::<_, FileLink>("SELECT 7 AS id")
        .fetch_one(db.reader())
        .await
        .expect_err("a read model needs every column");
    assert!(missing.to_string().contains("filename"), "{missing}");
}
both_engines!(read_models_read_rows_and_refuse_a_malformed_flag);

/// One column as both engines are compared: its table, name, type class and nullability.
type Column = (String, String, &'static str, bool);

/// The type class a declared column type stores as; the one query text serves both engines
/// only while each column's class is the same on both.
fn type_class(declared: &str) -> &'static str {
    match declared.trim().to_ascii_lowercase().as_str() {
        "integer" | "int" | "bigint" | "smallint" => "integer",
        "text" | "character varying" | "varchar" => "text",
        "real" | "double precision" | "float" => "real",
        "blob" | "bytea" => "bytes",
        other => panic!("a column of type {other:?}: say which class it stores as"),
    }
}

async fn columns(engine: Engine, db: &serialtrace::store::Db) -> BTreeSet<Column> {
    let sql = match engine {
        // A rowid alias (INTEGER PRIMARY KEY) holds no NULL whatever `notnull` says.
        Engine::Sqlite => {
            "SELECT m.name AS table_name, p.name AS column_name, p.type AS data_type,
                    CASE WHEN p.\"notnull\" = 1 OR p.pk > 0 THEN 1 ELSE 0 END AS not_null
             FROM sqlite_master m, pragma_table_info(m.name) p
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
               AND m.name <> '_sqlx_migrations'"
        }
        Engine::Postgres => {
            "SELECT table_name::text AS table_name, column_name::text AS column_name,
                    data_type::text AS data_type,
                    (CASE WHEN is_nullable = 'NO' THEN 1 ELSE 0 END)::bigint AS not_null
             FROM information_schema.columns
             WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations'"
        }
    };
    let rows: Vec<(String, String, String, i64)> = sqlx::query_as(sql)
        .fetch_all(db.reader())
        .await
        .expect("the catalogue reads");
    rows.into_iter()
        .map(|(table, column, declared, not_null)| {
            let class = type_class(&declared);
            (table, column, class, not_null == 1)
        })
        .collect()
}

/// Each table's unique keys (other than the primary key), as column lists: the conflicts
/// `ON CONFLICT` and `is_unique_violation` rely on.
async fn unique_keys(engine: Engine, db: &serialtrace::store::Db) -> BTreeSet<(String, String)> {
    let sql = match engine {
        Engine::Sqlite => {
            "SELECT m.name AS table_name, il.name AS index_name, ii.seqno AS position,
                    ii.name AS column_name
             FROM sqlite_master m, pragma_index_list(m.name) il, pragma_index_info(il.name) ii
             WHERE m.type = 'table' AND il.\"unique\" = 1 AND il.origin <> 'pk'
               AND il.partial = 0 AND m.name <> '_sqlx_migrations'"
        }
        Engine::Postgres => {
            "SELECT t.relname::text AS table_name, i.relname::text AS index_name,
                    k.position::bigint AS position, a.attname::text AS column_name
             FROM pg_index ix
             JOIN pg_class t ON t.oid = ix.indrelid
             JOIN pg_class i ON i.oid = ix.indexrelid
             JOIN pg_namespace n ON n.oid = t.relnamespace
             CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, position)
             JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
             WHERE n.nspname = 'public' AND ix.indisunique AND NOT ix.indisprimary
               AND ix.indpred IS NULL AND t.relname <> '_sqlx_migrations'"
        }
    };
    let rows: Vec<(String, String, i64, String)> = sqlx::query_as(sql)
        .fetch_all(db.reader())
        .await
        .expect("the index catalogue reads");
    let mut keys: BTreeMap<(String, String), BTreeMap<i64, String>> = BTreeMap::new();
    for (table, index, position, column) in rows {
        keys.entry((table, index))
            .or_default()
            .insert(position, column);
    }
    keys.into_iter()
        .map(|((table, _), columns)| (table, columns.into_values().collect::<Vec<_>>().join(",")))
        .collect()
}

/// The two migration sets build the same schema: the same tables and columns, each of the same
/// type class and nullability, and the same unique keys. A migration written for one engine
/// and forgotten (or written differently) for the other fails here, naming the difference.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgresql_schemas_are_the_same() {
    let (sqlite, _) = fresh_db(Engine::Sqlite).await;
    let (postgres, _) = fresh_db(Engine::Postgres).await;

    let (lite, pg) = (
        columns(Engine::Sqlite, &sqlite).await,
        columns(Engine::Postgres, &postgres).await,
    );
    assert!(
        lite.len() > 100,
        "the catalogue query sees the schema: {} columns",
        lite.len()
    );
    let only_sqlite: Vec<_> = lite.difference(&pg).collect();
    let only_postgres: Vec<_> = pg.difference(&lite).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "columns (table, column, type, not null) differ:\n  only on SQLite: {only_sqlite:#?}\n  only on PostgreSQL: {only_postgres:#?}"
    );

    let (lite, pg) = (
        unique_keys(Engine::Sqlite, &sqlite).await,
        unique_keys(Engine::Postgres, &postgres).await,
    );
    assert!(!lite.is_empty(), "the index query sees the unique keys");
    let only_sqlite: Vec<_> = lite.difference(&pg).collect();
    let only_postgres: Vec<_> = pg.difference(&lite).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "unique keys (table, columns) differ:\n  only on SQLite: {only_sqlite:#?}\n  only on PostgreSQL: {only_postgres:#?}"
    );
}

/// A status or kind the domain does not know fails the read that meets it, on both engines
/// (the schema's checks keep such a name out of the tables; a read model is not allowed to
/// guess either: before, the public listing would have shown an unknown severity as "high").
async fn an_unknown_stored_name_is_an_error(engine: Engine) {
    let (db, _) = fresh_db(engine).await;
    let row = |status: &str, severity: &str| {
        format!(
            "SELECT 7 AS id, 'R-1' AS number, 'Lids' AS title, 'Scalding.' AS hazard,
                    'A batch.' AS description, 'replace' AS remedy, 1 AS remedy_available,
                    'Stop.' AS instructions, '{severity}' AS severity, '{status}' AS status,
                    '2026-01-01' AS starts_on, NULL AS published_at, NULL AS closed_at,
                    3 AS members, 1 AS remedied"
        )
    };
    let read = |sql: String| {
        let db = db.clone();
        async move {
            sqlx::query_as::<_, serialtrace::recall::StaffRecall>(&sql)
                .fetch_one(db.reader())
                .await
        }
    };
    let recall = read(row("active", "high"))
        .await
        .expect("a well-formed row reads");
    assert_eq!(recall.status, serialtrace::recall::RecallStatus::Active);
    assert_eq!(recall.severity, serialtrace::recall::Severity::High);
    for (status, severity, bad) in [
        ("archived", "high", "archived"),
        ("draft", "apocalyptic", "apocalyptic"),
    ] {
        let error = read(row(status, severity))
            .await
            .expect_err("an unknown name is not read as some other one");
        assert!(error.to_string().contains(bad), "{error}");
    }
}
both_engines!(an_unknown_stored_name_is_an_error);

/// A stored day that is no day fails the lookup that meets it (503 on the page and the
/// API), where it used to read as "no manufacture date" and answer as if none were known.
async fn a_malformed_stored_day_fails_the_lookup(engine: Engine) {
    let (db, _) = fresh_db(engine).await;
    crate::common::fixtures::Fleet::new()
        .unit("Acme", "K1", "KT-0001", "2026-01-10")
        .import(&db)
        .await;
    let lookup = serialtrace::service::lookup::LookupService::start(db.clone())
        .await
        .expect("the lookup service");
    let ask = || {
        lookup.lookup(
            "KT-0001",
            None,
            serialtrace::service::lookup::Channel::Api,
            "test",
        )
    };
    assert_eq!(
        ask().await.expect("an answer").result,
        serialtrace::lookup::LookupResult::Found
    );
    sqlx::query("UPDATE units SET manufactured_on = 'sometime in May'")
        .execute(db.writer())
        .await
        .expect("corrupted");
    serialtrace::testing::bump_epoch(&mut db.writer().acquire().await.expect("a connection"))
        .await
        .expect("answers stale");
    // The epoch is seen by the poll (within half a second).
    let mut failure = None;
    for _ in 0..50 {
        match ask().await {
            Err(error) => {
                failure = Some(error.to_string());
                break;
            }
            Ok(_) => tokio::time::sleep(std::time::Duration::from_millis(100)).await,
        }
    }
    let failure = failure.expect("the lookup fails once it reads the stored day");
    assert!(failure.contains("sometime in May"), "{failure}");
}
both_engines!(a_malformed_stored_day_fails_the_lookup);
