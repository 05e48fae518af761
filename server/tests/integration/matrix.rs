//! Who reaches what: every route and server function × every kind of user, allowed or
//! denied, checked on the server (as a browser and as a script would ask), on both engines.
//! Later screens add their rows here, including direct references to another owner's unit
//! or another manufacturer's records.

use crate::both_engines;
use crate::common::{Engine, TestApp};
use serialtrace::account::Role;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    Anonymous,
    Owner,
    OtherOwner,
    Agent,
    StaffA,
    StaffB,
    Police,
    Admin,
}

#[allow(dead_code)]
const EVERYONE: [Who; 8] = [
    Who::Anonymous,
    Who::Owner,
    Who::OtherOwner,
    Who::Agent,
    Who::StaffA,
    Who::StaffB,
    Who::Police,
    Who::Admin,
];

/// Who a route lets through.
#[derive(Clone, Copy, Debug)]
enum Rule {
    Public,
    SignedIn,
    Staff,
    /// A record of manufacturer A: A's staff only; B's staff are told "not found" (404).
    StaffA,
    Admin,
    /// Police officers only.
    Police,
    /// Police officers and administrators (a report's case file, closing it).
    PoliceOrAdmin,
    /// Support agents only.
    Agent,
    /// Agents, and staff (for their own manufacturer's units).
    AgentOrStaff,
    /// The matrix owner's own record: any other signed-in user is told "not found" (404).
    Own,
    /// The matrix owner's proof of purchase, for a unit neither A nor B made: the owner and
    /// agents; any other signed-in user is told "not found" (404). (The maker's own staff
    /// seeing it is in the owners tests.)
    Proof,
    /// The API's keyed operations: a session is no key, so every browser gets 401.
    ApiKey,
}

impl Rule {
    fn allows(self, who: Who) -> bool {
        match self {
            Rule::Public => true,
            Rule::SignedIn => who != Who::Anonymous,
            Rule::Staff => matches!(who, Who::StaffA | Who::StaffB),
            Rule::StaffA => who == Who::StaffA,
            Rule::Admin => who == Who::Admin,
            Rule::Agent => who == Who::Agent,
            Rule::Police => who == Who::Police,
            Rule::PoliceOrAdmin => matches!(who, Who::Police | Who::Admin),
            Rule::AgentOrStaff => matches!(who, Who::Agent | Who::StaffA | Who::StaffB),
            Rule::Own => who == Who::Owner,
            Rule::Proof => matches!(who, Who::Owner | Who::Agent),
            Rule::ApiKey => false,
        }
    }

    /// Whether `who` must be told "not found" rather than refused: another owner's record,
    /// another manufacturer's.
    fn not_found_for(self, who: Who) -> bool {
        match self {
            Rule::StaffA => who == Who::StaffB,
            Rule::Own => !matches!(who, Who::Owner | Who::Anonymous),
            Rule::Proof => !self.allows(who) && who != Who::Anonymous,
            _ => false,
        }
    }
}

struct Case {
    method: &'static str,
    path: String,
    /// Form fields (urlencoded) for a POST.
    form: Vec<(&'static str, String)>,
    /// Asked for as a page (Accept: text/html), or as a script asks.
    page: bool,
    rule: Rule,
}

fn get(path: impl Into<String>, rule: Rule) -> Case {
    Case {
        method: "GET",
        path: path.into(),
        form: Vec::new(),
        page: true,
        rule,
    }
}

fn post(path: impl Into<String>, form: &[(&'static str, &str)], page: bool, rule: Rule) -> Case {
    Case {
        method: "POST",
        path: path.into(),
        form: form.iter().map(|(k, v)| (*k, (*v).to_owned())).collect(),
        page,
        rule,
    }
}

/// Whether the answer is a refusal: 401/403, or a redirect to the sign-in page.
fn denied(status: u16, location: &str) -> bool {
    status == 401
        || status == 403
        || ((302..=303).contains(&status)
            && (location == "/signin" || location.starts_with("/signin?next=")))
}

/// Whether `case` asks for the route `method pattern` (`{id}`, `:id` and `{*rest}` segments
/// match anything).
fn covers(case: &Case, method: &str, pattern: &str) -> bool {
    if case.method != method {
        return false;
    }
    let path = case.path.split('?').next().unwrap_or_default();
    let asked: Vec<&str> = path.trim_matches('/').split('/').collect();
    let wanted: Vec<&str> = pattern.trim_matches('/').split('/').collect();
    let any = |segment: &str| segment.starts_with('{') || segment.starts_with(':');
    match wanted.last() {
        Some(last) if last.starts_with("{*") => {
            asked.len() >= wanted.len()
                && wanted[..wanted.len() - 1]
                    .iter()
                    .zip(&asked)
                    .all(|(w, a)| any(w) || w == a)
        }
        _ => {
            asked.len() == wanted.len() && wanted.iter().zip(&asked).all(|(w, a)| any(w) || w == a)
        }
    }
}

async fn every_route_and_server_function_by_role(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let accounts = [
        (Who::Owner, "owner@matrix.test", None, None, None),
        (Who::OtherOwner, "other@matrix.test", None, None, None),
        (
            Who::Agent,
            "agent@matrix.test",
            Some(Role::Agent),
            None,
            None,
        ),
        (
            Who::StaffA,
            "staff-a@matrix.test",
            Some(Role::Staff),
            Some("hallmark"),
            None,
        ),
        (
            Who::StaffB,
            "staff-b@matrix.test",
            Some(Role::Staff),
            Some("nordvik"),
            None,
        ),
        (
            Who::Police,
            "police@matrix.test",
            Some(Role::Police),
            None,
            Some("City Police"),
        ),
        (
            Who::Admin,
            "admin@matrix.test",
            Some(Role::Admin),
            None,
            None,
        ),
    ];
    let mut browsers = vec![(Who::Anonymous, app.browser())];
    let mut owner_id = 0;
    for (who, email, role, manufacturer, agency) in accounts {
        let id = app.user(email, role, manufacturer, agency).await;
        if who == Who::Owner {
            owner_id = id;
        }
        browsers.push((who, app.signed_in(email).await));
    }
    let serial = app.sample("recalled").serial.clone();
    let (maker, recall): (String, String) = sqlx::query_as(
        "SELECT m.slug, r.number FROM recalls r JOIN manufacturers m ON m.id = r.manufacturer_id
         WHERE r.status = 'active' ORDER BY r.number LIMIT 1",
    )
    .fetch_one(app.db.reader())
    .await
    .expect("a recall");
    let owner = owner_id.to_string();
    // Records of manufacturer A (Hallmark), for direct references by B's staff.
    let ids = |sql: &'static str| {
        let db = app.db.clone();
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(db.reader())
                .await
                .expect("a Hallmark record")
                .to_string()
        }
    };
    let product = ids("SELECT p.id FROM products p JOIN manufacturers m ON m.id = p.manufacturer_id WHERE m.slug = 'hallmark' ORDER BY p.id LIMIT 1").await;
    let recall_id = ids("SELECT r.id FROM recalls r JOIN manufacturers m ON m.id = r.manufacturer_id WHERE m.slug = 'hallmark' ORDER BY r.id LIMIT 1").await;
    let unit = ids("SELECT u.id FROM units u JOIN manufacturers m ON m.id = u.manufacturer_id WHERE m.slug = 'hallmark' ORDER BY u.id LIMIT 1").await;
    // The owner's own product (its proof of purchase is checked in the owners tests), and the
    // demo owner's claim and notice.
    let owner_browser = &browsers
        .iter()
        .find(|(who, _)| *who == Who::Owner)
        .expect("the owner")
        .1;
    let sample = app.sample("unregistered").clone();
    let response = app
        .register(
            owner_browser,
            &sample.serial,
            sample.gtin.as_deref(),
            Some(("receipt.pdf", b"%PDF-1.4 a receipt".to_vec())),
        )
        .await;
    assert_eq!(
        response.status().as_u16(),
        303,
        "the owner registers a unit"
    );
    let mine = ids("SELECT MAX(o.unit_id) FROM ownerships o JOIN users u ON u.id = o.user_id WHERE u.email = 'owner@matrix.test'").await;
    let demo_claim = ids("SELECT MIN(id) FROM claims").await;
    let demo_notice = ids("SELECT MIN(id) FROM notices").await;
    let demo_unit = ids("SELECT MIN(unit_id) FROM claims").await;
    let theft = ids("SELECT MIN(id) FROM theft_reports").await;
    let proof = ids("SELECT a.id FROM attachments a JOIN ownerships o ON o.id = a.ownership_id JOIN users u ON u.id = o.user_id WHERE u.email = 'owner@matrix.test'").await;
    let proof_maker: String = sqlx::query_scalar(
        "SELECT m.slug FROM units u JOIN manufacturers m ON m.id = u.manufacturer_id WHERE u.id = $1",
    )
    .bind(mine.parse::<i64>().expect("an id"))
    .fetch_one(app.db.reader())
    .await
    .expect("the registered unit's maker");
    assert!(
        !["hallmark", "nordvik"].contains(&proof_maker.as_str()),
        "the proof's unit is neither A's nor B's"
    );
    // The owner's own claim (a paid repair request, so the warranty does not matter).
    let claim = owner_browser
        .post(format!("{}/my/products/{mine}/claim", app.base))
        .header("origin", &app.base)
        .header("accept", "text/html")
        .multipart(
            reqwest::multipart::Form::new()
                .text("description", "The screen flickers after an hour.")
                .text("paid_repair_ok", "on"),
        )
        .send()
        .await
        .expect("the server answers");
    assert_eq!(claim.status().as_u16(), 303, "the owner files a claim");
    let own_claim = ids("SELECT MAX(c.id) FROM claims c JOIN users u ON u.id = c.owner_user_id WHERE u.email = 'owner@matrix.test'").await;
    // Manufacturer A's batch, stock audit and import job, made by A's staff.
    let staff_a = &browsers
        .iter()
        .find(|(who, _)| *who == Who::StaffA)
        .expect("staff of A")
        .1;
    let made = app
        .post_form(
            staff_a,
            &format!("/staff/products/{product}"),
            &[("action", "generate"), ("count", "2")],
        )
        .await;
    assert_eq!(made.status().as_u16(), 303, "A's staff make serials");
    let batch = ids("SELECT MAX(b.id) FROM serial_batches b JOIN products p ON p.id = b.product_id JOIN manufacturers m ON m.id = p.manufacturer_id WHERE m.slug = 'hallmark'").await;
    let audited = app
        .post_form(
            staff_a,
            "/staff/stock",
            &[("location", "Depot 9"), ("scanned", "HL000000018")],
        )
        .await;
    assert_eq!(audited.status().as_u16(), 303, "A's staff audit stock");
    let stock = ids("SELECT MAX(id) FROM stock_audits").await;
    let imported = staff_a
        .post(format!("{}/staff/import/upload", app.base))
        .header("origin", &app.base)
        .header("accept", "text/html")
        .multipart(
            reqwest::multipart::Form::new()
                .part(
                    "file",
                    reqwest::multipart::Part::bytes(
                        b"manufacturer,model,serial\nhallmark,NO-SUCH-MODEL,X1\n".to_vec(),
                    )
                    .file_name("units.csv")
                    .mime_str("text/csv")
                    .expect("a mime type"),
                )
                .text("dry_run", "on"),
        )
        .send()
        .await
        .expect("the server answers");
    assert_eq!(
        imported.status().as_u16(),
        303,
        "A's staff import (a dry run)"
    );
    let import = ids("SELECT MAX(id) FROM import_jobs").await;
    let gtin: String = sqlx::query_scalar("SELECT gtin FROM product_gtins ORDER BY gtin LIMIT 1")
        .fetch_one(app.db.reader())
        .await
        .expect("a GTIN");

    let cases = vec![
        get("/", Rule::Public),
        get(format!("/lookup?serial={serial}"), Rule::Public),
        get(format!("/api/v1/lookup?serial={serial}"), Rule::Public),
        get("/recalls", Rule::Public),
        get(format!("/recalls/{recall}"), Rule::Public),
        get(format!("/recalls/{maker}/{recall}"), Rule::Public),
        post(
            "/_fn/recall_makers",
            &[("number", &recall)],
            false,
            Rule::Public,
        ),
        get("/signin", Rule::Public),
        get("/signup", Rule::Public),
        get("/forgot-password", Rule::Public),
        get("/reset-password?token=0000", Rule::Public),
        get("/healthz", Rule::Public),
        post(
            "/_fn/lookup",
            &[("serial", &serial), ("gtin", "")],
            false,
            Rule::Public,
        ),
        post(
            "/_fn/recall",
            &[("manufacturer", &maker), ("number", &recall)],
            false,
            Rule::Public,
        ),
        get("/account", Rule::SignedIn),
        post(
            "/account/password",
            &[("current", ""), ("password", ""), ("confirm", "")],
            true,
            Rule::SignedIn,
        ),
        post(
            "/account/password",
            &[("current", "")],
            false,
            Rule::SignedIn,
        ),
        get("/staff", Rule::Staff),
        get("/staff/import", Rule::Staff),
        get("/staff/export/units.csv?status=sold", Rule::Staff),
        post("/_fn/staff_overview", &[], false, Rule::Staff),
        post("/_fn/staff_imports", &[], false, Rule::Staff),
        // Marking nothing as counterfeit is refused, and changes nothing.
        post(
            "/staff",
            &[("action", "mark"), ("counterfeit_serial", "")],
            true,
            Rule::Staff,
        ),
        get("/staff/products", Rule::Staff),
        get("/staff/recalls", Rule::Staff),
        get("/staff/units?serial=HL000000018", Rule::Staff),
        get("/staff/thefts", Rule::Staff),
        get("/staff/thefts?all=1", Rule::Staff),
        get("/staff/stock", Rule::Staff),
        get("/staff/journey", Rule::Staff),
        post("/_fn/staff_products", &[], false, Rule::Staff),
        post("/_fn/staff_recalls", &[], false, Rule::Staff),
        post("/_fn/staff_thefts", &[("all", "true")], false, Rule::Staff),
        post("/_fn/staff_stock_audits", &[], false, Rule::Staff),
        get(format!("/staff/products/{product}"), Rule::StaffA),
        get(format!("/staff/recalls/{recall_id}"), Rule::StaffA),
        get(format!("/staff/units/{unit}"), Rule::StaffA),
        get(format!("/staff/units/{unit}/qr.svg"), Rule::StaffA),
        post(
            "/_fn/staff_product",
            &[("id", &product)],
            false,
            Rule::StaffA,
        ),
        post(
            "/_fn/staff_recall",
            &[("id", &recall_id)],
            false,
            Rule::StaffA,
        ),
        post("/_fn/staff_unit", &[("id", &unit)], false, Rule::StaffA),
        get("/my/products", Rule::SignedIn),
        get("/my/register", Rule::SignedIn),
        get("/my/transfers", Rule::SignedIn),
        get("/my/notices", Rule::SignedIn),
        get("/my/claims", Rule::SignedIn),
        get("/my/disputes", Rule::SignedIn),
        get("/my/disputes/new", Rule::SignedIn),
        post("/_fn/my_disputes", &[], false, Rule::SignedIn),
        post("/my/disputes/new", &[("serial", "")], true, Rule::SignedIn),
        post("/_fn/my_products", &[], false, Rule::SignedIn),
        post("/_fn/my_notices", &[], false, Rule::SignedIn),
        post("/_fn/my_claims", &[], false, Rule::SignedIn),
        get(format!("/my/products/{mine}"), Rule::Own),
        get(format!("/my/products/{mine}/claim"), Rule::Own),
        post("/_fn/my_product", &[("id", &mine)], false, Rule::Own),
        // Nobody in the matrix owns the demo owner's records; an unknown action changes
        // nothing.
        post(
            "/my/transfers",
            &[("code", "ZZZZ-ZZZZ-ZZZZ")],
            true,
            Rule::SignedIn,
        ),
        post(
            "/my/notices",
            &[("notice", &demo_notice)],
            true,
            Rule::SignedIn,
        ),
        // The demo owner's claim: "not found" to every other signed-in user.
        get(format!("/my/claims/{demo_claim}"), Rule::SignedIn),
        get("/desk", Rule::Agent),
        get("/desk?serial=HL000000018", Rule::Agent),
        get(format!("/desk/units/{demo_unit}"), Rule::Agent),
        get(format!("/desk/claims/{demo_claim}"), Rule::Agent),
        post("/_fn/desk_queue", &[], false, Rule::Agent),
        post(
            "/_fn/desk_search",
            &[("serial", "HL000000018")],
            false,
            Rule::Agent,
        ),
        post("/_fn/desk_unit", &[("id", &demo_unit)], false, Rule::Agent),
        post(
            "/_fn/desk_claim",
            &[("id", &demo_claim)],
            false,
            Rule::Agent,
        ),
        post(
            format!("/desk/units/{demo_unit}"),
            &[("action", "look")],
            true,
            Rule::Agent,
        ),
        post(
            format!("/desk/claims/{demo_claim}"),
            &[("action", "update")],
            true,
            Rule::Agent,
        ),
        get("/desk/disputes/1", Rule::Agent),
        post("/_fn/desk_disputes", &[], false, Rule::Agent),
        post("/_fn/desk_dispute", &[("id", "1")], false, Rule::Agent),
        post("/desk/disputes/1", &[("decision", "")], true, Rule::Agent),
        get("/desk/expiring", Rule::AgentOrStaff),
        get("/desk/expiring.csv?days=60", Rule::AgentOrStaff),
        post(
            "/_fn/expiring",
            &[("days", "30")],
            false,
            Rule::AgentOrStaff,
        ),
        get("/police", Rule::Police),
        get("/police?serial=HL000000018", Rule::Police),
        get("/police/hotlist.csv", Rule::Police),
        get(format!("/police/reports/{theft}"), Rule::PoliceOrAdmin),
        post(
            "/_fn/police_search",
            &[("serial", "HL000000018")],
            false,
            Rule::Police,
        ),
        post(
            "/_fn/police_case",
            &[("id", &theft)],
            false,
            Rule::PoliceOrAdmin,
        ),
        post("/_fn/police_manufacturers", &[], false, Rule::Police),
        // An unknown action changes nothing; an empty report is refused.
        post(
            format!("/police/reports/{theft}"),
            &[("action", "look")],
            true,
            Rule::PoliceOrAdmin,
        ),
        post("/police", &[("serial", "")], true, Rule::Police),
        get("/admin/api-keys", Rule::Admin),
        post("/_fn/admin_api_keys", &[], false, Rule::Admin),
        // An unknown action changes nothing.
        post("/admin/api-keys", &[("action", "look")], true, Rule::Admin),
        get("/admin/users", Rule::Admin),
        get("/admin/users?q=matrix", Rule::Admin),
        get("/admin/audit", Rule::Admin),
        get("/admin/audit?action=user.", Rule::Admin),
        get("/admin/audit?verify=1", Rule::Admin),
        post("/_fn/audit_verify", &[], false, Rule::Admin),
        post(
            "/_fn/admin_users",
            &[("search", "owner")],
            false,
            Rule::Admin,
        ),
        post(
            "/_fn/audit",
            &[("filter[action]", "user.")],
            false,
            Rule::Admin,
        ),
        // Someone else's roles: only an admin may change them (an unknown action changes
        // nothing, so the matrix leaves every account as it was).
        post(
            "/admin/users",
            &[("action", "look"), ("user_id", &owner), ("role", "admin")],
            true,
            Rule::Admin,
        ),
        post(
            "/admin/users",
            &[("action", "look"), ("user_id", &owner), ("role", "admin")],
            false,
            Rule::Admin,
        ),
        // Probes, Digital Links and the API: outside the session, the same for everyone.
        get("/readyz", Rule::Public),
        get(format!("/01/{gtin}/21/{serial}"), Rule::Public),
        get("/api/docs", Rule::Public),
        get("/api/v1/openapi.json", Rule::Public),
        get("/api/v1/recalls", Rule::Public),
        get(format!("/api/v1/recalls/{recall}"), Rule::Public),
        get(
            format!("/api/v1/manufacturers/{maker}/recalls/{recall}"),
            Rule::Public,
        ),
        get("/api/v1/units.csv", Rule::ApiKey),
        post(
            "/api/v1/stolen-checks",
            &[("serials", &serial)],
            false,
            Rule::ApiKey,
        ),
        post(
            format!("/api/v1/recalls/{recall}/remedies"),
            &[("serial", &serial)],
            false,
            Rule::ApiKey,
        ),
        post(
            "/api/v1/units/import",
            &[("serial", &serial)],
            false,
            Rule::ApiKey,
        ),
        // Public forms and server functions; empty forms are answered field by field.
        post(
            "/_fn/recalls",
            &[("filter[text]", "battery")],
            false,
            Rule::Public,
        ),
        post(
            "/_fn/link",
            &[("kind", "reset"), ("token", "0000")],
            false,
            Rule::Public,
        ),
        get("/verify-email?token=0000", Rule::Public),
        post(
            "/signin",
            &[("email", ""), ("password", "")],
            true,
            Rule::Public,
        ),
        post("/signup", &[("email", "")], true, Rule::Public),
        post("/forgot-password", &[("email", "")], true, Rule::Public),
        post("/reset-password", &[("token", "0000")], true, Rule::Public),
        post("/verify-email", &[("token", "0000")], true, Rule::Public),
        // A photo that is not one is refused with its reason, for everyone.
        post("/lookup/scan", &[("photo", "x")], true, Rule::Public),
        // The owner's claim and proof, and uploads that are not multipart (refused with a
        // reason once the caller may send them at all).
        get(format!("/my/claims/{own_claim}"), Rule::Own),
        post("/_fn/my_claim", &[("id", &own_claim)], false, Rule::Own),
        post(
            "/_fn/my_claim",
            &[("id", &demo_claim)],
            false,
            Rule::SignedIn,
        ),
        get(format!("/files/{proof}"), Rule::Proof),
        post(
            format!("/my/products/{mine}"),
            &[("action", "look")],
            true,
            Rule::Own,
        ),
        post(
            format!("/my/products/{mine}/claim"),
            &[("description", "")],
            true,
            Rule::Own,
        ),
        post("/my/register", &[("serial", "")], true, Rule::SignedIn),
        post(
            format!("/my/products/{mine}/dispute"),
            &[("reply", "")],
            true,
            Rule::Own,
        ),
        // Staff: lists and forms of their own manufacturer; A's records are "not found" to B.
        post(
            "/_fn/staff_find_units",
            &[("serial", "HL000000018")],
            false,
            Rule::Staff,
        ),
        post("/staff/products", &[("model", "")], true, Rule::Staff),
        post("/staff/recalls", &[("number", "")], true, Rule::Staff),
        post("/staff/thefts", &[("action", "look")], true, Rule::Staff),
        post("/staff/stock", &[("location", "")], true, Rule::Staff),
        post("/staff/import/upload", &[("file", "")], true, Rule::Staff),
        post("/staff/journey/upload", &[("file", "")], true, Rule::Staff),
        post("/staff/stock/upload", &[("file", "")], true, Rule::Staff),
        get(format!("/staff/batches/{batch}"), Rule::StaffA),
        get(format!("/staff/batches/{batch}/serials.csv"), Rule::StaffA),
        post(
            "/_fn/staff_batch",
            &[("id", &batch), ("page", "0")],
            false,
            Rule::StaffA,
        ),
        get(format!("/staff/stock/{stock}"), Rule::StaffA),
        post(
            "/_fn/staff_stock_audit",
            &[("id", &stock)],
            false,
            Rule::StaffA,
        ),
        get(format!("/staff/import/{import}"), Rule::StaffA),
        post("/_fn/staff_import", &[("id", &import)], false, Rule::StaffA),
        post(
            format!("/staff/products/{product}"),
            &[("action", "look")],
            true,
            Rule::StaffA,
        ),
        post(
            format!("/staff/recalls/{recall_id}"),
            &[("action", "look")],
            true,
            Rule::StaffA,
        ),
        post(
            format!("/staff/units/{unit}"),
            &[("action", "look")],
            true,
            Rule::StaffA,
        ),
        post(
            format!("/staff/stock/{stock}"),
            &[("action", "look")],
            true,
            Rule::StaffA,
        ),
        // Last: signing out ends each browser's session.
        post("/signout", &[], true, Rule::Public),
    ];

    let endpoints = serialtrace_server::startup::endpoints();
    for known in [
        ("GET", "/lookup"),
        ("POST", "/_fn/lookup"),
        ("POST", "/signin"),
        ("POST", "/api/v1/stolen-checks"),
    ] {
        assert!(
            endpoints
                .iter()
                .any(|(m, p)| (m.as_str(), p.as_str()) == known),
            "the server's route list has {known:?}: {endpoints:?}"
        );
    }
    let missing: Vec<String> = endpoints
        .into_iter()
        .filter(|(method, pattern)| !cases.iter().any(|case| covers(case, method, pattern)))
        .map(|(method, pattern)| format!("{method} {pattern}"))
        .collect();
    assert!(
        missing.is_empty(),
        "routes without a row in the matrix:\n{}",
        missing.join("\n")
    );

    let mut failures = Vec::new();
    for case in &cases {
        for (who, browser) in &browsers {
            let url = format!("{}{}", app.base, case.path);
            let request = match case.method {
                "GET" => browser.get(&url),
                _ => browser
                    .post(&url)
                    .header("origin", &app.base)
                    .form(&case.form),
            };
            let request = if case.page {
                request.header("accept", "text/html")
            } else {
                request.header("accept", "application/json")
            };
            let response = request.send().await.expect("the server answers");
            let status = response.status().as_u16();
            let location = response
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let body = response.text().await.unwrap_or_default();
            let expected = case.rule.allows(*who);
            if case.rule.not_found_for(*who) {
                if status != 404 {
                    failures.push(format!(
                        "{} {} as {who:?}: another's record must be \"not found\", got {status}",
                        case.method, case.path
                    ));
                }
            } else if status >= 500 {
                failures.push(format!(
                    "{} {} as {who:?}: {status}",
                    case.method, case.path
                ));
            } else if denied(status, &location) == expected {
                failures.push(format!(
                    "{} {} as {who:?}: {} expected, got {status} {location} {}",
                    case.method,
                    case.path,
                    if expected { "allowed" } else { "denied" },
                    body.chars().take(200).collect::<String>()
                ));
            } else if !expected && body.contains("@matrix.test") {
                failures.push(format!(
                    "{} {} as {who:?}: a refusal leaked user data",
                    case.method, case.path
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} checks failed:\n{}",
        failures.len(),
        cases.len() * browsers.len(),
        failures.join("\n")
    );
    let roles: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM user_roles WHERE user_id = $1")
        .bind(owner_id)
        .fetch_one(app.db.reader())
        .await
        .expect("roles");
    assert_eq!(roles, 1, "the owner is still only an owner");
}
both_engines!(every_route_and_server_function_by_role);
