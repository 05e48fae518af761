//! Ownership disputes, the owners' side: disputing a registration of a unit one bought
//! (`/my/disputes/new`, with a proof of purchase), the disputes one filed (`/my/disputes`),
//! and the registered owner's answer on their product's page. Support agents decide them on
//! the desk (`crate::pages::desk`).

#[cfg(feature = "ssr")]
use crate::auth::{Access, require};
use crate::components::load::Loaded;
use crate::error::AppError;
use crate::web::forms::{Field, FormProblem, feedback};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serialtrace::owner::Dispute;

#[server(prefix = "/_fn", endpoint = "my_disputes")]
pub async fn my_disputes() -> Result<Vec<Dispute>, AppError> {
    let user = require(Access::SignedIn)?;
    let services = crate::state::services()?;
    Ok(serialtrace::service::disputes::mine(&services.db, user.id).await?)
}

#[component]
pub fn MyDisputesPage() -> impl IntoView {
    let done = use_query_map().get_untracked().get("done");
    let list = Resource::new(|| (), |_| my_disputes());
    view! {
        <Title text="My disputes" />
        <h1>"Ownership disputes"</h1>
        <p><a href="/my/products">"← My products"</a></p>
        {(done.as_deref() == Some("disputed")).then(|| view! {
            <p class="notice" role="status">"Your dispute is filed. A support agent will look at both sides; you will hear by e-mail."</p>
        })}
        <p>"Bought a product that someone else has registered? "
            <a href="/my/disputes/new">"Dispute the registration"</a>
            " with your proof of purchase."</p>
        <Loaded resource=list loading="Loading…" show=move |data| match data {
                    list if list.is_empty() => view! { <p class="count">"You have filed no disputes."</p> }.into_any(),
                    list => view! {
                        <ul class="claims">{list.into_iter().map(|d| view! {
                            <li class="panel" data-status=d.status.clone()>
                                <h2>{format!("Dispute {} · {} {} {}", d.id, d.manufacturer, d.model, d.serial)}</h2>
                                <p>{format!("Filed {} · {}", d.filed_on(), d.state_words())}</p>
                                {d.decision_note.clone().map(|n| view! { <p>{format!("The agent wrote: {n}")}</p> })}
                            </li>
                        }).collect_view()}</ul>
                    }.into_any(),
                } />
    }
    .into_any()
}

#[component]
pub fn NewDisputePage() -> impl IntoView {
    let query = use_query_map().get_untracked();
    let fb = feedback();
    let proof_problem = fb.error("proof");
    let statement = fb.value("statement").unwrap_or_default();
    let statement_problem = fb.error("statement");
    view! {
        <Title text="Dispute a registration" />
        <h1>"Dispute a registration"</h1>
        <p><a href="/my/disputes">"← My disputes"</a></p>
        <p>"If you bought a product and someone else has registered it, tell us with your proof of purchase. "
            "The registered owner is told (not who you are) and may give their side; a support agent decides, "
            "and you both hear by e-mail. If they sold or gave it to you, ask them for a transfer code instead."</p>
        <section class="panel">
            <form method="post" action="/my/disputes/new" enctype="multipart/form-data" class="stack-form" aria-label="Dispute a registration">
                <FormProblem />
                <Field name="serial" label="Serial number" initial=query.get("serial").unwrap_or_default()
                    hint="As printed, the text a scanner reads from the barcode, or the link in the product's QR code." />
                <Field name="gtin" label="Product number (GTIN)" required=false initial=query.get("gtin").unwrap_or_default()
                    hint="Only needed when we ask: the 13 or 14 digits under the barcode." />
                <Field name="purchase_date" label="Date of purchase" kind="date" />
                <Field name="retailer" label="Bought from" hint="A shop, a website, or \"private sale\"." />
                <div class="field" class:invalid=statement_problem.is_some()>
                    <label for="f-statement">"How did you come to have it?"</label>
                    <textarea id="f-statement" name="statement" rows="4" required=true aria-describedby="f-statement-problem">{statement}</textarea>
                    <p class="field-problem" id="f-statement-problem">{statement_problem.clone()}</p>
                </div>
                <div class="field" class:invalid=proof_problem.is_some()>
                    <label for="f-proof">"Proof of purchase"</label>
                    <p class="hint">"A photo or PDF of the receipt, invoice or order confirmation, up to 5 MB. Only you and support agents can open it."</p>
                    <input id="f-proof" name="proof" type="file" required=true accept="image/jpeg,image/png,image/webp,application/pdf" aria-describedby="f-proof-problem" />
                    <p class="field-problem" id="f-proof-problem">{proof_problem.clone()}</p>
                </div>
                <button type="submit">"File the dispute"</button>
            </form>
        </section>
    }
    .into_any()
}

/// An open dispute of one of my registrations, on its product's page: what to do, and the
/// form for my side.
#[component]
pub fn DisputedPanel(
    unit_id: i64,
    disputes: Vec<serialtrace::owner::OpenDispute>,
) -> impl IntoView {
    let fb = feedback();
    let reply = fb.value("reply").unwrap_or_default();
    let reply_problem = fb.error("reply");
    let proof_problem = fb.error("reply_proof");
    let Some(serialtrace::owner::OpenDispute {
        id,
        filed_on: filed,
        answered: replied,
    }) = disputes.first().cloned()
    else {
        return ().into_any();
    };
    view! {
        <section class="panel disputed" id="dispute" role="region" aria-labelledby="dispute-heading">
            <h2 id="dispute-heading">"Your registration is disputed"</h2>
            <p>{format!("On {filed} someone said this product is theirs and sent a proof of purchase. A support agent will decide who it belongs to; you will hear by e-mail. {}",
                if replied { "You have given your side; you can change it until the agent decides." } else { "Give your side below, with your proof of purchase if you have one." })}</p>
            <form method="post" action=format!("/my/products/{unit_id}/dispute") enctype="multipart/form-data" class="stack-form" aria-labelledby="dispute-heading">
                <input type="hidden" name="dispute" value=id.to_string() />
                <div class="field" class:invalid=reply_problem.is_some()>
                    <label for="f-reply">"Your side"</label>
                    <textarea id="f-reply" name="reply" rows="4" required=true aria-describedby="f-reply-problem">{reply}</textarea>
                    <p class="field-problem" id="f-reply-problem">{reply_problem.clone()}</p>
                </div>
                <div class="field" class:invalid=proof_problem.is_some()>
                    <label for="f-reply_proof">"Your proof of purchase (optional)"</label>
                    <input id="f-reply_proof" name="reply_proof" type="file" accept="image/jpeg,image/png,image/webp,application/pdf" aria-describedby="f-reply_proof-problem" />
                    <p class="field-problem" id="f-reply_proof-problem">{proof_problem.clone()}</p>
                </div>
                <button type="submit">"Send my side"</button>
            </form>
        </section>
    }
    .into_any()
}

#[cfg(feature = "ssr")]
pub use server::{file_dispute, reply_dispute};

#[cfg(feature = "ssr")]
mod server {
    use super::super::{owned, owner_caller};
    use crate::auth::{RequireRole, SignedIn};
    use crate::state::AppState;
    use crate::web::responses::answer;
    use crate::web::uploads::{read_multipart, upload_problem};
    use axum::extract::{Path, State};
    use axum::response::Response;
    use serialtrace::service::Error as ServiceError;
    use serialtrace::service::disputes::{self, DisputeForm};

    pub async fn file_dispute(
        State(state): State<AppState>,
        owner: RequireRole<SignedIn>,
        request: axum::extract::Request,
    ) -> Response {
        let user = owner.user().clone();
        let form = read_multipart(&state, request).await;
        if let Some(problem) = form.problem.clone() {
            return upload_problem(&state, form, "proof", problem).await;
        }
        let dispute = DisputeForm {
            serial: form.text("serial"),
            gtin: Some(form.text("gtin").trim().to_owned()).filter(|g| !g.is_empty()),
            purchase_date: form.text("purchase_date"),
            retailer: form.text("retailer"),
            statement: form.text("statement"),
            proof: form
                .files
                .iter()
                .find(|(name, _)| name == "proof")
                .map(|(_, u)| u.clone()),
        };
        let caller = owner_caller(&user, &form.parts);
        let outcome = disputes::file(&state.services.db, user.id, &dispute, &caller.actor()).await;
        answer(&state, form.parts.clone(), &form.fields, outcome, |_| {
            "/my/disputes?done=disputed".to_owned()
        })
        .await
    }

    pub async fn reply_dispute(
        State(state): State<AppState>,
        owner: RequireRole<SignedIn>,
        Path(id): Path<String>,
        request: axum::extract::Request,
    ) -> Response {
        let user = owner.user().clone();
        let (parts, body) = request.into_parts();
        let unit = match owned(&state, &user, &id, &parts).await {
            Ok(unit) => unit,
            Err(response) => return response,
        };
        let mut form =
            read_multipart(&state, axum::extract::Request::from_parts(parts, body)).await;
        // The reply form is on the product's page: a problem shows there, beside it.
        if let Ok(page) = format!("/my/products/{unit}").parse() {
            form.parts.uri = page;
        }
        if let Some(problem) = form.problem.clone() {
            return upload_problem(&state, form, "reply_proof", problem).await;
        }
        let caller = owner_caller(&user, &form.parts);
        let outcome = match form.text("dispute").trim().parse::<i64>() {
            Ok(dispute) => {
                let proof = form
                    .files
                    .iter()
                    .find(|(name, _)| name == "reply_proof")
                    .map(|(_, u)| u);
                disputes::reply(
                    &state.services.db,
                    user.id,
                    dispute,
                    &form.text("reply"),
                    proof,
                    &caller.actor(),
                )
                .await
            }
            Err(_) => Err(ServiceError::NotFound(
                "There is no such dispute of your registration.".into(),
            )),
        };
        answer(&state, form.parts.clone(), &form.fields, outcome, |()| {
            format!("/my/products/{unit}?done=replied#dispute")
        })
        .await
    }
}
