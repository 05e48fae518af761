//! The staff catalogue over HTTP: products (GTINs, policy, format), lots, retiring, and
//! generating serials with check characters (CSV, labels, public lookups), on both engines.

use crate::both_engines;
use crate::common::{Engine, TestApp, location};
use serialtrace::format::{FormatVerdict, SerialFormat};

fn product_fields<'a>(model: &'a str, gtins: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![
        ("action", "create"),
        ("model", model),
        ("name", "Hallmark Aero 14"),
        ("category", "laptop"),
        ("gtins", gtins),
        ("warranty_months", "24"),
        ("warranty_starts", "manufacture"),
        ("transferable", "on"),
        ("format_kind", "structured"),
        ("prefix", "AE"),
        ("body_len", "7"),
        ("alphabet", "safe"),
        ("check", "iso7064"),
        ("order", "sequential"),
        ("tac", ""),
    ]
}

async fn audit_actions(app: &TestApp, action: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = $1")
        .bind(action)
        .fetch_one(app.db.reader())
        .await
        .expect("audit count")
}

async fn staff_keep_a_catalogue_and_make_serials(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let (staff, other) = app.two_staff().await;

    // Bad input: every problem next to its field, 422, nothing written.
    let mut bad = product_fields("", "09506000134353");
    bad.retain(|(k, _)| *k != "warranty_months");
    bad.push(("warranty_months", "many"));
    let response = app.post_form(&staff, "/staff/products", &bad).await;
    assert_eq!(response.status().as_u16(), 422);
    let page = response.text().await.expect("page");
    assert!(page.contains("Enter the model number."), "{page}");
    assert!(page.contains("check digit is wrong"), "{page}");
    assert!(page.contains("whole number from 0 to 240"), "{page}");
    assert!(
        page.contains("value=\"Hallmark Aero 14\""),
        "typed values are kept"
    );
    assert_eq!(audit_actions(&app, "product.create").await, 0);

    // A good product.
    let response = app
        .post_form(
            &staff,
            "/staff/products",
            &product_fields("AERO-14", "09506000134352"),
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let product_page = location(&response);
    assert!(
        product_page.starts_with("/staff/products/"),
        "{product_page}"
    );
    let product_path = product_page.split('?').next().unwrap().to_owned();
    let (status, page) = app.fetch(&staff, &product_page).await;
    assert_eq!(status, 200);
    assert!(page.contains("AERO-14 · Hallmark Aero 14"), "{page}");
    assert!(page.contains("09506000134352"));
    assert!(page.contains("24 months from manufacture"));
    assert_eq!(audit_actions(&app, "product.create").await, 1);

    // The same model or GTIN again is refused with the reason.
    let response = app
        .post_form(
            &staff,
            "/staff/products",
            &product_fields("AERO-14", "4006381333931"),
        )
        .await;
    assert_eq!(response.status().as_u16(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("already a product with model number AERO-14")
    );
    let response = app
        .post_form(
            &staff,
            "/staff/products",
            &product_fields("AERO-15", "09506000134352"),
        )
        .await;
    assert_eq!(response.status().as_u16(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("already belongs to another product")
    );

    // Another manufacturer's staff cannot see or change it.
    let (status, _) = app.fetch(&other, &product_path).await;
    assert_eq!(status, 404);
    let response = app
        .post_form(&other, &product_path, &[("action", "retire")])
        .await;
    assert_eq!(response.status().as_u16(), 404);

    // A lot, then 500 serials in it.
    let response = app
        .post_form(
            &staff,
            &product_path,
            &[
                ("action", "lot"),
                ("code", "AE-L1"),
                ("produced_on", "2026-10-01"),
                ("expires_on", ""),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let response = app
        .post_form(
            &staff,
            &product_path,
            &[
                ("action", "generate"),
                ("count", "500"),
                ("lot", "AE-NOPE"),
                ("manufactured_on", "2026-10-02"),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("has no lot AE-NOPE")
    );
    let response = app
        .post_form(
            &staff,
            &product_path,
            &[
                ("action", "generate"),
                ("count", "500"),
                ("lot", "AE-L1"),
                ("manufactured_on", "2026-10-02"),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let batch = location(&response);
    assert!(batch.starts_with("/staff/batches/"), "{batch}");
    let (status, page) = app.fetch(&staff, &batch).await;
    assert_eq!(status, 200);
    assert!(page.contains("500 new serials made"), "{page}");
    assert!(page.contains("<svg"), "the sheet has QR codes");
    assert_eq!(
        page.matches("class=\"label\"").count(),
        60,
        "a page of labels"
    );
    assert_eq!(app.fetch(&other, &batch).await.0, 404);

    // The CSV: 500 distinct serials, each valid under the format, each with its Digital Link.
    let csv = staff
        .get(format!("{}{batch}/serials.csv", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status().as_u16(), 200);
    let csv = csv.text().await.unwrap();
    let serials: Vec<String> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap().to_owned())
        .collect();
    assert_eq!(serials.len(), 500);
    let distinct: std::collections::HashSet<_> = serials.iter().collect();
    assert_eq!(distinct.len(), 500);
    let format: SerialFormat = serde_json::from_str(
        &sqlx::query_scalar::<_, String>(
            "SELECT serial_format FROM products WHERE model = 'AERO-14'",
        )
        .fetch_one(app.db.reader())
        .await
        .unwrap(),
    )
    .unwrap();
    for serial in &serials {
        assert_eq!(format.check(serial), FormatVerdict::Valid, "{serial}");
        assert!(serial.starts_with("AE") && serial.len() == 10);
    }
    assert!(csv.contains(&format!("/01/09506000134352/21/{}", serials[0])));
    assert_eq!(
        other
            .get(format!("{}{batch}/serials.csv", app.base))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        404
    );

    // A one-character typo of a generated serial is always caught before any query; the real
    // one is found, in warranty from its manufacture date, in its lot.
    let (_, answer) = app.api_lookup(&serials[7]).await;
    assert_eq!(answer["result"], "found", "{answer}");
    assert_eq!(answer["matches"][0]["lot"], "AE-L1", "{answer}");
    let mut typo: Vec<char> = serials[7].chars().collect();
    typo[4] = if typo[4] == 'X' { 'Y' } else { 'X' };
    let typo: String = typo.into_iter().collect();
    let (_, answer) = app.api_lookup(&typo).await;
    assert_eq!(answer["result"], "invalid", "{typo}: {answer}");

    // A QR code per unit.
    let unit: i64 = sqlx::query_scalar("SELECT id FROM units WHERE serial_norm = $1")
        .bind(&serials[0])
        .fetch_one(app.db.reader())
        .await
        .unwrap();
    let qr = staff
        .get(format!("{}/staff/units/{unit}/qr.svg", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(qr.headers()["content-type"], "image/svg+xml");
    assert!(qr.text().await.unwrap().contains("<svg"));
    let qr = other
        .get(format!("{}/staff/units/{unit}/qr.svg", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(qr.status().as_u16(), 404);

    // Sequential serials continue where the last batch ended.
    let response = app
        .post_form(
            &staff,
            &product_path,
            &[
                ("action", "generate"),
                ("count", "3"),
                ("lot", ""),
                ("manufactured_on", ""),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let next = staff
        .get(format!("{}{}/serials.csv", app.base, location(&response)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        next.lines()
            .nth(1)
            .unwrap()
            .starts_with(&format.serial_for(500))
    );
    assert_eq!(audit_actions(&app, "serials.generate").await, 2);

    // The format of a model with units cannot change; the rest can.
    let mut edit = product_fields("AERO-14", "09506000134352, 4006381333931");
    edit[0] = ("action", "update");
    edit.retain(|(k, _)| *k != "prefix");
    edit.push(("prefix", "AF"));
    let response = app.post_form(&staff, &product_path, &edit).await;
    assert_eq!(response.status().as_u16(), 422);
    assert!(response.text().await.unwrap().contains("cannot change"));
    let mut edit = product_fields("AERO-14", "09506000134352, 4006381333931");
    edit[0] = ("action", "update");
    edit.retain(|(k, _)| *k != "name");
    edit.push(("name", "Hallmark Aero 14 (2026)"));
    let response = app.post_form(&staff, &product_path, &edit).await;
    assert_eq!(response.status().as_u16(), 303);
    let (_, page) = app.fetch(&staff, &product_path).await;
    assert!(page.contains("Hallmark Aero 14 (2026)") && page.contains("04006381333931"));
    let (_, answer) = app.api_lookup(&serials[7]).await;
    assert_eq!(
        answer["matches"][0]["product"]["name"], "Hallmark Aero 14 (2026)",
        "{answer}"
    );
    assert_eq!(audit_actions(&app, "product.update").await, 1);

    // Retired: units stay, no new serials.
    let response = app
        .post_form(&staff, &product_path, &[("action", "retire")])
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let response = app
        .post_form(
            &staff,
            &product_path,
            &[("action", "generate"), ("count", "3")],
        )
        .await;
    assert_eq!(response.status().as_u16(), 422);
    assert!(response.text().await.unwrap().contains("retired"));
    let (status, page) = app.fetch(&staff, "/staff/products").await;
    assert_eq!(status, 200);
    assert!(page.contains("retired"));
    let (_, answer) = app.api_lookup(&serials[7]).await;
    assert_eq!(
        answer["result"], "found",
        "a retired model's units are still found"
    );

    // Owners and anonymous visitors are turned away.
    app.user("owner@catalogue.test", None, None, None).await;
    let owner = app.signed_in("owner@catalogue.test").await;
    assert_eq!(app.fetch(&owner, "/staff/products").await.0, 403);
    let response = app
        .post_form(&owner, "/staff/products", &product_fields("X-1", ""))
        .await;
    assert_eq!(response.status().as_u16(), 403);
}
both_engines!(staff_keep_a_catalogue_and_make_serials);

async fn staff_add_one_unit_by_hand(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let (staff, other) = app.two_staff().await;
    let (product, format): (i64, String) =
        sqlx::query_as("SELECT id, serial_format FROM products WHERE model = 'HC-L14'")
            .fetch_one(app.db.reader())
            .await
            .unwrap();
    let format: SerialFormat = serde_json::from_str(&format).unwrap();
    let page = format!("/staff/products/{product}");
    let serial = format.serial_for(77_000_001);
    let mut typo: Vec<char> = serial.chars().collect();
    let last = typo.len() - 1;
    typo[last] = if typo[last] == '0' { '1' } else { '0' };
    let typo: String = typo.into_iter().collect();
    let add = |serial: String| {
        vec![
            ("action", "unit".to_owned()),
            ("unit_serial", serial),
            ("unit_lot", String::new()),
            ("unit_made", "2026-10-01".to_owned()),
        ]
    };
    let send = |browser: reqwest::Client, v: Vec<(&'static str, String)>| {
        let app_base = app.base.clone();
        let page = page.clone();
        async move {
            browser
                .post(format!("{app_base}{page}"))
                .header("origin", &app_base)
                .header("accept", "text/html")
                .form(&v)
                .send()
                .await
                .unwrap()
        }
    };
    let response = send(staff.clone(), add(typo.clone())).await;
    assert_eq!(response.status().as_u16(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("check character is wrong")
    );
    let response = send(staff.clone(), add("ZZ12".into())).await;
    assert_eq!(response.status().as_u16(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("does not fit model HC-L14")
    );
    let response = send(other.clone(), add(serial.clone())).await;
    assert_eq!(
        response.status().as_u16(),
        404,
        "another manufacturer's model"
    );
    let printed = format!("{}-{}", &serial[..4], &serial[4..]);
    let response = send(staff.clone(), add(printed.clone())).await;
    assert_eq!(response.status().as_u16(), 303);
    let unit_page = location(&response);
    assert!(unit_page.ends_with("?done=created"), "{unit_page}");
    let (_, html) = app.fetch(&staff, &unit_page).await;
    assert!(html.contains("The unit has been added."), "{html}");
    assert!(
        html.contains(&format!("{printed} · HC-L14")),
        "kept as printed: {html}"
    );
    let response = send(staff.clone(), add(serial.clone())).await;
    assert_eq!(response.status().as_u16(), 422);
    assert!(response.text().await.unwrap().contains("has a unit"));
    let (_, answer) = app.api_lookup(&serial).await;
    assert_eq!(answer["result"], "found", "{answer}");
    let created: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'unit.create'")
            .fetch_one(app.db.reader())
            .await
            .unwrap();
    assert_eq!(created, 1);
}
both_engines!(staff_add_one_unit_by_hand);
