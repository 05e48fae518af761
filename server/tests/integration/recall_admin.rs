//! Staff recalls over HTTP: draft, scope rules (serials, range, component serial through a
//! two-level chain), preview, publish → public lookup, scope edits that lookups follow,
//! remedies, close; another manufacturer's staff denied; on both engines.

use crate::both_engines;
use crate::common::{Engine, TestApp, location};
use serialtrace::account::Role;

/// Hallmark units with a numeric body in no recall: (id, serial, model).
async fn free_units(app: &TestApp, n: i64) -> Vec<(i64, String, String)> {
    sqlx::query_as(
        "SELECT u.id, u.serial_norm, p.model FROM units u
         JOIN products p ON p.id = u.product_id JOIN manufacturers m ON m.id = u.manufacturer_id
         WHERE m.slug = 'hallmark' AND p.serial_format LIKE '%\"digits\"%'
           AND NOT EXISTS (SELECT 1 FROM recall_units ru WHERE ru.unit_id = u.id)
           AND NOT EXISTS (SELECT 1 FROM units o WHERE o.serial_norm = u.serial_norm AND o.id <> u.id)
         ORDER BY u.id LIMIT $1",
    )
    .bind(n)
    .fetch_all(app.db.reader())
    .await
    .expect("units")
}

/// (unit id, serial) of each serial.
async fn with_ids(app: &TestApp, serials: Vec<String>) -> Vec<(i64, String)> {
    let mut units = Vec::new();
    for serial in serials {
        let id: i64 = sqlx::query_scalar("SELECT id FROM units WHERE serial_norm = $1")
            .bind(&serial)
            .fetch_one(app.db.reader())
            .await
            .expect("the unit");
        units.push((id, serial));
    }
    units
}

async fn recall_numbers(app: &TestApp, serial: &str) -> Vec<(String, String)> {
    let (status, answer) = app.api_lookup(serial).await;
    assert_eq!(status, 200, "{answer}");
    answer["matches"][0]["recalls"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|r| {
                    (
                        r["number"].as_str().unwrap_or_default().to_owned(),
                        r["remedy_status"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Waits (briefly) until a lookup shows what is expected: answers are cached per epoch.
async fn until_numbers(app: &TestApp, serial: &str, expected: &[&str]) {
    for _ in 0..40 {
        let numbers: Vec<String> = recall_numbers(app, serial)
            .await
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        if numbers == expected {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!(
        "{serial}: expected {expected:?}, got {:?}",
        recall_numbers(app, serial).await
    );
}

async fn staff_run_a_recall_from_draft_to_close(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let (staff, other) = app.two_staff().await;

    // A draft: bad fields named, then a good one.
    let mut fields = vec![
        ("action", "draft"),
        ("number", "HC-TEST-1"),
        ("title", "Battery cells may overheat"),
        ("hazard", "fire"),
        (
            "description",
            "Cells from one supplier lot can overheat while charging.",
        ),
        ("remedy", "replace"),
        ("remedy_available", "on"),
        (
            "instructions",
            "Stop charging the laptop and contact Hallmark.",
        ),
        ("severity", "critical"),
        ("starts_on", "2026-11-01"),
    ];
    let mut bad = fields.clone();
    bad[1] = ("number", "");
    bad[8] = ("severity", "apocalyptic");
    let response = app.post_form(&staff, "/staff/recalls", &bad).await;
    assert_eq!(response.status().as_u16(), 422);
    let page = response.text().await.unwrap();
    assert!(page.contains("Enter the recall number."), "{page}");
    assert!(page.contains("Choose the severity."), "{page}");
    let response = app.post_form(&staff, "/staff/recalls", &fields).await;
    assert_eq!(response.status().as_u16(), 303);
    let page = location(&response);
    assert!(page.starts_with("/staff/recalls/"), "{page}");
    let response = app.post_form(&staff, "/staff/recalls", &fields).await;
    assert_eq!(response.status().as_u16(), 422, "the number is taken");
    fields[0] = ("action", "x");

    // Another manufacturer's staff see nothing and change nothing.
    assert_eq!(app.fetch(&other, &page).await.0, 404);
    let response = app.post_form(&other, &page, &[("action", "publish")]).await;
    assert_eq!(response.status().as_u16(), 404);

    // Publishing needs a rule; a serial that is not ours is refused.
    let response = app.post_form(&staff, &page, &[("action", "publish")]).await;
    assert_eq!(response.status().as_u16(), 422);
    let nordvik: String = sqlx::query_scalar(
        "SELECT u.serial_norm FROM units u JOIN manufacturers m ON m.id = u.manufacturer_id
         WHERE m.slug = 'nordvik' ORDER BY u.id LIMIT 1",
    )
    .fetch_one(app.db.reader())
    .await
    .unwrap();
    let response = app
        .post_form(
            &staff,
            &page,
            &[
                ("action", "add_rule"),
                ("rule_kind", "serials"),
                ("serials", &nordvik),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("not among your units")
    );

    // A two-level chain of three new units: cell → pack → laptop.
    let units = with_ids(&app, app.generate(&staff, "HC-L14", 3).await).await;
    let [
        (cell, cell_serial),
        (pack, pack_serial),
        (laptop, laptop_serial),
    ] = [units[0].clone(), units[1].clone(), units[2].clone()];
    for (parent, child) in [(pack, cell), (laptop, pack)] {
        sqlx::query(
            "INSERT INTO component_links (parent_unit_id, child_unit_id, linked_at) VALUES ($1, $2, '2026-01-01T00:00:00Z')",
        )
        .bind(parent)
        .bind(child)
        .execute(app.db.writer())
        .await
        .unwrap();
    }
    let response = app
        .post_form(
            &staff,
            &page,
            &[
                ("action", "add_rule"),
                ("rule_kind", "component_serial"),
                ("serials", &cell_serial.to_lowercase()),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let (status, html) = app.fetch(&staff, &page).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Preview: 3 units would be affected."),
        "{html}"
    );
    assert!(html.contains(&laptop_serial));
    assert!(
        recall_numbers(&app, &laptop_serial).await.is_empty(),
        "a draft is not public"
    );

    let response = app.post_form(&staff, &page, &[("action", "publish")]).await;
    assert_eq!(response.status().as_u16(), 303);
    for serial in [&cell_serial, &pack_serial, &laptop_serial] {
        until_numbers(&app, serial, &["HC-TEST-1"]).await;
    }

    // Scope edits on a live recall: lookups follow.
    let ranged = free_units(&app, 1).await;
    let (_, ranged_serial, ranged_model) = ranged[0].clone();
    let prefix = &ranged_serial[..2];
    let body = &ranged_serial[2..10];
    let response = app
        .post_form(
            &staff,
            &page,
            &[
                ("action", "add_rule"),
                ("rule_kind", "range"),
                ("rule_model", &ranged_model),
                ("range_prefix", prefix),
                ("range_from", body),
                ("range_to", body),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    until_numbers(&app, &ranged_serial, &["HC-TEST-1"]).await;
    let rule_id: i64 =
        sqlx::query_scalar("SELECT MAX(id) FROM recall_scope_rules WHERE kind = 'serial_range'")
            .fetch_one(app.db.reader())
            .await
            .unwrap();
    let response = app
        .post_form(
            &staff,
            &page,
            &[("action", "remove_rule"), ("rule_id", &rule_id.to_string())],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    until_numbers(&app, &ranged_serial, &[]).await;
    until_numbers(&app, &laptop_serial, &["HC-TEST-1"]).await;

    // Remedies: good lines recorded, bad ones reported by line.
    let remedies = format!(
        "serial,status,remedied_on\n{laptop_serial},remedied,2026-11-20\nNOTOURS99,remedied\n"
    );
    let response = app
        .post_form(
            &staff,
            &page,
            &[("action", "remedies"), ("remedies", &remedies)],
        )
        .await;
    assert_eq!(response.status().as_u16(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("1 recorded"), "{html}");
    assert!(
        html.contains("line 3: serial: NOTOURS99 is not covered"),
        "{html}"
    );
    let (_, html) = app.fetch(&staff, &page).await;
    assert!(html.contains("1 of 3 units remedied (33.3 %)"), "{html}");
    let mut remedied = Vec::new();
    for _ in 0..40 {
        remedied = recall_numbers(&app, &laptop_serial).await;
        if remedied.first().is_some_and(|(_, s)| s == "remedied") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        remedied,
        vec![("HC-TEST-1".to_owned(), "remedied".to_owned())]
    );

    // Close: lookups stop showing it.
    let response = app.post_form(&staff, &page, &[("action", "close")]).await;
    assert_eq!(response.status().as_u16(), 303);
    until_numbers(&app, &cell_serial, &[]).await;

    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_log WHERE action LIKE 'recall.%' ORDER BY id")
            .fetch_all(app.db.reader())
            .await
            .unwrap();
    assert_eq!(
        actions,
        vec![
            "recall.draft",
            "recall.scope.add",
            "recall.publish",
            "recall.scope.add",
            "recall.scope.remove",
            "recall.remedy",
            "recall.close"
        ]
    );
}
both_engines!(staff_run_a_recall_from_draft_to_close);

/// The unit page: whole record, audited edits, journey events, component links that bring a
/// finished unit into a live component recall; another manufacturer's staff see nothing.
async fn staff_keep_a_units_record(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let (staff, other) = app.two_staff().await;
    let units = with_ids(&app, app.generate(&staff, "HC-L14", 2).await).await;
    let ((part, part_serial), (laptop, laptop_serial)) = (units[0].clone(), units[1].clone());
    let page = format!("/staff/units/{laptop}");

    // Found by serial; its record shows; another manufacturer gets "not found".
    let (_, html) = app
        .fetch(
            &staff,
            &format!("/staff/units?serial={}", laptop_serial.to_lowercase()),
        )
        .await;
    assert!(html.contains(&page), "{html}");
    let (status, html) = app.fetch(&staff, &page).await;
    assert_eq!(status, 200);
    assert!(
        html.contains(&format!("{laptop_serial} · HC-L14")),
        "{html}"
    );
    assert_eq!(app.fetch(&other, &page).await.0, 404);
    let response = app
        .post_form(&other, &page, &[("action", "edit"), ("status", "scrapped")])
        .await;
    assert_eq!(response.status().as_u16(), 404);

    // Edit (audited with before and after), bad input answered by field.
    let response = app
        .post_form(
            &staff,
            &page,
            &[
                ("action", "edit"),
                ("status", "teleported"),
                ("manufactured_on", "yesterday"),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 422);
    assert!(response.text().await.unwrap().contains("is not a date"));
    let response = app
        .post_form(
            &staff,
            &page,
            &[
                ("action", "edit"),
                ("status", "shipped"),
                ("location", "Rotterdam DC"),
                ("manufactured_on", "2026-09-01"),
                ("revision", "B"),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let (before, after): (String, String) = sqlx::query_as(
        "SELECT before_json, after_json FROM audit_log WHERE action = 'unit.update' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(app.db.reader())
    .await
    .unwrap();
    assert!(
        before.contains("in_stock") && after.contains("Rotterdam DC"),
        "{before} {after}"
    );

    // A journey event.
    let response = app
        .post_form(
            &staff,
            &page,
            &[
                ("action", "event"),
                ("kind", "shipped"),
                ("at", "2026-11-02"),
                ("place", "Rotterdam"),
                ("note", "pallet 7"),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let (_, html) = app.fetch(&staff, &page).await;
    assert!(
        html.contains("<strong>shipped</strong> 2026-11-02 · Rotterdam · by a@hallmark.test"),
        "{html}"
    );

    // A live component recall on the part; linking the part into the laptop brings the
    // laptop into it.
    let response = app
        .post_form(
            &staff,
            "/staff/recalls",
            &[
                ("action", "draft"),
                ("number", "HC-PART-1"),
                ("title", "Hinge part"),
                ("hazard", "pinching"),
                ("description", "A hinge part can break."),
                ("remedy", "repair"),
                ("remedy_available", "on"),
                ("instructions", "Book a repair."),
                ("severity", "medium"),
                ("starts_on", "2026-11-01"),
            ],
        )
        .await;
    let recall = location(&response);
    for fields in [
        vec![
            ("action", "add_rule"),
            ("rule_kind", "component_serial"),
            ("serials", part_serial.as_str()),
        ],
        vec![("action", "publish")],
    ] {
        let response = app.post_form(&staff, &recall, &fields).await;
        assert_eq!(response.status().as_u16(), 303);
    }
    until_numbers(&app, &laptop_serial, &[]).await;
    let response = app
        .post_form(
            &staff,
            &page,
            &[
                ("action", "link"),
                ("component_kind", "serial"),
                ("component", &part_serial),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    until_numbers(&app, &laptop_serial, &["HC-PART-1"]).await;
    let (_, html) = app.fetch(&staff, &page).await;
    assert!(
        html.contains(&format!("unit {part_serial} · HC-L14")),
        "{html}"
    );
    let (_, html) = app.fetch(&staff, &format!("/staff/units/{part}")).await;
    assert!(
        html.contains(&format!("{laptop_serial} · HC-L14")),
        "built into: {html}"
    );

    // A cycle and a duplicate are refused with the reason.
    let response = app
        .post_form(
            &staff,
            &format!("/staff/units/{part}"),
            &[
                ("action", "link"),
                ("component_kind", "serial"),
                ("component", &laptop_serial),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("cannot be built into itself")
    );
    let response = app
        .post_form(
            &staff,
            &page,
            &[
                ("action", "link"),
                ("component_kind", "serial"),
                ("component", &part_serial),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 422);
    assert!(response.text().await.unwrap().contains("already linked"));
}
both_engines!(staff_keep_a_units_record);

/// Every unit's facts and every component link, for the reference evaluation.
async fn fleet(
    app: &TestApp,
) -> (
    Vec<serialtrace::recall::scope::UnitFacts>,
    Vec<serialtrace::recall::scope::ComponentLink>,
) {
    use serialtrace::recall::scope::{ComponentLink, UnitFacts};
    // (id, product, serial, lot, made)
    type Row = (i64, i64, String, Option<i64>, Option<String>);
    let units: Vec<Row> = sqlx::query_as(
        "SELECT id, product_id, serial_norm, lot_id, manufactured_on FROM units ORDER BY id",
    )
    .fetch_all(app.db.reader())
    .await
    .unwrap();
    let facts = units
        .into_iter()
        .map(|(id, product_id, serial, lot_id, made)| UnitFacts {
            id,
            product_id,
            serial,
            lot_id,
            manufactured_on: serialtrace::store::parse_date(made.as_deref()),
        })
        .collect();
    let links: Vec<(i64, Option<i64>, Option<i64>)> =
        sqlx::query_as("SELECT parent_unit_id, child_unit_id, child_lot_id FROM component_links")
            .fetch_all(app.db.reader())
            .await
            .unwrap();
    let links = links
        .into_iter()
        .filter_map(|(parent, child, lot)| match (child, lot) {
            (Some(child), _) => Some(ComponentLink::Unit { parent, child }),
            (_, Some(lot_id)) => Some(ComponentLink::Lot { parent, lot_id }),
            _ => None,
        })
        .collect();
    (facts, links)
}

/// Each kind of rule entered on the screen previews exactly what the reference evaluation
/// says it covers (lots, production windows, component lots reaching packs and laptops).
async fn each_rule_kind_previews_what_it_covers(engine: Engine) {
    use serialtrace::recall::scope::{ScopeRule, affected_units};
    let app = TestApp::spawn(engine).await;
    app.user("a@hallmark.test", Some(Role::Staff), Some("hallmark"), None)
        .await;
    let staff = app.signed_in("a@hallmark.test").await;
    let (facts, links) = fleet(&app).await;
    let (lot_id, lot_code, lot_model): (i64, String, String) = sqlx::query_as(
        "SELECT l.id, l.code, p.model FROM lots l JOIN products p ON p.id = l.product_id
         WHERE p.model = 'HC-L14' AND EXISTS (SELECT 1 FROM units u WHERE u.lot_id = l.id) ORDER BY l.id LIMIT 1",
    )
    .fetch_one(app.db.reader())
    .await
    .unwrap();
    let (cell_lot, cell_code): (i64, String) = sqlx::query_as(
        "SELECT l.id, l.code FROM lots l JOIN products p ON p.id = l.product_id
         WHERE p.model = 'HC-CELL' AND EXISTS (SELECT 1 FROM component_links c WHERE c.child_lot_id = l.id)
         ORDER BY l.id LIMIT 1",
    )
    .fetch_one(app.db.reader())
    .await
    .unwrap();
    let laptop: i64 = sqlx::query_scalar("SELECT id FROM products WHERE model = 'HC-L14'")
        .fetch_one(app.db.reader())
        .await
        .unwrap();
    let window = |d: &str| {
        time::Date::parse(d, &time::format_description::well_known::Iso8601::DATE).unwrap()
    };
    let cases: Vec<(Vec<(&str, String)>, ScopeRule)> = vec![
        (
            vec![
                ("rule_kind", "lot".into()),
                ("rule_model", lot_model.clone()),
                ("lot_code", lot_code.clone()),
            ],
            ScopeRule::Lot { lot_id },
        ),
        (
            vec![
                ("rule_kind", "window".into()),
                ("rule_model", "HC-L14".into()),
                ("window_from", "2025-01-01".into()),
                ("window_to", "2025-12-31".into()),
            ],
            ScopeRule::ProductionWindow {
                product_id: laptop,
                from: window("2025-01-01"),
                to: window("2025-12-31"),
            },
        ),
        (
            vec![
                ("rule_kind", "component_lot".into()),
                ("lot_code", cell_code.clone()),
            ],
            ScopeRule::ComponentLot { lot_id: cell_lot },
        ),
    ];
    for (n, (fields, rule)) in cases.into_iter().enumerate() {
        let number = format!("HC-KIND-{n}");
        let response = app
            .post_form(
                &staff,
                "/staff/recalls",
                &[
                    ("action", "draft"),
                    ("number", &number),
                    ("title", "Kinds"),
                    ("hazard", "test"),
                    ("description", "Each kind of rule."),
                    ("remedy", "repair"),
                    ("remedy_available", "on"),
                    ("instructions", "None."),
                    ("severity", "low"),
                    ("starts_on", "2026-11-01"),
                ],
            )
            .await;
        let page = location(&response);
        let mut form: Vec<(&str, &str)> = vec![("action", "add_rule")];
        form.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
        let response = app.post_form(&staff, &page, &form).await;
        assert_eq!(
            response.status().as_u16(),
            303,
            "{rule:?}: {}",
            response.text().await.unwrap_or_default()
        );
        let expected = affected_units(std::slice::from_ref(&rule), &facts, &links).len();
        assert!(expected > 0, "{rule:?} covers something in the demo data");
        let (_, html) = app.fetch(&staff, &page).await;
        assert!(
            html.contains(&format!("Preview: {expected} units would be affected.")),
            "{rule:?}: expected {expected}; {}",
            html.split("Preview")
                .nth(1)
                .unwrap_or("no preview")
                .chars()
                .take(80)
                .collect::<String>()
        );
    }
    // Without a model, a range or a window is refused with the reason.
    let response = app
        .post_form(
            &staff,
            "/staff/recalls",
            &[
                ("action", "draft"),
                ("number", "HC-KIND-X"),
                ("title", "Kinds"),
                ("hazard", "test"),
                ("description", "x"),
                ("remedy", "repair"),
                ("instructions", "x"),
                ("severity", "low"),
                ("starts_on", "2026-11-01"),
            ],
        )
        .await;
    let page = location(&response);
    let response = app
        .post_form(
            &staff,
            &page,
            &[
                ("action", "add_rule"),
                ("rule_kind", "window"),
                ("window_from", "2025-01-01"),
                ("window_to", "2025-02-01"),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("needs the model number")
    );
}
both_engines!(each_rule_kind_previews_what_it_covers);

/// A draft's fields with this number.
fn draft(number: &str) -> Vec<(&'static str, String)> {
    [
        ("action", "draft"),
        ("number", number),
        ("title", "Hinges may crack"),
        ("hazard", "cuts"),
        ("description", "A hinge can crack and leave a sharp edge."),
        ("remedy", "repair"),
        ("remedy_available", "on"),
        ("instructions", "Book a free hinge repair."),
        ("severity", "medium"),
        ("starts_on", "2026-11-01"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_owned()))
    .collect()
}

/// Drafts, scopes to `serial` and publishes a recall: its staff page.
async fn publish_on(app: &TestApp, staff: &reqwest::Client, number: &str, serial: &str) -> String {
    let fields = draft(number);
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let response = app.post_form(staff, "/staff/recalls", &fields).await;
    assert_eq!(response.status().as_u16(), 303, "{number}");
    let page = location(&response);
    let response = app
        .post_form(
            staff,
            &page,
            &[
                ("action", "add_rule"),
                ("rule_kind", "serials"),
                ("serials", serial),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let response = app.post_form(staff, &page, &[("action", "publish")]).await;
    assert_eq!(response.status().as_u16(), 303);
    page
}

/// Security review, finding 12: a recall number belongs to its manufacturer. Another
/// manufacturer's numbers (drafts too) neither block nor show through; the public page and
/// the API name the manufacturer and the number; the old one-segment link leads to the one
/// recall of that number, or lets the reader choose.
async fn recall_numbers_are_each_manufacturers_own(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let (hallmark, nordvik) = app.two_staff().await;
    let unit_of = |slug: &'static str| {
        let db = app.db.clone();
        async move {
            sqlx::query_scalar::<_, String>(
                "SELECT u.serial_norm FROM units u JOIN manufacturers m ON m.id = u.manufacturer_id
                 WHERE m.slug = $1 AND NOT EXISTS (SELECT 1 FROM recall_units ru WHERE ru.unit_id = u.id)
                   AND NOT EXISTS (SELECT 1 FROM units o WHERE o.serial_norm = u.serial_norm AND o.id <> u.id)
                 ORDER BY u.id LIMIT 1",
            )
            .bind(slug)
            .fetch_one(db.reader())
            .await
            .expect("a unit")
        }
    };
    let (nordvik_unit, hallmark_unit) = (unit_of("nordvik").await, unit_of("hallmark").await);

    // Nordvik publishes R-SHARED-1; Hallmark may still number a recall so, once.
    publish_on(&app, &nordvik, "R-SHARED-1", &nordvik_unit).await;
    let fields = draft("R-SHARED-1");
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let response = app.post_form(&hallmark, "/staff/recalls", &fields).await;
    assert_eq!(
        response.status().as_u16(),
        303,
        "another maker's number is no obstacle"
    );
    let hallmark_page = location(&response);
    let response = app.post_form(&hallmark, "/staff/recalls", &fields).await;
    assert_eq!(response.status().as_u16(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("You already have a recall numbered R-SHARED-1.")
    );

    // Public: Nordvik's page; Hallmark's is a draft (not found); the old link leads to the
    // only published one.
    let response = app.get("/recalls/nordvik/R-SHARED-1").await;
    assert_eq!(response.status().as_u16(), 200);
    assert!(response.text().await.unwrap().contains("Nordvik Mobile"));
    assert_eq!(
        app.get("/recalls/hallmark/R-SHARED-1")
            .await
            .status()
            .as_u16(),
        404
    );
    let response = app
        .client
        .get(format!("{}/recalls/R-SHARED-1", app.base))
        .header("accept", "text/html")
        .send()
        .await
        .expect("the server answers");
    assert!(response.status().is_redirection(), "{}", response.status());
    assert_eq!(location(&response), "/recalls/nordvik/R-SHARED-1");
    for _ in 0..40 {
        let (_, answer) = app.api_lookup(&nordvik_unit).await;
        if answer["matches"][0]["recalls"][0]["path"].is_string() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let (_, answer) = app.api_lookup(&nordvik_unit).await;
    assert_eq!(
        answer["matches"][0]["recalls"][0]["path"], "/recalls/nordvik/R-SHARED-1",
        "{answer}"
    );

    // Both published: each page is its maker's, the old link offers both, the API by number
    // alone says which to ask.
    let response = app
        .post_form(
            &hallmark,
            &hallmark_page,
            &[
                ("action", "add_rule"),
                ("rule_kind", "serials"),
                ("serials", &hallmark_unit),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let response = app
        .post_form(&hallmark, &hallmark_page, &[("action", "publish")])
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let response = app.get("/recalls/hallmark/R-SHARED-1").await;
    assert_eq!(response.status().as_u16(), 200);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Hallmark Computing")
    );
    let response = app.get("/recalls/R-SHARED-1").await;
    assert_eq!(response.status().as_u16(), 200);
    let page = response.text().await.unwrap();
    assert!(
        page.contains("href=\"/recalls/hallmark/R-SHARED-1\"")
            && page.contains("href=\"/recalls/nordvik/R-SHARED-1\""),
        "{page}"
    );
    let response = app.get("/api/v1/recalls/R-SHARED-1").await;
    assert_eq!(response.status().as_u16(), 409);
    let problem = response.text().await.unwrap();
    assert!(
        problem.contains("/api/v1/manufacturers/hallmark/recalls/R-SHARED-1"),
        "{problem}"
    );
    let response = app
        .get("/api/v1/manufacturers/hallmark/recalls/R-SHARED-1")
        .await;
    assert_eq!(response.status().as_u16(), 200);
    let detail: serde_json::Value = response.json().await.unwrap();
    assert_eq!(detail["summary"]["manufacturer"], "Hallmark Computing");
    assert_eq!(detail["summary"]["path"], "/recalls/hallmark/R-SHARED-1");
    assert_eq!(
        app.get("/api/v1/manufacturers/nordvik/recalls/R-NONE")
            .await
            .status()
            .as_u16(),
        404
    );
}
both_engines!(recall_numbers_are_each_manufacturers_own);
