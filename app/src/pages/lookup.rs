//! `/lookup?serial=…[&gtin=…]`: the answer, rendered on the server so it is a shareable link
//! and works without JavaScript.

use crate::components::{answer::Answer, lookup_form::LookupForm, scan::ScanPanel};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};
use serialtrace::lookup::LookupAnswer;

/// A lookup's outcome as the page shows it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum LookupOutcome {
    Answer(LookupAnswer),
    /// Not a lookup at all (empty, too long, control characters): the reason.
    Rejected(String),
}

#[server(prefix = "/_fn", endpoint = "lookup")]
pub async fn lookup_serial(
    serial: String,
    gtin: Option<String>,
) -> Result<LookupOutcome, AppError> {
    use serialtrace::service::lookup::{Channel, LookupFailure};
    let services = crate::state::services()?;
    let origin = crate::state::client_origin().await;
    match services
        .lookup
        .lookup(&serial, gtin.as_deref(), Channel::Web, &origin)
        .await
    {
        Ok(answer) => Ok(LookupOutcome::Answer(std::sync::Arc::unwrap_or_clone(
            answer,
        ))),
        Err(LookupFailure::Rejected(reason)) => Ok(LookupOutcome::Rejected(reason.to_string())),
        Err(LookupFailure::Store(error)) => Err(error.into()),
    }
}

#[component]
pub fn LookupPage() -> impl IntoView {
    let query = use_query_map();
    let serial = move || query.read().get("serial").unwrap_or_default();
    let gtin = move || query.read().get("gtin").unwrap_or_default();
    let outcome = Resource::new(
        move || (serial(), gtin()),
        |(serial, gtin)| lookup_serial(serial, Some(gtin).filter(|g| !g.trim().is_empty())),
    );
    view! {
        <Title text="Lookup" />
        <Suspense fallback=|| view! { <p class="loading">"Looking up…"</p> }>
            {move || Suspend::new(async move {
                let result = outcome.await;
                let answer = match result {
                    Ok(LookupOutcome::Answer(answer)) => view! { <Answer answer /> }.into_any(),
                    Ok(LookupOutcome::Rejected(reason)) => {
                        crate::web::responses::set_status(400);
                        view! {
                            <section class="result rejected" data-result="rejected" role="alert">
                                <h2>"Nothing to look up"</h2>
                                <p class="message">{reason}</p>
                            </section>
                        }.into_any()
                    }
                    Err(error) => {
                        crate::web::responses::set_status(503);
                        view! {
                            <section class="result error" role="alert">
                                <h2>"No answer just now"</h2>
                                <p class="message">{error.to_string()}</p>
                            </section>
                        }.into_any()
                    }
                };
                view! {
                    <section class="hero compact">
                        <LookupForm serial=serial() gtin=gtin() />
                        <ScanPanel />
                    </section>
                    {answer}
                }
            })}
        </Suspense>
    }
}

/// The largest photo `/lookup/scan` takes.
pub const MAX_PHOTO_BYTES: usize = 8 * 1024 * 1024;

/// `POST /lookup/scan`: a photo of a code, read on the server; the decoded text is looked up
/// as if pasted (303 to its answer), or the home page again says why it could not be read.
#[cfg(feature = "ssr")]
pub async fn scan_photo(
    axum::extract::State(state): axum::extract::State<crate::state::AppState>,
    request: axum::extract::Request,
) -> axum::response::Response {
    use crate::web::forms::{FormFeedback, done, rerender};
    let mut form = crate::web::uploads::read_multipart(&state, request).await;
    form.parts.uri = axum::http::Uri::from_static("/");
    use axum::http::StatusCode;
    let unreadable = |problem: &str| (StatusCode::UNPROCESSABLE_ENTITY, problem.to_owned());
    let photo = form
        .files
        .iter_mut()
        .find(|(name, _)| name == "photo")
        .map(|(_, photo)| std::mem::take(&mut photo.bytes));
    let outcome = match (&form.problem, photo) {
        (Some(problem), _) => Err(problem.clone()),
        (None, None) => Err(unreadable("Choose a photo of the code first.")),
        (None, Some(photo)) if photo.len() > MAX_PHOTO_BYTES => Err((
            StatusCode::PAYLOAD_TOO_LARGE,
            "The photo is larger than 8 MB; take it again at a lower resolution.".to_owned(),
        )),
        (None, Some(photo)) => {
            use crate::components::photo::{PhotoError, read_code_in_background};
            read_code_in_background(photo).await.map_err(|problem| {
                let status = match problem {
                    PhotoError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
                    PhotoError::Busy => StatusCode::SERVICE_UNAVAILABLE,
                    PhotoError::NotAPhoto | PhotoError::NoCode => StatusCode::UNPROCESSABLE_ENTITY,
                };
                (status, problem.to_string())
            })
        }
    };
    match outcome {
        Ok(text) => done(&format!(
            "/lookup?serial={}",
            crate::web::forms::encode(&text)
        )),
        Err((status, problem)) => {
            let mut feedback = FormFeedback::default();
            feedback.add_error("photo", problem);
            rerender(&state, form.parts, feedback, status).await
        }
    }
}

/// This group's uploads, each with the body limit it needs.
#[cfg(feature = "ssr")]
pub fn uploads() -> Vec<(crate::web::routes::Routes, usize)> {
    use crate::web::routes::Routes;
    vec![(
        Routes::new().post("/lookup/scan", scan_photo),
        MAX_PHOTO_BYTES + 64 * 1024,
    )]
}
