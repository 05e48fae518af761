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
    /// Support agents only.
    Agent,
    /// Agents, and staff (for their own manufacturer's units).
    AgentOrStaff,
    /// The matrix owner's own record: any other signed-in user is told "not found" (404).
    Own,
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
            Rule::AgentOrStaff => matches!(who, Who::Agent | Who::StaffA | Who::StaffB),
            Rule::Own => who == Who::Owner,
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
    let recall: String = sqlx::query_scalar(
        "SELECT number FROM recalls WHERE status = 'active' ORDER BY number LIMIT 1",
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

    let cases = vec![
        get("/", Rule::Public),
        get(format!("/lookup?serial={serial}"), Rule::Public),
        get(format!("/api/v1/lookup?serial={serial}"), Rule::Public),
        get("/recalls", Rule::Public),
        get(format!("/recalls/{recall}"), Rule::Public),
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
        post("/_fn/recall", &[("number", &recall)], false, Rule::Public),
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
        post("/_fn/my_products", &[], false, Rule::SignedIn),
        post("/_fn/my_notices", &[], false, Rule::SignedIn),
        post("/_fn/my_claims", &[], false, Rule::SignedIn),
        get(format!("/my/products/{mine}"), Rule::Own),
        get(format!("/my/products/{mine}/claim"), Rule::Own),
        post("/_fn/my_product", &[("id", &mine)], false, Rule::Own),
        // Nobody in the matrix owns the demo owner's records; an unknown action changes
        // nothing.
        post(
            format!("/my/products/{mine}"),
            &[("action", "look")],
            true,
            Rule::SignedIn,
        ),
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
        get(format!("/police/reports/{theft}"), Rule::Police),
        post(
            "/_fn/police_search",
            &[("serial", "HL000000018")],
            false,
            Rule::Police,
        ),
        post("/_fn/police_case", &[("id", &theft)], false, Rule::Police),
        post("/_fn/police_manufacturers", &[], false, Rule::Police),
        // An unknown action changes nothing; an empty report is refused.
        post(
            format!("/police/reports/{theft}"),
            &[("action", "look")],
            true,
            Rule::Police,
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
    ];

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
            let other_manufacturer = matches!(case.rule, Rule::StaffA) && *who == Who::StaffB;
            let someone_elses =
                matches!(case.rule, Rule::Own) && !matches!(who, Who::Owner | Who::Anonymous);
            if someone_elses {
                if status != 404 {
                    failures.push(format!(
                        "{} {} as {who:?}: another owner's record must be \"not found\", got {status}",
                        case.method, case.path
                    ));
                }
            } else if other_manufacturer {
                if status != 404 {
                    failures.push(format!(
                        "{} {} as {who:?}: another manufacturer's record must be \"not found\", got {status}",
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
