//! The staff desk over HTTP: the theft-flag queue (report on an owner's behalf, verify,
//! note, recover, withdraw; public lookups follow), stock audits (every category, applied
//! once as "received here"), and the dashboard (recall progress, lookups chart, counterfeit
//! candidates); another manufacturer's staff denied; on both engines.

use crate::both_engines;
use crate::common::{Engine, TestApp, location};
use serialtrace::format::SerialFormat;

async fn stolen_status(app: &TestApp, serial: &str) -> String {
    let (_, answer) = app.api_lookup(serial).await;
    answer["matches"][0]["stolen"]["status"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn until_stolen(app: &TestApp, serial: &str, expected: &str) {
    for _ in 0..40 {
        if stolen_status(app, serial).await == expected {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!(
        "{serial}: expected {expected}, got {}",
        stolen_status(app, serial).await
    );
}

async fn staff_review_theft_reports(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let (staff, other) = app.two_staff().await;
    let serials = app.generate(&staff, "HC-L14", 2).await;
    let serial = &serials[0];
    assert_eq!(stolen_status(&app, serial).await, "not_reported");

    // On an owner's behalf: bad input answered by field, then the report; lookups follow.
    let response = app
        .post_form(
            &staff,
            "/staff/thefts",
            &[
                ("action", "report"),
                ("theft_serial", "NOTOURS123"),
                ("theft_kind", "stolen"),
                ("occurred_on", ""),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("is not among your units")
    );
    let response = app
        .post_form(
            &staff,
            "/staff/thefts",
            &[
                ("action", "report"),
                ("theft_serial", &serial.to_lowercase()),
                ("theft_kind", "stolen"),
                ("occurred_on", "2026-11-10"),
                ("place", "Utrecht"),
                ("agency", "City Police"),
                ("case_number", "CP-77"),
                ("note", "owner phoned"),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    until_stolen(&app, serial, "reported_stolen").await;
    let response = app
        .post_form(
            &staff,
            "/staff/thefts",
            &[
                ("action", "report"),
                ("theft_serial", serial),
                ("theft_kind", "stolen"),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 422, "one open report per unit");
    let report: i64 = sqlx::query_scalar("SELECT MAX(id) FROM theft_reports")
        .fetch_one(app.db.reader())
        .await
        .unwrap();
    let (status, html) = app.fetch(&staff, "/staff/thefts").await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("{serial} · HC-L14")), "{html}");
    assert!(
        html.contains("case CP-77") && html.contains("owner phoned"),
        "{html}"
    );
    let (_, html) = app.fetch(&other, "/staff/thefts").await;
    assert!(
        !html.contains(serial.as_str()),
        "another manufacturer's queue"
    );

    // Review: another manufacturer cannot touch it; verify, note, recover.
    let id = report.to_string();
    let response = app
        .post_form(
            &other,
            "/staff/thefts",
            &[("action", "withdraw"), ("report_id", &id)],
        )
        .await;
    assert_eq!(response.status().as_u16(), 404);
    for (action, note) in [("verify", ""), ("note", "police confirmed the case")] {
        let response = app
            .post_form(
                &staff,
                "/staff/thefts",
                &[("action", action), ("report_id", &id), ("note", note)],
            )
            .await;
        assert_eq!(response.status().as_u16(), 303, "{action}");
    }
    let response = app
        .post_form(
            &staff,
            "/staff/thefts",
            &[("action", "verify"), ("report_id", &id)],
        )
        .await;
    assert_eq!(response.status().as_u16(), 422, "verified once");
    let response = app
        .post_form(
            &staff,
            "/staff/thefts",
            &[
                ("action", "recover"),
                ("report_id", &id),
                ("recovered_place", "Amsterdam pawn shop"),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    until_stolen(&app, serial, "not_reported").await;
    let (_, html) = app.fetch(&staff, "/staff/thefts?all=1").await;
    assert!(html.contains("recovered at Amsterdam pawn shop"), "{html}");
    assert!(html.contains("police confirmed the case"));

    // A second report, withdrawn.
    let response = app
        .post_form(
            &staff,
            "/staff/thefts",
            &[
                ("action", "report"),
                ("theft_serial", &serials[1]),
                ("theft_kind", "lost"),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let second: i64 = sqlx::query_scalar("SELECT MAX(id) FROM theft_reports")
        .fetch_one(app.db.reader())
        .await
        .unwrap();
    let response = app
        .post_form(
            &staff,
            "/staff/thefts",
            &[("action", "withdraw"), ("report_id", &second.to_string())],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_log WHERE action LIKE 'theft.%' ORDER BY id")
            .fetch_all(app.db.reader())
            .await
            .unwrap();
    assert_eq!(
        actions,
        vec![
            "theft.report",
            "theft.verify",
            "theft.note",
            "theft.recover",
            "theft.report",
            "theft.withdraw"
        ]
    );
}
both_engines!(staff_review_theft_reports);

async fn stock_audits_sort_every_scanned_serial(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let (staff, other) = app.two_staff().await;
    let serials = app.generate(&staff, "HC-L14", 5).await;
    // Records: units 0–2 at the depot, unit 3 elsewhere, unit 4 sold.
    for (i, serial) in serials.iter().enumerate() {
        let (location, status) = match i {
            0..=2 => ("Depot 9", "in_stock"),
            3 => ("Depot 1", "in_stock"),
            _ => ("Depot 9", "sold"),
        };
        sqlx::query("UPDATE units SET location = $1, status = $2 WHERE serial_norm = $3")
            .bind(location)
            .bind(status)
            .bind(serial)
            .execute(app.db.writer())
            .await
            .unwrap();
    }
    let nordvik: String = sqlx::query_scalar(
        "SELECT u.serial_norm FROM units u JOIN manufacturers m ON m.id = u.manufacturer_id
         WHERE m.slug = 'nordvik' ORDER BY u.id LIMIT 1",
    )
    .fetch_one(app.db.reader())
    .await
    .unwrap();
    // Scanned: 0 and 1 (1 twice, once lower-case), 3, 4, a Nordvik unit, nonsense; 2 is missing.
    let scanned = format!(
        "{}\n{}\n{}\n\n{}\n{}\n{nordvik}\nNO SUCH 1\n",
        serials[0],
        serials[1],
        serials[1].to_lowercase(),
        serials[3],
        serials[4]
    );
    let response = app
        .post_form(
            &staff,
            "/staff/stock",
            &[("location", ""), ("scanned", &scanned)],
        )
        .await;
    assert_eq!(response.status().as_u16(), 422);
    assert!(response.text().await.unwrap().contains("Name the location"));
    let response = app
        .post_form(
            &staff,
            "/staff/stock",
            &[("location", "Depot 9"), ("scanned", &scanned)],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let page = location(&response);
    assert_eq!(app.fetch(&other, &page).await.0, 404);
    let (status, html) = app.fetch(&staff, &page).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("7 lines scanned: 2 matched, 1 missing, 2 unexpected, 2 unknown, 1 scanned more than once."),
        "{html}"
    );
    let section = |class: &str| {
        let start = html.find(&format!("stock-{class}")).unwrap();
        html[start..].split("</section>").next().unwrap().to_owned()
    };
    assert!(section("missing").contains(&serials[2]));
    assert!(
        section("unexpected").contains(&format!("{} · HC-L14 · records say Depot 1", serials[3]))
    );
    assert!(section("unexpected").contains("records say sold"));
    assert!(
        section("unknown").contains(&nordvik),
        "another manufacturer's unit is unknown here"
    );
    assert!(section("duplicates").contains(&format!("{} × 2", serials[1])));

    // Applied once: matched and misplaced shelf units are received at the depot.
    let response = app.post_form(&staff, &page, &[("action", "apply")]).await;
    assert_eq!(response.status().as_u16(), 303);
    let response = app.post_form(&staff, &page, &[("action", "apply")]).await;
    assert_eq!(response.status().as_u16(), 422);
    let received: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM events e JOIN units u ON u.id = e.unit_id
         WHERE e.kind = 'received' AND e.place = 'Depot 9' AND u.batch_id IS NOT NULL",
    )
    .fetch_one(app.db.reader())
    .await
    .unwrap();
    assert_eq!(received, 3);
    let moved: String = sqlx::query_scalar("SELECT location FROM units WHERE serial_norm = $1")
        .bind(&serials[3])
        .fetch_one(app.db.reader())
        .await
        .unwrap();
    assert_eq!(moved, "Depot 9");

    // The scanner's file instead of typed lines: a CSV's first column (saved by a
    // spreadsheet, with a byte-order mark before the header).
    let csv = format!(
        "\u{FEFF}serial,scanned_at\n{},10:01\n\"{}\",10:02\n",
        serials[0], serials[1]
    );
    let form = reqwest::multipart::Form::new()
        .text("location", "Depot 9")
        .text("scanned", "")
        .part(
            "file",
            reqwest::multipart::Part::bytes(csv.into_bytes())
                .file_name("scan.csv")
                .mime_str("text/csv")
                .unwrap(),
        );
    let response = staff
        .post(format!("{}/staff/stock/upload", app.base))
        .header("origin", &app.base)
        .header("accept", "text/html")
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 303);
    let (_, html) = app.fetch(&staff, &location(&response)).await;
    assert!(
        html.contains("2 lines scanned: 2 matched, 2 missing"),
        "{html}"
    );
}
both_engines!(stock_audits_sort_every_scanned_serial);

async fn the_dashboard_shows_lookups_and_counterfeit_candidates(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let (staff, other) = app.two_staff().await;
    let format: String =
        sqlx::query_scalar("SELECT serial_format FROM products WHERE model = 'HC-L14'")
            .fetch_one(app.db.reader())
            .await
            .unwrap();
    let format: SerialFormat = serde_json::from_str(&format).unwrap();
    // Well-formed, never issued: a likely fake; looked up three times.
    let fake = format.serial_for(98_765_432);
    for _ in 0..3 {
        let (_, answer) = app.api_lookup(&fake).await;
        assert_eq!(answer["result"], "not_found", "{answer}");
    }
    let real = app.generate(&staff, "HC-L14", 1).await.remove(0);
    let (_, answer) = app.api_lookup(&real).await;
    assert_eq!(answer["result"], "found");
    // The lookup log is written in the background.
    let mut html = String::new();
    for _ in 0..50 {
        html = app.fetch(&staff, "/staff").await.1;
        if html.contains(&fake) && !html.contains("0 in all") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(html.contains("Counterfeit candidates: 1"), "{html}");
    assert!(
        html.contains(&format!("<td>{fake}</td><td>HC-L14</td><td>3</td>")),
        "{html}"
    );
    assert!(
        html.contains("Lookups of your units per day over the last 30 days"),
        "{html}"
    );
    assert!(
        !html.contains(" 0 in all"),
        "the found lookup is counted: {html}"
    );
    let (_, theirs) = app.fetch(&other, "/staff").await;
    assert!(
        !theirs.contains(&fake),
        "not another manufacturer's candidate"
    );
}
both_engines!(the_dashboard_shows_lookups_and_counterfeit_candidates);

async fn bulk(
    app: &TestApp,
    browser: &reqwest::Client,
    kind: &str,
    csv: &str,
) -> reqwest::Response {
    let form = reqwest::multipart::Form::new()
        .text("kind", kind.to_owned())
        .part(
            "file",
            reqwest::multipart::Part::bytes(csv.as_bytes().to_vec())
                .file_name("bulk.csv")
                .mime_str("text/csv")
                .unwrap(),
        );
    browser
        .post(format!("{}/staff/journey/upload", app.base))
        .header("origin", &app.base)
        .header("accept", "text/html")
        .multipart(form)
        .send()
        .await
        .expect("the server answers")
}

async fn journey_and_components_in_bulk(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let (staff, other) = app.two_staff().await;
    let serials = app.generate(&staff, "HC-L14", 3).await;
    let (cell, pack, laptop) = (&serials[0], &serials[1], &serials[2]);

    // Events: good rows written, each bad row named by line and column.
    let csv = format!(
        "serial,event,at,place,note,extra\n{laptop},shipped,2026-11-02,Rotterdam,pallet 7,x\n{laptop},teleported,2026-11-03,,,\n{pack},received,2026-11-04T10:00:00Z,Utrecht,,\nNOTOURS9,sold,2026-11-05,,,\n{pack},sold,yesterday,,,\n"
    );
    let response = bulk(&app, &staff, "events", &csv).await;
    assert_eq!(response.status().as_u16(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("2 of 5 rows recorded; 3 rejected:"), "{html}");
    assert!(
        html.contains("line 3: event: &#x27;teleported&#x27; is not one of")
            || html.contains("line 3: event: 'teleported' is not one of"),
        "{html}"
    );
    assert!(
        html.contains("line 5: serial: NOTOURS9 is not among your units"),
        "{html}"
    );
    assert!(html.contains("line 6: at:"), "{html}");
    let events: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM events e JOIN units u ON u.id = e.unit_id WHERE u.serial_norm IN ($1, $2)",
    )
    .bind(laptop)
    .bind(pack)
    .fetch_one(app.db.reader())
    .await
    .unwrap();
    assert_eq!(events, 2);
    let response = bulk(&app, &staff, "events", "serial,when\nX,1\n").await;
    assert_eq!(response.status().as_u16(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("the header has no column event")
    );

    // Links: cell → pack → laptop; the same file again changes nothing; a cycle is refused.
    let csv =
        format!("parent_serial,component_serial,component_lot\n{pack},{cell},\n{laptop},{pack},\n");
    let response = bulk(&app, &staff, "links", &csv).await;
    assert_eq!(response.status().as_u16(), 303);
    assert!(location(&response).contains("applied=2"));
    let response = bulk(&app, &staff, "links", &csv).await;
    assert_eq!(response.status().as_u16(), 303);
    assert!(
        location(&response).contains("applied=0&unchanged=2"),
        "{}",
        location(&response)
    );
    let response = bulk(
        &app,
        &staff,
        "links",
        &format!("parent_serial,component_serial\n{cell},{laptop}\n"),
    )
    .await;
    assert_eq!(response.status().as_u16(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("line 2: component_serial: it contains the parent already")
    );
    // Another manufacturer cannot link our units.
    let response = bulk(&app, &other, "links", &csv).await;
    assert_eq!(response.status().as_u16(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("is not among your units")
    );
    let unit: i64 = sqlx::query_scalar("SELECT id FROM units WHERE serial_norm = $1")
        .bind(laptop)
        .fetch_one(app.db.reader())
        .await
        .unwrap();
    let (_, html) = app.fetch(&staff, &format!("/staff/units/{unit}")).await;
    assert!(html.contains(&format!("unit {pack} · HC-L14")), "{html}");
    assert!(
        html.contains("<strong>shipped</strong> 2026-11-02 · Rotterdam"),
        "{html}"
    );
}
both_engines!(journey_and_components_in_bulk);

async fn staff_uploads_refuse_a_form_of_too_many_parts(engine: Engine) {
    // Security review, finding 11: every upload reads a bounded number of parts; a body of
    // many tiny parts is refused with why, and changes nothing.
    let app = TestApp::spawn(engine).await;
    let (staff, _) = app.two_staff().await;
    let audited = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM audit_log")
            .fetch_one(app.db.reader())
            .await
            .unwrap()
    };
    let before = audited().await;
    for path in [
        "/staff/import/upload",
        "/staff/journey/upload",
        "/staff/stock/upload",
    ] {
        let mut form = reqwest::multipart::Form::new()
            .text("kind", "events")
            .text("location", "Depot 9");
        // One name again and again: parts are counted as read, not as kept.
        for _ in 0..40 {
            form = form.text("f", "x");
        }
        let response = staff
            .post(format!("{}{path}", app.base))
            .header("origin", &app.base)
            .header("accept", "text/html")
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 413, "{path}");
        let page = response.text().await.unwrap();
        assert!(
            page.contains("The form has more than 32 parts."),
            "{path}: {page}"
        );
    }
    assert_eq!(audited().await, before, "nothing was changed");
}
both_engines!(staff_uploads_refuse_a_form_of_too_many_parts);
