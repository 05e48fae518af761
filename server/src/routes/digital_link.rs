//! GS1 Digital Link: `/01/{gtin}/21/{serial}` (with `/10/{lot}`, `?17=YYMMDD`) opens the
//! portal on that unit, so a QR code on the product leads straight to its answer.

use axum::extract::OriginalUri;
use axum::response::Redirect;
use serialtrace::gs1::parse_digital_link;

pub async fn resolve(OriginalUri(uri): OriginalUri) -> Redirect {
    let link = uri.path_and_query().map(|pq| pq.as_str()).unwrap_or("/");
    let target = match parse_digital_link(link) {
        Ok(data) if data.serial.is_some() => {
            let serial = data.serial.unwrap_or_default();
            let gtin = data.gtin.map(|g| g.as_str().to_owned()).unwrap_or_default();
            format!("/lookup?serial={}&gtin={}", encode(&serial), encode(&gtin))
        }
        // A broken link still gets an answer that says what is wrong with it.
        _ => format!("/lookup?serial={}", encode(link)),
    };
    Redirect::to(&target)
}

/// Percent-encodes a query value.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
