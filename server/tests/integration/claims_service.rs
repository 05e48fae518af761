//! Claims at the service level, on a fresh database without HTTP: the fixtures make the
//! records through the services (an import, an account, a registration), and every step is
//! what the owner or the desk would then see.

use crate::both_engines;
use crate::common::fixtures::{self, Fleet};
use crate::common::{Engine, fresh_db};
use serialtrace::service::Error;
use serialtrace::service::accounts::Actor;
use serialtrace::service::claims::{self, ClaimUpdate, NewClaim, Repair};

const AGENT: Actor<'static> = Actor {
    user_id: None,
    role: "agent",
    client_ip: Some("198.51.100.4"),
};

fn days_ago(days: i64) -> String {
    (time::OffsetDateTime::now_utc().date() - time::Duration::days(days)).to_string()
}

async fn a_claim_from_filing_to_repair(engine: Engine) {
    let (db, _) = fresh_db(engine).await;
    let summary = Fleet::new()
        .unit("Acme", "K1", "KT-0001", &days_ago(90))
        .sold(&days_ago(60), 24)
        .import(&db)
        .await;
    assert_eq!((summary.created, summary.created_products), (1, 1));
    let owner = fixtures::owner(&db, "kettle.owner@example.test").await;
    let unit = fixtures::register(&db, owner, "KT-0001", &days_ago(60)).await;
    let by_owner = Actor::user(owner, None);

    // Filed in warranty: the owner's list shows it new.
    let claim = claims::file_claim(
        &db,
        owner,
        unit,
        &NewClaim {
            description: "It stopped heating after two months.".into(),
            photos: vec![],
            paid_repair_ok: false,
        },
        &by_owner,
    )
    .await
    .expect("the claim");
    let mine = claims::owners_claims(&db, owner).await.expect("my claims");
    assert_eq!(mine.len(), 1);
    assert_eq!(
        (mine[0].status.as_str(), mine[0].in_warranty),
        ("new", true)
    );

    // A step the claim cannot take is refused by field, and nothing changes.
    let refused = claims::update_claim(
        &db,
        claim,
        &ClaimUpdate {
            status: Some("repaired".into()),
            note: None,
            internal: false,
        },
        &AGENT,
    )
    .await;
    assert!(
        matches!(&refused, Err(Error::Invalid(problems)) if problems.iter().any(|(field, _)| field == "status")),
        "{refused:?}"
    );
    let detail = claims::owners_claim(&db, owner, claim)
        .await
        .expect("read")
        .expect("my claim");
    assert_eq!(detail.claim.status, "new");

    // The desk reviews it with a note the owner sees, and an internal one they do not.
    for (note, internal) in [
        ("We are looking at it.", false),
        ("Likely the thermostat.", true),
    ] {
        claims::update_claim(
            &db,
            claim,
            &ClaimUpdate {
                status: (!internal).then(|| "in_review".into()),
                note: Some(note.into()),
                internal,
            },
            &AGENT,
        )
        .await
        .expect("the desk's step");
    }
    let detail = claims::owners_claim(&db, owner, claim)
        .await
        .expect("read")
        .expect("my claim");
    assert_eq!(detail.claim.status, "in_review");
    let notes: Vec<&str> = detail
        .history
        .iter()
        .filter_map(|e| e.note.as_deref())
        .collect();
    assert!(notes.contains(&"We are looking at it."), "{notes:?}");
    assert!(!notes.contains(&"Likely the thermostat."), "{notes:?}");
    let desk = claims::desk_claim(&db, claim)
        .await
        .expect("read")
        .expect("on the desk");
    assert!(
        desk.detail
            .history
            .iter()
            .any(|e| e.note.as_deref() == Some("Likely the thermostat."))
    );

    // Approved, then repaired by the repair logged against it.
    claims::update_claim(
        &db,
        claim,
        &ClaimUpdate {
            status: Some("approved".into()),
            note: None,
            internal: false,
        },
        &AGENT,
    )
    .await
    .expect("approve");
    claims::log_repair(
        &db,
        unit,
        &Repair {
            claim_id: Some(claim),
            description: "Replaced the heating element.".into(),
            parts: vec![],
            warranty_months: Some(3),
        },
        &AGENT,
    )
    .await
    .expect("the repair");
    let detail = claims::owners_claim(&db, owner, claim)
        .await
        .expect("read")
        .expect("my claim");
    assert_eq!(detail.claim.status, "repaired");

    // A goodwill extension runs six months from the day after the warranty's end.
    let ends = claims::extend_warranty(&db, unit, 6, "goodwill after the repair", &AGENT)
        .await
        .expect("the extension");
    let sold = time::Date::parse(
        &days_ago(60),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .expect("a date");
    let initial_end = serialtrace::warranty::add_months(sold, 24);
    let from = initial_end.next_day().expect("a next day");
    assert_eq!(ends, serialtrace::warranty::add_months(from, 6).to_string());

    // A claim on someone else's unit is not theirs to file.
    let stranger = fixtures::owner(&db, "stranger@example.test").await;
    let refused = claims::file_claim(
        &db,
        stranger,
        unit,
        &NewClaim {
            description: "Not mine, but let us try.".into(),
            photos: vec![],
            paid_repair_ok: true,
        },
        &Actor::user(stranger, None),
    )
    .await;
    assert!(refused.is_err(), "{refused:?}");
    assert!(
        claims::owners_claims(&db, stranger)
            .await
            .expect("read")
            .is_empty()
    );
}
both_engines!(a_claim_from_filing_to_repair);
