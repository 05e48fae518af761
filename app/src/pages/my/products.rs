//! My products (`/my/products`) and one product's page (`/my/products/{id}`): its live status,
//! proof of purchase, a transfer code, a stolen or lost report and its closing, and an open
//! dispute of the registration.

use super::MyDone;
#[cfg(feature = "ssr")]
use crate::auth::{Access, require};
use crate::components::answer::{RecallBox, warranty_text};
use crate::components::load::Loaded;
use crate::error::AppError;
use crate::web::forms::{Choice, Field, FormProblem, feedback};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serialtrace::owner::{OwnedProduct, UnitReport};

#[server(prefix = "/_fn", endpoint = "my_products")]
pub async fn my_products() -> Result<(Vec<OwnedProduct>, i64), AppError> {
    use serialtrace::service::owners;
    let user = require(Access::SignedIn)?;
    let services = crate::state::services()?;
    let products = owners::my_products(&services.db, user.id).await?;
    let unread = owners::my_notices(&services.db, user.id)
        .await?
        .iter()
        .filter(|n| !n.is_read())
        .count() as i64;
    Ok((products, unread))
}

#[server(prefix = "/_fn", endpoint = "my_product")]
pub async fn my_product(id: i64) -> Result<OwnedProduct, AppError> {
    let user = require(Access::SignedIn)?;
    let services = crate::state::services()?;
    match serialtrace::service::owners::my_product(&services.db, user.id, id).await? {
        Some(product) => Ok(product),
        None => {
            crate::error::set_status(axum::http::StatusCode::NOT_FOUND);
            Err(AppError::NotFound("You have no such product.".into()))
        }
    }
}

#[component]
pub fn MyProductsPage() -> impl IntoView {
    let done = use_query_map().get_untracked().get("done");
    let list = Resource::new(|| (), |_| my_products());
    view! {
        <Title text="My products" />
        <h1>"My products"</h1>
        <MyDone done />
        <p class="actions">
            <a class="button" href="/my/register">"Register a product"</a>
            " " <a href="/my/transfers">"Redeem a transfer code"</a>
            " · " <a href="/my/claims">"My claims"</a>
            " · " <a href="/my/disputes">"Disputes"</a>
        </p>
        <Loaded resource=list loading="Loading your products…" show=move |(list, unread)| view! {
                {(unread > 0).then(|| view! {
                    <p class="notice warn" role="status">
                        <a href="/my/notices">{format!("{unread} unread recall notice{}", if unread == 1 { "" } else { "s" })}</a>
                    </p>
                })}
                {if list.is_empty() {
                    view! { <p class="count">"No products yet. Register one with its serial number to follow its warranty and recalls."</p> }.into_any()
                } else {
                    view! {
                        <ul class="products">
                            {list.into_iter().map(|product| view! { <ProductCard product /> }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            }.into_any() />
    }
    .into_any()
}

#[component]
fn ProductCard(product: OwnedProduct) -> impl IntoView {
    let (class, text) = warranty_text(&product.warranty);
    let days = product
        .days_left
        .map(|d| format!(" ({d} days left)"))
        .unwrap_or_default();
    let reported = product.active_report().map(|r| r.kind.clone());
    let recalls = product.recalls.len();
    view! {
        <li class={if reported.is_some() { "panel product stolen" } else { "panel product" }} data-serial=product.serial.clone()>
            <h2><a href=format!("/my/products/{}", product.unit_id)>{format!("{} · {}", product.name, product.model)}</a></h2>
            <p class="meta">{format!("{} · Serial {} · yours since {}", product.manufacturer, product.serial, product.since)}</p>
            <dl class="statuses">
                <div class=format!("status {class}")><dt>"Warranty"</dt><dd class="warranty">{format!("{text}{days}")}</dd></div>
                <div class={if recalls > 0 { "status danger" } else { "status ok" }}>
                    <dt>"Recalls"</dt>
                    <dd>{if recalls == 0 { "No open recall".to_owned() } else { format!("{recalls} open recall{}: see what to do below", if recalls == 1 { "" } else { "s" }) }}</dd>
                </div>
                <div class={if reported.is_some() { "status danger" } else { "status ok" }}>
                    <dt>"Theft"</dt>
                    <dd>{match &reported { Some(kind) => format!("Reported {kind}"), None => "Not reported".to_owned() }}</dd>
                </div>
            </dl>
            {product.recalls.into_iter().map(|recall| view! { <RecallBox recall /> }).collect_view()}
        </li>
    }
    .into_any()
}

#[component]
pub fn MyProductPage() -> impl IntoView {
    let id = match crate::pages::staff::path_id("product") {
        Ok(id) => id,
        Err(missing) => return missing,
    };
    let done = use_query_map().get_untracked().get("done");
    let product = Resource::new(move || id, my_product);
    view! {
        <Title text="My product" />
        <p><a href="/my/products">"← My products"</a></p>
        <MyDone done />
        <FormProblem />
        <Loaded resource=product loading="Loading…" heading="My product" show=move |product| view! { <ProductDetail product /> }.into_any() />
    }
    .into_any()
}

#[component]
fn ProductDetail(product: OwnedProduct) -> impl IntoView {
    let action = format!("/my/products/{}", product.unit_id);
    let active = product.active_report().cloned();
    let reports = product.reports.clone();
    let facts = [
        Some(format!("Serial {}", product.serial)),
        Some(format!(
            "{} since {}",
            if product.via == "transfer" {
                "Transferred to you"
            } else {
                "Registered"
            },
            product.since
        )),
        product.purchase_date.clone().map(|d| format!("bought {d}")),
        product.retailer.clone().map(|r| format!("from {r}")),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    let proof = product.proof;
    view! {
        <h1>{format!("{} · {}", product.name, product.model)}</h1>
        <p class="meta">{product.manufacturer.clone()} " · " {facts}</p>
        {proof.map(|id| view! { <p><a href=format!("/files/{id}")>"Proof of purchase"</a></p> })}
        <super::disputes::DisputedPanel unit_id=product.unit_id disputes=product.disputes.clone() />
        <ProductCard product=product.clone() />
        <p><a class="button" href=format!("/my/products/{}/claim", product.unit_id)>"File a warranty claim"</a></p>
        <TransferPanel product=product.clone() action=action.clone() />
        <section class="panel" id="report">
            <h2>"Stolen or lost"</h2>
            {match active {
                Some(report) => view! { <OpenReport report action=action.clone() /> }.into_any(),
                None => view! { <ReportForm action=action.clone() /> }.into_any(),
            }}
            {(!reports.is_empty()).then(|| view! {
                <h3>"Reports"</h3>
                <ul>{reports.into_iter().map(|r| view! {
                    <li>{format!("{} · {} · reported {} by {}", r.kind, r.status, r.reported_on(), r.reporter_kind)}</li>
                }).collect_view()}</ul>
            })}
        </section>
    }
    .into_any()
}

#[component]
fn TransferPanel(product: OwnedProduct, action: String) -> impl IntoView {
    let fb = feedback();
    let code = fb.value("transfer_code");
    let expires = fb.value("transfer_expires");
    let problem = fb.error("transfer");
    let reported = product.active_report().is_some();
    view! {
        <section class="panel" id="transfer">
            <h2>"Pass it on"</h2>
            <p>"Selling or giving this product away? Make a transfer code and give it to the new owner: they redeem it while signed in, and the product moves to their account. A code works once, for 7 days."</p>
            {(!product.transferable).then(|| view! {
                <p class="hint">"This model's warranty does not pass to a new owner: it ends when the code is redeemed."</p>
            })}
            {code.map(|code| view! {
                <p class="notice" role="status">
                    "Transfer code: " <strong class="transfer-code">{code.clone()}</strong>
                    {expires.clone().map(|e| format!(" — valid until {}", e.get(..16).unwrap_or_default().replace('T', " ")))}
                    ". It is shown only now: write it down or send the new owner this link: "
                    <code>{format!("/my/transfers?code={code}")}</code>
                </p>
            })}
            {product.transfer_open_until.clone().map(|until| view! {
                <p>{format!("A transfer code is open until {}.", until.get(..10).unwrap_or_default())}</p>
                <form method="post" action=action.clone() class="inline-form">
                    <input type="hidden" name="action" value="cancel_transfer" />
                    <button type="submit" class="danger">"Cancel the code"</button>
                </form>
            })}
            {if reported {
                view! { <p>"A unit reported stolen or lost cannot be transferred."</p> }.into_any()
            } else {
                view! {
                    <form method="post" action=action.clone() class="inline-form">
                        <input type="hidden" name="action" value="transfer" />
                        <button type="submit">"Make a transfer code"</button>
                    </form>
                }.into_any()
            }}
            {problem.map(|p| view! { <p class="form-problem" role="alert">{p}</p> })}
        </section>
    }
    .into_any()
}

#[component]
fn OpenReport(report: UnitReport, action: String) -> impl IntoView {
    let problem = feedback().error("report");
    let details = [
        report.occurred_on.clone().map(|d| format!("on {d}")),
        report.place.clone().map(|p| format!("at {p}")),
        report.agency.clone().map(|a| format!("police: {a}")),
        report.case_number.clone().map(|c| format!("case {c}")),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    view! {
        <p class="status stolen" role="status">{format!("Reported {} on {}. Public lookups say so.", report.kind, report.reported_on())}</p>
        <p class="muted">{details}</p>
        {if report.mine {
            view! {
                <form method="post" action=action class="stack-form" aria-label="Close the report">
                    <div class="field">
                        <label for="f-recovered_place">"Where it was found (optional)"</label>
                        <input id="f-recovered_place" name="recovered_place" type="text" />
                    </div>
                    <p class="actions">
                        <button type="submit" name="action" value="recovered">"I have it back"</button>
                        <button type="submit" name="action" value="withdraw" class="danger">"Withdraw the report"</button>
                    </p>
                </form>
            }.into_any()
        } else {
            view! { <p>{format!("This report was filed by the {}; ask them to close it.", report.reporter_kind)}</p> }.into_any()
        }}
        {problem.map(|p| view! { <p class="form-problem" role="alert">{p}</p> })}
    }
    .into_any()
}

#[component]
fn ReportForm(action: String) -> impl IntoView {
    view! {
        <form method="post" action=action class="stack-form" aria-label="Report stolen or lost">
            <input type="hidden" name="action" value="report" />
            <Choice name="report_kind" label="What happened" options=vec![("stolen", "Stolen"), ("lost", "Lost")] />
            <Field name="occurred_on" label="When" kind="date" required=false />
            <Field name="place" label="Where" required=false hint="A town or area is enough." />
            <Field name="agency" label="Police agency" required=false />
            <Field name="case_number" label="Police case number" required=false />
            <button type="submit" class="danger">"Report it"</button>
        </form>
    }
    .into_any()
}

#[cfg(feature = "ssr")]
pub use server::*;

#[cfg(feature = "ssr")]
mod server {
    use super::super::{owned, owner_caller, text};
    use crate::auth::{RequireRole, SignedIn};
    use crate::state::AppState;
    use crate::web::forms::PageForm;
    use crate::web::forms::{FormFeedback, rerender};
    use crate::web::responses::answer;
    use axum::extract::{Path, State};
    use axum::http::StatusCode;
    use axum::response::Response;
    use serde::{Deserialize, Serialize};
    use serialtrace::service::Error as ServiceError;
    use serialtrace::service::owners::{self, OwnerReport};

    #[derive(Deserialize, Serialize, Default)]
    #[serde(default)]
    pub struct ProductForm {
        action: String,
        recovered_place: String,
        report_kind: String,
        occurred_on: String,
        place: String,
        agency: String,
        case_number: String,
    }

    pub async fn change_product(
        State(state): State<AppState>,
        owner: RequireRole<SignedIn>,
        Path(id): Path<String>,
        PageForm { parts, form }: PageForm<ProductForm>,
    ) -> Response {
        let user = owner.user();
        let caller = owner_caller(user, &parts);
        let actor = caller.actor();
        let db = &state.services.db;
        let unit = match owned(&state, user, &id, &parts).await {
            Ok(unit) => unit,
            Err(response) => return response,
        };
        let back = format!("/my/products/{unit}");
        let outcome = match form.action.as_str() {
            "transfer" => match owners::create_transfer(db, user.id, unit, &actor).await {
                Ok((code, expires)) => {
                    // Shown once: the page again, with the code (never in a URL).
                    let feedback = FormFeedback::default()
                        .keep("transfer_code", &code)
                        .keep("transfer_expires", &expires);
                    return rerender(&state, parts, feedback, StatusCode::OK).await;
                }
                Err(e) => Err(e),
            },
            "cancel_transfer" => owners::cancel_transfer(db, user.id, unit, &actor)
                .await
                .map(|()| format!("{back}?done=cancelled")),
            "report" => {
                let mut problems = Vec::new();
                let occurred_on = serialtrace::catalogue::optional_date(
                    &mut problems,
                    "occurred_on",
                    &form.occurred_on,
                );
                if problems.is_empty() {
                    let report = OwnerReport {
                        kind: form.report_kind.trim().to_owned(),
                        occurred_on: occurred_on.map(|d| d.to_string()),
                        place: text(&form.place),
                        agency: text(&form.agency),
                        case_number: text(&form.case_number),
                    };
                    owners::report_theft(db, user.id, unit, &report, &actor)
                        .await
                        .map(|_| format!("{back}?done=reported"))
                } else {
                    Err(ServiceError::fields(problems))
                }
            }
            "recovered" => {
                owners::close_report(db, user.id, unit, Some(text(&form.recovered_place)), &actor)
                    .await
                    .map(|()| format!("{back}?done=recovered"))
            }
            "withdraw" => owners::close_report(db, user.id, unit, None, &actor)
                .await
                .map(|()| format!("{back}?done=withdrawn")),
            _ => Err(ServiceError::invalid(
                "form",
                "That is not something this page can do.",
            )),
        };
        answer(&state, parts, &form, outcome, |to| to).await
    }
}
