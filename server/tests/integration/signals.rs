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
    // The log is written off the request path, in batches that may land in any order: wait
    // for all three signals, not the last lookups' alone.
    let mut page = String::new();
    for _ in 0..50 {
        page = app.fetch(&staff, "/staff").await.1;
        if page.contains("100.70.9.0/24")
            && page.contains(&fake)
            && page.contains("Possibly cloned labels: 1")
        {
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

/// A Hallmark product's fields with this serial format.
fn product<'a>(model: &'a str, format: &[(&'static str, &'a str)]) -> Vec<(&'static str, &'a str)> {
    let mut fields = vec![
        ("action", "create"),
        ("model", model),
        ("name", "Hallmark phone"),
        ("category", "phone"),
        ("gtins", ""),
        ("warranty_months", "24"),
        ("warranty_starts", "sale"),
        ("order", "sequential"),
        ("alphabet", "digits"),
        ("check", "luhn"),
    ];
    fields.extend_from_slice(format);
    fields
}

/// Security review, finding 5: a serial space belongs to one manufacturer. A format that
/// overlaps another maker's (an IMEI on their TAC, a structured format over their serials)
/// is refused with the reason; and a counterfeit mark speaks only for its maker's serials,
/// so a mark one maker made on another's genuine unit (as an overlap made before this
/// allowed) never reaches that unit's public answer.
async fn a_serial_space_is_one_makers_and_marks_do_not_cross(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let (hallmark, _nordvik) = app.two_staff().await;
    // Nordvik's phones carry IMEIs on TAC 35332011.
    for (format, says) in [
        (
            vec![("format_kind", "imei"), ("tac", "35332011")],
            "could be Nordvik Mobile's",
        ),
        (
            vec![
                ("format_kind", "structured"),
                ("prefix", "3533"),
                ("body_len", "10"),
                ("tac", ""),
            ],
            "could be Nordvik Mobile's",
        ),
    ] {
        let response = app
            .post_form(&hallmark, "/staff/products", &product("HC-PHONE", &format))
            .await;
        assert_eq!(response.status().as_u16(), 422, "{format:?}");
        let page = response.text().await.unwrap();
        assert!(
            page.contains(says) && page.contains("belongs to one manufacturer"),
            "{page}"
        );
    }
    let products: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM products WHERE model = 'HC-PHONE'")
            .fetch_one(app.db.reader())
            .await
            .unwrap();
    assert_eq!(products, 0, "nothing was made");
    // Its own space is free: another TAC.
    let response = app
        .post_form(
            &hallmark,
            "/staff/products",
            &product("HC-PHONE", &[("format_kind", "imei"), ("tac", "35999901")]),
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);

    // Two Nordvik units, marks Hallmark made on both in an overlap from before, and Nordvik's
    // own mark on the first: the answers carry Nordvik's mark only.
    let units: Vec<(String, i64)> = sqlx::query_as(
        "SELECT u.serial_norm, u.manufacturer_id FROM units u JOIN manufacturers m ON m.id = u.manufacturer_id
         WHERE m.slug = 'nordvik' AND NOT EXISTS (SELECT 1 FROM units o WHERE o.serial_norm = u.serial_norm AND o.id <> u.id)
         ORDER BY u.id LIMIT 2",
    )
    .fetch_all(app.db.reader())
    .await
    .unwrap();
    let hallmark_id: i64 =
        sqlx::query_scalar("SELECT id FROM manufacturers WHERE slug = 'hallmark'")
            .fetch_one(app.db.reader())
            .await
            .unwrap();
    let mut conn = app.db.writer().acquire().await.unwrap();
    for (maker, serial) in [
        (hallmark_id, &units[0].0),
        (hallmark_id, &units[1].0),
        (units[0].1, &units[0].0),
    ] {
        sqlx::query(
            "INSERT INTO counterfeit_marks (manufacturer_id, serial_norm, marked_at) VALUES ($1, $2, '2026-11-30T10:00:00Z')",
        )
        .bind(maker)
        .bind(serial)
        .execute(&mut *conn)
        .await
        .expect("a mark");
    }
    serialtrace::testing::bump_epoch(&mut conn)
        .await
        .expect("bump");
    drop(conn);
    let mut said = String::new();
    for _ in 0..60 {
        let (_, answer) = app.api_lookup(&units[0].0).await;
        said = answer["counterfeit"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if !said.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        said.contains("Nordvik Mobile") && !said.contains("Hallmark"),
        "{said}"
    );
    let (_, answer) = app.api_lookup(&units[1].0).await;
    assert_eq!(answer["result"], "found");
    assert!(
        answer["counterfeit"].is_null(),
        "another maker's mark: {answer}"
    );
}
both_engines!(a_serial_space_is_one_makers_and_marks_do_not_cross);
