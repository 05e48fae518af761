//! Counterfeit signals from a scripted lookup pattern: an unissued serial of a valid form, a
//! genuine serial looked up from many networks (a cloned label), a network stepping through
//! the serial space; staff mark a known counterfeit and the public answer states it; on both
//! engines.

use crate::both_engines;
use crate::common::{Engine, TestApp};
use serialtrace_server::client_ip::TrustedProxies;
use serialtrace_server::rate_limit::RateLimits;

/// A lookup as if from `ip` (the test server believes the proxy header from loopback).
async fn lookup_from(app: &TestApp, ip: &str, serial: &str) -> serde_json::Value {
    app.client
        .get(format!("{}/api/v1/lookup", app.base))
        .query(&[("serial", serial)])
        .header("x-forwarded-for", ip)
        .send()
        .await
        .expect("the server answers")
        .json()
        .await
        .expect("JSON")
}

async fn lookup_patterns_raise_signals_and_marks_reach_the_public(engine: Engine) {
    let app = TestApp::spawn_with(
        engine,
        RateLimits::OFF,
        TrustedProxies::parse(Some("x-forwarded-for"), "127.0.0.1").expect("proxies"),
    )
    .await;
    let (staff, other) = app.two_staff().await;
    let fake = app.sample("not_found").serial.clone();
    let genuine: String = sqlx::query_scalar(
        "SELECT u.serial_norm FROM units u JOIN manufacturers m ON m.id = u.manufacturer_id
         WHERE m.slug = 'hallmark' AND NOT EXISTS (SELECT 1 FROM units o WHERE o.serial_norm = u.serial_norm AND o.id <> u.id)
         ORDER BY u.id DESC LIMIT 1",
    )
    .fetch_one(app.db.reader())
    .await
    .unwrap();
    // The fake, once; the genuine serial from four networks; a run of 12 neighbours from one.
    lookup_from(&app, "203.0.113.5", &fake).await;
    for net in ["198.51.100.7", "192.0.2.9", "203.0.113.77", "100.64.1.1"] {
        lookup_from(&app, net, &genuine).await;
    }
    let run: Vec<String> = sqlx::query_scalar(
        "SELECT u.serial_norm FROM units u JOIN products p ON p.id = u.product_id WHERE p.model = 'HC-L14' ORDER BY u.serial_norm LIMIT 12",
    )
    .fetch_all(app.db.reader())
    .await
    .unwrap();
    assert_eq!(run.len(), 12);
    for serial in &run {
        lookup_from(&app, "100.70.9.4", serial).await;
    }
    // The log is written off the request path.
    let mut page = String::new();
    for _ in 0..50 {
        page = app.fetch(&staff, "/staff").await.1;
        if page.contains("100.70.9.0/24") && page.contains(&fake) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        page.contains(&fake),
        "the unissued serial is a candidate: {page}"
    );
    assert!(
        page.contains("Possibly cloned labels: 1") && page.contains(&genuine),
        "{page}"
    );
    assert!(
        page.contains("Serial space scanned: 1") && page.contains("100.70.9.0/24"),
        "{page}"
    );
    // Another manufacturer sees none of Hallmark's signals.
    let (_, theirs) = app.fetch(&other, "/staff").await;
    assert!(
        !theirs.contains(&genuine) && !theirs.contains("100.70.9.0/24"),
        "{theirs}"
    );

    // Marking: a serial that is neither theirs nor of their form is refused; the fake and the
    // cloned genuine serial are marked, and public answers say so.
    let response = app
        .post_form(
            &staff,
            "/staff",
            &[
                ("action", "mark"),
                ("counterfeit_serial", "353320110000028"),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 422);
    assert_eq!(
        app.post_form(
            &other,
            "/staff",
            &[("action", "mark"), ("counterfeit_serial", &fake)]
        )
        .await
        .status()
        .as_u16(),
        422
    );
    for serial in [&fake, &genuine] {
        let response = app
            .post_form(
                &staff,
                "/staff",
                &[
                    ("action", "mark"),
                    ("counterfeit_serial", serial),
                    ("counterfeit_note", "seen at a market"),
                ],
            )
            .await;
        assert_eq!(response.status().as_u16(), 303, "{serial}");
    }
    let again = app
        .post_form(
            &staff,
            "/staff",
            &[("action", "mark"), ("counterfeit_serial", &fake)],
        )
        .await;
    assert_eq!(again.status().as_u16(), 422, "marked already");
    let (_, answer) = app.api_lookup(&fake).await;
    assert_eq!(answer["result"], "not_found");
    assert!(
        answer["counterfeit"]
            .as_str()
            .unwrap_or_default()
            .contains("Known counterfeit"),
        "{answer}"
    );
    let (_, answer) = app.api_lookup(&genuine).await;
    assert_eq!(answer["result"], "found");
    assert!(
        answer["counterfeit"]
            .as_str()
            .unwrap_or_default()
            .contains("copies of this genuine serial"),
        "{answer}"
    );
    let (_, page) = app.page_lookup(&fake).await;
    assert!(page.contains("Known counterfeit"), "{page}");
    assert!(
        !answer.to_string().contains("seen at a market"),
        "the note stays private"
    );
    // Unmarked: the answer no longer says so.
    let response = app
        .post_form(
            &staff,
            "/staff",
            &[("action", "unmark"), ("counterfeit_serial", &genuine)],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let (_, answer) = app.api_lookup(&genuine).await;
    assert!(answer.get("counterfeit").is_none(), "{answer}");
    let audited: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action IN ('counterfeit.mark', 'counterfeit.unmark')",
    )
    .fetch_one(app.db.reader())
    .await
    .unwrap();
    assert_eq!(audited, 3);
}
both_engines!(lookup_patterns_raise_signals_and_marks_reach_the_public);
