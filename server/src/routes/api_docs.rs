//! `/api/docs`: the API's reference, rendered on the server from the same OpenAPI document
//! as `/api/v1/openapi.json` (so it can never say something the API does not do).

use super::api::ApiDoc;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use utoipa::OpenApi;
use utoipa::openapi::path::Operation;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Inline `code` in descriptions.
fn prose(text: &str) -> String {
    let mut out = String::new();
    for (i, part) in escape(text).split('`').enumerate() {
        if i % 2 == 1 {
            out.push_str(&format!("<code>{part}</code>"));
        } else {
            out.push_str(part);
        }
    }
    out
}

fn operation(method: &str, path: &str, op: &Operation) -> String {
    let mut html = format!(
        "<section class=\"panel endpoint\" id=\"{}-{}\"><h2><code>{} {}</code></h2>",
        method,
        escape(&path.replace(['/', '{', '}'], "-")),
        method.to_uppercase(),
        escape(path)
    );
    if let Some(summary) = &op.summary {
        html.push_str(&format!("<p><strong>{}</strong></p>", prose(summary)));
    }
    if let Some(description) = &op.description {
        html.push_str(&format!("<p>{}</p>", prose(description)));
    }
    let security = op.security.as_ref().map(|s| s.len()).unwrap_or(0);
    let key = match (
        security,
        serde_json::to_string(&op.security)
            .unwrap_or_default()
            .contains("{}"),
    ) {
        (0, _) => "no key",
        (_, true) => "an API key is optional",
        _ => "an API key is required",
    };
    html.push_str(&format!("<p class=\"muted\">Authorization: {key}.</p>"));
    if let Some(params) = &op.parameters {
        html.push_str("<h3>Parameters</h3><ul>");
        for p in params {
            let place = serde_json::to_value(&p.parameter_in)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            html.push_str(&format!(
                "<li><code>{}</code> ({place}{}) {}</li>",
                escape(&p.name),
                if matches!(p.required, utoipa::openapi::Required::True) {
                    ", required"
                } else {
                    ""
                },
                p.description.as_deref().map(prose).unwrap_or_default()
            ));
        }
        html.push_str("</ul>");
    }
    if let Some(body) = &op.request_body {
        let types: Vec<String> = body
            .content
            .keys()
            .map(|k| format!("<code>{}</code>", escape(k)))
            .collect();
        html.push_str(&format!(
            "<h3>Body</h3><p>{} {}</p>",
            types.join(", "),
            body.description.as_deref().map(prose).unwrap_or_default()
        ));
    }
    html.push_str("<h3>Responses</h3><ul>");
    for (status, response) in &op.responses.responses {
        let description = match response {
            utoipa::openapi::RefOr::T(r) => prose(&r.description),
            utoipa::openapi::RefOr::Ref(r) => escape(&r.ref_location),
        };
        html.push_str(&format!(
            "<li><code>{}</code> {description}</li>",
            escape(status)
        ));
    }
    html.push_str("</ul></section>");
    html
}

pub async fn page() -> Response {
    let doc = ApiDoc::openapi();
    let mut body = String::new();
    for (path, item) in &doc.paths.paths {
        for (method, op) in [
            ("get", &item.get),
            ("post", &item.post),
            ("put", &item.put),
            ("delete", &item.delete),
        ] {
            if let Some(op) = op {
                body.push_str(&operation(method, path, op));
            }
        }
    }
    let description = doc
        .info
        .description
        .as_deref()
        .map(prose)
        .unwrap_or_default();
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>API · serialtrace</title><link rel=\"stylesheet\" href=\"/pkg/serialtrace.css\"></head><body>\
         <header class=\"site-header\"><a class=\"brand\" href=\"/\">serialtrace</a></header><main id=\"main\">\
         <h1>{} {}</h1><p>{description}</p>\
         <p>The machine-readable document: <a href=\"/api/v1/openapi.json\">/api/v1/openapi.json</a> (OpenAPI {}).</p>{body}</main></body></html>",
        escape(&doc.info.title),
        escape(&doc.info.version),
        serde_json::to_value(&doc.openapi)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
    );
    let mut response = Html(html).into_response();
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'",
        ),
    );
    response
}
