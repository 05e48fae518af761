//! The staff back office over HTTP: importing units from the browser (multipart upload, a
//! job page that reports progress and every rejected row), scoped to the staff member's own
//! manufacturer, on both engines.

use crate::both_engines;
use crate::common::{Engine, TestApp};
use serialtrace::account::Role;
use serialtrace::format::SerialFormat;

/// A Hallmark product and two new serials in its format.
async fn hallmark_serials(app: &TestApp) -> (String, Vec<String>) {
    let (model, format): (String, String) = sqlx::query_as(
        "SELECT p.model, p.serial_format FROM products p JOIN manufacturers m ON m.id = p.manufacturer_id
         WHERE m.slug = 'hallmark' AND p.serial_format LIKE '%structured%' ORDER BY p.id LIMIT 1",
    )
    .fetch_one(app.db.reader())
    .await
    .expect("a Hallmark product");
    let format: SerialFormat = serde_json::from_str(&format).expect("a format");
    (
        model,
        (0..2).map(|i| format.serial_for(700_000 + i)).collect(),
    )
}

async fn upload(
    app: &TestApp,
    browser: &reqwest::Client,
    csv: &str,
    dry_run: bool,
) -> reqwest::Response {
    let mut form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(csv.as_bytes().to_vec())
            .file_name("units.csv")
            .mime_str("text/csv")
            .expect("a mime type"),
    );
    if dry_run {
        form = form.text("dry_run", "on");
    }
    browser
        .post(format!("{}/staff/import/upload", app.base))
        .header("origin", &app.base)
        .header("accept", "text/html")
        .multipart(form)
        .send()
        .await
        .expect("the server answers")
}

/// Follows an import's page until it is done: its HTML.
async fn finished(app: &TestApp, browser: &reqwest::Client, job: &str) -> String {
    for _ in 0..100 {
        let (status, page) = app.fetch(browser, job).await;
        assert_eq!(status, 200, "{page}");
        if !page.contains("data-state=\"running\"") {
            return page;
        }
        assert!(
            page.contains("http-equiv=\"refresh\""),
            "a running import refreshes itself"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the import did not finish");
}

async fn staff_import_units_for_their_manufacturer_only(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    app.user("a@hallmark.test", Some(Role::Staff), Some("hallmark"), None)
        .await;
    app.user("b@nordvik.test", Some(Role::Staff), Some("nordvik"), None)
        .await;
    let staff_a = app.signed_in("a@hallmark.test").await;
    let staff_b = app.signed_in("b@nordvik.test").await;
    let (model, serials) = hallmark_serials(&app).await;
    let csv = format!(
        "manufacturer,model,serial,lot,manufactured_on,sold_on,warranty_months\n\
         hallmark,{model},{},,2026-01-05,2026-02-01,\n\
         Hallmark Computing,{model},{},,2026-01-05,,\n\
         nordvik,NV-P8,353320110000028,,,,\n\
         hallmark,{model},{},,yesterday,,\n",
        serials[0], serials[1], serials[0]
    );

    let (status, page) = app.fetch(&staff_a, "/staff").await;
    assert_eq!(status, 200);
    assert!(page.contains("Back office · Hallmark Computing"), "{page}");

    // A dry run writes nothing.
    let response = upload(&app, &staff_a, &csv, true).await;
    assert_eq!(response.status().as_u16(), 303);
    let job = response.headers()["location"]
        .to_str()
        .expect("a location")
        .to_owned();
    let page = finished(&app, &staff_a, &job).await;
    assert!(
        page.contains("Nothing was written. 4 rows: 2 created"),
        "{page}"
    );
    let (status, _) = app.api_lookup(&serials[0]).await;
    assert_eq!(status, 200);
    let (_, body) = app.api_lookup(&serials[0]).await;
    assert_eq!(body["result"], "not_found", "{body}");

    let response = upload(&app, &staff_a, &csv, false).await;
    assert_eq!(response.status().as_u16(), 303);
    let job = response.headers()["location"]
        .to_str()
        .expect("a location")
        .to_owned();
    let page = finished(&app, &staff_a, &job).await;
    assert!(
        page.contains("4 rows: 2 created, 0 updated, 0 unchanged, 2 rejected."),
        "{page}"
    );
    assert!(
        page.contains(
            "<td>4</td><td>manufacturer</td><td>&#x27;nordvik&#x27; is not your manufacturer</td>"
        ) || page.contains("is not your manufacturer"),
        "{page}"
    );
    assert!(
        page.contains("<td>5</td><td>manufactured_on</td>"),
        "{page}"
    );
    // The public lookup knows the new unit at once.
    let (_, body) = app.api_lookup(&serials[0]).await;
    assert_eq!(body["result"], "found", "{body}");
    let audit: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'units.import'")
            .fetch_one(app.db.reader())
            .await
            .expect("audit");
    assert_eq!(audit, 1);

    // Another manufacturer's staff cannot see the import; owners cannot import.
    let (status, page) = app.fetch(&staff_b, &job).await;
    assert_eq!(status, 404);
    assert!(!page.contains("units.csv"), "{page}");
    app.user("owner@staff.test", None, None, None).await;
    let owner = app.signed_in("owner@staff.test").await;
    assert_eq!(
        upload(&app, &owner, &csv, false).await.status().as_u16(),
        403
    );
    assert_eq!(app.fetch(&owner, "/staff/import").await.0, 403);

    // An empty file is answered on the page, with the reason.
    let response = upload(&app, &staff_a, "", false).await;
    assert_eq!(response.status().as_u16(), 422);
    let page = response.text().await.expect("a page");
    assert!(page.contains("Choose a CSV file"), "{page}");
    // A file without the header fails as a whole.
    let response = upload(&app, &staff_a, "serial\nX1\n", false).await;
    let job = response.headers()["location"]
        .to_str()
        .expect("a location")
        .to_owned();
    let page = finished(&app, &staff_a, &job).await;
    assert!(
        page.contains("The import stopped: line 1: header: missing columns"),
        "{page}"
    );
}
both_engines!(staff_import_units_for_their_manufacturer_only);

async fn staff_export_their_units_as_csv(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    app.user("a@hallmark.test", Some(Role::Staff), Some("hallmark"), None)
        .await;
    app.user("b@nordvik.test", Some(Role::Staff), Some("nordvik"), None)
        .await;
    let staff_a = app.signed_in("a@hallmark.test").await;
    let staff_b = app.signed_in("b@nordvik.test").await;
    let count = |sql: &'static str| {
        let db = app.db.clone();
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(db.reader())
                .await
                .expect("count")
        }
    };
    let export = |browser: reqwest::Client, query: &'static str| {
        let url = format!("{}/staff/export/units.csv{query}", app.base);
        async move {
            let response = browser.get(url).send().await.expect("the server answers");
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            (status, headers, response.text().await.expect("a body"))
        }
    };

    let (status, headers, body) = export(staff_a.clone(), "").await;
    assert_eq!(status, 200);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap_or_default()
            .starts_with("text/csv")
    );
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap_or_default()
            .contains("attachment")
    );
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(
        lines[0],
        "manufacturer,model,serial,lot,manufactured_on,status,warranty_starts_on,warranty_ends_on"
    );
    let hallmark = count(
        "SELECT COUNT(*) FROM units u JOIN manufacturers m ON m.id = u.manufacturer_id WHERE m.slug = 'hallmark'",
    )
    .await;
    assert_eq!(lines.len() as i64 - 1, hallmark);
    assert!(
        lines[1..].iter().all(|l| l.starts_with("hallmark,")),
        "only Hallmark's units"
    );

    let sold = count(
        "SELECT COUNT(*) FROM units u JOIN manufacturers m ON m.id = u.manufacturer_id WHERE m.slug = 'hallmark' AND u.status = 'sold'",
    )
    .await;
    let (_, _, body) = export(staff_a.clone(), "?status=sold").await;
    assert_eq!(body.lines().count() as i64 - 1, sold);
    let (status, _, body) = export(staff_a.clone(), "?status=lost").await;
    assert_eq!(status, 400);
    assert!(body.contains("is not a status"), "{body}");

    // The units a recall covers: Hallmark's own recall, and nothing of another's.
    let (number, covered): (String, i64) = sqlx::query_as(
        "SELECT r.number, COUNT(*) FROM recalls r JOIN manufacturers m ON m.id = r.manufacturer_id
         JOIN recall_units ru ON ru.recall_id = r.id WHERE m.slug = 'hallmark' GROUP BY r.number ORDER BY r.number LIMIT 1",
    )
    .fetch_one(app.db.reader())
    .await
    .expect("a Hallmark recall");
    let url = format!("{}/staff/export/units.csv?recall={number}", app.base);
    let body = staff_a
        .get(&url)
        .send()
        .await
        .expect("answer")
        .text()
        .await
        .expect("body");
    assert_eq!(body.lines().count() as i64 - 1, covered);
    let body = staff_b
        .get(&url)
        .send()
        .await
        .expect("answer")
        .text()
        .await
        .expect("body");
    assert_eq!(
        body.lines().count(),
        1,
        "another manufacturer's recall gives nothing"
    );

    let (_, _, body) = export(staff_b.clone(), "").await;
    assert!(body.lines().skip(1).all(|l| l.starts_with("nordvik,")));
    app.user("owner@export.test", None, None, None).await;
    let owner = app.signed_in("owner@export.test").await;
    assert_eq!(export(owner, "").await.0, 403);
    assert_eq!(export(app.browser(), "").await.0, 401);
}
both_engines!(staff_export_their_units_as_csv);
