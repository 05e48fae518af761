//! Squatting an unregistered unit, and undoing it (issue 13, item 6): registrations limited
//! per account and per address; a purchase date the records cannot confirm shown as the
//! owner's statement, and a recorded sale preferred to it; the rightful buyer's dispute with a
//! proof of purchase, the registered owner's side, an agent's decision (reassigned, ended,
//! rejected) with both told and the squatter's stolen report and warranty gone; an agent
//! withdrawing a false stolen report. On both engines.

use crate::both_engines;
use crate::common::{Engine, TestApp, location, mails_in};
use serialtrace::account::Role;
use serialtrace::service::owners::{
    REGISTRATIONS_PER_ACCOUNT_PER_DAY, REGISTRATIONS_PER_ADDRESS_PER_DAY,
};

pub(crate) const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR-a receipt";

pub(crate) fn days_ago(days: i64) -> String {
    (time::OffsetDateTime::now_utc().date() - time::Duration::days(days)).to_string()
}

/// Registers `serial` as bought on `bought`: the response.
pub(crate) async fn register_bought(
    app: &TestApp,
    browser: &reqwest::Client,
    serial: &str,
    bought: &str,
) -> reqwest::Response {
    let form = reqwest::multipart::Form::new()
        .text("serial", serial.to_owned())
        .text("purchase_date", bought.to_owned())
        .text("retailer", "A market stall");
    browser
        .post(format!("{}/my/register", app.base))
        .header("origin", &app.base)
        .header("accept", "text/html")
        .multipart(form)
        .send()
        .await
        .expect("the server answers")
}

/// Files a dispute of `serial`'s registration: the response.
pub(crate) async fn dispute(
    app: &TestApp,
    browser: &reqwest::Client,
    serial: &str,
    statement: &str,
    proof: Option<&[u8]>,
) -> reqwest::Response {
    let mut form = reqwest::multipart::Form::new()
        .text("serial", serial.to_owned())
        .text("purchase_date", days_ago(3))
        .text("retailer", "Hallmark Store, Leeds")
        .text("statement", statement.to_owned());
    if let Some(bytes) = proof {
        form = form.part(
            "proof",
            reqwest::multipart::Part::bytes(bytes.to_vec()).file_name("receipt.png"),
        );
    }
    browser
        .post(format!("{}/my/disputes/new", app.base))
        .header("origin", &app.base)
        .header("accept", "text/html")
        .multipart(form)
        .send()
        .await
        .expect("the server answers")
}

pub(crate) async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(app.db.reader())
        .await
        .expect("a count")
}

pub(crate) async fn lookup(app: &TestApp, serial: &str) -> serde_json::Value {
    // Answers are cached per epoch: a decision bumps it, so the next lookup is fresh.
    let (status, body) = app.api_lookup(serial).await;
    assert_eq!(status, 200, "{body}");
    body["matches"][0].clone()
}

async fn registrations_are_limited_per_account_and_address(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let (staff, _) = app.two_staff().await;
    let per_account = REGISTRATIONS_PER_ACCOUNT_PER_DAY as usize;
    let per_address = REGISTRATIONS_PER_ADDRESS_PER_DAY as usize;
    let serials = app
        .generate(&staff, "HC-L14", (per_address + 2) as u32)
        .await;
    let accounts = per_address.div_ceil(per_account) + 1;
    let mut browsers = Vec::new();
    for n in 0..accounts {
        let email = format!("owner{n}@limits.test");
        app.user(&email, None, None, None).await;
        browsers.push(app.signed_in(&email).await);
    }
    let mut next = serials.iter();
    for _ in 0..per_account {
        app.registered(&browsers[0], next.next().unwrap(), None)
            .await;
    }
    // One more from the same account: refused, with why and what to do, nothing saved.
    let refused = next.next().unwrap();
    let response = app.register(&browsers[0], refused, None, None).await;
    assert_eq!(response.status().as_u16(), 429);
    let page = response.text().await.unwrap();
    assert!(
        page.contains("the most one account may") && page.contains("transfer code"),
        "{page}"
    );
    let held = count(
        &app,
        "SELECT COUNT(*) FROM ownerships o JOIN users u ON u.id = o.user_id WHERE u.email = 'owner0@limits.test' AND o.ended_at IS NULL",
    )
    .await;
    assert_eq!(held, per_account as i64, "the refused one is not saved");

    // Other accounts on the same address, up to the address's limit; then refused, for an
    // account that has registered nothing.
    let mut done = per_account;
    'fill: for browser in &browsers[1..accounts - 1] {
        for _ in 0..per_account {
            if done == per_address {
                break 'fill;
            }
            app.registered(browser, next.next().unwrap(), None).await;
            done += 1;
        }
    }
    assert_eq!(done, per_address);
    let response = app
        .register(&browsers[accounts - 1], refused, None, None)
        .await;
    assert_eq!(response.status().as_u16(), 429);
    let page = response.text().await.unwrap();
    assert!(page.contains("from your network"), "{page}");
    let (_, answer) = app.api_lookup(refused).await;
    assert_eq!(
        answer["matches"][0]["warranty"]["status"], "not_started",
        "the refused unit stays unregistered: {answer}"
    );
}
both_engines!(registrations_are_limited_per_account_and_address);

async fn an_ipv6_network_counts_as_one_address(engine: Engine) {
    // Security review, finding 6: the per-address limit counts an IPv6 client's /64, as every
    // other limit does; new addresses within it do not pass the limit, another /64 does.
    use serialtrace_server::client_ip::TrustedProxies;
    use serialtrace_server::rate_limit::RateLimits;
    let trusted = TrustedProxies::parse(Some("x-forwarded-for"), "127.0.0.1").expect("valid");
    let app = TestApp::spawn_with(engine, RateLimits::OFF, trusted).await;
    let (staff, _) = app.two_staff().await;
    let per_account = REGISTRATIONS_PER_ACCOUNT_PER_DAY as usize;
    let per_address = REGISTRATIONS_PER_ADDRESS_PER_DAY as usize;
    let serials = app
        .generate(&staff, "HC-L14", (per_address + 2) as u32)
        .await;
    let accounts = per_address.div_ceil(per_account) + 1;
    let mut browsers = Vec::new();
    for n in 0..accounts {
        let email = format!("household{n}@limits.test");
        app.user(&email, None, None, None).await;
        browsers.push(app.signed_in(&email).await);
    }
    let mut next = serials.iter();
    for n in 0..per_address {
        let client = format!("2001:db8:1:2::{:x}", n + 1);
        let response = app
            .register_from(
                &browsers[n / per_account],
                next.next().unwrap(),
                None,
                None,
                Some(&client),
            )
            .await;
        assert_eq!(response.status().as_u16(), 303, "registration {n}");
    }
    let refused = next.next().unwrap();
    let last = &browsers[accounts - 1];
    let response = app
        .register_from(last, refused, None, None, Some("2001:db8:1:2:ffff::9"))
        .await;
    assert_eq!(
        response.status().as_u16(),
        429,
        "a new address in the same /64"
    );
    assert!(response.text().await.unwrap().contains("from your network"));
    let response = app
        .register_from(last, refused, None, None, Some("2001:db8:1:3::1"))
        .await;
    assert_eq!(response.status().as_u16(), 303, "another household's /64");
}
both_engines!(an_ipv6_network_counts_as_one_address);

async fn registrations_at_once_stay_within_the_limit(engine: Engine) {
    // Counted and inserted under one lock: many registrations sent at once by one account
    // cannot all pass a count that each reads before the others are saved.
    let app = TestApp::spawn(engine).await;
    let (staff, _) = app.two_staff().await;
    let per_account = REGISTRATIONS_PER_ACCOUNT_PER_DAY as usize;
    let serials = app
        .generate(&staff, "HC-L14", (per_account + 3) as u32)
        .await;
    app.user("eager@limits.test", None, None, None).await;
    let eager = app.signed_in("eager@limits.test").await;
    let bought = days_ago(3);
    let answers = futures::future::join_all(
        serials
            .iter()
            .map(|serial| register_bought(&app, &eager, serial, &bought)),
    )
    .await;
    let registered = answers
        .iter()
        .filter(|r| r.status().as_u16() == 303)
        .count();
    let limited = answers
        .iter()
        .filter(|r| r.status().as_u16() == 429)
        .count();
    assert_eq!((registered, limited), (per_account, 3));
    let held = count(
        &app,
        "SELECT COUNT(*) FROM ownerships o JOIN users u ON u.id = o.user_id WHERE u.email = 'eager@limits.test'",
    )
    .await;
    assert_eq!(held, per_account as i64);
}
both_engines!(registrations_at_once_stay_within_the_limit);

async fn a_purchase_date_the_records_cannot_confirm_is_the_owners_statement(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let (staff, _) = app.two_staff().await;
    let serials = app.generate(&staff, "HC-L14", 2).await;
    app.user("ann@stated.test", None, None, None).await;
    let ann = app.signed_in("ann@stated.test").await;

    // No sale on record: the warranty counts from Ann's date, and says it is her word.
    let response = register_bought(&app, &ann, &serials[0], &days_ago(30)).await;
    assert_eq!(response.status().as_u16(), 303);
    let answer = lookup(&app, &serials[0]).await;
    assert_eq!(answer["warranty"]["status"], "active", "{answer}");
    assert_eq!(answer["warranty"]["unconfirmed_start"], true, "{answer}");
    let (_, page) = app.page_lookup(&serials[0]).await;
    assert!(
        page.contains("counted from the purchase date the owner gave"),
        "{page}"
    );

    // A sale on record (the manufacturer's journey): the warranty counts from it, not from
    // the earlier date the owner gives, and is stated as fact.
    let unit: i64 = sqlx::query_scalar("SELECT id FROM units WHERE serial_norm = $1")
        .bind(&serials[1])
        .fetch_one(app.db.reader())
        .await
        .unwrap();
    let sold = days_ago(10);
    let response = app
        .post_form(
            &staff,
            &format!("/staff/units/{unit}"),
            &[
                ("action", "event"),
                ("kind", "sold"),
                ("at", &sold),
                ("place", "Hallmark Store"),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303, "the sale is recorded");
    let response = register_bought(&app, &ann, &serials[1], &days_ago(400)).await;
    assert_eq!(response.status().as_u16(), 303);
    let answer = lookup(&app, &serials[1]).await;
    assert_eq!(answer["warranty"]["unconfirmed_start"], false, "{answer}");
    let months: i64 =
        sqlx::query_scalar("SELECT warranty_months FROM products WHERE model = 'HC-L14'")
            .fetch_one(app.db.reader())
            .await
            .unwrap();
    let ends = serialtrace::warranty::add_months(
        serialtrace::store::parse_date(Some(&sold)).unwrap(),
        u32::try_from(months).unwrap(),
    );
    assert_eq!(answer["warranty"]["ends_on"], ends.to_string(), "{answer}");
    let (_, page) = app.page_lookup(&serials[1]).await;
    assert!(
        !page.contains("the purchase date the owner gave"),
        "a recorded sale is fact"
    );
}
both_engines!(a_purchase_date_the_records_cannot_confirm_is_the_owners_statement);

async fn a_squatter_is_undone_by_the_buyers_dispute(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let (staff, _) = app.two_staff().await;
    let serials = app.generate(&staff, "HC-L14", 2).await;
    let (serial, unregistered) = (&serials[0], &serials[1]);
    app.user("sam@squat.test", None, None, None).await;
    app.user("ann@squat.test", None, None, None).await;
    app.user("agent@squat.test", Some(Role::Agent), None, None)
        .await;
    let sam = app.signed_in("sam@squat.test").await;
    let ann = app.signed_in("ann@squat.test").await;
    let agent = app.signed_in("agent@squat.test").await;

    // Sam registers a unit he never bought, back-dated, and reports it stolen.
    let response = register_bought(&app, &sam, serial, &days_ago(700)).await;
    assert_eq!(response.status().as_u16(), 303);
    let product = location(&response);
    let product = product.split('?').next().unwrap().to_owned();
    let response = app
        .post_form(
            &sam,
            &product,
            &[("action", "report"), ("report_kind", "stolen")],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(
        lookup(&app, serial).await["stolen"]["status"],
        "reported_stolen"
    );

    // Ann, who bought it, cannot register it and is told she can dispute it.
    let response = app.register(&ann, serial, None, None).await;
    assert_eq!(response.status().as_u16(), 422);
    let page = response.text().await.unwrap();
    assert!(page.contains("dispute the registration"), "{page}");
    assert!(page.contains("/my/disputes/new?serial="), "{page}");

    // Bad disputes: each refused with its reason, nothing saved.
    let response = dispute(&app, &ann, serial, "I bought it at the store.", None).await;
    assert_eq!(response.status().as_u16(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Attach your proof of purchase")
    );
    let response = dispute(&app, &ann, serial, "Mine", Some(PNG)).await;
    assert_eq!(response.status().as_u16(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("at least 10 characters")
    );
    let response = dispute(
        &app,
        &ann,
        unregistered,
        "I bought it at the store.",
        Some(PNG),
    )
    .await;
    assert_eq!(response.status().as_u16(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("is not registered to anyone")
    );
    let response = dispute(&app, &sam, serial, "I bought it at the store.", Some(PNG)).await;
    assert_eq!(response.status().as_u16(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("registered to you already")
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM disputes").await, 0);

    // Filed: Sam is told (not who disputes it), a second one by Ann is refused.
    let response = dispute(
        &app,
        &ann,
        serial,
        "I bought it new at the Hallmark Store in Leeds; the receipt is attached.",
        Some(PNG),
    )
    .await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(location(&response), "/my/disputes?done=disputed");
    let mail = app.mail_to("sam@squat.test", "dispute_filed").await;
    assert!(mail.contains("give your side"), "{mail}");
    assert!(!mail.contains("ann@squat.test"), "{mail}");
    let response = dispute(&app, &ann, serial, "I bought it new, honestly.", Some(PNG)).await;
    assert_eq!(response.status().as_u16(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("disputed the registration")
    );
    let (_, page) = app.fetch(&ann, "/my/disputes").await;
    assert!(page.contains("waiting for a support agent"), "{page}");
    let id: i64 = count(&app, "SELECT MAX(id) FROM disputes").await;

    // Sam sees it on his product's page and gives his side.
    let (_, page) = app.fetch(&sam, &product).await;
    assert!(page.contains("Your registration is disputed"), "{page}");
    let response = sam
        .post(format!("{}{product}/dispute", app.base))
        .header("origin", &app.base)
        .header("accept", "text/html")
        .multipart(
            reqwest::multipart::Form::new()
                .text("dispute", id.to_string())
                .text("reply", "It was a present from my aunt."),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 303);
    // Ann cannot answer for Sam, nor open the desk.
    let (status, _) = app.fetch(&ann, &format!("/desk/disputes/{id}")).await;
    assert_eq!(status, 403);

    // The agent sees both sides, then decides; a decision needs a reason.
    let (status, page) = app.fetch(&agent, &format!("/desk/disputes/{id}")).await;
    assert_eq!(status, 200);
    for text in [
        "ann@squat.test",
        "sam@squat.test",
        "It was a present from my aunt.",
        "Hallmark Store, Leeds",
        "The claimant&#x27;s proof of purchase",
    ] {
        assert!(
            page.contains(text) || page.contains(&text.replace("&#x27;", "'")),
            "{text}: {page}"
        );
    }
    let path = format!("/desk/disputes/{id}");
    let response = app
        .post_form(&agent, &path, &[("decision", "reassign"), ("note", "")])
        .await;
    assert_eq!(response.status().as_u16(), 422);
    let response = app
        .post_form(
            &agent,
            &path,
            &[
                ("decision", "reassign"),
                (
                    "note",
                    "The store confirmed the sale to her on the receipt's date.",
                ),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);

    // The unit is Ann's, no longer reported stolen, its warranty from her checked date.
    let answer = lookup(&app, serial).await;
    assert_eq!(answer["stolen"]["status"], "not_reported", "{answer}");
    assert_eq!(answer["warranty"]["status"], "active", "{answer}");
    assert_eq!(answer["warranty"]["unconfirmed_start"], false, "{answer}");
    let (_, mine) = app.fetch(&ann, "/my/products").await;
    assert!(mine.contains(serial.as_str()), "{mine}");
    let (_, his) = app.fetch(&sam, "/my/products").await;
    assert!(!his.contains(serial.as_str()), "{his}");
    let (status, _) = app.fetch(&sam, &product).await;
    assert_eq!(status, 404);
    let to_ann = app.mail_to("ann@squat.test", "dispute_decided").await;
    assert!(to_ann.contains("it is now registered to you"), "{to_ann}");
    assert!(to_ann.contains("The store confirmed the sale"), "{to_ann}");
    let to_sam = app.mail_to("sam@squat.test", "dispute_decided").await;
    assert!(to_sam.contains("no longer registered to you"), "{to_sam}");
    assert!(to_sam.contains("report on it is withdrawn"), "{to_sam}");
    let audited = count(
        &app,
        "SELECT COUNT(*) FROM audit_log WHERE action IN ('dispute.file', 'dispute.reply', 'dispute.decide')",
    )
    .await;
    assert_eq!(audited, 3);
    // Decided once only.
    let response = app
        .post_form(&agent, &path, &[("decision", "reject"), ("note", "Again.")])
        .await;
    assert_eq!(response.status().as_u16(), 422);
    assert!(response.text().await.unwrap().contains("upheld already"));
}
both_engines!(a_squatter_is_undone_by_the_buyers_dispute);

async fn a_dispute_ends_or_leaves_a_registration(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let (staff, _) = app.two_staff().await;
    let serials = app.generate(&staff, "HC-L14", 2).await;
    app.user("sam@end.test", None, None, None).await;
    app.user("ann@end.test", None, None, None).await;
    app.user("agent@end.test", Some(Role::Agent), None, None)
        .await;
    let sam = app.signed_in("sam@end.test").await;
    let ann = app.signed_in("ann@end.test").await;
    let agent = app.signed_in("agent@end.test").await;
    for serial in &serials {
        let response = register_bought(&app, &sam, serial, &days_ago(200)).await;
        assert_eq!(response.status().as_u16(), 303);
        let response = dispute(
            &app,
            &ann,
            serial,
            "I bought it; the receipt is attached.",
            Some(PNG),
        )
        .await;
        assert_eq!(response.status().as_u16(), 303);
    }
    let first: i64 = count(&app, "SELECT MIN(id) FROM disputes").await;
    let second = first + 1;

    // Ended: registered to nobody, its back-dated warranty gone with it.
    let response = app
        .post_form(
            &agent,
            &format!("/desk/disputes/{first}"),
            &[
                ("decision", "end"),
                ("note", "Neither receipt matches the unit."),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let answer = lookup(&app, &serials[0]).await;
    assert_eq!(answer["warranty"]["status"], "not_started", "{answer}");
    let (_, his) = app.fetch(&sam, "/my/products").await;
    assert!(!his.contains(serials[0].as_str()), "{his}");
    let to_ann = app.mail_to("ann@end.test", "dispute_decided").await;
    assert!(to_ann.contains("registered to nobody"), "{to_ann}");
    // Ann can register it now (with her own date, as her statement).
    let response = register_bought(&app, &ann, &serials[0], &days_ago(3)).await;
    assert_eq!(response.status().as_u16(), 303);

    // Rejected: the registration stands, both told.
    let response = app
        .post_form(
            &agent,
            &format!("/desk/disputes/{second}"),
            &[
                ("decision", "reject"),
                ("note", "His receipt is older and genuine."),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let (_, his) = app.fetch(&sam, "/my/products").await;
    assert!(his.contains(serials[1].as_str()), "{his}");
    let to_sam = app.mail_to("sam@end.test", "dispute_decided").await;
    assert!(to_sam.contains("stays registered to you"), "{to_sam}");
    let (_, page) = app.fetch(&ann, "/my/disputes").await;
    assert!(page.contains("rejected: the registration stands"), "{page}");
    assert!(page.contains("His receipt is older and genuine."), "{page}");
}
both_engines!(a_dispute_ends_or_leaves_a_registration);

async fn agents_withdraw_a_false_stolen_report(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let (staff, _) = app.two_staff().await;
    let serial = app.generate(&staff, "HC-L14", 1).await.remove(0);
    app.user("sam@false.test", None, None, None).await;
    app.user("agent@false.test", Some(Role::Agent), None, None)
        .await;
    let sam = app.signed_in("sam@false.test").await;
    let agent = app.signed_in("agent@false.test").await;
    let unit = app.registered(&sam, &serial, None).await;
    let response = app
        .post_form(
            &sam,
            &format!("/my/products/{unit}"),
            &[("action", "report"), ("report_kind", "stolen")],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let report: i64 = count(&app, "SELECT MAX(id) FROM theft_reports").await;
    let path = format!("/desk/units/{unit}");
    let (_, page) = app.fetch(&agent, &path).await;
    assert!(page.contains("Withdraw the report"), "{page}");

    // The owner cannot use the desk's form; the agent must say why.
    let form = [
        ("action", "withdraw_report"),
        ("report", &report.to_string()),
        ("withdraw_reason", ""),
    ];
    let response = app.post_form(&sam, &path, &form).await;
    assert_eq!(response.status().as_u16(), 403);
    let response = app.post_form(&agent, &path, &form).await;
    assert_eq!(response.status().as_u16(), 422);
    assert_eq!(
        lookup(&app, &serial).await["stolen"]["status"],
        "reported_stolen"
    );

    let reason = "The owner sold it on a marketplace the same day; the buyer's receipt is on file.";
    let response = app
        .post_form(
            &agent,
            &path,
            &[
                ("action", "withdraw_report"),
                ("report", &report.to_string()),
                ("withdraw_reason", reason),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(
        lookup(&app, &serial).await["stolen"]["status"],
        "not_reported"
    );
    let mail = app.mail_to("sam@false.test", "police_report").await;
    assert!(mail.contains(reason), "{mail}");
    let audited = count(
        &app,
        "SELECT COUNT(*) FROM audit_log WHERE action = 'theft.withdraw' AND actor_role = 'agent'",
    )
    .await;
    assert_eq!(audited, 1);
    assert_eq!(mails_in(&app.outbox, "police_report", "sam@false.test"), 1);
}
both_engines!(agents_withdraw_a_false_stolen_report);

async fn a_report_by_any_hand_cancels_the_open_transfer_code(engine: Engine) {
    // One way to file a report (owner, police, staff): a code handed out before the theft
    // cannot move the unit, also when staff report it on the owner's behalf.
    let app = TestApp::spawn(engine).await;
    let (staff, _) = app.two_staff().await;
    let serial = app.generate(&staff, "HC-L14", 1).await.remove(0);
    app.user("sam@code.test", None, None, None).await;
    app.user("thief@code.test", None, None, None).await;
    let sam = app.signed_in("sam@code.test").await;
    let thief = app.signed_in("thief@code.test").await;
    let unit = app.registered(&sam, &serial, None).await;
    let response = app
        .post_form(
            &sam,
            &format!("/my/products/{unit}"),
            &[("action", "transfer")],
        )
        .await;
    let code = crate::owners::transfer_code(&response.text().await.unwrap());
    let response = app
        .post_form(
            &staff,
            "/staff/thefts",
            &[
                ("action", "report"),
                ("theft_serial", &serial),
                ("theft_kind", "stolen"),
                ("note", "the owner phoned"),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let response = app
        .post_form(&thief, "/my/transfers", &[("code", &code)])
        .await;
    assert_eq!(response.status().as_u16(), 422);
    let (_, mine) = app.fetch(&sam, "/my/products").await;
    assert!(mine.contains(serial.as_str()), "still Sam's: {mine}");
}
both_engines!(a_report_by_any_hand_cancels_the_open_transfer_code);
