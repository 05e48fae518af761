//! The owner's warranty claims: filing one on a unit (told first whether it is in warranty;
//! out of warranty it is a paid repair request), the list, and one claim with its history.

use super::{MyDone, my_product};
#[cfg(feature = "ssr")]
use crate::auth::{Access, require};
use crate::components::answer::warranty_text;
use crate::components::load::Loaded;
use crate::error::AppError;
use crate::web::forms::{FormProblem, Tick, feedback};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serialtrace::claim::{Claim, ClaimDetail};
use serialtrace::lookup::WarrantyState;

#[server(prefix = "/_fn", endpoint = "my_claims")]
pub async fn my_claims() -> Result<Vec<Claim>, AppError> {
    let user = require(Access::SignedIn)?;
    let services = crate::state::services()?;
    Ok(serialtrace::service::claims::owners_claims(&services.db, user.id).await?)
}

#[server(prefix = "/_fn", endpoint = "my_claim")]
pub async fn my_claim(id: i64) -> Result<ClaimDetail, AppError> {
    let user = require(Access::SignedIn)?;
    let services = crate::state::services()?;
    match serialtrace::service::claims::owners_claim(&services.db, user.id, id).await? {
        Some(claim) => Ok(claim),
        None => {
            crate::error::set_status(axum::http::StatusCode::NOT_FOUND);
            Err(AppError::NotFound("You have no such claim.".into()))
        }
    }
}

/// A claim's status in words.
pub fn status_words(status: &str) -> String {
    status.replace('_', " ")
}

#[component]
pub fn ClaimHistory(claim: ClaimDetail) -> impl IntoView {
    view! {
        <h2>"History"</h2>
        <ol class="timeline">
            {claim.history.into_iter().map(|event| view! {
                <li class:internal=event.internal>
                    <strong>{status_words(&event.status)}</strong>
                    {format!(" · {} · {}{}", event.when(), event.actor_role, if event.internal { " · internal" } else { "" })}
                    {event.note.map(|n| view! { <p>{n}</p> })}
                </li>
            }).collect_view()}
        </ol>
        {(!claim.photos.is_empty()).then(|| view! {
            <h2>"Photos"</h2>
            <ul>{claim.photos.into_iter().map(|file| view! {
                <li><a href=format!("/files/{}", file.id)>{file.filename}</a></li>
            }).collect_view()}</ul>
        })}
    }
    .into_any()
}

#[component]
pub fn MyClaimsPage() -> impl IntoView {
    let list = Resource::new(|| (), |_| my_claims());
    view! {
        <Title text="My claims" />
        <h1>"My warranty claims"</h1>
        <p><a href="/my/products">"← My products"</a></p>
        <Loaded resource=list loading="Loading…" show=move |data| match data {
                    list if list.is_empty() => view! { <p class="count">"No claims. File one from a product's page."</p> }.into_any(),
                    list => view! {
                        <ul class="claims">{list.into_iter().map(|c| view! {
                            <li class="panel" data-status=c.status.clone()>
                                <h2><a href=format!("/my/claims/{}", c.id)>{format!("Claim {} · {} {}", c.id, c.model, c.serial)}</a></h2>
                                <p>{format!("{} · filed {} · {}", status_words(&c.status), c.filed_on(),
                                    if c.in_warranty { "under warranty" } else { "paid repair request" })}</p>
                            </li>
                        }).collect_view()}</ul>
                    }.into_any(),
                } />
    }
    .into_any()
}

#[component]
pub fn MyClaimPage() -> impl IntoView {
    let id = match crate::pages::staff::path_id("claim") {
        Ok(id) => id,
        Err(missing) => return missing,
    };
    let done = use_query_map().get_untracked().get("done");
    let claim = Resource::new(move || id, my_claim);
    view! {
        <Title text="My claim" />
        <p><a href="/my/claims">"← My claims"</a></p>
        <MyDone done />
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match claim.await {
                    Ok(detail) => {
                        let c = detail.claim.clone();
                        view! {
                        <h1>{format!("Claim {} · {} {}", c.id, c.model, c.serial)}</h1>
                        <p class="claim-status" data-status=c.status.clone()>{format!("Status: {}", status_words(&c.status))}</p>
                        <p>{if c.in_warranty { "Filed under warranty." } else { "A paid repair request: the unit was not under warranty when it was filed." }}</p>
                        <p>{c.description.clone()}</p>
                        <ClaimHistory claim=detail />
                    }.into_any()
                    }
                    Err(error) => view! { <h1>"Claim"</h1><p class="form-problem" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
pub fn FileClaimPage() -> impl IntoView {
    let id = match crate::pages::staff::path_id("product") {
        Ok(id) => id,
        Err(missing) => return missing,
    };
    let product = Resource::new(move || id, my_product);
    view! {
        <Title text="File a warranty claim" />
        <p><a href=format!("/my/products/{id}")>"← The product"</a></p>
        <Loaded resource=product loading="Loading…" heading="File a claim" show=move |product| view! { <ClaimForm product /> }.into_any() />
    }
    .into_any()
}

#[component]
fn ClaimForm(product: serialtrace::owner::OwnedProduct) -> impl IntoView {
    let fb = feedback();
    let in_warranty = product.warranty.status == WarrantyState::Active;
    let (class, text) = warranty_text(&product.warranty);
    let description = fb.value("description").unwrap_or_default();
    let description_problem = fb.error("description");
    let photos_problem = fb.error("photos");
    let paid_problem = fb.error("paid_repair_ok");
    view! {
        <h1>{format!("File a warranty claim · {} {}", product.model, product.serial)}</h1>
        <p class=format!("status {class} warranty-verdict") role="status">
            {if in_warranty {
                format!("{text}: the claim is filed under warranty.")
            } else {
                format!("{text}. This unit is not under warranty, so a claim is a request for a paid repair: the manufacturer's service will quote before any work.")
            }}
        </p>
        <section class="panel">
            <form method="post" action=format!("/my/products/{}/claim", product.unit_id) enctype="multipart/form-data" class="stack-form" aria-label="File a claim">
                <FormProblem />
                <div class="field" class:invalid=description_problem.is_some()>
                    <label for="f-description">"What is wrong?"</label>
                    <textarea id="f-description" name="description" rows="6" required=true>{description}</textarea>
                    <p class="field-problem" id="f-description-problem">{description_problem.clone()}</p>
                </div>
                <div class="field" class:invalid=photos_problem.is_some()>
                    <label for="f-photos">"Photos (optional, up to 3)"</label>
                    <input id="f-photos" name="photos" type="file" multiple=true accept="image/jpeg,image/png,image/webp,application/pdf" />
                    <p class="field-problem" id="f-photos-problem">{photos_problem.clone()}</p>
                </div>
                {(!in_warranty).then(|| view! {
                    <Tick name="paid_repair_ok" label="I understand this is a request for a paid repair" from="claim" />
                    <p class="field-problem">{paid_problem.clone()}</p>
                })}
                <input type="hidden" name="action" value="claim" />
                <button type="submit">{if in_warranty { "File the claim" } else { "Ask for a paid repair" }}</button>
            </form>
        </section>
    }
    .into_any()
}

#[cfg(feature = "ssr")]
pub use server::file_claim;

#[cfg(feature = "ssr")]
mod server {
    use super::super::{owned, owner_caller};
    use crate::auth::{RequireRole, SignedIn};
    use crate::state::AppState;
    use crate::web::responses::answer;
    use crate::web::uploads::{read_multipart, upload_problem};
    use axum::extract::{Path, State};
    use axum::response::Response;
    use serialtrace::service::claims::{self, NewClaim};

    pub async fn file_claim(
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
        let form = read_multipart(&state, axum::extract::Request::from_parts(parts, body)).await;
        if let Some(problem) = form.problem.clone() {
            return upload_problem(&state, form, "photos", problem).await;
        }
        let claim = NewClaim {
            description: form.text("description"),
            photos: form
                .files
                .iter()
                .filter(|(name, _)| name == "photos")
                .map(|(_, u)| u.clone())
                .collect(),
            paid_repair_ok: form.text("paid_repair_ok") == "on",
        };
        let caller = owner_caller(&user, &form.parts);
        let outcome =
            claims::file_claim(&state.services.db, user.id, unit, &claim, &caller.actor()).await;
        answer(&state, form.parts.clone(), &form.fields, outcome, |id| {
            format!("/my/claims/{id}?done=claim")
        })
        .await
    }
}
