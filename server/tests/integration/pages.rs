//! The recall pages.

use crate::both_engines;
use crate::common::{Engine, TestApp, location};

async fn recall_list_and_search(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let year = time::OffsetDateTime::now_utc().year();
    let response = app.get("/recalls").await;
    assert_eq!(response.status().as_u16(), 200);
    let html = response.text().await.expect("html");
    for n in 1..=4 {
        assert!(
            html.contains(&format!("R-{year}-00{n}")),
            "active recall {n} listed"
        );
    }
    assert!(
        !html.contains("-017"),
        "a closed recall is not listed among active ones"
    );
    assert!(html.contains("4 active recalls"));

    let html = app
        .get("/recalls?q=BATTERY")
        .await
        .text()
        .await
        .expect("html");
    assert!(
        html.contains(&format!("R-{year}-004")) && html.contains("1 active recall"),
        "search by hazard text"
    );
    let html = app
        .get("/recalls?manufacturer=voltride")
        .await
        .text()
        .await
        .expect("html");
    assert!(
        html.contains(&format!("R-{year}-002")) && html.contains("1 active recall"),
        "filter by manufacturer"
    );
    let html = app
        .get("/recalls?product=IP3")
        .await
        .text()
        .await
        .expect("html");
    assert!(
        html.contains(&format!("R-{year}-003")) && html.contains("1 active recall"),
        "filter by product"
    );
    // Wildcards and markup in a search are just text.
    let html = app
        .get("/recalls?q=%25%25_%3Cb%3E")
        .await
        .text()
        .await
        .expect("html");
    assert!(
        html.contains("0 active recalls") && !html.contains("<b>"),
        "no match, no echoed markup"
    );
}
both_engines!(recall_list_and_search);

/// A recall's page by the link that names only its number: a redirect to the page that
/// names its manufacturer too (numbers are each manufacturer's own); that page's answer.
async fn by_number(app: &TestApp, number: &str) -> reqwest::Response {
    let response = app
        .client
        .get(format!("{}/recalls/{number}", app.base))
        .header("accept", "text/html")
        .send()
        .await
        .expect("the server answers");
    assert!(
        response.status().is_redirection(),
        "{number}: {}",
        response.status()
    );
    let to = location(&response);
    assert!(
        to.starts_with("/recalls/") && to.ends_with(&format!("/{number}")),
        "{to}"
    );
    app.get(&to).await
}

async fn recall_pages(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let year = time::OffsetDateTime::now_utc().year();
    let response = by_number(&app, &format!("R-{year}-004")).await;
    assert_eq!(response.status().as_u16(), 200);
    let html = response.text().await.expect("html");
    assert!(html.contains("Hallmark Aero laptops: battery cells may overheat"));
    assert!(
        html.contains("Hallmark Aero 14 laptop"),
        "finished products reached through the component are listed"
    );
    assert!(html.contains("Is my unit affected?"));
    assert!(html.contains("Free replacement"));

    let html = by_number(&app, &format!("R-{year}-002"))
        .await
        .text()
        .await
        .expect("html");
    assert!(html.contains("(not yet available)"));

    let response = by_number(&app, &format!("R-{}-017", year - 2)).await;
    assert_eq!(
        response.status().as_u16(),
        200,
        "a closed recall keeps its page"
    );
    assert!(
        response
            .text()
            .await
            .expect("html")
            .contains("This recall is closed.")
    );

    for missing in [
        "/recalls/R-1999-999",
        "/recalls/%3Cscript%3E",
        "/recalls/hallmark/R-1999-999",
        "/recalls/no-such-maker/R-1999-999",
        "/no/such/page",
    ] {
        let response = app.get(missing).await;
        assert_eq!(response.status().as_u16(), 404, "{missing}");
        assert!(!response.text().await.expect("html").contains("<script>"));
    }
    // A signed-in user's "not found" page still shows them signed in.
    app.user("lost@example.org", None, None, None).await;
    let browser = app.signed_in("lost@example.org").await;
    let (status, page) = app.fetch(&browser, "/no/such/page").await;
    assert_eq!(status, 404);
    assert!(
        page.contains("href=\"/account\"") && !page.contains(">Sign in<"),
        "{page}"
    );
}
both_engines!(recall_pages);
