//! The storage boundary: read models come from a row by column name on both engines, and a
//! stored value of the wrong shape is an error, never a quiet default.

use crate::both_engines;
use crate::common::{Engine, fresh_db};
use serialtrace::claim::{ClaimEvent, FileLink};

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
