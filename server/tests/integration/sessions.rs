//! Sign-up, sign-in, sessions, sign-out, password change and reset, over HTTP as a browser
//! without JavaScript does it (forms, cookies, redirects), on both engines.

use crate::both_engines;
use crate::common::{Engine, PASSWORD, TestApp};
use serialtrace::account::Role;
use serialtrace::service::sessions;

/// The session cookie's value from a response's Set-Cookie, if it sets one.
fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("serialtrace-session=") || v.starts_with("__Host-serialtrace="))
        .map(str::to_owned)
}

fn cookie_value(set_cookie: &str) -> String {
    set_cookie
        .split(';')
        .next()
        .and_then(|pair| pair.split_once('='))
        .map(|(_, v)| v.to_owned())
        .unwrap_or_default()
}

fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// The problem shown under a field in a rendered form.
fn field_problem(html: &str, field: &str) -> String {
    let marker = format!("id=\"f-{field}-problem\"");
    html.find(&marker)
        .and_then(|at| {
            let rest = &html[at..];
            let start = rest.find('>')? + 1;
            let end = rest.find("</p>")?;
            Some(rest[start..end].to_owned())
        })
        .unwrap_or_default()
}

async fn audit_actions(app: &TestApp) -> Vec<String> {
    sqlx::query_scalar("SELECT action FROM audit_log ORDER BY id")
        .fetch_all(app.db.reader())
        .await
        .expect("the audit log")
}

async fn sign_up_validates_each_field_then_signs_in(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let browser = app.browser();
    let (status, page) = app.fetch(&browser, "/signup").await;
    assert_eq!(status, 200);
    assert!(page.contains("Create an account") && page.contains("name=\"email\""));

    // Each problem is next to its field; the e-mail typed is kept, passwords never are.
    let response = app
        .post_form(
            &browser,
            "/signup",
            &[
                ("email", "ada@"),
                ("password", "short"),
                ("confirm", "other"),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 422);
    assert!(
        session_cookie(&response).is_none(),
        "no session for a failed sign-up"
    );
    let page = response.text().await.expect("a page");
    assert!(
        field_problem(&page, "email").contains("not an e-mail address"),
        "{page}"
    );
    assert!(field_problem(&page, "password").contains("12 to 128"));
    assert!(field_problem(&page, "confirm").contains("not the same"));
    assert!(page.contains("value=\"ada@\""));
    assert!(!page.contains("value=\"short\""), "a password was echoed");

    // A common password is refused with its reason.
    let response = app
        .post_form(
            &browser,
            "/signup",
            &[
                ("email", "ada@example.org"),
                ("password", "password1234"),
                ("confirm", "password1234"),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 422);
    let page = response.text().await.expect("a page");
    assert!(
        field_problem(&page, "password").contains("most common"),
        "{page}"
    );

    // A good sign-up: the address normalised; the account waits for its address to be
    // confirmed by the mailed link.
    let response = app
        .post_form(
            &browser,
            "/signup",
            &[
                ("email", "  Ada@Example.ORG "),
                ("password", PASSWORD),
                ("confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(location(&response), "/signup?done=check-email");
    assert!(session_cookie(&response).is_none());
    let (_, page) = app.fetch(&browser, "/signup?done=check-email").await;
    assert!(page.contains("Check your e-mail"));
    let first_mail = app.mail_to("ada@example.org", "verify_email").await;
    assert!(first_mail.contains("Subject: Confirm your serialtrace account"));

    // Signing in before confirming: refused, and a fresh link is sent (the first one dies).
    let response = app.sign_in(&browser, "ada@example.org", PASSWORD).await;
    assert_eq!(response.status().as_u16(), 403);
    assert!(session_cookie(&response).is_none());
    assert!(
        response
            .text()
            .await
            .expect("a page")
            .contains("Confirm your e-mail address first")
    );
    let mut mail = first_mail.clone();
    for _ in 0..50 {
        mail = app.mail_to("ada@example.org", "verify_email").await;
        if mail != first_mail {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_ne!(mail, first_mail, "a new confirmation link");
    let refused: Option<String> = sqlx::query_scalar(
        "SELECT after_json FROM audit_log WHERE action = 'auth.sign_in_failed' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(app.db.reader())
    .await
    .expect("the refusal is audited");
    assert!(
        refused
            .as_deref()
            .is_some_and(|after| after.contains("address not confirmed")),
        "{refused:?}"
    );
    let (status, _) = app
        .fetch(&browser, &link_in(&first_mail, "/verify-email"))
        .await;
    assert_eq!(status, 400, "the first link was replaced");

    // The link's page asks for one click; the click confirms the address and signs nobody
    // in (a link mailed to another account must not sign this browser into it): signing in
    // still asks for the password, and then the welcome.
    let link = link_in(&mail, "/verify-email");
    let (status, page) = app.fetch(&browser, &link).await;
    assert_eq!(status, 200);
    assert!(page.contains("Confirm my address"));
    let token = link.split("token=").nth(1).expect("a token").to_owned();
    let response = app
        .post_form(&browser, "/verify-email", &[("token", &token)])
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let next = location(&response);
    assert_eq!(
        next,
        "/signin?done=confirmed&next=%2Faccount%3Fdone%3Dwelcome"
    );
    assert!(
        session_cookie(&response).is_none(),
        "confirming starts no session"
    );
    let (status, _) = app.fetch(&browser, "/account").await;
    assert_eq!(status, 302, "not signed in by the link: sent to sign in");
    let (status, page) = app.fetch(&browser, &next).await;
    assert_eq!(status, 200);
    assert!(page.contains("Your address is confirmed"), "{page}");
    let response = app.sign_in(&browser, "ada@example.org", PASSWORD).await;
    assert_eq!(response.status().as_u16(), 303);
    let cookie = session_cookie(&response).expect("a session cookie");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    let (status, page) = app.fetch(&browser, "/account?done=welcome").await;
    assert_eq!(status, 200);
    assert!(page.contains("ada@example.org") && page.contains("Owner"));
    assert!(page.contains("your account is ready"));
    let response = app
        .post_form(&app.browser(), "/verify-email", &[("token", &token)])
        .await;
    assert_eq!(response.status().as_u16(), 400, "a link works once");

    // The same address again gets the same answer; the owner gets a note, and the account
    // and its password are untouched.
    let other = app.browser();
    let response = app
        .post_form(
            &other,
            "/signup",
            &[
                ("email", "ada@example.org"),
                ("password", "another long passphrase"),
                ("confirm", "another long passphrase"),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(location(&response), "/signup?done=check-email");
    let note = app.mail_to("ada@example.org", "account_exists").await;
    assert!(note.contains("/forgot-password"), "{note}");
    let response = app.sign_in(&other, "ada@example.org", PASSWORD).await;
    assert_eq!(response.status().as_u16(), 303);
    let actions = audit_actions(&app).await;
    assert!(actions.contains(&"user.create".to_owned()));
    assert!(actions.contains(&"user.email_verified".to_owned()));
}
both_engines!(sign_up_validates_each_field_then_signs_in);

async fn bad_credentials_get_one_message(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    app.user("bea@example.org", None, None, None).await;
    let browser = app.browser();
    let mut messages = Vec::new();
    for (email, password) in [
        ("bea@example.org", "not the right password"),
        ("nobody@example.org", PASSWORD),
        ("not an address", PASSWORD),
    ] {
        let response = app.sign_in(&browser, email, password).await;
        assert_eq!(response.status().as_u16(), 401, "{email}");
        assert!(session_cookie(&response).is_none());
        let page = response.text().await.expect("a page");
        let start = page.find("class=\"form-problem\"").expect("a form problem");
        let message = &page[start
            ..page[start..]
                .find("</p>")
                .map(|e| start + e)
                .unwrap_or(start)];
        messages.push(message.to_owned());
    }
    assert!(messages[0].contains("The e-mail address or password is not right."));
    assert!(messages.iter().all(|m| *m == messages[0]), "{messages:?}");

    // Empty fields are a form problem, not a sign-in attempt.
    let response = app.sign_in(&browser, "", "").await;
    assert_eq!(response.status().as_u16(), 422);
    let page = response.text().await.expect("a page");
    assert!(field_problem(&page, "email").contains("Enter your e-mail"));
    assert!(field_problem(&page, "password").contains("Enter your password"));

    let actions = audit_actions(&app).await;
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "auth.sign_in_failed")
            .count(),
        3,
        "{actions:?}"
    );
    let response = app.sign_in(&browser, "bea@example.org", PASSWORD).await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(location(&response), "/account");
    assert!(
        audit_actions(&app)
            .await
            .contains(&"auth.sign_in".to_owned())
    );
    // Each entry says where the attempt came from.
    let addresses: Vec<Option<String>> = sqlx::query_scalar(
        "SELECT client_ip FROM audit_log WHERE action IN ('auth.sign_in', 'auth.sign_in_failed') ORDER BY id",
    )
    .fetch_all(app.db.reader())
    .await
    .expect("the audit log");
    assert_eq!(addresses.len(), 4);
    assert!(
        addresses
            .iter()
            .all(|ip| ip.as_deref() == Some("127.0.0.1")),
        "{addresses:?}"
    );
}
both_engines!(bad_credentials_get_one_message);

async fn sign_in_cycles_the_session_id_and_returns_to_next(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    app.user("cy@example.org", None, None, None).await;

    // A session id planted before sign-in (fixation) is not the one signed in.
    let planted = "AAAAAAAAAAAAAAAAAAAAAA";
    let response = app
        .client
        .post(format!("{}/signin", app.base))
        .header("cookie", format!("serialtrace-session={planted}"))
        .form(&[
            ("email", "cy@example.org"),
            ("password", PASSWORD),
            ("next", "/account"),
        ])
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status().as_u16(), 303);
    let first = cookie_value(&session_cookie(&response).expect("a cookie"));
    assert_ne!(first, planted);

    // Signing in again from that session gives it a new id; the old one is dead.
    let response = app
        .client
        .post(format!("{}/signin", app.base))
        .header("cookie", format!("serialtrace-session={first}"))
        .form(&[
            ("email", "cy@example.org"),
            ("password", PASSWORD),
            ("next", ""),
        ])
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status().as_u16(), 303);
    let second = cookie_value(&session_cookie(&response).expect("a cookie"));
    assert_ne!(first, second);
    let old = app
        .client
        .get(format!("{}/account", app.base))
        .header("cookie", format!("serialtrace-session={first}"))
        .header("accept", "text/html")
        .send()
        .await
        .expect("answer");
    assert_eq!(old.status().as_u16(), 302);
    assert_eq!(location(&old), "/signin?next=/account");

    // An anonymous visit to a private page comes back there after signing in.
    let browser = app.browser();
    let response = browser
        .get(format!("{}/account", app.base))
        .header("accept", "text/html")
        .send()
        .await
        .expect("answer");
    assert_eq!(location(&response), "/signin?next=/account");
    let (_, page) = app.fetch(&browser, "/signin?next=/account").await;
    assert!(page.contains("name=\"next\" value=\"/account\""), "{page}");
    let response = app
        .post_form(
            &browser,
            "/signin",
            &[
                ("email", "cy@example.org"),
                ("password", PASSWORD),
                ("next", "/account"),
            ],
        )
        .await;
    assert_eq!(location(&response), "/account");
    // Never to another site.
    let response = app
        .post_form(
            &app.browser(),
            "/signin",
            &[
                ("email", "cy@example.org"),
                ("password", PASSWORD),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(location(&response), "/account");
}
both_engines!(sign_in_cycles_the_session_id_and_returns_to_next);

async fn sign_out_ends_every_session(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let user = app.user("out@example.org", None, None, None).await;
    let laptop = app.signed_in("out@example.org").await;
    let phone = app.signed_in("out@example.org").await;
    assert_eq!(app.fetch(&phone, "/account").await.0, 200);
    let count = sessions::count_for_user(&app.db, user, &serialtrace::store::now_text())
        .await
        .expect("count");
    assert_eq!(count, 2);

    let response = app.post_form(&laptop, "/signout", &[]).await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(location(&response), "/signin?done=signed-out");
    let (_, page) = app.fetch(&laptop, "/signin?done=signed-out").await;
    assert!(page.contains("You have signed out"));
    assert_eq!(app.fetch(&laptop, "/account").await.0, 302);
    assert_eq!(app.fetch(&phone, "/account").await.0, 302);
    let count = sessions::count_for_user(&app.db, user, &serialtrace::store::now_text())
        .await
        .expect("count");
    assert_eq!(count, 0);
    assert!(
        audit_actions(&app)
            .await
            .contains(&"auth.sign_out".to_owned())
    );
}
both_engines!(sign_out_ends_every_session);

async fn password_change_keeps_this_device_and_ends_the_others(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    app.user("pw@example.org", None, None, None).await;
    let laptop = app.signed_in("pw@example.org").await;
    let phone = app.signed_in("pw@example.org").await;
    let new = "a different long passphrase";

    let response = app
        .post_form(
            &laptop,
            "/account/password",
            &[
                ("current", "wrong wrong wrong"),
                ("password", new),
                ("confirm", new),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 401);
    let page = response.text().await.expect("a page");
    assert!(
        field_problem(&page, "current").contains("current password is not right"),
        "{page}"
    );

    let response = app
        .post_form(
            &laptop,
            "/account/password",
            &[("current", PASSWORD), ("password", new), ("confirm", new)],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(location(&response), "/account?done=password");
    assert_eq!(app.fetch(&laptop, "/account").await.0, 200);
    assert_eq!(app.fetch(&phone, "/account").await.0, 302);
    assert_eq!(
        app.sign_in(&app.browser(), "pw@example.org", PASSWORD)
            .await
            .status()
            .as_u16(),
        401
    );
    assert_eq!(
        app.sign_in(&app.browser(), "pw@example.org", new)
            .await
            .status()
            .as_u16(),
        303
    );
    // Anonymous: no password to change.
    let response = app
        .post_form(&app.browser(), "/account/password", &[("current", new)])
        .await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(location(&response), "/signin");
}
both_engines!(password_change_keeps_this_device_and_ends_the_others);

/// The link to `path` in an e-mail (path and query).
fn link_in(mail: &str, path: &str) -> String {
    let start = mail.find(&format!("{path}?token=")).expect("a link");
    mail[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || "/-?=_".contains(*c))
        .collect()
}

async fn password_reset_by_single_use_link(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let user = app.user("rs@example.org", None, None, None).await;
    let old_session = app.signed_in("rs@example.org").await;
    let browser = app.browser();

    // Known and unknown addresses get the same answer.
    for email in ["rs@example.org", "ghost@example.org"] {
        let response = app
            .post_form(&browser, "/forgot-password", &[("email", email)])
            .await;
        assert_eq!(response.status().as_u16(), 303);
        assert_eq!(location(&response), "/forgot-password?done=sent");
    }
    let response = app
        .post_form(&browser, "/forgot-password", &[("email", "nope")])
        .await;
    assert_eq!(response.status().as_u16(), 422);

    let mail = app.mail_to("rs@example.org", "password_reset").await;
    assert!(
        mail.contains("Subject: Reset your serialtrace password"),
        "{mail}"
    );
    let link = link_in(&mail, "/reset-password");
    let (status, page) = app.fetch(&browser, &link).await;
    assert_eq!(status, 200);
    assert!(page.contains("Choose a new password") && page.contains("name=\"token\""));
    let token = link.split("token=").nth(1).expect("a token").to_owned();

    // Policy first: a short password is refused and the link still works.
    let response = app
        .post_form(
            &browser,
            "/reset-password",
            &[
                ("token", &token),
                ("password", "short"),
                ("confirm", "short"),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 422);
    let new = "reset to a new passphrase";
    let response = app
        .post_form(
            &browser,
            "/reset-password",
            &[("token", &token), ("password", new), ("confirm", new)],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(location(&response), "/signin?done=reset");
    assert_eq!(
        app.fetch(&old_session, "/account").await.0,
        302,
        "sessions end"
    );
    assert_eq!(
        app.sign_in(&app.browser(), "rs@example.org", new)
            .await
            .status()
            .as_u16(),
        303
    );

    // Used once: never again.
    let (status, page) = app.fetch(&browser, &link).await;
    assert_eq!(status, 400);
    assert!(page.contains("expired or has already been used"));
    let response = app
        .post_form(
            &browser,
            "/reset-password",
            &[
                ("token", &token),
                ("password", "yet another passphrase"),
                ("confirm", "yet another passphrase"),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 400);
    assert_eq!(
        app.sign_in(&app.browser(), "rs@example.org", new)
            .await
            .status()
            .as_u16(),
        303
    );

    // An expired link is refused too.
    let expired = "00ff".repeat(16);
    let mut conn = app.db.writer().acquire().await.expect("a connection");
    serialtrace::testing::insert_token(
        &mut conn,
        user,
        serialtrace::testing::TokenPurpose::Reset,
        &sessions::id_hash(&expired),
        "2026-01-01T00:00:00Z",
        "2026-01-01T01:00:00Z",
    )
    .await
    .expect("insert a reset");
    drop(conn);
    let (status, _) = app
        .fetch(&browser, &format!("/reset-password?token={expired}"))
        .await;
    assert_eq!(status, 400);
    let response = app
        .post_form(
            &browser,
            "/reset-password",
            &[
                ("token", &expired),
                ("password", "yet another passphrase"),
                ("confirm", "yet another passphrase"),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 400);
    let actions = audit_actions(&app).await;
    assert!(actions.contains(&"auth.password_reset_requested".to_owned()));
    assert!(actions.contains(&"auth.password_reset".to_owned()));
}
both_engines!(password_reset_by_single_use_link);

/// Rewrites a user's stored sessions with `edit` (to age them without waiting hours).
async fn age_sessions(
    app: &TestApp,
    user: i64,
    edit: impl Fn(&mut serde_json::Value, &mut String),
) {
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT id_hash, data, expires_at FROM sessions WHERE user_id = $1")
            .bind(user)
            .fetch_all(app.db.reader())
            .await
            .expect("sessions");
    for (id_hash, data, mut expires) in rows {
        let mut data: serde_json::Value = serde_json::from_str(&data).expect("JSON");
        edit(&mut data, &mut expires);
        sqlx::query("UPDATE sessions SET data = $1, expires_at = $2 WHERE id_hash = $3")
            .bind(data.to_string())
            .bind(&expires)
            .bind(&id_hash)
            .execute(app.db.writer())
            .await
            .expect("update");
    }
}

async fn sessions_expire_when_idle_and_after_twelve_hours(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let user = app.user("ex@example.org", None, None, None).await;

    // Idle: the stored expiry (30 minutes after the last activity) has passed.
    let idle = app.signed_in("ex@example.org").await;
    assert_eq!(app.fetch(&idle, "/account").await.0, 200);
    age_sessions(&app, user, |_, expires| {
        *expires = "2026-01-01T00:00:00Z".into()
    })
    .await;
    assert_eq!(app.fetch(&idle, "/account").await.0, 302);
    // The background cleanup deletes expired sessions: a server starting on this database
    // runs it at once (then every minute).
    let stored = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM sessions WHERE user_id = $1")
            .bind(user)
            .fetch_one(app.db.reader())
            .await
            .expect("sessions")
    };
    assert_eq!(stored().await, 1, "the expired session is still stored");
    app.another_instance().await;
    let mut left = 1;
    for _ in 0..50 {
        left = stored().await;
        if left == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(left, 0, "the cleanup task deleted the expired session");

    // Absolute: signed in 13 hours ago, however active since.
    let busy = app.signed_in("ex@example.org").await;
    assert_eq!(app.fetch(&busy, "/account").await.0, 200);
    let thirteen_hours_ago = time::OffsetDateTime::now_utc().unix_timestamp() - 13 * 3600;
    age_sessions(&app, user, |data, _| {
        data["since"] = serde_json::json!(thirteen_hours_ago);
    })
    .await;
    assert_eq!(app.fetch(&busy, "/account").await.0, 302);
    let left = sessions::count_for_user(&app.db, user, &serialtrace::store::now_text())
        .await
        .expect("count");
    assert_eq!(left, 0, "the expired session is deleted when seen");
}
both_engines!(sessions_expire_when_idle_and_after_twelve_hours);

async fn role_change_cycles_the_session_and_is_audited(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let target = app.user("rc@example.org", None, None, None).await;
    app.user("boss@example.org", Some(Role::Admin), None, None)
        .await;
    let admin = app.signed_in("boss@example.org").await;
    let user = app.browser();
    let response = app.sign_in(&user, "rc@example.org", PASSWORD).await;
    let before = cookie_value(&session_cookie(&response).expect("a cookie"));
    assert_eq!(app.fetch(&user, "/admin/users").await.0, 403);

    let target_id = target.to_string();
    let response = app
        .post_form(
            &admin,
            "/admin/users",
            &[
                ("action", "grant"),
                ("user_id", &target_id),
                ("role", "admin"),
                ("manufacturer", ""),
                ("agency", ""),
            ],
        )
        .await;
    assert_eq!(
        response.status().as_u16(),
        303,
        "{}",
        response.text().await.unwrap_or_default()
    );

    // The next request carries a new session id, and the new role.
    let response = user
        .get(format!("{}/admin/users", app.base))
        .header("accept", "text/html")
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status().as_u16(), 200);
    let after = cookie_value(&session_cookie(&response).expect("a new cookie"));
    assert_ne!(before, after);

    // Staff need a manufacturer, police an agency: said next to that user's form.
    for (role, needs) in [
        ("staff", "Staff belong to a manufacturer"),
        ("police", "Police accounts name their agency"),
    ] {
        let response = app
            .post_form(
                &admin,
                "/admin/users",
                &[
                    ("action", "grant"),
                    ("user_id", &target_id),
                    ("role", role),
                    ("manufacturer", ""),
                    ("agency", ""),
                ],
            )
            .await;
        assert_eq!(response.status().as_u16(), 422);
        let page = response.text().await.expect("a page");
        assert!(page.contains(needs), "{page}");
    }
    let response = app
        .post_form(
            &admin,
            "/admin/users",
            &[
                ("action", "grant"),
                ("user_id", &target_id),
                ("role", "staff"),
                ("manufacturer", "nordvik"),
                ("agency", ""),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let response = app
        .post_form(
            &admin,
            "/admin/users",
            &[
                ("action", "revoke"),
                ("user_id", &target_id),
                ("role", "admin"),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(app.fetch(&user, "/admin/users").await.0, 403);
    let (_, page) = app.fetch(&user, "/account").await;
    assert!(
        page.contains("Manufacturer staff for Nordvik Mobile"),
        "{page}"
    );

    // Nothing to remove, and never the last administrator.
    let response = app
        .post_form(
            &admin,
            "/admin/users",
            &[
                ("action", "revoke"),
                ("user_id", &target_id),
                ("role", "police"),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap_or_default()
            .contains("does not hold that role")
    );
    let ids: Vec<(String, i64)> = sqlx::query_as(
        "SELECT email, id FROM users WHERE email IN ('boss@example.org', 'admin@demo.serialtrace.test')",
    )
    .fetch_all(app.db.reader())
    .await
    .expect("the admins");
    let id_of = |email: &str| {
        ids.iter()
            .find(|(e, _)| e == email)
            .map(|(_, id)| id.to_string())
            .expect("an admin")
    };
    let boss = id_of("boss@example.org");
    let demo_admin = id_of("admin@demo.serialtrace.test");
    let response = app
        .post_form(
            &admin,
            "/admin/users",
            &[("action", "revoke"), ("user_id", &boss), ("role", "admin")],
        )
        .await;
    assert_eq!(response.status().as_u16(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap_or_default()
            .contains("your own administrator role")
    );
    let response = app
        .post_form(
            &admin,
            "/admin/users",
            &[
                ("action", "revoke"),
                ("user_id", &demo_admin),
                ("role", "admin"),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let admins: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM user_roles WHERE role = 'admin'")
        .fetch_one(app.db.reader())
        .await
        .expect("count");
    assert_eq!(admins, 1, "the one left is the one acting");

    let grants: Vec<(String, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT action, before_json, after_json FROM audit_log WHERE action LIKE 'user.role%' ORDER BY id",
    )
    .fetch_all(app.db.reader())
    .await
    .expect("audit");
    let actions: Vec<&str> = grants.iter().map(|g| g.0.as_str()).collect();
    assert_eq!(
        actions,
        [
            "user.role_grant",
            "user.role_grant",
            "user.role_revoke",
            "user.role_revoke"
        ]
    );
    assert!(grants[0].1.as_deref().is_some_and(|b| !b.contains("admin")));
    assert!(grants[0].2.as_deref().is_some_and(|a| a.contains("admin")));
    let (status, page) = app.fetch(&admin, "/admin/audit?action=user.role").await;
    assert_eq!(status, 200);
    assert_eq!(
        page.matches("data-action=\"user.role_").count(),
        4,
        "{page}"
    );
}
both_engines!(role_change_cycles_the_session_and_is_audited);

async fn sign_in_attempts_are_limited_per_account_and_per_address(engine: Engine) {
    let app = TestApp::spawn_configured(engine, |config| {
        config.auth_limits.enabled = true;
        config.auth_limits.per_account_per_minute = 3;
        config.auth_limits.per_ip_per_minute = 10;
    })
    .await;
    app.user("lock@example.org", None, None, None).await;
    let browser = app.browser();
    // Signing in successfully does not count against the account.
    for _ in 0..4 {
        let response = app
            .sign_in(&app.browser(), "lock@example.org", PASSWORD)
            .await;
        assert_eq!(response.status().as_u16(), 303);
    }
    for _ in 0..3 {
        let response = app
            .sign_in(&browser, "lock@example.org", "guess guess guess")
            .await;
        assert_eq!(response.status().as_u16(), 401);
    }
    // The failure over the account's limit is answered 429, and so is every attempt while
    // it lasts, even with the right password.
    let response = app
        .sign_in(&browser, "lock@example.org", "guess guess guess")
        .await;
    assert_eq!(response.status().as_u16(), 429);
    let response = app.sign_in(&browser, "lock@example.org", PASSWORD).await;
    assert_eq!(response.status().as_u16(), 429);
    let retry: u64 = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After in seconds");
    assert!((1..=60).contains(&retry), "{retry}");
    assert!(session_cookie(&response).is_none());
    let page = response.text().await.expect("a page");
    assert!(
        page.contains("Too many sign-in attempts") && page.contains("seconds"),
        "{page}"
    );

    // The address's own limit counts every attempt: ten in all from here, then 429.
    let mut statuses = Vec::new();
    for n in 0..2 {
        let response = app
            .sign_in(
                &browser,
                &format!("other{n}@example.org"),
                "guess guess guess",
            )
            .await;
        statuses.push(response.status().as_u16());
    }
    assert_eq!(statuses, [401, 429]);
    // Sign-up and reset share the address's limit.
    let response = app
        .post_form(
            &browser,
            "/forgot-password",
            &[("email", "lock@example.org")],
        )
        .await;
    assert_eq!(response.status().as_u16(), 429);
}
both_engines!(sign_in_attempts_are_limited_per_account_and_per_address);

async fn sign_up_and_reset_are_limited_per_account(engine: Engine) {
    let app = TestApp::spawn_configured(engine, |config| {
        config.auth_limits.enabled = true;
        config.auth_limits.per_account_per_minute = 2;
        config.auth_limits.per_ip_per_minute = 100;
    })
    .await;
    let browser = app.browser();
    let (app, browser) = (&app, &browser);
    let sign_up = |email: &'static str| async move {
        app.post_form(
            browser,
            "/signup",
            &[
                ("email", email),
                ("password", PASSWORD),
                ("confirm", PASSWORD),
            ],
        )
        .await
    };
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(sign_up("flood@example.org").await.status().as_u16());
    }
    assert_eq!(
        statuses[2], 429,
        "the third sign-up for one address: {statuses:?}"
    );
    assert!(statuses[..2].iter().all(|s| *s < 400), "{statuses:?}");
    let response = sign_up("calm@example.org").await;
    assert!(
        response.status().as_u16() < 400,
        "another address is not held up"
    );
    let users: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE email = 'flood@example.org'")
            .fetch_one(app.db.reader())
            .await
            .expect("users");
    assert_eq!(users, 1, "one account for the address");

    let reset = |email: &'static str| async move {
        app.post_form(browser, "/forgot-password", &[("email", email)])
            .await
    };
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(reset("flood@example.org").await.status().as_u16());
    }
    assert_eq!(
        statuses[2], 429,
        "the third reset for one address: {statuses:?}"
    );
    let response = reset("flood@example.org").await;
    assert!(response.headers().contains_key("retry-after"));
    let page = response.text().await.expect("a page");
    assert!(page.contains("Too many"), "a readable page: {page}");
    assert!(reset("calm@example.org").await.status().as_u16() < 400);
}
both_engines!(sign_up_and_reset_are_limited_per_account);

async fn a_flood_of_sign_ins_queues_then_gets_503(engine: Engine) {
    // One hash at a time, and hardly any wait for a turn: a burst must overflow.
    let app = TestApp::spawn_configured(engine, |config| {
        config.password_hashing = (1, std::time::Duration::from_millis(1));
    })
    .await;
    app.user("busy@example.org", None, None, None).await;
    let attempts = (0..12).map(|_| async {
        let browser = app.browser();
        let response = app.sign_in(&browser, "busy@example.org", PASSWORD).await;
        let status = response.status().as_u16();
        let retry = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let page = response.text().await.unwrap_or_default();
        (status, retry, page)
    });
    let outcomes = futures::future::join_all(attempts).await;
    let statuses: Vec<u16> = outcomes.iter().map(|(s, _, _)| *s).collect();
    assert!(
        statuses.iter().all(|s| *s == 303 || *s == 503),
        "signed in or asked to wait: {statuses:?}"
    );
    assert!(statuses.contains(&303), "some get through: {statuses:?}");
    let (_, retry, page) = outcomes
        .iter()
        .find(|(s, _, _)| *s == 503)
        .expect("a burst beyond the hashing slots is answered 503");
    assert!(retry.is_some(), "503 says when to retry");
    assert!(
        page.contains("Too many sign-ins at once"),
        "a readable page: {page}"
    );
    // The flood over, signing in works again.
    let response = app
        .sign_in(&app.browser(), "busy@example.org", PASSWORD)
        .await;
    assert_eq!(response.status().as_u16(), 303);
}
both_engines!(a_flood_of_sign_ins_queues_then_gets_503);

async fn https_sites_use_a_host_cookie_and_their_origin(engine: Engine) {
    let app = TestApp::spawn_configured(engine, |config| {
        config.public_origin = Some("https://serialtrace.example".into());
    })
    .await;
    app.user("tls@example.org", None, None, None).await;
    let form = [
        ("email", "tls@example.org"),
        ("password", PASSWORD),
        ("next", ""),
    ];
    // A browser posting from the configured origin is accepted…
    let response = app
        .client
        .post(format!("{}/signin", app.base))
        .header("origin", "https://serialtrace.example")
        .form(&form)
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status().as_u16(), 303);
    let cookie = session_cookie(&response).expect("a cookie");
    assert!(cookie.starts_with("__Host-serialtrace="), "{cookie}");
    for attribute in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    assert!(!cookie.contains("Domain="), "{cookie}");
    // …from anywhere else (even this server's own address) it is not.
    for origin in [app.base.as_str(), "https://evil.example"] {
        let response = app
            .client
            .post(format!("{}/signin", app.base))
            .header("origin", origin)
            .form(&form)
            .send()
            .await
            .expect("answer");
        assert_eq!(response.status().as_u16(), 403, "{origin}");
    }
    // Links in e-mails use the configured origin, never the request's Host.
    let response = app
        .client
        .post(format!("{}/forgot-password", app.base))
        .header("host", "evil.example")
        .form(&[("email", "tls@example.org")])
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status().as_u16(), 303);
    let mail = app.mail_to("tls@example.org", "password_reset").await;
    assert!(
        mail.contains("https://serialtrace.example/reset-password?token="),
        "{mail}"
    );
    assert!(!mail.contains("evil.example"));
}
both_engines!(https_sites_use_a_host_cookie_and_their_origin);

async fn forms_reject_cross_site_posts(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    app.user("x@example.org", None, None, None).await;
    let browser = app.signed_in("x@example.org").await;
    for (header, value) in [
        ("origin", "https://evil.example"),
        ("sec-fetch-site", "cross-site"),
    ] {
        for path in [
            "/signin",
            "/signup",
            "/signout",
            "/account/password",
            "/admin/users",
        ] {
            let response = browser
                .post(format!("{}{path}", app.base))
                .header(header, value)
                .form(&[("email", "x@example.org"), ("password", PASSWORD)])
                .send()
                .await
                .expect("answer");
            assert_eq!(response.status().as_u16(), 403, "{path} {header}");
        }
    }
    // Still signed in: the forged sign-out did nothing.
    assert_eq!(app.fetch(&browser, "/account").await.0, 200);
}
both_engines!(forms_reject_cross_site_posts);
