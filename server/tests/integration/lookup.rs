//! The public lookup over HTTP: every outcome, as JSON and as HTML, and bad input.

use crate::both_engines;
use crate::common::{Engine, TestApp};
use serde_json::Value;

/// What no public answer may ever contain: case numbers, agencies, owners' details.
fn assert_no_private_data(body: &str) {
    for secret in [
        "CASE-",
        "Metropolitan Police",
        "City Police",
        "price",
        "owner_",
        "email",
    ] {
        assert!(
            !body.contains(secret),
            "a public answer leaked {secret:?}: {body}"
        );
    }
}

fn only_match(body: &Value) -> &Value {
    let matches = body["matches"].as_array().expect("matches");
    assert_eq!(matches.len(), 1, "one unit expected: {body}");
    &matches[0]
}

async fn every_outcome_as_json(engine: Engine) {
    let app = TestApp::spawn(engine).await;

    let (status, body) = app.api_lookup(&app.sample("active_warranty").serial).await;
    assert_eq!(status, 200);
    assert_eq!(body["result"], "found");
    let unit = only_match(&body);
    assert_eq!(unit["warranty"]["status"], "active");
    assert!(
        unit["warranty"]["ends_on"]
            .as_str()
            .is_some_and(|d| d.len() == 10)
    );
    assert_eq!(unit["recalls"].as_array().map(Vec::len), Some(0));
    assert_eq!(unit["stolen"]["status"], "not_reported");
    assert_eq!(unit["product"]["manufacturer"], "Nordvik Mobile");
    assert!(
        unit["product"]["gtin"]
            .as_str()
            .is_some_and(|g| g.len() == 14)
    );

    let (_, body) = app.api_lookup(&app.sample("expired_warranty").serial).await;
    assert_eq!(only_match(&body)["warranty"]["status"], "expired");

    let (_, body) = app.api_lookup(&app.sample("recalled").serial).await;
    let recall = &only_match(&body)["recalls"][0];
    assert!(
        recall["number"]
            .as_str()
            .is_some_and(|n| n.ends_with("-001")),
        "{body}"
    );
    assert_eq!(recall["remedy"], "repair");
    assert_eq!(recall["remedy_status"], "open");
    assert!(recall["hazard"].as_str().is_some_and(|h| !h.is_empty()));

    let (_, body) = app.api_lookup(&app.sample("component_recall").serial).await;
    let unit = only_match(&body);
    assert!(
        unit["product"]["model"]
            .as_str()
            .is_some_and(|m| m.starts_with("HC-L")),
        "a laptop: {body}"
    );
    assert!(
        unit["recalls"][0]["number"]
            .as_str()
            .is_some_and(|n| n.ends_with("-004")),
        "{body}"
    );
    assert_eq!(unit["recalls"][0]["remedy_status"], "open");

    let (_, body) = app.api_lookup(&app.sample("remedied").serial).await;
    assert_eq!(only_match(&body)["recalls"][0]["remedy_status"], "remedied");

    let (_, body) = app.api_lookup(&app.sample("stolen").serial).await;
    assert_eq!(only_match(&body)["stolen"]["status"], "reported_stolen");
    assert_no_private_data(&body.to_string());

    let (_, body) = app.api_lookup(&app.sample("several_products").serial).await;
    let models: Vec<&str> = body["matches"]
        .as_array()
        .expect("matches")
        .iter()
        .filter_map(|m| m["product"]["model"].as_str())
        .collect();
    assert_eq!(models, ["BL-T55", "BL-T65"]);

    let (status, body) = app.api_lookup(&app.sample("not_found").serial).await;
    assert_eq!((status, body["result"].as_str()), (200, Some("not_found")));
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("not in the manufacturer's records")),
        "{body}"
    );

    let (status, body) = app.api_lookup(&app.sample("invalid").serial).await;
    assert_eq!((status, body["result"].as_str()), (200, Some("invalid")));
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("check character")),
        "{body}"
    );

    // The GTIN narrows a serial shared by two products to one.
    let shared = &app.sample("several_products").serial;
    let (_, both) = app.api_lookup(shared).await;
    let t65_gtin = both["matches"][1]["product"]["gtin"]
        .as_str()
        .expect("a GTIN")
        .to_owned();
    let response = app
        .client
        .get(format!("{}/api/v1/lookup", app.base))
        .query(&[("serial", shared.as_str()), ("gtin", t65_gtin.as_str())])
        .send()
        .await
        .expect("answer");
    let body: Value = response.json().await.expect("json");
    assert_eq!(only_match(&body)["product"]["model"], "BL-T65");
}
both_engines!(every_outcome_as_json);

async fn every_outcome_as_html(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let expectations = [
        ("active_warranty", "Under warranty until"),
        ("expired_warranty", "Warranty expired on"),
        ("recalled", "Open — this unit still needs the remedy"),
        ("component_recall", "battery cells may overheat"),
        ("remedied", "Remedied — the remedy has been carried out"),
        ("stolen", "Reported stolen — do not buy; contact police."),
        ("several_products", "Which product is yours?"),
        ("not_found", "Not in our records"),
        ("invalid", "Not a valid serial number"),
    ];
    for (outcome, text) in expectations {
        let (status, html) = app.page_lookup(&app.sample(outcome).serial).await;
        assert_eq!(status, 200, "{outcome}");
        assert!(
            html.contains(text),
            "{outcome}: expected {text:?} in the page"
        );
        assert_no_private_data(&html);
    }
    // Typed the way people type: lower case, spaces and dashes.
    let serial = &app.sample("active_warranty").serial;
    let messy = format!(" {}-{} ", &serial[..5], &serial[5..]).to_lowercase();
    let (status, html) = app.page_lookup(&messy).await;
    assert_eq!(status, 200);
    assert!(html.contains("Under warranty until"));
}
both_engines!(every_outcome_as_html);

async fn barcodes_and_digital_links(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let pump = app.sample("remedied");
    let gtin = pump.gtin.clone().expect("the pump sample carries its GTIN");
    let serial = &pump.serial;

    for pasted in [
        format!("(01){gtin}(17)301231(21){serial}"),
        format!("]d201{gtin}21{serial}\u{1d}10LOT1"),
        format!("https://id.example.org/01/{gtin}/10/LOT1/21/{serial}?17=301231"),
    ] {
        let (status, body) = app.api_lookup(&pasted).await;
        assert_eq!(status, 200, "{pasted}");
        assert_eq!(body["result"], "found", "{pasted}: {body}");
        assert_eq!(only_match(&body)["recalls"][0]["remedy_status"], "remedied");
    }

    // The Digital Link route opens the portal on that unit.
    for path in [
        format!("/01/{gtin}/21/{serial}"),
        format!("/01/{gtin}/10/LOT1/21/{serial}"),
        format!("/01/{gtin}/21/{serial}?17=301231"),
    ] {
        let response = app.get(&path).await;
        assert_eq!(response.status().as_u16(), 303, "{path}");
        let location = response.headers()["location"]
            .to_str()
            .expect("ascii")
            .to_owned();
        assert!(location.starts_with("/lookup?serial="), "{location}");
        let page = app.get(&location).await;
        assert_eq!(page.status().as_u16(), 200);
        let html = page.text().await.expect("html");
        assert!(html.contains("Medilinea IP3 infusion pump"), "{path}");
    }
    // A link with a bad GTIN check digit still answers, saying what is wrong.
    let response = app.get(&format!("/01/09506000100112/21/{serial}")).await;
    let location = response.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let html = app.get(&location).await.text().await.expect("html");
    assert!(
        html.contains("Not a valid serial number") && html.contains("check digit"),
        "{html}"
    );

    // An IMEI with its label, as printed on a phone box; one with a broken check digit.
    let imei = &app.sample("active_warranty").serial;
    let (_, body) = app.api_lookup(&format!("IMEI: {imei}")).await;
    assert_eq!(body["result"], "found");
    let mut broken = imei.clone();
    let last = broken.pop().expect("digit");
    broken.push(if last == '9' {
        '0'
    } else {
        char::from(last as u8 + 1)
    });
    let (_, body) = app.api_lookup(&broken).await;
    assert_eq!(body["result"], "invalid", "{body}");
}
both_engines!(barcodes_and_digital_links);

async fn bad_input_gets_clear_answers(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    // Not a lookup at all: 400 with problem+json (API) or a readable page (HTML).
    for input in [
        "",
        "   ",
        &"A".repeat(10_240),
        "AB\0CD",
        "AB\u{7}CD",
        "AB\u{1b}[31mCD",
    ] {
        let response = app
            .client
            .get(format!("{}/api/v1/lookup", app.base))
            .query(&[("serial", input)])
            .send()
            .await
            .expect("answer");
        assert_eq!(response.status().as_u16(), 400, "{input:?}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let problem: Value = response.json().await.expect("json");
        assert_eq!(problem["status"], 400);
        assert!(problem["detail"].as_str().is_some_and(|d| !d.is_empty()));
        let (status, html) = app.page_lookup(input).await;
        assert_eq!(status, 400, "{input:?}");
        // A NUL character is refused for every address before any page (nothing can keep one).
        let says = if input.contains('\0') {
            "NUL character"
        } else {
            "Nothing to look up"
        };
        assert!(html.contains(says), "{input:?}: {html}");
    }
    let response = app.get("/api/v1/lookup").await;
    assert_eq!(response.status().as_u16(), 400);
    // Bytes that are not UTF-8 arrive as replacement characters: not a serial.
    let response = app.get("/api/v1/lookup?serial=%FF%FE").await;
    assert_eq!(response.status().as_u16(), 200, "invalid UTF-8");
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["result"], "invalid");

    // Lookups whose serial cannot exist: an `invalid` answer, never a 5xx, never echoed markup.
    for input in [
        "' OR 1=1 --",
        "1; DROP TABLE units; --",
        "<script>alert(1)</script>",
        "\"><img src=x onerror=alert(1)>",
        "АВС123",
        "ＡＢＣ１２３",
        "(01)123(21)X",
        "(01)09506000100111(21)",
        "]d2",
        "]C10109506000100111",
        "https://id.example.org/01/09506000100111",
        "ABCDEFGHIJKLMNOPQRSTU",
    ] {
        let (status, body) = app.api_lookup(input).await;
        assert_eq!(status, 200, "{input:?}: {body}");
        assert_eq!(body["result"], "invalid", "{input:?}: {body}");
        assert!(
            body["message"].as_str().is_some_and(|m| m.len() > 10),
            "{input:?}"
        );
        let (status, html) = app.page_lookup(input).await;
        assert_eq!(status, 200, "{input:?}");
        assert!(html.contains("Not a valid serial number"), "{input:?}");
        assert!(
            !html.contains("<script>alert(1)") && !html.contains("<img src=x"),
            "markup echoed: {input:?}"
        );
    }
    // The database is intact after all of that.
    let (_, body) = app.api_lookup(&app.sample("active_warranty").serial).await;
    assert_eq!(body["result"], "found");

    // Unknown API paths are problems too, never the HTML 404 page.
    let response = app.get("/api/v1/nope").await;
    assert_eq!(response.status().as_u16(), 404);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
}
both_engines!(bad_input_gets_clear_answers);

async fn lookups_are_logged(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let serial = app.sample("stolen").serial.clone();
    app.api_lookup(&serial).await;
    app.page_lookup(&serial).await;
    let mut logged = 0;
    for _ in 0..50 {
        logged = serialtrace::testing::count_for_serial(&app.db, &serial)
            .await
            .expect("count");
        if logged >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(logged, 2, "each lookup is written to the lookup log");
}
both_engines!(lookups_are_logged);

async fn health_and_readiness(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status().as_u16(), 200);
    let response = app.get("/readyz").await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.text().await.expect("body"), "ready");
    app.db.close().await;
    let response = app.get("/readyz").await;
    assert_eq!(
        response.status().as_u16(),
        503,
        "not ready once the database is gone"
    );
}
both_engines!(health_and_readiness);

/// Polls the JSON lookup until `check` holds (at most ~3 s): answers may be cached, and a
/// change made elsewhere reaches this instance within one epoch poll.
async fn eventually(app: &TestApp, serial: &str, check: impl Fn(&Value) -> bool) -> Value {
    let mut body = Value::Null;
    for _ in 0..30 {
        body = app.api_lookup(serial).await.1;
        if check(&body) {
            return body;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the answer did not follow the change: {body}");
}

async fn cached_answers_follow_changes(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let serial = app.sample("active_warranty").serial.clone();
    let (_, before) = app.api_lookup(&serial).await;
    assert_eq!(only_match(&before)["stolen"]["status"], "not_reported");
    assert_eq!(
        only_match(&before)["recalls"].as_array().map(Vec::len),
        Some(0)
    );

    // Another instance (here: the test, through the store) reports the unit stolen.
    let mut conn = app.db.writer().acquire().await.expect("conn");
    let unit_id: i64 = sqlx::query_scalar("SELECT id FROM units WHERE serial_norm = $1")
        .bind(&serial)
        .fetch_one(&mut *conn)
        .await
        .expect("unit");
    sqlx::query(
        "INSERT INTO theft_reports (unit_id, reporter_kind, status, reported_at) VALUES ($1, 'owner', 'active', '2026-01-01T00:00:00Z')",
    )
    .bind(unit_id)
    .execute(&mut *conn)
    .await
    .expect("report");
    serialtrace::testing::bump_epoch(&mut conn)
        .await
        .expect("bump");
    eventually(&app, &serial, |b| {
        b["matches"][0]["stolen"]["status"] == "reported_stolen"
    })
    .await;

    // A recall's scope grows to cover the unit: the recompute itself marks answers stale.
    let recall_id: i64 = sqlx::query_scalar("SELECT id FROM recalls WHERE number LIKE '%-001'")
        .fetch_one(&mut *conn)
        .await
        .expect("recall");
    serialtrace::testing::insert_rule(
        &mut conn,
        recall_id,
        &serialtrace::recall::scope::ScopeRule::Serial {
            product_id: None,
            serial: serial.clone(),
        },
    )
    .await
    .expect("rule");
    serialtrace::testing::recompute_membership(&mut conn, recall_id)
        .await
        .expect("recompute");
    let after = eventually(&app, &serial, |b| {
        b["matches"][0]["recalls"]
            .as_array()
            .is_some_and(|r| !r.is_empty())
    })
    .await;
    assert_eq!(after["matches"][0]["recalls"][0]["remedy_status"], "open");
}
both_engines!(cached_answers_follow_changes);

/// On SQLite, a lookup by serial (with or without the model a GTIN names) uses the serial
/// index however the schema has grown: a plan on the model's index would walk every unit of
/// the model per lookup. (PostgreSQL keeps its own statistics.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_looks_units_up_by_their_serial_index() {
    let (db, _) = crate::common::fresh_db(Engine::Sqlite).await;
    for sql in [
        "EXPLAIN QUERY PLAN SELECT id FROM units WHERE serial_norm = 'X' AND product_id = 3",
        "EXPLAIN QUERY PLAN SELECT id FROM units WHERE serial_norm = 'X' AND manufacturer_id = 2",
        "EXPLAIN QUERY PLAN SELECT u.id FROM units u WHERE u.product_id = 1
           AND EXISTS (SELECT 1 FROM units o WHERE o.serial_norm = u.serial_norm AND o.product_id = 2)",
    ] {
        let mut conn = db.reader().acquire().await.expect("a connection");
        let rows = sqlx::query(sql).fetch_all(&mut *conn).await.expect("a plan");
        let details: Vec<String> = rows
            .iter()
            .map(|r| sqlx::Row::get::<String, _>(r, "detail"))
            .collect();
        let last = details.last().cloned().unwrap_or_default();
        assert!(
            last.contains("units_serial_norm") || last.contains("sqlite_autoindex_units_1"),
            "{sql}: {details:?}"
        );
    }
}
