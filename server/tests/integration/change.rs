//! The unit of work, at the service level without HTTP: a change and its audit entries
//! commit together or not at all, the entry says who made it, and a change that marks
//! lookups changing is what this instance's cached answers show at once (no poll).

use crate::both_engines;
use crate::common::{Engine, fresh_db};
use serialtrace::catalogue::ProductSpec;
use serialtrace::format::SerialFormat;
use serialtrace::lookup::{LookupAnswer, LookupResult};
use serialtrace::serial::Serial;
use serialtrace::service::accounts::Actor;
use serialtrace::service::change::{Audit, Change};
use serialtrace::service::lookup::{Channel, LookupService};
use serialtrace::service::{catalogue, counterfeits};
use serialtrace::store::Db;
use serialtrace::warranty::{WarrantyPolicy, WarrantyStart};
use std::sync::Arc;

const STAFF: Actor<'static> = Actor {
    user_id: None,
    role: "staff",
    client_ip: Some("192.0.2.7"),
};

async fn answer(lookup: &LookupService) -> Arc<LookupAnswer> {
    lookup
        .lookup("KT-0001", None, Channel::Api, "test")
        .await
        .expect("an answer")
}

/// A change that has added manufacturer 7 and not committed yet.
async fn acme_in_a_change(db: &Db) -> Change<'static> {
    let mut change = Change::begin(db, &STAFF).await.expect("begin");
    sqlx::query(
        "INSERT INTO manufacturers (id, slug, name, created_at)
         VALUES (7, 'acme', 'Acme', '2026-01-01T00:00:00Z')",
    )
    .execute(&mut **change)
    .await
    .expect("insert");
    change
}

async fn count(db: &Db, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(db.reader())
        .await
        .expect("count")
}

async fn change_commits_with_its_audit_entries(engine: Engine) {
    let (db, _) = fresh_db(engine).await;
    let entries = count(&db, "SELECT COUNT(*) FROM audit_log").await;

    // Dropped before its commit: neither the row nor the entry is there.
    let mut change = acme_in_a_change(&db).await;
    change
        .record(Audit::of("manufacturer.create", "manufacturer", 7))
        .await
        .expect("record");
    drop(change);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM manufacturers").await, 0);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM audit_log").await, entries);

    // Committed: both, and the entry names who, from where, and what it was after.
    let mut change = acme_in_a_change(&db).await;
    change
        .record(
            Audit::of("manufacturer.create", "manufacturer", 7)
                .after(serde_json::json!({ "slug": "acme" })),
        )
        .await
        .expect("record");
    let epoch = db.known_epoch();
    change.commit().await.expect("commit");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM manufacturers").await, 1);
    let (action, role, ip, target, after): (String, String, String, String, String) =
        sqlx::query_as(
            "SELECT action, actor_role, client_ip, target_type || ':' || target_id, after_json
             FROM audit_log ORDER BY id DESC LIMIT 1",
        )
        .fetch_one(db.reader())
        .await
        .expect("entry");
    assert_eq!(
        (action.as_str(), role.as_str(), ip.as_str(), target.as_str()),
        (
            "manufacturer.create",
            "staff",
            "192.0.2.7",
            "manufacturer:7"
        )
    );
    assert_eq!(after, r#"{"slug":"acme"}"#);
    // Nothing a lookup shows changed, so the cache epoch stays.
    assert_eq!(db.known_epoch(), epoch);
    // The chain over every entry still verifies.
    let verified = serialtrace::service::audit::verify(&db)
        .await
        .expect("verify");
    assert_eq!(verified, Ok((entries + 1) as u64));
}
both_engines!(change_commits_with_its_audit_entries);

async fn a_committed_change_is_what_the_next_lookup_shows(engine: Engine) {
    let (db, _) = fresh_db(engine).await;
    sqlx::query("INSERT INTO manufacturers (id, slug, name, created_at) VALUES (1, 'acme', 'Acme', '2026-01-01T00:00:00Z')")
        .execute(db.writer())
        .await
        .expect("manufacturer");
    let lookup = LookupService::start(db.clone()).await.expect("lookup");
    let spec = ProductSpec {
        model: "K1".into(),
        name: "Kettle".into(),
        category: "Kitchen".into(),
        gtins: vec![],
        warranty: WarrantyPolicy {
            months: 24,
            starts: WarrantyStart::Manufacture,
            transferable: true,
        },
        format: SerialFormat::Free,
    };
    let product = catalogue::create_product(&db, &lookup, 1, &spec, &STAFF)
        .await
        .expect("product");
    catalogue::create_unit(
        &db,
        1,
        product,
        &catalogue::NewOne {
            serial: Serial::parse("KT-0001").expect("serial"),
            lot: None,
            manufactured_on: None,
        },
        &STAFF,
    )
    .await
    .expect("unit");

    let before = answer(&lookup).await;
    assert_eq!(before.result, LookupResult::Found);
    assert_eq!(before.counterfeit, None);
    // Asked again, it is the cached answer.
    assert!(Arc::ptr_eq(&before, &answer(&lookup).await));

    // The manufacturer marks the serial counterfeit: the very next lookup says so.
    counterfeits::set_mark(&db, 1, "KT-0001", Some("cloned labels"), false, &STAFF)
        .await
        .expect("mark");
    let after = answer(&lookup).await;
    assert!(after.counterfeit.is_some(), "{after:?}");
    assert_eq!(
        db.known_epoch(),
        count(&db, "SELECT version FROM cache_epoch").await
    );
}
both_engines!(a_committed_change_is_what_the_next_lookup_shows);
