//! The partner API over HTTP: keys made on the CLI and the admin screen, scopes, quotas (429
//! with Retry-After), revoked keys (401), a stolen check of 1,000 serials with mixed
//! outcomes, problem+json on bad input, sighting alerts from API checks, staff keys' units
//! and remedies, the OpenAPI document and its docs page; on both engines.

use crate::both_engines;
use crate::common::{Engine, TestApp, mails_in};
use serde_json::{Value, json};
use serialtrace::account::Role;

/// Runs `serialtrace --database-url URL api-key ARGS`: (success, output).
fn cli(url: &str, args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_serialtrace"))
        .args(["--database-url", url, "api-key"])
        .args(args)
        .env("SERIALTRACE_LOG", "error")
        .output()
        .expect("run serialtrace");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// The key a `create` printed (its last line).
fn key_in(output: &str) -> String {
    output
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("st_"))
        .unwrap_or_else(|| panic!("no key in {output}"))
        .to_owned()
}

async fn post_json(
    app: &TestApp,
    path: &str,
    key: Option<&str>,
    body: &Value,
) -> (u16, Value, reqwest::header::HeaderMap) {
    let mut request = app.client.post(format!("{}{path}", app.base)).json(body);
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body, headers)
}

async fn get_as(app: &TestApp, path: &str, key: Option<&str>) -> reqwest::Response {
    let mut request = app.client.get(format!("{}{path}", app.base));
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    request.send().await.expect("the server answers")
}

fn is_problem(headers: &reqwest::header::HeaderMap, body: &Value, status: u16) {
    assert_eq!(
        headers["content-type"], "application/problem+json",
        "{body}"
    );
    assert_eq!(body["status"], status, "{body}");
    assert!(
        body["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "{body}"
    );
    assert!(body["type"].as_str().is_some(), "{body}");
}

async fn pawn_shops_check_their_intake_with_keys_and_quotas(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    // Bad CLI input is a non-zero exit with the reason.
    let (ok, out) = cli(
        &app.url,
        &["create", "--name", "Bad", "--scope", "everything"],
    );
    assert!(!ok && out.contains("scope is one of"), "{out}");
    let (ok, out) = cli(
        &app.url,
        &["create", "--name", "Staffy", "--scope", "staff"],
    );
    assert!(!ok && out.contains("belongs to one manufacturer"), "{out}");
    let (ok, out) = cli(
        &app.url,
        &[
            "create",
            "--name",
            "Corner Pawn",
            "--scope",
            "stolen-check",
            "--per-minute",
            "1000",
        ],
    );
    assert!(ok, "{out}");
    let key = key_in(&out);
    assert_eq!(key.len(), 43);
    let stored: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM api_keys WHERE key_hash = $1 OR key_prefix = $1")
            .bind(&key)
            .fetch_one(app.db.reader())
            .await
            .unwrap();
    assert_eq!(stored, 0, "only a digest is kept");

    // No key, a wrong key, a malformed header: 401 problems.
    let body = json!({ "serials": ["X1"] });
    let (status, problem, headers) = post_json(&app, "/api/v1/stolen-checks", None, &body).await;
    assert_eq!(status, 401);
    is_problem(&headers, &problem, 401);
    assert!(headers.contains_key("www-authenticate"));
    let (status, ..) = post_json(
        &app,
        "/api/v1/stolen-checks",
        Some("st_0000000000000000000000000000000000000000"),
        &body,
    )
    .await;
    assert_eq!(status, 401);

    // A batch of 1,000 with every outcome, answered in input order.
    let stolen = app.sample("stolen").serial.clone();
    let genuine = app.sample("active_warranty").serial.clone();
    let unknown = app.sample("not_found").serial.clone();
    let mut serials: Vec<String> = Vec::new();
    for i in 0..1000 {
        serials.push(match i % 4 {
            0 => stolen.clone(),
            1 => genuine.clone(),
            2 => unknown.clone(),
            _ => "bad serial!".to_owned(),
        });
    }
    serials[2] = "NOPE0000000".into();
    let (status, answer, _) = post_json(
        &app,
        "/api/v1/stolen-checks",
        Some(&key),
        &json!({ "serials": serials }),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    let results = answer["results"].as_array().expect("results");
    assert_eq!(results.len(), 1000);
    let statuses: Vec<&str> = results
        .iter()
        .take(4)
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["reported_stolen", "not_reported", "unknown", "invalid"]
    );
    assert_eq!(results[2]["serial"], "NOPE0000000");
    assert_eq!(results[999]["status"], "invalid");
    assert_eq!(results[996]["status"], "reported_stolen");
    // A unit reported lost by its owner is told apart from a stolen one.
    let lost = app.sample("recalled").serial.clone();
    sqlx::query(
        "INSERT INTO theft_reports (unit_id, reporter_kind, kind, status, reported_at)
         SELECT id, 'owner', 'lost', 'active', '2026-11-01T09:00:00Z' FROM units WHERE serial_norm = $1",
    )
    .bind(&lost)
    .execute(app.db.writer())
    .await
    .expect("a lost report");
    let (status, answer, _) = post_json(
        &app,
        "/api/v1/stolen-checks",
        Some(&key),
        &json!({ "serials": [lost, stolen] }),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["results"][0]["status"], "reported_lost");
    assert_eq!(answer["results"][1]["status"], "reported_stolen");
    // Each distinct serial checked is in the lookup log as a partner lookup (written off the
    // request path), so checks feed the counterfeit signals.
    let mut logged = 0i64;
    for _ in 0..50 {
        logged = sqlx::query_scalar("SELECT COUNT(*) FROM lookup_log WHERE channel = 'partner' AND serial_norm = $1 AND result = 'found'")
            .bind(&stolen)
            .fetch_one(app.db.reader())
            .await
            .unwrap();
        if logged > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        logged, 1,
        "one log row for the serial's 250 checks in one request"
    );

    // Bad bodies: problem+json with a 4xx each.
    let (status, problem, headers) = post_json(
        &app,
        "/api/v1/stolen-checks",
        Some(&key),
        &json!({ "serials": [] }),
    )
    .await;
    assert_eq!(status, 400);
    is_problem(&headers, &problem, 400);
    let too_many: Vec<String> = (0..1001).map(|i| format!("S{i}")).collect();
    let (status, ..) = post_json(
        &app,
        "/api/v1/stolen-checks",
        Some(&key),
        &json!({ "serials": too_many }),
    )
    .await;
    assert_eq!(status, 400);
    let (status, problem, headers) = post_json(
        &app,
        "/api/v1/stolen-checks",
        Some(&key),
        &json!({ "serial": "X" }),
    )
    .await;
    assert_eq!(status, 422);
    is_problem(&headers, &problem, 422);
    let response = app
        .client
        .post(format!("{}/api/v1/stolen-checks", app.base))
        .bearer_auth(&key)
        .body("serials=X")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 415);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    // Over the API's 1 MB: 413, as a problem like every other refusal, told from the length
    // the request declares, before its body is sent. (Over a socket of its own: a client
    // still writing a refused body may see the connection closed before it reads the answer.)
    let answer = declared_too_long(&app, "/api/v1/stolen-checks", &key, 2 * 1024 * 1024).await;
    let (head, refusal) = answer.split_once("\r\n\r\n").expect("a head and a body");
    assert!(head.starts_with("HTTP/1.1 413"), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/problem+json"),
        "{head}"
    );
    let problem: Value = serde_json::from_str(refusal.trim()).expect("a problem");
    assert_eq!(problem["status"], 413, "{problem}");

    // The key works for the public endpoints too, and is metered there.
    let response = get_as(
        &app,
        &format!("/api/v1/lookup?serial={genuine}"),
        Some(&key),
    )
    .await;
    assert_eq!(response.status().as_u16(), 200);
    let response = get_as(&app, "/api/v1/recalls", Some(&key)).await;
    assert_eq!(response.status().as_u16(), 200);
    let recalls: Value = response.json().await.unwrap();
    let number = recalls["recalls"][0]["number"]
        .as_str()
        .expect("a recall")
        .to_owned();
    let response = get_as(&app, &format!("/api/v1/recalls/{number}"), None).await;
    assert_eq!(response.status().as_u16(), 200);
    let detail: Value = response.json().await.unwrap();
    assert_eq!(detail["summary"]["number"], number.as_str());
    let response = get_as(&app, "/api/v1/recalls/NO-SUCH-RECALL", None).await;
    assert_eq!(response.status().as_u16(), 404);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );

    // A stolen-check key cannot use staff endpoints: 403.
    let response = get_as(&app, "/api/v1/units.csv", Some(&key)).await;
    assert_eq!(response.status().as_u16(), 403);

    // Quotas: two a minute, then 429 with Retry-After.
    let (ok, out) = cli(
        &app.url,
        &[
            "create",
            "--name",
            "Tiny",
            "--scope",
            "stolen-check",
            "--per-minute",
            "2",
            "--per-day",
            "100",
        ],
    );
    assert!(ok, "{out}");
    let tiny = key_in(&out);
    let mut statuses = Vec::new();
    let mut retry = None;
    for _ in 0..3 {
        let (status, body, headers) = post_json(
            &app,
            "/api/v1/stolen-checks",
            Some(&tiny),
            &json!({ "serials": [genuine] }),
        )
        .await;
        if status == 429 {
            is_problem(&headers, &body, 429);
            retry = headers
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok());
        }
        statuses.push(status);
    }
    // A minute may turn over between requests; the third within one minute is refused.
    assert!(
        statuses == [200, 200, 429] || statuses[2] == 200,
        "{statuses:?}"
    );
    if statuses[2] == 429 {
        assert!(retry.is_some_and(|s| (1..=60).contains(&s)), "{retry:?}");
    }
    // A day's quota.
    let (ok, out) = cli(
        &app.url,
        &[
            "create",
            "--name",
            "Daily",
            "--scope",
            "stolen-check",
            "--per-minute",
            "100",
            "--per-day",
            "1",
        ],
    );
    assert!(ok, "{out}");
    let daily = key_in(&out);
    assert_eq!(
        get_as(&app, "/api/v1/recalls", Some(&daily))
            .await
            .status()
            .as_u16(),
        200
    );
    let response = get_as(&app, "/api/v1/recalls", Some(&daily)).await;
    assert_eq!(response.status().as_u16(), 429);
    assert!(response.headers().contains_key("retry-after"));
    assert!(response.text().await.unwrap().contains("a day"));

    // Revoked: 401 from the next request.
    let (ok, out) = cli(&app.url, &["revoke", "Corner Pawn"]);
    assert!(ok, "{out}");
    let (status, problem, _) = post_json(&app, "/api/v1/stolen-checks", Some(&key), &body).await;
    assert_eq!(status, 401);
    assert!(problem["detail"].as_str().unwrap().contains("revoked"));
    let (ok, out) = cli(&app.url, &["revoke", "Corner Pawn"]);
    assert!(!ok, "a second revoke names nothing live: {out}");
    let (ok, out) = cli(&app.url, &["list"]);
    assert!(
        ok && out.contains("Corner Pawn") && out.contains("revoked") && !out.contains(&key),
        "{out}"
    );
    let audited: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action IN ('api_key.create', 'api_key.revoke')",
    )
    .fetch_one(app.db.reader())
    .await
    .unwrap();
    assert_eq!(audited, 4);
}
both_engines!(pawn_shops_check_their_intake_with_keys_and_quotas);

async fn api_checks_of_a_stolen_unit_alert_its_owner(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let sample = app.sample("unregistered").clone();
    app.user("watched@partners.test", None, None, None).await;
    let owner = app.signed_in("watched@partners.test").await;
    let unit = app
        .registered(&owner, &sample.serial, sample.gtin.as_deref())
        .await;
    let response = app
        .post_form(
            &owner,
            &format!("/my/products/{unit}"),
            &[("action", "report"), ("report_kind", "stolen")],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let (ok, out) = cli(
        &app.url,
        &["create", "--name", "Pawn", "--scope", "stolen-check"],
    );
    assert!(ok, "{out}");
    let key = key_in(&out);
    for _ in 0..3 {
        let (status, answer, _) = post_json(
            &app,
            "/api/v1/stolen-checks",
            Some(&key),
            &json!({ "serials": [sample.serial] }),
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(answer["results"][0]["status"], "reported_stolen");
        assert!(!answer.to_string().contains("watched@"));
    }
    let mail = app.mail_to("watched@partners.test", "sighting").await;
    assert!(mail.contains(&sample.serial));
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    assert_eq!(
        mails_in(&app.outbox, "sighting", "watched@partners.test"),
        1
    );
}
both_engines!(api_checks_of_a_stolen_unit_alert_its_owner);

async fn staff_keys_move_units_and_remedies_for_their_manufacturer_only(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    // Keys from the admin screen: made (shown once) and listed without the key.
    app.user("keys@partners.test", Some(Role::Admin), None, None)
        .await;
    let admin = app.signed_in("keys@partners.test").await;
    let response = app
        .post_form(
            &admin,
            "/admin/api-keys",
            &[
                ("action", "create"),
                ("name", "Hallmark ERP"),
                ("scope", "staff"),
                ("manufacturer", "atlantis"),
                ("per_minute", "100"),
                ("per_day", "1000"),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 422);
    assert!(response.text().await.unwrap().contains("no manufacturer"));
    let response = app
        .post_form(
            &admin,
            "/admin/api-keys",
            &[
                ("action", "create"),
                ("name", "Hallmark ERP"),
                ("scope", "staff"),
                ("manufacturer", "hallmark"),
                ("per_minute", "100"),
                ("per_day", "1000"),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 200);
    let page = response.text().await.unwrap();
    let key = page
        .split("class=\"new-key\">")
        .nth(1)
        .and_then(|r| r.split('<').next())
        .expect("the new key on the page")
        .to_owned();
    let (_, list) = app.fetch(&admin, "/admin/api-keys").await;
    assert!(list.contains("Hallmark ERP") && !list.contains(&key));

    // Export: the manufacturer's units only.
    let response = get_as(&app, "/api/v1/units.csv?status=sold", Some(&key)).await;
    assert_eq!(response.status().as_u16(), 200);
    let csv = response.text().await.unwrap();
    assert!(
        csv.starts_with("manufacturer,model,serial"),
        "{}",
        &csv[..200.min(csv.len())]
    );
    assert!(
        csv.lines().skip(1).all(|l| l.starts_with("hallmark,")),
        "only Hallmark's units"
    );
    let response = get_as(&app, "/api/v1/units.csv?status=melted", Some(&key)).await;
    assert_eq!(response.status().as_u16(), 400);

    // Import: a good row and another manufacturer's row (rejected), then a dry run.
    let serial = format!("APIHC{}", std::process::id() % 100_000);
    let file = format!(
        "manufacturer,model,serial,lot,manufactured_on,sold_on,warranty_months\nhallmark,HC-CELL,{serial},,2026-01-02,,\nnordvik,NV-P8,353320110000028,,,,\n"
    );
    let response = app
        .client
        .post(format!("{}/api/v1/units/import", app.base))
        .bearer_auth(&key)
        .header("content-type", "text/csv")
        .body(file)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let summary: Value = response.json().await.unwrap();
    assert_eq!(
        (summary["created"].as_u64(), summary["rejected"].as_u64()),
        (Some(1), Some(1)),
        "{summary}"
    );
    let response = app
        .client
        .post(format!("{}/api/v1/units/import", app.base))
        .bearer_auth(&key)
        .body("nonsense")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let audited: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE actor_role LIKE 'api-key %'")
            .fetch_one(app.db.reader())
            .await
            .unwrap();
    assert!(audited >= 1, "changes by a key are audited as the key");

    // Remedies on one of Hallmark's recalls; another manufacturer's recall is "not found".
    let (number, member): (String, String) = sqlx::query_as(
        "SELECT r.number, u.serial_norm FROM recalls r JOIN manufacturers m ON m.id = r.manufacturer_id
         JOIN recall_units ru ON ru.recall_id = r.id JOIN units u ON u.id = ru.unit_id
         WHERE m.slug = 'hallmark' AND r.status = 'active' AND ru.remedy_status = 'open' ORDER BY u.id LIMIT 1",
    )
    .fetch_one(app.db.reader())
    .await
    .expect("an open Hallmark recall member");
    let (status, answer, _) = post_json(
        &app,
        &format!("/api/v1/recalls/{number}/remedies"),
        Some(&key),
        &json!({ "updates": [{ "serial": member, "status": "remedied" }, { "serial": "NOTAMEMBER1", "status": "remedied" }, { "serial": member, "status": "fixed" }] }),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["updated"], 1, "{answer}");
    assert_eq!(
        answer["problems"].as_array().map(Vec::len),
        Some(2),
        "{answer}"
    );
    let other: String = sqlx::query_scalar(
        "SELECT r.number FROM recalls r JOIN manufacturers m ON m.id = r.manufacturer_id WHERE m.slug <> 'hallmark' ORDER BY r.id LIMIT 1",
    )
    .fetch_one(app.db.reader())
    .await
    .unwrap();
    let (status, ..) = post_json(
        &app,
        &format!("/api/v1/recalls/{other}/remedies"),
        Some(&key),
        &json!({ "updates": [{ "serial": "X1", "status": "remedied" }] }),
    )
    .await;
    assert_eq!(status, 404);
    // A staff key is not a stolen-check key.
    let (status, ..) = post_json(
        &app,
        "/api/v1/stolen-checks",
        Some(&key),
        &json!({ "serials": ["X1"] }),
    )
    .await;
    assert_eq!(status, 403);
}
both_engines!(staff_keys_move_units_and_remedies_for_their_manufacturer_only);

async fn the_openapi_document_describes_the_api(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let response = app.get("/api/v1/openapi.json").await;
    assert_eq!(response.status().as_u16(), 200);
    let doc: Value = response.json().await.unwrap();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    for path in [
        "/api/v1/lookup",
        "/api/v1/stolen-checks",
        "/api/v1/recalls",
        "/api/v1/recalls/{number}",
        "/api/v1/units.csv",
        "/api/v1/units/import",
        "/api/v1/recalls/{number}/remedies",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} is documented");
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    assert!(doc["components"]["schemas"]["LookupAnswer"].is_object());
    let response = app.get("/api/docs").await;
    assert_eq!(response.status().as_u16(), 200);
    let page = response.text().await.unwrap();
    assert!(
        page.contains("POST /api/v1/stolen-checks") && page.contains("an API key is required"),
        "{page}"
    );
    let response = app.get("/api/v2/anything").await;
    assert_eq!(response.status().as_u16(), 404);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
}
both_engines!(the_openapi_document_describes_the_api);

/// POSTs only the head of a JSON request declaring a `length`-byte body: the raw answer.
async fn declared_too_long(app: &TestApp, path: &str, key: &str, length: usize) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = app.base.trim_start_matches("http://");
    let mut socket = tokio::net::TcpStream::connect(address)
        .await
        .expect("the server listens");
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {key}\r\n\
         Content-Type: application/json\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n"
    );
    socket
        .write_all(head.as_bytes())
        .await
        .expect("the head is sent");
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        socket.read_to_end(&mut answer),
    )
    .await;
    String::from_utf8_lossy(&answer).into_owned()
}
