//! The box's ceiling for `make bench`: a trivial axum handler returning a fixed JSON body,
//! served the same way as serialtrace (tokio multi-thread runtime, one listener).

use axum::Router;
use axum::http::header;
use axum::routing::get;

const BODY: &str = r#"{"result":"found","message":"Genuine: this serial number is in the manufacturer's records.","serial":"353320110000028","matches":[{"serial":"353320110000028","product":{"manufacturer":"Nordvik Mobile","model":"NV-P8","name":"Nordvik P8 smartphone","gtin":"09506000100012"},"warranty":{"status":"active","ends_on":"2028-06-15"},"recalls":[],"stolen":{"status":"not_reported"}}]}"#;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3900".into());
    let app = Router::new().route(
        "/api/v1/lookup",
        get(|| async { ([(header::CONTENT_TYPE, "application/json")], BODY) }),
    );
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    axum::serve(listener, app).await
}
