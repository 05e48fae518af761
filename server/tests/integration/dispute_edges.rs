//! The edges of ownership disputes (review of issue 13, item 6): two decisions of one
//! registration at once, two closings of one report at once, a scrapped unit, reports filed
//! on the ousted owner's word (and the police's, which stand), who may open a dispute's proof,
//! the owner's files, a dispute that cannot be true, asking twice, and the ousted owner
//! registering again. On both engines.

use crate::both_engines;
use crate::common::{Engine, TestApp, location};
use crate::disputes::{PNG, count, days_ago, dispute, lookup, register_bought};
use serialtrace::account::Role;

struct Parties {
    sam: reqwest::Client,
    ann: reqwest::Client,
    agent: reqwest::Client,
    staff: reqwest::Client,
}

/// Sam (who registers), Ann (who disputes), an agent and Hallmark's staff, signed in.
async fn parties(app: &TestApp, domain: &str) -> Parties {
    let (staff, _) = app.two_staff().await;
    for who in ["sam", "ann"] {
        app.user(&format!("{who}@{domain}"), None, None, None).await;
    }
    app.user(&format!("agent@{domain}"), Some(Role::Agent), None, None)
        .await;
    Parties {
        sam: app.signed_in(&format!("sam@{domain}")).await,
        ann: app.signed_in(&format!("ann@{domain}")).await,
        agent: app.signed_in(&format!("agent@{domain}")).await,
        staff,
    }
}

/// Sam registers a new laptop, Ann disputes it: (serial, Sam's product page, dispute id).
async fn disputed(app: &TestApp, p: &Parties) -> (String, String, i64) {
    let serial = app.generate(&p.staff, "HC-L14", 1).await.remove(0);
    let response = register_bought(app, &p.sam, &serial, &days_ago(30)).await;
    assert_eq!(response.status().as_u16(), 303);
    let product = location(&response).split('?').next().unwrap().to_owned();
    let response = dispute(
        app,
        &p.ann,
        &serial,
        "I bought it; the receipt is attached.",
        Some(PNG),
    )
    .await;
    assert_eq!(response.status().as_u16(), 303);
    let id = count(app, "SELECT MAX(id) FROM disputes").await;
    (serial, product, id)
}

async fn decide(
    app: &TestApp,
    agent: &reqwest::Client,
    id: i64,
    decision: &str,
) -> reqwest::Response {
    app.post_form(
        agent,
        &format!("/desk/disputes/{id}"),
        &[("decision", decision), ("note", "Decided on the receipts.")],
    )
    .await
}

async fn two_decisions_of_one_registration_cannot_both_win(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let p = parties(&app, "race.test").await;
    let (serial, _, first) = disputed(&app, &p).await;
    app.user("bob@race.test", None, None, None).await;
    let bob = app.signed_in("bob@race.test").await;
    let response = dispute(
        &app,
        &bob,
        &serial,
        "It is mine; the invoice is attached.",
        Some(PNG),
    )
    .await;
    assert_eq!(response.status().as_u16(), 303);
    let second = first + 1;
    app.user("agent2@race.test", Some(Role::Agent), None, None)
        .await;
    let agent2 = app.signed_in("agent2@race.test").await;

    // Two agents give the unit to two claimants at the same moment: one decision wins, the
    // other is told the registration has gone; never two owners.
    let (a, b) = tokio::join!(
        decide(&app, &p.agent, first, "reassign"),
        decide(&app, &agent2, second, "reassign")
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [303, 422]);
    let owners = count(
        &app,
        &format!(
            "SELECT COUNT(*) FROM ownerships o JOIN units u ON u.id = o.unit_id WHERE u.serial_raw = '{serial}' AND o.ended_at IS NULL"
        ),
    )
    .await;
    assert_eq!(owners, 1);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'dispute.decide'"
        )
        .await,
        1
    );
    // The loser's dispute was closed with the winner's decision, and that is audited too.
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM disputes WHERE status = 'rejected'"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'dispute.close'"
        )
        .await,
        1
    );
}
both_engines!(two_decisions_of_one_registration_cannot_both_win);

async fn one_report_is_closed_once(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let p = parties(&app, "twice.test").await;
    app.user("agent2@twice.test", Some(Role::Agent), None, None)
        .await;
    let agent2 = app.signed_in("agent2@twice.test").await;
    let serial = app.generate(&p.staff, "HC-L14", 1).await.remove(0);
    let unit = app.registered(&p.sam, &serial, None).await;
    let response = app
        .post_form(
            &p.sam,
            &format!("/my/products/{unit}"),
            &[("action", "report"), ("report_kind", "stolen")],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let report = count(&app, "SELECT MAX(id) FROM theft_reports")
        .await
        .to_string();
    let path = format!("/desk/units/{unit}");
    let form = [
        ("action", "withdraw_report"),
        ("report", report.as_str()),
        ("withdraw_reason", "The owner found it in a drawer."),
    ];
    let (a, b) = tokio::join!(
        app.post_form(&p.agent, &path, &form),
        app.post_form(&agent2, &path, &form)
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [303, 422]);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'theft.withdraw'"
        )
        .await,
        1
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM theft_report_notes").await,
        1,
        "one closing, one note"
    );
}
both_engines!(one_report_is_closed_once);

async fn upheld_disputes_take_reports_on_the_owners_word_and_leave_the_polices(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let p = parties(&app, "word.test").await;
    app.user(
        "officer@word.test",
        Some(Role::Police),
        None,
        Some("Harbour Police"),
    )
    .await;
    let officer = app.signed_in("officer@word.test").await;

    // Staff report the first unit stolen on Sam's behalf; an agent decides Ann bought it.
    let (serial, _, id) = disputed(&app, &p).await;
    let response = app
        .post_form(
            &p.staff,
            "/staff/thefts",
            &[
                ("action", "report"),
                ("theft_serial", &serial),
                ("theft_kind", "stolen"),
                ("note", "Sam phoned"),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(
        lookup(&app, &serial).await["stolen"]["status"],
        "reported_stolen"
    );
    assert_eq!(
        decide(&app, &p.agent, id, "reassign")
            .await
            .status()
            .as_u16(),
        303
    );
    assert_eq!(
        lookup(&app, &serial).await["stolen"]["status"],
        "not_reported"
    );

    // The police report the second; the dispute's decision leaves that report standing, and
    // the agent's desk offers no way to withdraw it.
    let (serial, _, id) = disputed(&app, &p).await;
    let response = app
        .post_form(
            &officer,
            "/police",
            &[
                ("serial", &serial),
                ("report_kind", "stolen"),
                ("case_number", "HP-9"),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(
        decide(&app, &p.agent, id, "end").await.status().as_u16(),
        303
    );
    assert_eq!(
        lookup(&app, &serial).await["stolen"]["status"],
        "reported_stolen"
    );
    let unit = count(
        &app,
        &format!("SELECT id FROM units WHERE serial_raw = '{serial}'"),
    )
    .await;
    let report = count(&app, "SELECT MAX(id) FROM theft_reports")
        .await
        .to_string();
    let path = format!("/desk/units/{unit}");
    let (_, page) = app.fetch(&p.agent, &path).await;
    assert!(page.contains("A police report: only its agency"), "{page}");
    let response = app
        .post_form(
            &p.agent,
            &path,
            &[
                ("action", "withdraw_report"),
                ("report", report.as_str()),
                ("withdraw_reason", "I think it is false."),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 403);
    assert_eq!(
        lookup(&app, &serial).await["stolen"]["status"],
        "reported_stolen"
    );
}
both_engines!(upheld_disputes_take_reports_on_the_owners_word_and_leave_the_polices);

async fn a_scrapped_unit_stays_scrapped_and_the_ousted_cannot_register_it_again(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let p = parties(&app, "scrap.test").await;
    // Reassigned: Ann's, still scrapped.
    let (serial, _, id) = disputed(&app, &p).await;
    sqlx::query("UPDATE units SET status = 'scrapped' WHERE serial_raw = $1")
        .bind(&serial)
        .execute(app.db.writer())
        .await
        .unwrap();
    assert_eq!(
        decide(&app, &p.agent, id, "reassign")
            .await
            .status()
            .as_u16(),
        303
    );
    let status = |serial: String| {
        let app = &app;
        async move {
            sqlx::query_scalar::<_, String>("SELECT status FROM units WHERE serial_raw = $1")
                .bind(serial)
                .fetch_one(app.db.reader())
                .await
                .unwrap()
        }
    };
    assert_eq!(status(serial.clone()).await, "scrapped");

    // Ended: registered to nobody; Sam, ousted, may not simply register it again.
    let (serial, _, id) = disputed(&app, &p).await;
    assert_eq!(
        decide(&app, &p.agent, id, "end").await.status().as_u16(),
        303
    );
    let response = register_bought(&app, &p.sam, &serial, &days_ago(30)).await;
    assert_eq!(response.status().as_u16(), 422);
    let page = response.text().await.unwrap();
    assert!(page.contains("ended after an ownership dispute"), "{page}");
    // Ann, whose proof was not enough for the agent either, can.
    let response = register_bought(&app, &p.ann, &serial, &days_ago(3)).await;
    assert_eq!(response.status().as_u16(), 303);
}
both_engines!(a_scrapped_unit_stays_scrapped_and_the_ousted_cannot_register_it_again);

async fn a_disputes_proofs_are_for_its_claimant_and_the_agents(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let p = parties(&app, "files.test").await;
    let (_, product, id) = disputed(&app, &p).await;
    let proof = count(
        &app,
        &format!("SELECT MIN(id) FROM attachments WHERE dispute_id = {id}"),
    )
    .await;
    let file = format!("/files/{proof}");
    assert_eq!(app.fetch(&p.ann, &file).await.0, 200);
    assert_eq!(app.fetch(&p.agent, &file).await.0, 200);
    assert_eq!(
        app.fetch(&p.staff, &file).await.0,
        404,
        "the maker's staff do not see it"
    );
    assert_eq!(app.fetch(&p.sam, &file).await.0, 404);

    // Sam answers with files: the desk shows every one, up to the bound, then refuses more.
    let reply = |n: usize| {
        let (app, sam, product) = (&app, &p.sam, &product);
        async move {
            sam.post(format!("{}{product}/dispute", app.base))
                .header("origin", &app.base)
                .header("accept", "text/html")
                .multipart(
                    reqwest::multipart::Form::new()
                        .text("dispute", id.to_string())
                        .text("reply", format!("It was a present; receipt number {n}."))
                        .part(
                            "reply_proof",
                            reqwest::multipart::Part::bytes(PNG.to_vec())
                                .file_name(format!("r{n}.png")),
                        ),
                )
                .send()
                .await
                .unwrap()
        }
    };
    for n in 0..3 {
        assert_eq!(reply(n).await.status().as_u16(), 303, "file {n}");
    }
    let response = reply(3).await;
    assert_eq!(response.status().as_u16(), 422);
    let page = response.text().await.unwrap();
    assert!(page.contains("the most we keep"), "{page}");
    let (_, page) = app.fetch(&p.agent, &format!("/desk/disputes/{id}")).await;
    for n in 1..=3 {
        assert!(page.contains(&format!("file {n} of 3")), "{page}");
    }
}
both_engines!(a_disputes_proofs_are_for_its_claimant_and_the_agents);

async fn a_dispute_must_be_possible_and_is_asked_once(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let p = parties(&app, "once.test").await;
    let (serial, _, id) = disputed(&app, &p).await;
    // Decided against Ann: she cannot ask Sam again for the same registration.
    assert_eq!(
        decide(&app, &p.agent, id, "reject").await.status().as_u16(),
        303
    );
    let mails = crate::common::mails_in(&app.outbox, "dispute_filed", "sam@once.test");
    let response = dispute(
        &app,
        &p.ann,
        &serial,
        "I bought it, truly; the receipt is attached.",
        Some(PNG),
    )
    .await;
    assert_eq!(response.status().as_u16(), 422);
    assert!(response.text().await.unwrap().contains("decided already"));
    assert_eq!(
        crate::common::mails_in(&app.outbox, "dispute_filed", "sam@once.test"),
        mails
    );

    // A purchase before the unit was made is refused, nothing saved.
    app.user("cy@once.test", None, None, None).await;
    let cy = app.signed_in("cy@once.test").await;
    sqlx::query("UPDATE units SET manufactured_on = $2 WHERE serial_raw = $1")
        .bind(&serial)
        .bind(days_ago(1))
        .execute(app.db.writer())
        .await
        .unwrap();
    let before = count(&app, "SELECT COUNT(*) FROM disputes").await;
    let response = dispute(
        &app,
        &cy,
        &serial,
        "I bought it three days ago, receipt attached.",
        Some(PNG),
    )
    .await;
    assert_eq!(response.status().as_u16(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("cannot have been bought before that")
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM disputes").await, before);
}
both_engines!(a_dispute_must_be_possible_and_is_asked_once);
