//! Warranty claims and the agents' desk over HTTP: the in/out of warranty decision, the claim
//! lifecycle the owner follows, repairs with parts replaced (the genealogy follows) and a
//! repair warranty (the public status follows), extensions with a reason (audited), the
//! expiry report; role checks; on both engines.

use crate::both_engines;
use crate::common::{Engine, TestApp, location};
use serialtrace::account::Role;

const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0-a photo of the fault";

/// Files a claim as `browser` on `unit`: the response.
async fn file(
    app: &TestApp,
    browser: &reqwest::Client,
    unit: i64,
    description: &str,
    paid_ok: bool,
) -> reqwest::Response {
    let mut form = reqwest::multipart::Form::new()
        .text("description", description.to_owned())
        .part(
            "photos",
            reqwest::multipart::Part::bytes(JPEG.to_vec()).file_name("fault.jpg"),
        );
    if paid_ok {
        form = form.text("paid_repair_ok", "on");
    }
    browser
        .post(format!("{}/my/products/{unit}/claim", app.base))
        .header("origin", &app.base)
        .header("accept", "text/html")
        .multipart(form)
        .send()
        .await
        .expect("the server answers")
}

fn claim_id(response: &reqwest::Response) -> i64 {
    location(response)
        .trim_start_matches("/my/claims/")
        .split('?')
        .next()
        .and_then(|id| id.parse().ok())
        .expect("the claim's page")
}

async fn warranty_of(app: &TestApp, serial: &str) -> (String, String) {
    let (_, body) = app.api_lookup(serial).await;
    let w = &body["matches"][0]["warranty"];
    (
        w["status"].as_str().unwrap_or_default().to_owned(),
        w["ends_on"].as_str().unwrap_or_default().to_owned(),
    )
}

async fn claims_run_from_owner_to_agent_and_back(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    app.user("claimant@claims.test", None, None, None).await;
    app.user("other@claims.test", None, None, None).await;
    app.user("agent@claims.test", Some(Role::Agent), None, None)
        .await;
    let owner = app.signed_in("claimant@claims.test").await;
    let other = app.signed_in("other@claims.test").await;
    let agent = app.signed_in("agent@claims.test").await;

    // In warranty: filed as such.
    let fresh = app.sample("unregistered").clone();
    let in_unit = app
        .registered(&owner, &fresh.serial, fresh.gtin.as_deref())
        .await;
    let (_, form) = app
        .fetch(&owner, &format!("/my/products/{in_unit}/claim"))
        .await;
    assert!(form.contains("the claim is filed under warranty"), "{form}");
    let short = file(&app, &owner, in_unit, "broken", false).await;
    assert_eq!(short.status().as_u16(), 422);
    assert!(
        short
            .text()
            .await
            .unwrap()
            .contains("at least 10 characters")
    );
    let response = file(
        &app,
        &owner,
        in_unit,
        "The battery no longer charges past 40%.",
        false,
    )
    .await;
    assert_eq!(response.status().as_u16(), 303);
    let in_claim = claim_id(&response);

    // Out of warranty: stated up front, accepted only as a paid repair request.
    let old = app.sample("expired_warranty").clone();
    let out_unit = app
        .registered(&owner, &old.serial, old.gtin.as_deref())
        .await;
    let (_, form) = app
        .fetch(&owner, &format!("/my/products/{out_unit}/claim"))
        .await;
    assert!(form.contains("not under warranty"), "{form}");
    let refused = file(
        &app,
        &owner,
        out_unit,
        "The drum makes a grinding noise.",
        false,
    )
    .await;
    assert_eq!(refused.status().as_u16(), 422);
    assert!(refused.text().await.unwrap().contains("tick the box"));
    let response = file(
        &app,
        &owner,
        out_unit,
        "The drum makes a grinding noise.",
        true,
    )
    .await;
    assert_eq!(response.status().as_u16(), 303);
    let out_claim = claim_id(&response);
    let decided: Vec<(i64, i64)> =
        sqlx::query_as("SELECT id, in_warranty FROM claims WHERE id IN ($1, $2) ORDER BY id")
            .bind(in_claim)
            .bind(out_claim)
            .fetch_all(app.db.reader())
            .await
            .unwrap();
    assert_eq!(decided, vec![(in_claim, 1), (out_claim, 0)]);

    // Another owner sees none of it; an owner cannot reach the desk.
    assert_eq!(
        app.fetch(&other, &format!("/my/claims/{in_claim}")).await.0,
        404
    );
    assert_eq!(
        file(&app, &other, in_unit, "Not my unit at all, really.", true)
            .await
            .status()
            .as_u16(),
        404
    );
    assert_eq!(app.fetch(&owner, "/desk").await.0, 403);
    assert_eq!(
        app.post_form(
            &owner,
            &format!("/desk/claims/{in_claim}"),
            &[("status", "approved")]
        )
        .await
        .status()
        .as_u16(),
        403
    );

    // The agent finds the unit by a look-alike serial (O for 0, I for 1, ...).
    let lookalike: String = fresh
        .serial
        .chars()
        .map(|c| match c {
            '0' => 'O',
            '1' => 'I',
            '5' => 'S',
            other => other,
        })
        .collect();
    let (_, found) = app
        .fetch(&agent, &format!("/desk?serial={lookalike}"))
        .await;
    assert!(found.contains(&format!("/desk/units/{in_unit}")), "{found}");
    let (_, desk) = app.fetch(&agent, "/desk").await;
    assert!(
        desk.contains(&format!("/desk/claims/{in_claim}")),
        "the queue lists the claim"
    );

    // Working the claim: a note the owner sees, an internal one, a move that is not allowed.
    let path = format!("/desk/claims/{in_claim}");
    let response = app
        .post_form(
            &agent,
            &path,
            &[
                ("action", "update"),
                ("status", "in_review"),
                ("note", "Please send the charger's model."),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let response = app
        .post_form(
            &agent,
            &path,
            &[
                ("action", "update"),
                ("status", ""),
                ("note", "Suspect a bad cell lot."),
                ("internal", "on"),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let response = app
        .post_form(
            &agent,
            &path,
            &[("action", "update"), ("status", "repaired")],
        )
        .await;
    assert_eq!(response.status().as_u16(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("cannot become repaired")
    );
    let response = app
        .post_form(
            &agent,
            &path,
            &[("action", "update"), ("status", "approved")],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let (_, mine) = app.fetch(&owner, &format!("/my/claims/{in_claim}")).await;
    assert!(mine.contains("Status: approved"), "{mine}");
    assert!(mine.contains("Please send the charger's model."));
    assert!(
        !mine.contains("Suspect a bad cell lot."),
        "internal notes stay internal"
    );
    let mail = app.mail_to("claimant@claims.test", "claim_update").await;
    assert!(mail.contains("approved"), "{mail}");

    // The out-of-warranty unit is repaired with a six-month repair warranty: its public
    // status follows, and the claim is repaired.
    assert_eq!(warranty_of(&app, &old.serial).await.0, "expired");
    for status in ["in_review", "approved"] {
        let r = app
            .post_form(
                &agent,
                &format!("/desk/claims/{out_claim}"),
                &[("status", status)],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303);
    }
    let unit_page = format!("/desk/units/{out_unit}");
    let bad = app
        .post_form(
            &agent,
            &unit_page,
            &[
                ("action", "repair"),
                ("repair_claim", &out_claim.to_string()),
                ("repair_description", "New drum bearing"),
                ("repair_warranty_months", "six"),
            ],
        )
        .await;
    assert_eq!(bad.status().as_u16(), 422);
    let response = app
        .post_form(
            &agent,
            &unit_page,
            &[
                ("action", "repair"),
                ("repair_claim", &out_claim.to_string()),
                ("repair_description", "New drum bearing"),
                ("repair_warranty_months", "6"),
            ],
        )
        .await;
    assert_eq!(
        response.status().as_u16(),
        303,
        "{}",
        response
            .text()
            .await
            .unwrap_or_default()
            .chars()
            .take(2000)
            .collect::<String>()
    );
    let until = serialtrace::warranty::add_months(serialtrace::store::today(), 6).to_string();
    for _ in 0..40 {
        if warranty_of(&app, &old.serial).await == ("active".to_owned(), until.clone()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        warranty_of(&app, &old.serial).await,
        ("active".to_owned(), until)
    );
    let status: String = sqlx::query_scalar("SELECT status FROM claims WHERE id = $1")
        .bind(out_claim)
        .fetch_one(app.db.reader())
        .await
        .unwrap();
    assert_eq!(status, "repaired");

    // A warranty extension needs a reason, and is audited.
    let page = format!("/desk/units/{in_unit}");
    let response = app
        .post_form(
            &agent,
            &page,
            &[
                ("action", "extend"),
                ("extend_months", "12"),
                ("extend_reason", ""),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 422);
    let response = app
        .post_form(
            &agent,
            &page,
            &[
                ("action", "extend"),
                ("extend_months", "12"),
                ("extend_reason", "Goodwill after a repeated fault"),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let audited: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'warranty.extend' AND actor_role = 'agent' AND after_json LIKE '%Goodwill%'")
        .fetch_one(app.db.reader())
        .await
        .unwrap();
    assert_eq!(audited, 1);
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT action FROM audit_log WHERE actor_role = 'agent' ORDER BY action",
    )
    .fetch_all(app.db.reader())
    .await
    .unwrap();
    assert_eq!(
        actions,
        vec!["claim.update", "repair.log", "warranty.extend"]
    );
}
both_engines!(claims_run_from_owner_to_agent_and_back);

async fn repairs_move_replaced_parts_in_the_genealogy(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let (staff, _) = app.two_staff().await;
    app.user("fixer@claims.test", Some(Role::Agent), None, None)
        .await;
    let agent = app.signed_in("fixer@claims.test").await;
    let spare = app.generate(&staff, "HC-BP60", 1).await.remove(0);
    let (laptop, old_pack): (i64, String) = sqlx::query_as(
        "SELECT c.parent_unit_id, cu.serial_norm FROM component_links c JOIN units cu ON cu.id = c.child_unit_id
         JOIN products p ON p.id = cu.product_id WHERE p.model = 'HC-BP60' ORDER BY c.id LIMIT 1",
    )
    .fetch_one(app.db.reader())
    .await
    .expect("a laptop with a battery pack");
    let page = format!("/desk/units/{laptop}");
    let wrong = app
        .post_form(
            &agent,
            &page,
            &[
                ("action", "repair"),
                ("repair_description", "Battery swap"),
                ("repair_parts", &format!("NOTAPART1 -> {spare}")),
            ],
        )
        .await;
    assert_eq!(wrong.status().as_u16(), 422);
    assert!(
        wrong
            .text()
            .await
            .unwrap()
            .contains("is not a component of")
    );
    let response = app
        .post_form(
            &agent,
            &page,
            &[
                ("action", "repair"),
                ("repair_description", "Battery swap"),
                ("repair_parts", &format!("{old_pack} -> {spare}")),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let children: Vec<String> = sqlx::query_scalar(
        "SELECT cu.serial_norm FROM component_links c JOIN units cu ON cu.id = c.child_unit_id WHERE c.parent_unit_id = $1",
    )
    .bind(laptop)
    .fetch_all(app.db.reader())
    .await
    .unwrap();
    assert!(
        children.contains(&spare) && !children.contains(&old_pack),
        "{children:?}"
    );
    let (_, record) = app.fetch(&agent, &page).await;
    assert!(
        record.contains(&format!("{old_pack} -&gt; {spare}"))
            || record.contains(&format!("{old_pack} -> {spare}")),
        "{record}"
    );
}
both_engines!(repairs_move_replaced_parts_in_the_genealogy);

async fn the_expiry_report_lists_units_by_window_for_agents_and_staff(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let (staff_a, _) = app.two_staff().await;
    app.user("report@claims.test", Some(Role::Agent), None, None)
        .await;
    app.user("plain@claims.test", None, None, None).await;
    let agent = app.signed_in("report@claims.test").await;
    let plain = app.signed_in("plain@claims.test").await;
    // Two units whose warranty ends in 10 and 50 days: one Hallmark, one not.
    let today = serialtrace::store::today();
    let picks: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT u.id, u.serial_raw, m.slug FROM units u JOIN manufacturers m ON m.id = u.manufacturer_id
         WHERE m.slug IN ('hallmark', 'aquaclean') AND u.id IN (SELECT MIN(id) FROM units GROUP BY manufacturer_id)
         ORDER BY m.slug",
    )
    .fetch_all(app.db.reader())
    .await
    .unwrap();
    assert_eq!(picks.len(), 2, "{picks:?}");
    for ((unit, _, _), days) in picks.iter().zip([10i64, 50]) {
        sqlx::query("UPDATE warranty_records SET ends_on = starts_on WHERE unit_id = $1")
            .bind(unit)
            .execute(app.db.writer())
            .await
            .unwrap();
        sqlx::query("INSERT INTO warranty_records (unit_id, kind, starts_on, ends_on, source, created_at) VALUES ($1, 'extended', $2, $3, 'test', $2)")
            .bind(unit)
            .bind(today.to_string())
            .bind((today + time::Duration::days(days)).to_string())
            .execute(app.db.writer())
            .await
            .unwrap();
    }
    let (aqua, hallmark) = (&picks[0], &picks[1]);
    let csv = |who: reqwest::Client, days: &'static str| {
        let url = format!("{}/desk/expiring.csv?days={days}", app.base);
        async move {
            let r = who.get(url).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let (status, thirty) = csv(agent.clone(), "30").await;
    assert_eq!(status, 200);
    assert!(
        thirty.starts_with("serial,manufacturer,model,warranty_ends_on,registered\n"),
        "{thirty}"
    );
    // Ordered by slug: Aquaclean's ends in 10 days, Hallmark's in 50.
    assert!(
        thirty.contains(&aqua.1) && !thirty.contains(&hallmark.1),
        "{thirty}"
    );
    let (_, sixty) = csv(agent.clone(), "60").await;
    assert!(
        sixty.contains(&aqua.1) && sixty.contains(&hallmark.1),
        "{sixty}"
    );
    // Staff see their own manufacturer's units only; owners none; bad windows are 400.
    let (status, staff_sixty) = csv(staff_a.clone(), "60").await;
    assert_eq!(status, 200);
    assert!(
        staff_sixty.contains(&hallmark.1) && !staff_sixty.contains(&aqua.1),
        "{staff_sixty}"
    );
    assert_eq!(csv(plain.clone(), "30").await.0, 403);
    assert_eq!(csv(agent.clone(), "45").await.0, 400);
    let (status, page) = app.fetch(&agent, "/desk/expiring?days=60").await;
    assert_eq!(status, 200);
    assert!(page.contains(&hallmark.1), "{page}");
    assert_eq!(app.fetch(&plain, "/desk/expiring").await.0, 403);
    let (status, page) = app.fetch(&staff_a, "/desk/expiring?days=60").await;
    assert_eq!(status, 200);
    assert!(!page.contains(&aqua.1));
}
both_engines!(the_expiry_report_lists_units_by_window_for_agents_and_staff);
