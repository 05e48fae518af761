//! Headers every response carries, cross-site request rejection, and the audit chain.

use crate::both_engines;
use crate::common::{Engine, TestApp, fresh_db};
use serialtrace::account::Role;
use serialtrace::audit::{AuditEntry, ChainBreak};
use serialtrace::store::audit;

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
    let mut conn = db.writer().acquire().await.expect("conn");
    for action in ["grant", "revoke", "grant"] {
        audit::append(&mut conn, &entry(action))
            .await
            .expect("append");
    }
    assert_eq!(audit::verify(&db).await.expect("read"), Ok(3));

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
    let mut conn = db.writer().acquire().await.expect("conn");
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
    audit::append(&mut conn, &entry).await.expect("append");
    audit::append(&mut conn, &entry).await.expect("append");
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
