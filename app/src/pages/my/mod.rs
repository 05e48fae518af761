//! The owner's pages (`/my/…`): my products with their live status, registering a unit,
//! one unit's page (transfer code, stolen or lost report, proof of purchase), redeeming a
//! transfer code, recall notices and warranty claims. Every page is for the signed-in user's
//! own units only; the anonymous are sent to sign in and brought back.

pub mod claims;
pub mod disputes;

use crate::auth::{Access, require};
use crate::components::access::Refused;
use crate::components::answer::{RecallBox, warranty_text};
use crate::error::AppError;
use crate::forms::{Choice, Field, FormProblem, feedback};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};
use serialtrace::lookup::{RecallNotice, WarrantyInfo};

/// A theft or loss report as its owner sees it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportView {
    pub kind: String,
    pub status: String,
    pub reporter_kind: String,
    pub reported_at: String,
    pub occurred_on: Option<String>,
    pub place: Option<String>,
    pub agency: Option<String>,
    pub case_number: Option<String>,
    /// Filed by this owner (who may then close it).
    pub mine: bool,
}

/// One of my units with its live status.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProductView {
    pub unit_id: i64,
    pub serial: String,
    pub manufacturer: String,
    pub model: String,
    pub name: String,
    pub since: String,
    pub via: String,
    pub purchase_date: Option<String>,
    pub retailer: Option<String>,
    pub warranty: WarrantyInfo,
    /// Days of warranty left, when it is running.
    pub days_left: Option<i64>,
    pub transferable: bool,
    pub recalls: Vec<RecallNotice>,
    pub reports: Vec<ReportView>,
    pub proof: Option<i64>,
    pub transfer_open_until: Option<String>,
    /// Open disputes of my registration: (id, filed on, answered).
    pub disputes: Vec<(i64, String, bool)>,
}

impl ProductView {
    fn active_report(&self) -> Option<&ReportView> {
        self.reports.iter().find(|r| r.status == "active")
    }
}

#[cfg(feature = "ssr")]
fn product_view(p: serialtrace::service::owners::MyProduct, user_id: i64) -> ProductView {
    let days_left = p
        .warranty
        .ends_on
        .as_deref()
        .and_then(|d| serialtrace::store::parse_date(Some(d)))
        .filter(|_| p.warranty.status == serialtrace::lookup::WarrantyState::Active)
        .map(|end| (end - serialtrace::store::today()).whole_days());
    ProductView {
        unit_id: p.unit.unit_id,
        serial: p.unit.serial,
        manufacturer: p.unit.manufacturer,
        model: p.unit.model,
        name: p.unit.name,
        since: p.unit.since.get(..10).unwrap_or_default().to_owned(),
        via: p.unit.via,
        purchase_date: p.unit.purchase_date,
        retailer: p.unit.retailer,
        warranty: p.warranty,
        days_left,
        transferable: p.unit.transferable,
        recalls: p.recalls,
        reports: p
            .reports
            .into_iter()
            .map(|r| ReportView {
                mine: r.reporter_user_id == Some(user_id),
                kind: r.kind,
                status: r.status,
                reporter_kind: r.reporter_kind,
                reported_at: r.reported_at.get(..10).unwrap_or_default().to_owned(),
                occurred_on: r.occurred_on,
                place: r.place,
                agency: r.agency,
                case_number: r.case_number,
            })
            .collect(),
        proof: p.unit.proof_id,
        transfer_open_until: p.transfer_open_until,
        disputes: Vec::new(),
    }
}

#[server(prefix = "/_fn", endpoint = "my_products")]
pub async fn my_products() -> Result<(Vec<ProductView>, i64), AppError> {
    let user = require(Access::SignedIn)?;
    let services = crate::state::services()?;
    let products = serialtrace::service::owners::my_products(&services.db, user.id).await?;
    let unread = serialtrace::store::owners::notices(&services.db, user.id)
        .await?
        .iter()
        .filter(|n| n.read_at.is_none())
        .count() as i64;
    Ok((
        products
            .into_iter()
            .map(|p| product_view(p, user.id))
            .collect(),
        unread,
    ))
}

#[server(prefix = "/_fn", endpoint = "my_product")]
pub async fn my_product(id: i64) -> Result<ProductView, AppError> {
    let user = require(Access::SignedIn)?;
    let services = crate::state::services()?;
    match serialtrace::service::owners::my_product(&services.db, user.id, id).await? {
        Some(p) => {
            let ownership = p.unit.ownership_id;
            let mut view = product_view(p, user.id);
            view.disputes =
                serialtrace::store::disputes::open_on_ownership(&services.db, ownership)
                    .await?
                    .into_iter()
                    .map(|d| {
                        let filed = d.created_at.get(..10).unwrap_or_default().to_owned();
                        (d.id, filed, d.owner_reply.is_some())
                    })
                    .collect();
            Ok(view)
        }
        None => {
            crate::error::set_status(axum::http::StatusCode::NOT_FOUND);
            Err(AppError::NotFound("You have no such product.".into()))
        }
    }
}

/// Confirmations after an owner's action.
#[component]
pub(crate) fn MyDone(done: Option<String>) -> impl IntoView {
    let message = match done.as_deref() {
        Some("registered") => Some("Registered: the product is yours on serialtrace."),
        Some("transferred") => Some("The product is now registered to you."),
        Some("reported") => {
            Some("Reported. Public lookups of this serial now say it is reported stolen or lost.")
        }
        Some("recovered") => Some("Marked recovered: public lookups no longer flag it."),
        Some("withdrawn") => Some("Report withdrawn: public lookups no longer flag it."),
        Some("cancelled") => Some("The transfer code is cancelled."),
        Some("read") => Some("Marked read."),
        Some("claim") => Some("Your claim has been filed. You will hear by e-mail when it moves."),
        Some("replied") => Some("Your side is sent to the support agent deciding the dispute."),
        _ => None,
    };
    message.map(|m| view! { <p class="notice" role="status">{m}</p> })
}

#[component]
pub fn MyProductsPage() -> impl IntoView {
    if let Err(error) = require(Access::SignedIn) {
        return view! { <Refused error /> }.into_any();
    }
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
        <Suspense fallback=|| view! { <p class="loading">"Loading your products…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok((list, unread)) => view! {
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
                    }.into_any(),
                    Err(error) => view! { <p class="form-problem" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn ProductCard(product: ProductView) -> impl IntoView {
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
pub fn RegisterPage() -> impl IntoView {
    if let Err(error) = require(Access::SignedIn) {
        return view! { <Refused error /> }.into_any();
    }
    let query = use_query_map().get_untracked();
    let proof_problem = feedback().error("proof");
    let typed = feedback()
        .value("serial")
        .or_else(|| query.get("serial"))
        .unwrap_or_default();
    view! {
        <Title text="Register a product" />
        <h1>"Register a product"</h1>
        <p>"Registering starts the warranty where the manufacturer's policy says so, and brings you its recall notices."</p>
        <section class="panel">
            <form method="post" action="/my/register" enctype="multipart/form-data" class="stack-form" aria-label="Register a product">
                <FormProblem />
                <Field name="serial" label="Serial number" autocomplete="off" initial=query.get("serial").unwrap_or_default()
                    hint="As printed, the text a scanner reads from the barcode, or the link in the product's QR code." />
                <Field name="gtin" label="Product number (GTIN)" required=false initial=query.get("gtin").unwrap_or_default()
                    hint="Only needed when we ask: the 13 or 14 digits under the barcode." />
                <Field name="purchase_date" label="Date of purchase" kind="date" />
                <Field name="retailer" label="Bought from" hint="A shop, a website, or \"private sale\"." />
                <div class="field" class:invalid=proof_problem.is_some()>
                    <label for="f-proof">"Proof of purchase (optional)"</label>
                    <p class="hint">"A photo or PDF of the receipt, up to 5 MB. Only you, support agents and the manufacturer's staff can open it."</p>
                    <input id="f-proof" name="proof" type="file" accept="image/jpeg,image/png,image/webp,application/pdf" />
                    <p class="field-problem" id="f-proof-problem">{proof_problem.clone()}</p>
                </div>
                <button type="submit">"Register"</button>
            </form>
        </section>
        <p>"Bought it second-hand from someone who registered it? Ask them for a transfer code and "
            <a href="/my/transfers">"redeem it here"</a> "."</p>
        <p>"Registered by someone who has no right to it? "
            <a href=format!("/my/disputes/new?serial={}", crate::forms::encode(&typed))>"Dispute the registration"</a>
            " with your proof of purchase."</p>
    }
    .into_any()
}

#[component]
pub fn MyProductPage() -> impl IntoView {
    if let Err(error) = require(Access::SignedIn) {
        return view! { <Refused error /> }.into_any();
    }
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
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match product.await {
                    Ok(product) => view! { <ProductDetail product /> }.into_any(),
                    Err(error) => view! { <h1>"My product"</h1><p class="form-problem" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn ProductDetail(product: ProductView) -> impl IntoView {
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
        <disputes::DisputedPanel unit_id=product.unit_id disputes=product.disputes.clone() />
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
                    <li>{format!("{} · {} · reported {} by {}", r.kind, r.status, r.reported_at, r.reporter_kind)}</li>
                }).collect_view()}</ul>
            })}
        </section>
    }
    .into_any()
}

#[component]
fn TransferPanel(product: ProductView, action: String) -> impl IntoView {
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
fn OpenReport(report: ReportView, action: String) -> impl IntoView {
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
        <p class="status stolen" role="status">{format!("Reported {} on {}. Public lookups say so.", report.kind, report.reported_at)}</p>
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

#[component]
pub fn TransfersPage() -> impl IntoView {
    if let Err(error) = require(Access::SignedIn) {
        return view! { <Refused error /> }.into_any();
    }
    let code = use_query_map().get_untracked().get("code");
    view! {
        <Title text="Redeem a transfer code" />
        <h1>"Redeem a transfer code"</h1>
        <p>"The previous owner made this code on their product's page. Redeeming it moves the product to your account; each code works once."</p>
        <section class="panel">
            <form method="post" action="/my/transfers" class="stack-form" aria-label="Redeem a transfer code">
                <FormProblem />
                <Field name="code" label="Transfer code" autocomplete="off" initial=code.unwrap_or_default() hint="Like 7K4M-Q2XP-9HDT." />
                <button type="submit">"Redeem"</button>
            </form>
        </section>
    }
    .into_any()
}

/// A recall notice as its owner sees it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NoticeView {
    pub id: i64,
    pub unit_id: i64,
    pub serial: String,
    pub model: String,
    pub number: String,
    pub path: String,
    pub title: String,
    pub instructions: String,
    pub remedy_status: Option<String>,
    pub created_at: String,
    pub read: bool,
}

#[server(prefix = "/_fn", endpoint = "my_notices")]
pub async fn my_notices() -> Result<Vec<NoticeView>, AppError> {
    let user = require(Access::SignedIn)?;
    let services = crate::state::services()?;
    Ok(serialtrace::store::owners::notices(&services.db, user.id)
        .await?
        .into_iter()
        .map(|n| NoticeView {
            id: n.id,
            unit_id: n.unit_id,
            serial: n.serial,
            model: n.model,
            number: n.number,
            path: n.path,
            title: n.title,
            instructions: n.instructions,
            remedy_status: n.remedy_status,
            created_at: n.created_at.get(..10).unwrap_or_default().to_owned(),
            read: n.read_at.is_some(),
        })
        .collect())
}

#[component]
pub fn NoticesPage() -> impl IntoView {
    if let Err(error) = require(Access::SignedIn) {
        return view! { <Refused error /> }.into_any();
    }
    let done = use_query_map().get_untracked().get("done");
    let list = Resource::new(|| (), |_| my_notices());
    view! {
        <Title text="Recall notices" />
        <h1>"Recall notices"</h1>
        <MyDone done />
        <FormProblem />
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(list) if list.is_empty() => view! { <p class="count">"No recall has covered your products."</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="notices">{list.into_iter().map(|n| view! {
                            <li class={if n.read { "panel notice-item read" } else { "panel notice-item unread" }}>
                                <h2><a href=n.path.clone()>{n.number.clone()}</a> ": " {n.title.clone()}</h2>
                                <p class="meta">{format!("{} · serial {} · {}{}", n.model, n.serial, n.created_at,
                                    n.remedy_status.as_deref().map(|s| format!(" · this unit: {}", s.replace('_', " "))).unwrap_or_default())}</p>
                                <p><strong>"What to do: "</strong>{n.instructions.clone()}</p>
                                <p class="actions">
                                    <a href=format!("/my/products/{}", n.unit_id)>"The product"</a>
                                    {(!n.read).then(|| view! {
                                        <form method="post" action="/my/notices" class="inline-form">
                                            <input type="hidden" name="notice" value=n.id.to_string() />
                                            <button type="submit">"Mark read"</button>
                                        </form>
                                    })}
                                </p>
                            </li>
                        }).collect_view()}</ul>
                    }.into_any(),
                    Err(error) => view! { <p class="form-problem" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[cfg(feature = "ssr")]
pub use server::*;

#[cfg(feature = "ssr")]
mod server {
    use crate::auth::{RequireRole, SignedIn};
    use crate::forms::{FormFeedback, rerender};
    use crate::pages::account::PageForm;
    use crate::pages::staff::catalogue::answer;
    use crate::state::AppState;
    use axum::extract::{FromRequest, Multipart, Path, State};
    use axum::http::request::Parts;
    use axum::http::{HeaderValue, StatusCode, header};
    use axum::response::{IntoResponse, Response};
    use serde::{Deserialize, Serialize};
    use serialtrace::account::{Role, SignedInUser};
    use serialtrace::service::catalogue::CatalogueError;
    use serialtrace::service::owners::{self, OwnerReport, Registration, Upload};
    use std::collections::HashMap;

    /// The largest registration form (a proof of purchase and a few fields).
    pub const MAX_REGISTER_BYTES: usize = 8 * 1024 * 1024;
    /// The largest claim form (three photos and the description).
    pub const MAX_CLAIM_BYTES: usize = 20 * 1024 * 1024;

    /// Parts one owner form may have (its fields and up to three photos, with room to
    /// spare): a body of thousands of tiny parts is refused, not kept.
    pub const MAX_FORM_PARTS: usize = 32;

    /// An owner acting on their own account, for the audit log.
    pub fn owner_caller(user: &SignedInUser, parts: &Parts) -> crate::auth::Caller {
        crate::auth::Caller::new(user, parts, "owner")
    }

    /// A multipart form: its text fields and its files (a file input left empty sends none).
    pub struct MultipartForm {
        pub parts: Parts,
        pub fields: HashMap<String, String>,
        pub files: Vec<(String, Upload)>,
        /// Why the body could not be read to its end, if it could not, and the status that
        /// says so (400 unreadable, 413 too large, 415 not a multipart form).
        pub problem: Option<(StatusCode, String)>,
    }

    impl MultipartForm {
        pub fn text(&self, name: &str) -> String {
            self.fields.get(name).cloned().unwrap_or_default()
        }
    }

    pub async fn read_multipart(
        state: &AppState,
        request: axum::extract::Request,
    ) -> MultipartForm {
        let (parts, body) = request.into_parts();
        let request = axum::extract::Request::from_parts(parts.clone(), body);
        let mut form = MultipartForm {
            parts,
            fields: HashMap::new(),
            files: Vec::new(),
            problem: None,
        };
        let mut multipart = match Multipart::from_request(request, state).await {
            Ok(m) => m,
            Err(rejection) => {
                form.problem = Some((
                    rejection.status(),
                    format!("The form could not be read: {}", rejection.body_text()),
                ));
                return form;
            }
        };
        loop {
            match multipart.next_field().await {
                Ok(Some(_)) if form.fields.len() + form.files.len() >= MAX_FORM_PARTS => {
                    form.problem = Some((
                        StatusCode::PAYLOAD_TOO_LARGE,
                        format!("The form has more than {MAX_FORM_PARTS} parts."),
                    ));
                    break;
                }
                Ok(Some(field)) => {
                    let name = field.name().unwrap_or_default().to_owned();
                    let filename = field.file_name().map(str::to_owned);
                    match field.bytes().await {
                        Ok(bytes) => match filename {
                            Some(filename) if !(filename.is_empty() && bytes.is_empty()) => {
                                form.files.push((
                                    name,
                                    Upload {
                                        filename,
                                        bytes: bytes.to_vec(),
                                    },
                                ));
                            }
                            Some(_) => {}
                            None if crate::forms::holds_nul(&bytes) => {
                                form.problem = Some((
                                    StatusCode::UNPROCESSABLE_ENTITY,
                                    format!(
                                        "The field {name} holds a NUL character (U+0000), which no field can keep."
                                    ),
                                ));
                                break;
                            }
                            None => {
                                form.fields
                                    .insert(name, String::from_utf8_lossy(&bytes).into_owned());
                            }
                        },
                        Err(error) => {
                            form.problem = Some((
                                error.status(),
                                format!("The upload stopped: {}", error.body_text()),
                            ));
                            break;
                        }
                    }
                }
                Ok(None) => break,
                Err(error) => {
                    form.problem = Some((
                        error.status(),
                        format!("The upload stopped: {}", error.body_text()),
                    ));
                    break;
                }
            }
        }
        form
    }

    /// The page again with the form's text fields and this problem.
    pub async fn upload_problem(
        state: &AppState,
        form: MultipartForm,
        field: &str,
        (status, problem): (StatusCode, String),
    ) -> Response {
        let mut feedback = FormFeedback::default();
        feedback.add_error(field, problem);
        for (name, value) in &form.fields {
            feedback.values.push((name.clone(), value.clone()));
        }
        rerender(state, form.parts, feedback, status).await
    }

    fn text(value: &str) -> Option<String> {
        let value: String = value.trim().chars().take(200).collect();
        (!value.is_empty()).then_some(value)
    }

    pub async fn register_unit(
        State(state): State<AppState>,
        owner: RequireRole<SignedIn>,
        request: axum::extract::Request,
    ) -> Response {
        let user = owner.user().clone();
        let form = read_multipart(&state, request).await;
        if let Some(problem) = form.problem.clone() {
            return upload_problem(&state, form, "proof", problem).await;
        }
        let registration = Registration {
            serial: form.text("serial"),
            gtin: text(&form.text("gtin")),
            purchase_date: form.text("purchase_date"),
            retailer: form.text("retailer"),
            proof: form
                .files
                .iter()
                .find(|(name, _)| name == "proof")
                .map(|(_, u)| u.clone()),
        };
        let caller = owner_caller(&user, &form.parts);
        let services = &state.services;
        let outcome = owners::register(
            &services.db,
            &services.lookup,
            user.id,
            &registration,
            &caller.actor(),
        )
        .await;
        answer(&state, form.parts.clone(), &form.fields, outcome, |id| {
            format!("/my/products/{id}?done=registered")
        })
        .await
    }

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

    /// The id of one of the owner's units; otherwise the "not found" answer, given before a
    /// form is judged or an upload read, so that nothing of another owner's unit shows.
    pub async fn owned(
        state: &AppState,
        user: &SignedInUser,
        id: &str,
        parts: &Parts,
    ) -> Result<i64, Response> {
        let problem = match id.parse::<i64>() {
            Ok(unit) => {
                match serialtrace::store::owners::owned_unit(&state.services.db, user.id, unit)
                    .await
                {
                    Ok(Some(_)) => return Ok(unit),
                    Ok(None) => CatalogueError::NotFound("You have no such product.".into()),
                    Err(error) => CatalogueError::Store(error),
                }
            }
            Err(_) => CatalogueError::NotFound("You have no such product.".into()),
        };
        let outcome: Result<(), _> = Err(problem);
        let no_fields: HashMap<String, String> = HashMap::new();
        Err(answer(state, parts.clone(), &no_fields, outcome, |_| String::new()).await)
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
        let (db, lookup) = (&state.services.db, &state.services.lookup);
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
                    owners::report_theft(db, lookup, user.id, unit, &report, &actor)
                        .await
                        .map(|_| format!("{back}?done=reported"))
                } else {
                    Err(CatalogueError::fields(problems))
                }
            }
            "recovered" => owners::close_report(
                db,
                lookup,
                user.id,
                unit,
                Some(text(&form.recovered_place)),
                &actor,
            )
            .await
            .map(|()| format!("{back}?done=recovered")),
            "withdraw" => owners::close_report(db, lookup, user.id, unit, None, &actor)
                .await
                .map(|()| format!("{back}?done=withdrawn")),
            _ => Err(CatalogueError::Invalid(vec![(
                "form".into(),
                "That is not something this page can do.".into(),
            )])),
        };
        answer(&state, parts, &form, outcome, |to| to).await
    }

    #[derive(Deserialize, Serialize, Default)]
    #[serde(default)]
    pub struct RedeemForm {
        code: String,
    }

    pub async fn redeem_transfer(
        State(state): State<AppState>,
        owner: RequireRole<SignedIn>,
        PageForm { parts, form }: PageForm<RedeemForm>,
    ) -> Response {
        let user = owner.user();
        let caller = owner_caller(user, &parts);
        let services = &state.services;
        let outcome = owners::redeem_transfer(
            &services.db,
            &services.lookup,
            user.id,
            &form.code,
            &caller.actor(),
        )
        .await;
        answer(&state, parts, &form, outcome, |unit| {
            format!("/my/products/{unit}?done=transferred")
        })
        .await
    }

    #[derive(Deserialize, Serialize, Default)]
    #[serde(default)]
    pub struct NoticeForm {
        notice: String,
    }

    pub async fn read_notice(
        State(state): State<AppState>,
        owner: RequireRole<SignedIn>,
        PageForm { parts, form }: PageForm<NoticeForm>,
    ) -> Response {
        let user = owner.user();
        let outcome = match form.notice.parse::<i64>() {
            Ok(id) => owners::read_notice(&state.services.db, user.id, id).await,
            Err(_) => Err(CatalogueError::NotFound(
                "There is no such unread notice.".into(),
            )),
        };
        answer(&state, parts, &form, outcome, |()| {
            "/my/notices?done=read".to_owned()
        })
        .await
    }

    /// A proof of purchase or claim photo: for its owner, support agents, and the staff of
    /// the unit's manufacturer; anyone else gets 404, as if it did not exist.
    pub async fn attachment(
        State(state): State<AppState>,
        viewer: RequireRole<SignedIn>,
        Path(id): Path<String>,
    ) -> Response {
        let user = viewer.user();
        let not_found = || (StatusCode::NOT_FOUND, "There is no such file.").into_response();
        let Ok(id) = id.parse::<i64>() else {
            return not_found();
        };
        let file = match serialtrace::store::owners::attachment(&state.services.db, id).await {
            Ok(Some(file)) => file,
            Ok(None) => return not_found(),
            Err(error) => {
                tracing::error!(%error, "reading an attachment");
                return (StatusCode::SERVICE_UNAVAILABLE, "Try again in a moment.").into_response();
            }
        };
        let allowed = file.user_id == user.id
            || user.has(Role::Agent)
            || user.staff_manufacturer() == Some(file.manufacturer_id);
        if !allowed {
            return not_found();
        }
        let mut response = file.bytes.into_response();
        let headers = response.headers_mut();
        if let Ok(kind) = HeaderValue::from_str(&file.content_type) {
            headers.insert(header::CONTENT_TYPE, kind);
        }
        let name: String = file
            .filename
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
            .collect();
        if let Ok(disposition) = HeaderValue::from_str(&format!("inline; filename=\"{name}\"")) {
            headers.insert(header::CONTENT_DISPOSITION, disposition);
        }
        // A file shown on its own can run nothing and load nothing.
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
            ),
        );
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
        response
    }
}
