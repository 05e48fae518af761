//! Owners over HTTP: registration (with a proof of purchase only the right people can open),
//! a second registration refused without naming the owner, transfer codes (used, expired,
//! stolen), stolen reports in public lookups, recall notices sent exactly once (also by two
//! server instances on one PostgreSQL), the sighting alert's daily limit; on both engines.

use crate::both_engines;
use crate::common::{Engine, TestApp, location, mails_in};
use serialtrace::account::Role;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR-a receipt";

/// The public lookup's theft status of `serial`, once it shows `expected` (answers are
/// cached per epoch).
async fn until_stolen(app: &TestApp, serial: &str, gtin: Option<&str>, expected: &str) {
    let mut last = String::new();
    for _ in 0..40 {
        let mut query = vec![("serial", serial)];
        if let Some(g) = gtin {
            query.push(("gtin", g));
        }
        let body: serde_json::Value = app
            .client
            .get(format!("{}/api/v1/lookup", app.base))
            .query(&query)
            .send()
            .await
            .expect("the server answers")
            .json()
            .await
            .expect("JSON");
        last = body["matches"][0]["stolen"]["status"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if last == expected {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{serial}: expected {expected}, got {last}");
}

async fn owners_register_and_only_the_right_people_see_the_proof(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let sample = app.sample("unregistered").clone();
    let gtin = sample.gtin.as_deref();
    app.user("ann@owners.test", None, None, None).await;
    app.user("bob@owners.test", None, None, None).await;
    app.user("agent@owners.test", Some(Role::Agent), None, None)
        .await;
    let ann = app.signed_in("ann@owners.test").await;
    let bob = app.signed_in("bob@owners.test").await;
    let agent = app.signed_in("agent@owners.test").await;

    // The anonymous are sent to sign in, and back.
    let response = app
        .browser()
        .get(format!("{}/my/products", app.base))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(location(&response), "/signin?next=/my/products");

    // Not a lookup before registration: the warranty has not started.
    let (_, before) = app.api_lookup(&sample.serial).await;
    assert_eq!(
        before["matches"][0]["warranty"]["status"], "not_started",
        "{before}"
    );

    // Bad input: each problem by its field, nothing saved.
    let response = app
        .register(
            &ann,
            &sample.serial,
            gtin,
            Some(("receipt.txt", b"just words".to_vec())),
        )
        .await;
    assert_eq!(response.status().as_u16(), 422);
    let page = response.text().await.unwrap();
    assert!(
        page.contains("Upload a photo (JPEG, PNG or WebP) or a PDF."),
        "{page}"
    );
    let response = app.register(&ann, "NO-SUCH-SERIAL-1", None, None).await;
    assert_eq!(response.status().as_u16(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("is not in the manufacturers' records")
    );
    let owners: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ownerships o JOIN users u ON u.id = o.user_id WHERE u.email = 'ann@owners.test'")
        .fetch_one(app.db.reader())
        .await
        .unwrap();
    assert_eq!(owners, 0, "a refused registration saves nothing");

    // Registered, with a proof of purchase: the warranty starts, "my products" shows it.
    let response = app
        .register(
            &ann,
            &sample.serial,
            gtin,
            Some(("receipt.png", PNG.to_vec())),
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let product = location(&response);
    assert!(product.ends_with("?done=registered"), "{product}");
    let (status, page) = app.fetch(&ann, "/my/products").await;
    assert_eq!(status, 200);
    assert!(page.contains(&sample.serial), "{page}");
    assert!(page.contains("Under warranty until"), "{page}");
    let (_, after) = app.api_lookup(&sample.serial).await;
    assert_eq!(
        after["matches"][0]["warranty"]["status"], "active",
        "{after}"
    );
    assert!(
        !after.to_string().contains("ann@"),
        "no owner in public answers"
    );

    // A second registration is refused without saying who owns it, and offers the transfer.
    let response = app.register(&bob, &sample.serial, gtin, None).await;
    assert_eq!(response.status().as_u16(), 422);
    let page = response.text().await.unwrap();
    assert!(
        page.contains("already registered to another owner"),
        "{page}"
    );
    assert!(page.contains("/my/transfers"), "{page}");
    assert!(!page.contains("ann@owners.test"), "the owner is not named");
    let again = app.register(&ann, &sample.serial, gtin, None).await;
    assert!(
        again
            .text()
            .await
            .unwrap()
            .contains("already registered to you")
    );

    // The proof: the owner and agents open it; another owner and another manufacturer's
    // staff get "not found".
    let (page_status, page) = app.fetch(&ann, product.split('?').next().unwrap()).await;
    assert_eq!(page_status, 200);
    let proof = page
        .split("href=\"/files/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a link to the proof")
        .to_owned();
    let file = |who: &reqwest::Client| {
        let url = format!("{}/files/{proof}", app.base);
        let who = who.clone();
        async move { who.get(url).send().await.unwrap() }
    };
    let mine = file(&ann).await;
    assert_eq!(mine.status().as_u16(), 200);
    assert_eq!(mine.headers()["content-type"], "image/png");
    assert!(
        mine.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("sandbox")
    );
    assert_eq!(mine.bytes().await.unwrap().as_ref(), PNG);
    assert_eq!(file(&agent).await.status().as_u16(), 200);
    assert_eq!(file(&bob).await.status().as_u16(), 404);
    let (staff_a, staff_b) = app.two_staff().await;
    let maker: String = sqlx::query_scalar(
        "SELECT m.slug FROM units u JOIN manufacturers m ON m.id = u.manufacturer_id WHERE u.serial_raw = $1",
    )
    .bind(&sample.serial)
    .fetch_one(app.db.reader())
    .await
    .unwrap();
    let (own_staff, other_staff) = if maker == "hallmark" {
        (staff_a, staff_b)
    } else if maker == "nordvik" {
        (staff_b, staff_a)
    } else {
        app.user("maker@owners.test", Some(Role::Staff), Some(&maker), None)
            .await;
        (app.signed_in("maker@owners.test").await, staff_a)
    };
    assert_eq!(file(&own_staff).await.status().as_u16(), 200);
    assert_eq!(file(&other_staff).await.status().as_u16(), 404);
    assert_eq!(
        app.get(&format!("/files/{proof}")).await.status().as_u16(),
        401
    );

    // Another owner cannot see or act on my product.
    let mine_path = product.split('?').next().unwrap().to_owned();
    assert_eq!(app.fetch(&bob, &mine_path).await.0, 404);
    let response = app
        .post_form(&bob, &mine_path, &[("action", "transfer")])
        .await;
    assert_eq!(response.status().as_u16(), 404);
    assert!(!response.text().await.unwrap().contains("transfer-code"));
}
both_engines!(owners_register_and_only_the_right_people_see_the_proof);

/// The transfer code on the page after making one.
pub(crate) fn transfer_code(page: &str) -> String {
    page.split("class=\"transfer-code\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("a transfer code on the page")
        .to_owned()
}

async fn transfers_are_single_use_expire_and_refuse_stolen_units(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let (staff, _) = app.two_staff().await;
    let serials = app.generate(&staff, "HC-L14", 2).await;
    for email in [
        "seller@owners.test",
        "buyer@owners.test",
        "third@owners.test",
    ] {
        app.user(email, None, None, None).await;
    }
    let seller = app.signed_in("seller@owners.test").await;
    let buyer = app.signed_in("buyer@owners.test").await;
    let third = app.signed_in("third@owners.test").await;
    let unit = app.registered(&seller, &serials[0], None).await;
    let path = format!("/my/products/{unit}");

    let response = app
        .post_form(&seller, &path, &[("action", "transfer")])
        .await;
    assert_eq!(response.status().as_u16(), 200);
    let code = transfer_code(&response.text().await.unwrap());
    assert_eq!(code.len(), 14, "{code}");
    // The seller cannot redeem their own code.
    let response = app
        .post_form(&seller, "/my/transfers", &[("code", &code)])
        .await;
    assert_eq!(response.status().as_u16(), 422);
    // The buyer redeems it (typed in lower case, without dashes): the unit is theirs.
    let typed = code.replace('-', "").to_lowercase();
    let response = app
        .post_form(&buyer, "/my/transfers", &[("code", &typed)])
        .await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(location(&response), format!("{path}?done=transferred"));
    assert_eq!(app.fetch(&buyer, &path).await.0, 200);
    assert_eq!(
        app.fetch(&seller, &path).await.0,
        404,
        "no longer the seller's"
    );
    let history: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT via, ended_at FROM ownerships WHERE unit_id = $1 ORDER BY id")
            .bind(unit)
            .fetch_all(app.db.reader())
            .await
            .unwrap();
    assert_eq!(history.len(), 2, "the history keeps both owners");
    assert!(history[0].1.is_some() && history[1].1.is_none());
    assert_eq!(history[1].0, "transfer");
    // Used once only.
    let response = app
        .post_form(&third, "/my/transfers", &[("code", &code)])
        .await;
    assert_eq!(response.status().as_u16(), 422);
    assert!(response.text().await.unwrap().contains("used already"));
    // Nonsense is refused with a message.
    let response = app
        .post_form(&third, "/my/transfers", &[("code", "ZZZZ-ZZZZ-ZZZZ")])
        .await;
    assert_eq!(response.status().as_u16(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("not a transfer code we issued")
    );

    // An expired code.
    let response = app
        .post_form(&buyer, &path, &[("action", "transfer")])
        .await;
    let code = transfer_code(&response.text().await.unwrap());
    sqlx::query("UPDATE transfer_codes SET expires_at = '2020-01-01T00:00:00Z' WHERE unit_id = $1 AND used_at IS NULL")
        .bind(unit)
        .execute(app.db.writer())
        .await
        .unwrap();
    let response = app
        .post_form(&third, "/my/transfers", &[("code", &code)])
        .await;
    assert_eq!(response.status().as_u16(), 422);
    assert!(response.text().await.unwrap().contains("expired"));

    // A unit reported stolen cannot be passed on: a code made before is cancelled, and no
    // new one is made.
    let response = app
        .post_form(&buyer, &path, &[("action", "transfer")])
        .await;
    let code = transfer_code(&response.text().await.unwrap());
    let response = app
        .post_form(
            &buyer,
            &path,
            &[
                ("action", "report"),
                ("report_kind", "stolen"),
                ("place", "Station Road"),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let response = app
        .post_form(&third, "/my/transfers", &[("code", &code)])
        .await;
    assert_eq!(response.status().as_u16(), 422);
    let response = app
        .post_form(&buyer, &path, &[("action", "transfer")])
        .await;
    assert_eq!(response.status().as_u16(), 422);
    assert!(response.text().await.unwrap().contains("reported stolen"));
    let owner: String = sqlx::query_scalar(
        "SELECT u.email FROM ownerships o JOIN users u ON u.id = o.user_id WHERE o.unit_id = $1 AND o.ended_at IS NULL",
    )
    .bind(unit)
    .fetch_one(app.db.reader())
    .await
    .unwrap();
    assert_eq!(owner, "buyer@owners.test");
}
both_engines!(transfers_are_single_use_expire_and_refuse_stolen_units);

async fn stolen_reports_show_in_public_lookups_and_clear_on_recovery(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let sample = app.sample("unregistered").clone();
    let gtin = sample.gtin.as_deref();
    app.user("owner@stolen.test", None, None, None).await;
    let owner = app.signed_in("owner@stolen.test").await;
    let unit = app.registered(&owner, &sample.serial, gtin).await;
    let path = format!("/my/products/{unit}");
    until_stolen(&app, &sample.serial, gtin, "not_reported").await;

    let bad = app
        .post_form(
            &owner,
            &path,
            &[("action", "report"), ("report_kind", "vanished")],
        )
        .await;
    assert_eq!(bad.status().as_u16(), 422);
    let future = app
        .post_form(
            &owner,
            &path,
            &[
                ("action", "report"),
                ("report_kind", "lost"),
                ("occurred_on", "2999-01-01"),
            ],
        )
        .await;
    assert_eq!(future.status().as_u16(), 422);
    let response = app
        .post_form(
            &owner,
            &path,
            &[
                ("action", "report"),
                ("report_kind", "stolen"),
                ("occurred_on", "2026-11-01"),
                ("agency", "City Police"),
                ("case_number", "CP-1"),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    until_stolen(&app, &sample.serial, gtin, "reported_stolen").await;
    let (_, page) = app.page_lookup(&sample.serial).await;
    assert!(page.contains("Reported stolen"), "{page}");
    assert!(!page.contains("CP-1"), "case details stay private");

    let response = app
        .post_form(
            &owner,
            &path,
            &[
                ("action", "recovered"),
                ("recovered_place", "Pawn shop, High St"),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    until_stolen(&app, &sample.serial, gtin, "not_reported").await;
    let again = app
        .post_form(&owner, &path, &[("action", "withdraw")])
        .await;
    assert_eq!(again.status().as_u16(), 422, "nothing open to withdraw");

    // Lost is not stolen: the public answer says which.
    let response = app
        .post_form(
            &owner,
            &path,
            &[("action", "report"), ("report_kind", "lost")],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    until_stolen(&app, &sample.serial, gtin, "reported_lost").await;
    let (_, page) = app.page_lookup(&sample.serial).await;
    assert!(page.contains("Reported lost by its owner"), "{page}");
    assert!(!page.contains("Reported stolen"), "{page}");
}
both_engines!(stolen_reports_show_in_public_lookups_and_clear_on_recovery);

/// A Hallmark recall over `serials`, drafted and published by `staff`: its page.
async fn publish_recall(
    app: &TestApp,
    staff: &reqwest::Client,
    number: &str,
    serials: &[String],
) -> String {
    let response = app
        .post_form(
            staff,
            "/staff/recalls",
            &[
                ("action", "draft"),
                ("number", number),
                ("title", "Hinge may crack"),
                ("hazard", "cuts"),
                ("description", "The hinge may crack and leave a sharp edge."),
                ("remedy", "repair"),
                ("remedy_available", "on"),
                ("instructions", "Book a free hinge repair."),
                ("severity", "medium"),
                ("starts_on", "2026-11-01"),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let page = location(&response);
    let list = serials.join("\n");
    let response = app
        .post_form(
            staff,
            &page,
            &[
                ("action", "add_rule"),
                ("rule_kind", "serials"),
                ("serials", &list),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let response = app.post_form(staff, &page, &[("action", "publish")]).await;
    assert_eq!(response.status().as_u16(), 303);
    page
}

/// Waits until the outbox has sent everything (up to 10 s).
async fn until_sent(app: &TestApp) {
    for _ in 0..100 {
        if serialtrace::testing::outbox_pending(&app.db).await.unwrap() == 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the outbox did not drain");
}

async fn recall_notices_go_out_exactly_once(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    // A second instance on the same database drains the same outbox (PostgreSQL is how
    // serialtrace scales out; a SQLite file has one server).
    let second = match engine {
        Engine::Postgres => Some(app.another_instance().await),
        Engine::Sqlite => None,
    };
    let (staff, _) = app.two_staff().await;
    let serials = app.generate(&staff, "HC-L14", 4).await;
    app.user("notice@owners.test", None, None, None).await;
    let owner = app.signed_in("notice@owners.test").await;
    let mut units = Vec::new();
    for serial in &serials[..3] {
        units.push(app.registered(&owner, serial, None).await);
    }
    let page = publish_recall(&app, &staff, "HC-NOTICE-1", &serials[..3]).await;
    until_sent(&app).await;
    // The scope grows by an unregistered unit and is recomputed: no second notice.
    let response = app
        .post_form(
            &staff,
            &page,
            &[
                ("action", "add_rule"),
                ("rule_kind", "serials"),
                ("serials", &serials[3]),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    until_sent(&app).await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let mut sent = mails_in(&app.outbox, "recall_notice", "notice@owners.test");
    if let Some(dir) = &second {
        sent += mails_in(dir, "recall_notice", "notice@owners.test");
    }
    assert_eq!(sent, 3, "one notice per registered unit, each sent once");
    // Either instance may have sent them.
    let outboxes: Vec<&std::path::Path> = std::iter::once(app.outbox.as_path())
        .chain(second.as_deref())
        .collect();
    let mail = app
        .mail_to_in(&outboxes, "notice@owners.test", "recall_notice")
        .await;
    assert!(
        mail.contains("HC-NOTICE-1") && mail.contains("Book a free hinge repair."),
        "{mail}"
    );
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE kind = 'recall_notice' AND sent_at IS NOT NULL AND to_address = 'notice@owners.test'")
        .fetch_one(app.db.reader())
        .await
        .unwrap();
    assert_eq!(rows, 3);

    // The fourth unit registered later gets its notice at registration.
    app.registered(&owner, &serials[3], None).await;
    until_sent(&app).await;
    let notices: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM notices n JOIN users u ON u.id = n.user_id WHERE u.email = 'notice@owners.test'")
        .fetch_one(app.db.reader())
        .await
        .unwrap();
    assert_eq!(notices, 4);

    // On "my products" and the notices page; marking one read.
    let (_, products) = app.fetch(&owner, "/my/products").await;
    assert!(products.contains("4 unread recall notices"), "{products}");
    assert!(products.contains("Book a free hinge repair."));
    let (_, list) = app.fetch(&owner, "/my/notices").await;
    let notice = list
        .split("name=\"notice\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a notice to mark read")
        .to_owned();
    let response = app
        .post_form(&owner, "/my/notices", &[("notice", &notice)])
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let (_, products) = app.fetch(&owner, "/my/products").await;
    assert!(products.contains("3 unread recall notices"), "{products}");
    // Someone else's notice cannot be marked.
    app.user("nosy@owners.test", None, None, None).await;
    let nosy = app.signed_in("nosy@owners.test").await;
    let other: i64 = sqlx::query_scalar("SELECT MAX(id) FROM notices")
        .fetch_one(app.db.reader())
        .await
        .unwrap();
    let response = app
        .post_form(&nosy, "/my/notices", &[("notice", &other.to_string())])
        .await;
    assert_eq!(response.status().as_u16(), 404);
}
both_engines!(recall_notices_go_out_exactly_once);

async fn owners_hear_of_sightings_at_most_once_a_day(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let sample = app.sample("unregistered").clone();
    let gtin = sample.gtin.as_deref();
    app.user("watch@owners.test", None, None, None).await;
    let owner = app.signed_in("watch@owners.test").await;
    let unit = app.registered(&owner, &sample.serial, gtin).await;
    let response = app
        .post_form(
            &owner,
            &format!("/my/products/{unit}"),
            &[("action", "report"), ("report_kind", "stolen")],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    until_stolen(&app, &sample.serial, gtin, "reported_stolen").await;
    // Looked up on the web and through the API, several times.
    for _ in 0..3 {
        let (status, page) = app.page_lookup(&sample.serial).await;
        assert_eq!(status, 200);
        assert!(!page.contains("watch@owners.test"));
        app.api_lookup(&sample.serial).await;
    }
    let mail = app.mail_to("watch@owners.test", "sighting").await;
    assert!(mail.contains(&sample.serial), "{mail}");
    tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
    assert_eq!(
        mails_in(&app.outbox, "sighting", "watch@owners.test"),
        1,
        "one alert a day per unit"
    );
    let rows: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox WHERE kind = 'sighting' AND to_address = 'watch@owners.test'",
    )
    .fetch_one(app.db.reader())
    .await
    .unwrap();
    assert_eq!(rows, 1);
}
both_engines!(owners_hear_of_sightings_at_most_once_a_day);
