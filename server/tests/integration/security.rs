//! Headers every response carries, cross-site request rejection, and the audit chain.

use crate::both_engines;
use crate::common::{Engine, TestApp, fresh_db};
use serialtrace::account::Role;
use serialtrace::audit::{AuditEntry, ChainBreak};
use serialtrace::service::audit;
use serialtrace::testing::append_audit_entry;

async fn pages_and_api_carry_security_headers(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let page = app.get("/").await;
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert_eq!(page.headers()["x-content-type-options"], "nosniff");
    assert_eq!(page.headers()["x-frame-options"], "DENY");
    assert_eq!(
        page.headers()["referrer-policy"],
        "strict-origin-when-cross-origin"
    );
    let html = page.text().await.expect("html");
    let nonce = html
        .split("nonce=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the loader script carries a nonce");
    assert!(
        csp.contains(&format!("'nonce-{nonce}'")),
        "the page's policy allows its own loader: {csp}"
    );
    assert!(
        csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );

    let api = app.get("/api/v1/lookup?serial=X1").await;
    assert_eq!(
        api.headers()["content-security-policy"],
        serialtrace_server::security::API_CSP
    );
    assert_eq!(api.headers()["x-content-type-options"], "nosniff");
    assert_eq!(
        api.headers()["referrer-policy"],
        "strict-origin-when-cross-origin"
    );
    // Refusals and missing pages carry them too.
    let missing = app.get("/no-such-page").await;
    assert_eq!(missing.status().as_u16(), 404);
    assert_eq!(missing.headers()["x-frame-options"], "DENY");
    assert!(missing.headers().contains_key("content-security-policy"));
}
both_engines!(pages_and_api_carry_security_headers);

async fn cross_site_posts_are_rejected(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let post = |origin: Option<String>, fetch_site: Option<&'static str>| {
        let mut request = app
            .client
            .post(format!("{}/_fn/lookup", app.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("serial=X1");
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        if let Some(site) = fetch_site {
            request = request.header("sec-fetch-site", site);
        }
        request.send()
    };
    let foreign = post(Some("https://evil.example".into()), None)
        .await
        .expect("answer");
    assert_eq!(foreign.status().as_u16(), 403);
    assert_eq!(
        foreign.headers()["content-type"],
        "application/problem+json"
    );
    let cross = post(None, Some("cross-site")).await.expect("answer");
    assert_eq!(cross.status().as_u16(), 403);
    // A page on a name re-pointed at this machine (DNS rebinding) is "same-origin" to the
    // browser and matches its own Host, but it is not this site's origin.
    let port = app.base.rsplit(':').next().expect("a port").to_owned();
    let rebound = app
        .client
        .post(format!("{}/_fn/lookup", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", format!("http://rebound.example:{port}"))
        .header("host", format!("rebound.example:{port}"))
        .header("sec-fetch-site", "same-origin")
        .body("serial=X1")
        .send()
        .await
        .expect("answer");
    assert_eq!(rebound.status().as_u16(), 403, "a rebound name is refused");
    // The development server answers to loopback's other names.
    let localhost = post(Some(format!("http://localhost:{port}")), None)
        .await
        .expect("answer");
    assert_eq!(localhost.status().as_u16(), 200, "localhost is this site");
    let own_origin = app.base.clone();
    let own = app
        .client
        .post(format!("{}/_fn/lookup", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", own_origin)
        .header("sec-fetch-site", "same-origin")
        .body("serial=X1")
        .send()
        .await
        .expect("answer");
    assert_eq!(
        own.status().as_u16(),
        200,
        "the site's own server-function call works"
    );
}
both_engines!(cross_site_posts_are_rejected);

async fn the_audit_chain_detects_tampering(engine: Engine) {
    let (db, _) = fresh_db(engine).await;
    let entry = |action: &str| AuditEntry {
        at: "2026-11-21T10:00:00Z".into(),
        actor_user_id: None,
        actor_role: Some("admin".into()),
        action: action.into(),
        target_type: "user".into(),
        target_id: Some("42".into()),
        before_json: Some("{\"roles\":[]}".into()),
        after_json: Some("{\"roles\":[\"staff\"]}".into()),
        client_ip: Some("127.0.0.1".into()),
    };
    let mut tx = db.writer().begin().await.expect("a transaction");
    for action in ["grant", "revoke", "grant"] {
        append_audit_entry(&mut tx, &entry(action))
            .await
            .expect("append");
    }
    tx.commit().await.expect("commit");
    assert_eq!(audit::verify(&db).await.expect("read"), Ok(3));
    let mut conn = db.writer().acquire().await.expect("conn");

    sqlx::query("UPDATE audit_log SET after_json = '{\"roles\":[\"admin\"]}' WHERE id = 2")
        .execute(&mut *conn)
        .await
        .expect("tamper");
    assert_eq!(
        audit::verify(&db).await.expect("read"),
        Err(ChainBreak::Content { id: 2 })
    );
}
both_engines!(the_audit_chain_detects_tampering);

async fn audit_verify_on_the_command_line(engine: Engine) {
    let (db, url) = fresh_db(engine).await;
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_serialtrace"))
            .args(["--database-url", &url, "audit", "verify"])
            .env("SERIALTRACE_LOG", "error")
            .output()
            .expect("run serialtrace")
    };
    let entry = AuditEntry {
        at: "2026-11-21T10:00:00Z".into(),
        actor_user_id: None,
        actor_role: Some("staff".into()),
        action: "recall.publish".into(),
        target_type: "recall".into(),
        target_id: Some("R-1".into()),
        before_json: None,
        after_json: None,
        client_ip: None,
    };
    let mut tx = db.writer().begin().await.expect("a transaction");
    append_audit_entry(&mut tx, &entry).await.expect("append");
    append_audit_entry(&mut tx, &entry).await.expect("append");
    tx.commit().await.expect("commit");
    let mut conn = db.writer().acquire().await.expect("conn");
    let ok = run();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("2 entries"));

    sqlx::query("DELETE FROM audit_log WHERE id = 1")
        .execute(&mut *conn)
        .await
        .expect("tamper");
    let broken = run();
    assert!(!broken.status.success(), "a broken chain exits non-zero");
    assert!(
        String::from_utf8_lossy(&broken.stderr).contains("audit entry 2"),
        "{}",
        String::from_utf8_lossy(&broken.stderr)
    );
}
both_engines!(audit_verify_on_the_command_line);

/// Dozens of audited actions at once (police searches and role changes, each appending from
/// its own connection) leave one unbroken chain (security review, finding 6: on PostgreSQL
/// searches appended outside a transaction and forked it).
async fn concurrent_audited_actions_keep_one_chain(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    app.user(
        "officer@chain.test",
        Some(Role::Police),
        None,
        Some("Harbour Police"),
    )
    .await;
    let officer = app.signed_in("officer@chain.test").await;
    let before = match audit::verify(&app.db).await.expect("read") {
        Ok(entries) => entries,
        Err(broken) => panic!("the chain is broken before the test: {broken:?}"),
    };
    let searches = (0..40).map(|i| {
        let (officer, base) = (officer.clone(), app.base.clone());
        tokio::spawn(async move {
            officer
                .get(format!("{base}/police?serial=HC{i:06}"))
                .send()
                .await
                .expect("an answer")
                .status()
                .as_u16()
        })
    });
    for status in futures::future::join_all(searches).await {
        assert_eq!(status.expect("the search ran"), 200);
    }
    let after = audit::verify(&app.db).await.expect("read");
    assert!(
        matches!(after, Ok(n) if n >= before + 40),
        "{before} entries before, then {after:?}"
    );
}
both_engines!(concurrent_audited_actions_keep_one_chain);

async fn lookups_are_rate_limited_per_client(engine: Engine) {
    let limits = serialtrace_server::rate_limit::RateLimits {
        enabled: true,
        lookups_per_minute: 1,
        lookup_burst: 3,
    };
    let app = TestApp::spawn_with_limits(engine, limits).await;
    let serial = app.sample("active_warranty").serial.clone();
    for _ in 0..3 {
        assert_eq!(app.api_lookup(&serial).await.0, 200);
    }
    let limited = app
        .client
        .get(format!("{}/api/v1/lookup?serial={serial}", app.base))
        .send()
        .await
        .expect("answer");
    assert_eq!(limited.status().as_u16(), 429);
    assert!(
        limited.headers()["retry-after"]
            .to_str()
            .expect("ascii")
            .parse::<u64>()
            .is_ok_and(|s| s >= 1)
    );
    assert_eq!(
        limited.headers()["content-type"],
        "application/problem+json"
    );
    let page = app.get(&format!("/lookup?serial={serial}")).await;
    assert_eq!(page.status().as_u16(), 429);
    assert!(page.headers().contains_key("retry-after"));
    assert!(
        page.text()
            .await
            .expect("html")
            .contains("Too many lookups"),
        "a readable page"
    );
    // Other pages are not lookups and stay available.
    assert_eq!(app.get("/recalls").await.status().as_u16(), 200);
}
both_engines!(lookups_are_rate_limited_per_client);

async fn forwarded_clients_only_through_trusted_proxies(engine: Engine) {
    use serialtrace_server::client_ip::TrustedProxies;
    use serialtrace_server::rate_limit::RateLimits;
    let limits = RateLimits {
        enabled: true,
        lookups_per_minute: 1,
        lookup_burst: 1,
    };
    let lookup = |app: &TestApp, forwarded: &'static str| {
        app.client
            .get(format!("{}/api/v1/lookup?serial=X1", app.base))
            .header("x-forwarded-for", forwarded)
            .send()
    };
    let status = |r: reqwest::Result<reqwest::Response>| r.expect("answer").status().as_u16();
    // The test client is the proxy (127.0.0.1): two clients behind it have their own limits.
    let trusted = TrustedProxies::parse(Some("x-forwarded-for"), "127.0.0.1").expect("valid");
    let app = TestApp::spawn_with(engine, limits, trusted).await;
    assert_eq!(status(lookup(&app, "203.0.113.1").await), 200);
    assert_eq!(status(lookup(&app, "203.0.113.1").await), 429);
    assert_eq!(status(lookup(&app, "203.0.113.2").await), 200);

    // Without trust, the header is just text: everyone here is 127.0.0.1.
    let app = TestApp::spawn_with(engine, limits, TrustedProxies::default()).await;
    assert_eq!(status(lookup(&app, "203.0.113.1").await), 200);
    assert_eq!(status(lookup(&app, "203.0.113.2").await), 429);
}
both_engines!(forwarded_clients_only_through_trusted_proxies);

async fn oversized_bodies_are_refused(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let body = format!("serial={}", "A".repeat(200 * 1024));
    let response = app
        .client
        .post(format!("{}/_fn/lookup", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status().as_u16(), 413);
    // The service is unharmed. (Asked on a new connection: the server closes the one whose
    // body it refused, and a pooled client could try to reuse it while it closes.)
    let status = reqwest::Client::new()
        .get(format!("{}/api/v1/lookup", app.base))
        .query(&[("serial", &app.sample("active_warranty").serial)])
        .send()
        .await
        .expect("the server answers")
        .status();
    assert_eq!(status.as_u16(), 200);
}
both_engines!(oversized_bodies_are_refused);

/// Answers given before a body is read reach the client whole: signed out, a product not
/// one's own, a form of the wrong kind, a body over its route's limit. (Without the rest read
/// first, the connection closes under the client's bytes and it sees a reset, not the answer.)
async fn answers_before_the_body_is_read_still_arrive(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    app.user("bystander@example.org", None, None, None).await;
    let bystander = app.signed_in("bystander@example.org").await;
    let signed_out = app.browser();
    let big = format!("description={}", "x".repeat(6 * 1024 * 1024));
    let cases: [(&reqwest::Client, &str, u16); 4] = [
        // Signed out: told to sign in.
        (&signed_out, "/my/products/1/claim", 401),
        // Signed in, not the owner: not found.
        (&bystander, "/my/products/999999/claim", 404),
        // A form that is not a multipart upload: 400, from the upload route itself.
        (&bystander, "/my/register", 400),
        // Over the pages' 64 KB: 413.
        (&bystander, "/_fn/lookup", 413),
    ];
    for round in 0..5 {
        for (client, path, expected) in cases {
            let response = client
                .post(format!("{}{path}", app.base))
                .header("origin", &app.base)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(big.clone())
                .send()
                .await
                .unwrap_or_else(|e| panic!("round {round}, POST {path}: no answer: {e}"));
            assert_eq!(response.status().as_u16(), expected, "POST {path}");
        }
    }
}
both_engines!(answers_before_the_body_is_read_still_arrive);

async fn administrators_verify_the_chain_on_the_audit_screen(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    app.user("auditor@example.org", Some(Role::Admin), None, None)
        .await;
    let admin = app.signed_in("auditor@example.org").await;
    let (status, page) = app.fetch(&admin, "/admin/audit?verify=1").await;
    assert_eq!(status, 200);
    assert!(page.contains("data-chain=\"intact\""), "{page}");
    // Demo accounts (5), the demo owner's two registrations, claim and its review (4), this
    // admin, its sign-in: eleven entries.
    assert!(page.contains("The chain of 11 entries is intact"), "{page}");

    sqlx::query("UPDATE audit_log SET action = 'auth.sign_out' WHERE id = 6")
        .execute(app.db.writer())
        .await
        .expect("tamper");
    let (_, page) = app.fetch(&admin, "/admin/audit?verify=1").await;
    assert!(page.contains("data-chain=\"broken\""), "{page}");
    assert!(page.contains("audit entry 6 was changed"), "{page}");
}
both_engines!(administrators_verify_the_chain_on_the_audit_screen);

/// Server function arguments that cannot be read are the caller's mistake: 400 with the
/// reason, never a 500.
async fn unreadable_server_function_arguments_are_400(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    app.user("staff@args.test", Some(Role::Staff), Some("hallmark"), None)
        .await;
    let staff = app.signed_in("staff@args.test").await;
    for body in ["id=abc", "", "id=1&id=%ZZ"] {
        let response = staff
            .post(format!("{}/_fn/staff_product", app.base))
            .header("origin", &app.base)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("the server answers");
        assert_eq!(response.status().as_u16(), 400, "{body}");
        assert!(
            response.text().await.unwrap().contains("arguments"),
            "{body}"
        );
    }
}
both_engines!(unreadable_server_function_arguments_are_400);

/// Every route of the table, spelled another way (a trailing or doubled `/`, a
/// percent-encoded letter; `.` segments are in the unit tests, as HTTP clients resolve them
/// before sending), is redirected to its one spelling, so no rule written for a path can be
/// walked around; and every route that answers a lookup is limited (security review,
/// finding 3: `/lookup/` rendered answers without a limit).
async fn other_spellings_of_every_route_redirect_and_lookups_are_limited(engine: Engine) {
    use serialtrace_server::rate_limit::{LOOKUP_ROUTES, RateLimits};
    let limits = RateLimits {
        enabled: true,
        lookups_per_minute: 1,
        lookup_burst: 2,
    };
    let app = TestApp::spawn_with_limits(engine, limits).await;
    let endpoints = serialtrace_server::startup::endpoints();
    for (method, route) in LOOKUP_ROUTES {
        assert!(
            endpoints.iter().any(|(m, p)| m == method && p == route),
            "{method} {route} is in the route table: {endpoints:?}"
        );
    }
    let concrete = |pattern: &str| -> String {
        pattern
            .split('/')
            .map(|segment| match segment.chars().next() {
                Some('{') if segment.starts_with("{*") => "09506000134352/21/X1",
                Some('{' | ':') => "1",
                _ => segment,
            })
            .collect::<Vec<_>>()
            .join("/")
    };
    let send_form = |method: &str, path: &str, form: String| {
        let url = format!("{}{path}", app.base);
        match method {
            "GET" => app.client.get(url),
            _ => app
                .client
                .post(url)
                .header("origin", &app.base)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(form),
        }
        .send()
    };
    let send = |method: &str, path: &str| send_form(method, path, "serial=X1".into());
    let mut wrong = Vec::new();
    for (method, pattern) in &endpoints {
        let path = concrete(pattern);
        if path == "/" {
            continue;
        }
        let first = path.as_bytes()[1];
        let spellings = [
            format!("{path}/"),
            format!("/{path}"),
            format!("{path}//"),
            format!("/%{first:02X}{}", &path[2..]),
        ];
        for spelling in spellings {
            let response = send(method, &spelling).await.expect("an answer");
            let location = response
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            if response.status().as_u16() != 308 || location != path {
                wrong.push(format!(
                    "{method} {spelling}: {} to '{location}', not 308 to {path}",
                    response.status()
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));

    // Two lookups use the allowance; then every lookup route answers 429, and its other
    // spellings only redirect (no answer).
    let serial = app.sample("active_warranty").serial.clone();
    for _ in 0..2 {
        assert_eq!(app.api_lookup(&serial).await.0, 200);
    }
    for (method, route) in LOOKUP_ROUTES {
        let path = format!("{}?serial={serial}", concrete(route));
        let response = send(method, &path).await.expect("an answer");
        assert_eq!(response.status().as_u16(), 429, "{method} {path}");
        let response = send(method, &format!("{}/?serial={serial}", concrete(route)))
            .await
            .expect("an answer");
        assert_eq!(response.status().as_u16(), 308, "{method} {route}/");
    }

    // The list is complete: with the allowance used up, no other route of the table, asked
    // for the serial (in the query, and in a form body), shows an answer for it.
    let mut answering = Vec::new();
    for (method, pattern) in &endpoints {
        if LOOKUP_ROUTES
            .iter()
            .any(|(m, r)| m == method && r == pattern)
        {
            continue;
        }
        let asked = format!("serial={serial}&q={serial}");
        let path = format!("{}?{asked}", concrete(pattern));
        let body = send_form(method, &path, asked)
            .await
            .expect("an answer")
            .text()
            .await
            .unwrap_or_default();
        let answer = body.contains("data-result=") || body.contains("\"matches\"");
        if answer
            && body.contains(&format!("data-serial=\"{serial}\""))
                | body.contains(&format!("\"serial\":\"{serial}\""))
        {
            answering.push(format!("{method} {pattern}"));
        }
    }
    assert!(
        answering.is_empty(),
        "routes answering a lookup outside the rate limit's list: {answering:?}"
    );
}
both_engines!(other_spellings_of_every_route_redirect_and_lookups_are_limited);

/// A public https site will not start with the demo's published passwords or without rate
/// limits unless told so explicitly; refused, it exits non-zero and loads nothing
/// (security review, finding 15).
async fn unsafe_switches_are_refused_on_a_public_https_site(engine: Engine) {
    use std::io::BufRead as _;
    let (db, url) = fresh_db(engine).await;
    let serve = |extra: &[&str]| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_serialtrace"));
        command
            .args(["--database-url", &url, "serve", "--addr", "127.0.0.1:0"])
            .args(["--public-origin", "https://serialtrace.example"])
            .args(extra)
            .env("SERIALTRACE_LOG", "error")
            .env_remove("SERIALTRACE_RATE_LIMITS")
            .env_remove("SERIALTRACE_DEMO_ON_EMPTY")
            .env_remove("SERIALTRACE_ALLOW_UNSAFE");
        command
    };
    for (switch, named) in [
        (&["--demo-on-empty"][..], "--demo-on-empty"),
        (&["--rate-limits", "off"][..], "--rate-limits off"),
    ] {
        let refused = serve(switch).output().expect("run serialtrace");
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert!(!refused.status.success(), "{named} refused: {stderr}");
        assert!(
            stderr.contains("refusing to serve the public site https://serialtrace.example")
                && stderr.contains(named)
                && stderr.contains("--allow-unsafe"),
            "{stderr}"
        );
    }
    assert_eq!(
        serialtrace::service::catalogue::manufacturer_count(&db)
            .await
            .expect("count"),
        0,
        "nothing was loaded"
    );
    // Told so explicitly, it serves.
    let mut child = serve(&["--rate-limits", "off", "--allow-unsafe"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("start serialtrace");
    let stdout = child.stdout.take().expect("stdout");
    let serving = std::io::BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .any(|line| line.contains("serialtrace is serving"));
    let _ = child.kill();
    let _ = child.wait();
    assert!(serving, "started with --allow-unsafe");
}
both_engines!(unsafe_switches_are_refused_on_a_public_https_site);
