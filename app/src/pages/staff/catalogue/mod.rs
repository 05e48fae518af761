//! `/staff/products` and `/staff/products/{id}`: the manufacturer's catalogue. Products with
//! their GTINs, warranty policy and serial format; lots; generating serials in batches.
//! Every form posts to its own page; every change is audited by the service.

#[cfg(feature = "ssr")]
use super::staff_manufacturer;
#[cfg(feature = "ssr")]
use crate::auth::{Access, require};
use crate::components::load::Loaded;
use crate::error::AppError;
use crate::pages::account::DoneNotice;
use crate::web::forms::{Choice, Field, FormProblem, Tick, feedback};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
#[cfg(feature = "ssr")]
use serialtrace::account::Role;
use serialtrace::catalogue::{Batch, Lot, ProductDetail, ProductForm, ProductLine};

#[server(prefix = "/_fn", endpoint = "staff_products")]
pub async fn staff_products() -> Result<Vec<ProductLine>, AppError> {
    let user = require(Access::Role(Role::Staff))?;
    let manufacturer = staff_manufacturer(&user)?;
    let services = crate::state::services()?;
    Ok(serialtrace::service::catalogue::products(&services.db, manufacturer).await?)
}

#[server(prefix = "/_fn", endpoint = "staff_product")]
pub async fn staff_product(id: i64) -> Result<ProductDetail, AppError> {
    let user = require(Access::Role(Role::Staff))?;
    let manufacturer = staff_manufacturer(&user)?;
    let services = crate::state::services()?;
    match serialtrace::service::catalogue::product_detail(&services.db, manufacturer, id).await? {
        Some(detail) => Ok(detail),
        None => {
            crate::error::set_status(axum::http::StatusCode::NOT_FOUND);
            Err(AppError::NotFound(format!("There is no product {id}.")))
        }
    }
}

#[component]
pub fn ProductsPage() -> impl IntoView {
    let products = Resource::new(|| (), |_| staff_products());
    let done = use_query_map().get_untracked().get("done");
    view! {
        <Title text="Catalogue" />
        <h1>"Catalogue"</h1>
        <DoneNotice done />
        <Loaded resource=products loading="Loading products…" show=move |list| view! { <ProductTable list /> }.into_any() />
        <section class="panel">
            <h2 id="new-product">"Add a product"</h2>
            <form method="post" action="/staff/products" class="stack-form" aria-labelledby="new-product">
                <FormProblem />
                <input type="hidden" name="action" value="create" />
                <ProductFields form=ProductForm { warranty_months: "24".into(), warranty_starts: "sale".into(), transferable: "on".into(), format_kind: "structured".into(), body_len: "8".into(), alphabet: "safe".into(), check: "iso7064".into(), order: "sequential".into(), ..ProductForm::default() } action="create" />
                <button type="submit">"Add the product"</button>
            </form>
        </section>
    }
    .into_any()
}

#[component]
fn ProductTable(list: Vec<ProductLine>) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="count">"No products yet: add the first one below."</p> }
            .into_any();
    }
    view! {
        <table class="data products">
            <thead><tr>
                <th scope="col">"Model"</th><th scope="col">"Name"</th><th scope="col">"GTINs"</th>
                <th scope="col">"Warranty"</th><th scope="col">"Serial format"</th><th scope="col">"Units"</th>
            </tr></thead>
            <tbody>
                {list.into_iter().map(|p| view! {
                    <tr class:retired=p.retired>
                        <td><a href=format!("/staff/products/{}", p.id)>{p.model}</a>
                            {p.retired.then(|| view! { " " <span class="badge">"retired"</span> })}</td>
                        <td>{p.name}<br /><span class="muted">{p.category}</span></td>
                        <td>{p.gtins.join(", ")}</td>
                        <td>{p.warranty}</td>
                        <td>{p.format}</td>
                        <td>{p.units}</td>
                    </tr>
                }.into_any()).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// The product form's fields, starting from `form` (what was typed wins after a rejection).
#[component]
fn ProductFields(form: ProductForm, action: &'static str) -> impl IntoView {
    let (warranty, format) = (form.clone(), form.clone());
    view! {
        <fieldset>
            <legend>"Product"</legend>
            <Field name="model" label="Model number" initial=form.model />
            <Field name="name" label="Name" initial=form.name />
            <Field name="category" label="Category" initial=form.category hint="Such as phone, laptop, e-bike." />
            <Field name="gtins" label="GTINs" required=false initial=form.gtins hint="8, 12, 13 or 14 digits each, separated by commas; the check digit is verified." />
        </fieldset>
        <WarrantyFields form=warranty action />
        <FormatFields form=format />
    }
    .into_any()
}

#[component]
fn WarrantyFields(form: ProductForm, action: &'static str) -> impl IntoView {
    view! {
        <fieldset>
            <legend>"Warranty policy"</legend>
            <Field name="warranty_months" label="Months" kind="number" initial=form.warranty_months />
            <Choice name="warranty_starts" label="Starts at" initial=form.warranty_starts
                options=vec![("sale", "sale"), ("registration", "registration"), ("manufacture", "manufacture")] />
            <Tick name="transferable" label="Passes to a new owner" initial=form.transferable == "on" from=action />
        </fieldset>
    }
    .into_any()
}

#[component]
fn FormatFields(form: ProductForm) -> impl IntoView {
    view! {
        <fieldset>
            <legend>"Serial format"</legend>
            <Choice name="format_kind" label="Kind" initial=form.format_kind
                options=vec![("structured", "prefix + body + check character"), ("imei", "IMEI (phones)"), ("free", "none: any serial")] />
            <Field name="prefix" label="Prefix" required=false initial=form.prefix hint="Up to 10 letters and digits." />
            <Field name="body_len" label="Body length" kind="number" required=false initial=form.body_len hint="4 to 16 characters." />
            <Choice name="alphabet" label="Body characters" initial=form.alphabet
                options=vec![("safe", "letters and digits without look-alikes"), ("digits", "digits")] />
            <Choice name="check" label="Check character" initial=form.check
                options=vec![("iso7064", "ISO 7064 MOD 37,36"), ("luhn", "Luhn (digits only)"), ("none", "none")] />
            <Choice name="order" label="New serials" initial=form.order
                options=vec![("sequential", "sequential"), ("random", "random (hard to guess)")] />
            <Field name="tac" label="IMEI type allocation code" required=false initial=form.tac hint="8 digits; IMEI formats only." />
        </fieldset>
    }
    .into_any()
}

#[component]
pub fn ProductPage() -> impl IntoView {
    let id = match super::path_id("product") {
        Ok(id) => id,
        Err(missing) => return missing,
    };
    let done = use_query_map().get_untracked().get("done");
    let detail = Resource::new(move || id, staff_product);
    view! {
        <Title text="Product" />
        <p><a href="/staff/products">"← Catalogue"</a></p>
        <DoneNotice done />
        <Loaded resource=detail loading="Loading…" heading="Product" show=move |detail| view! { <ProductDetailView detail /> }.into_any() />
    }
    .into_any()
}

#[component]
fn ProductDetailView(detail: ProductDetail) -> impl IntoView {
    let line = detail.line;
    let action = format!("/staff/products/{}", line.id);
    view! {
        <h1>{format!("{} · {}", line.model, line.name)} {line.retired.then(|| view! { " " <span class="badge">"retired"</span> })}</h1>
        <FormProblem />
        <dl class="facts">
            <dt>"Units"</dt><dd>{line.units}</dd>
            <dt>"GTINs"</dt><dd>{if line.gtins.is_empty() { "none".to_owned() } else { line.gtins.join(", ") }}</dd>
            <dt>"Warranty"</dt><dd>{line.warranty}</dd>
            <dt>"Serial format"</dt><dd>{line.format}{detail.example.map(|e| format!(" (such as {e})"))}</dd>
        </dl>
        <GeneratePanel action=action.clone() lots=detail.lots.clone() batches=detail.batches />
        <LotsPanel action=action.clone() lots=detail.lots.clone() />
        <OneUnitPanel action=action.clone() lots=detail.lots />
        <section class="panel">
            <h2 id="edit-product">"Edit the product"</h2>
            <form method="post" action=action.clone() class="stack-form" aria-labelledby="edit-product">
                <input type="hidden" name="action" value="update" />
                <ProductFields form=detail.form action="update" />
                <button type="submit">"Save the product"</button>
            </form>
            <form method="post" action=action class="inline-form">
                {if line.retired {
                    view! { <input type="hidden" name="action" value="reinstate" /><button type="submit">"Reinstate the product"</button> }.into_any()
                } else {
                    view! { <input type="hidden" name="action" value="retire" /><button type="submit" class="danger">"Retire the product"</button>
                        <p class="hint">"Retiring keeps every unit and its history; no new serials can be made for it."</p> }.into_any()
                }}
            </form>
        </section>
    }
    .into_any()
}

#[component]
fn GeneratePanel(action: String, lots: Vec<Lot>, batches: Vec<Batch>) -> impl IntoView {
    let codes: Vec<String> = lots.iter().map(|l| l.code.clone()).collect();
    view! {
        <section class="panel">
            <h2 id="generate">"Make serials"</h2>
            <form method="post" action=action class="stack-form" aria-labelledby="generate">
                <input type="hidden" name="action" value="generate" />
                <Field name="count" label="How many" kind="number" hint="1 to 100,000 per batch." />
                {
                    let value = feedback().value("lot").unwrap_or_default();
                    let error = feedback().error("lot");
                    let invalid = error.is_some();
                    view! {
                        <div class="field" class:invalid=invalid>
                            <label for="f-lot">"Lot"</label>
                            <select id="f-lot" name="lot">
                                <option value="">"no lot"</option>
                                {codes.into_iter().map(|c| view! { <option value=c.clone() selected=c == value>{c.clone()}</option> }).collect_view()}
                            </select>
                            <p class="field-problem" id="f-lot-problem">{error}</p>
                        </div>
                    }
                }
                <Field name="manufactured_on" label="Made on" kind="date" required=false />
                <button type="submit">"Make the serials"</button>
            </form>
            {(!batches.is_empty()).then(|| view! {
                <h3>"Batches"</h3>
                <ul class="batches">
                    {batches.into_iter().map(|b| view! {
                        <li><a href=format!("/staff/batches/{}", b.id)>{format!("Batch {} · {} serials{} · {}", b.id, b.count, b.lot.map(|l| format!(" · lot {l}")).unwrap_or_default(), b.created_at.get(..10).unwrap_or_default())}</a></li>
                    }).collect_view()}
                </ul>
            })}
        </section>
    }
    .into_any()
}

/// Add one unit by hand (the serial as printed on it).
#[component]
fn OneUnitPanel(action: String, lots: Vec<Lot>) -> impl IntoView {
    let value = feedback().value("unit_lot").unwrap_or_default();
    let error = feedback().error("unit_lot");
    let invalid = error.is_some();
    view! {
        <section class="panel">
            <h2 id="one-unit">"Add one unit"</h2>
            <form method="post" action=action class="stack-form" aria-labelledby="one-unit">
                <input type="hidden" name="action" value="unit" />
                <Field name="unit_serial" label="Serial" hint="As printed on the unit; it must fit the model's serial format." />
                <div class="field" class:invalid=invalid>
                    <label for="f-unit_lot">"Lot of the unit"</label>
                    <select id="f-unit_lot" name="unit_lot">
                        <option value="">"no lot"</option>
                        {lots.into_iter().map(|l| view! { <option value=l.code.clone() selected=l.code == value>{l.code.clone()}</option> }).collect_view()}
                    </select>
                    <p class="field-problem">{error}</p>
                </div>
                <Field name="unit_made" label="Unit made on" kind="date" required=false />
                <button type="submit">"Add the unit"</button>
            </form>
        </section>
    }
    .into_any()
}

#[component]
fn LotsPanel(action: String, lots: Vec<Lot>) -> impl IntoView {
    view! {
        <section class="panel">
            <h2 id="lots">"Lots"</h2>
            {if lots.is_empty() {
                view! { <p class="count">"No lots yet."</p> }.into_any()
            } else {
                view! {
                    <table class="data lots">
                        <thead><tr><th scope="col">"Code"</th><th scope="col">"Made"</th><th scope="col">"Expires"</th><th scope="col">"Units"</th></tr></thead>
                        <tbody>
                            {lots.into_iter().map(|l| view! {
                                <tr><td>{l.code}</td><td>{l.produced_on.unwrap_or_default()}</td><td>{l.expires_on.unwrap_or_default()}</td><td>{l.units}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            <form method="post" action=action class="stack-form" aria-labelledby="lots">
                <input type="hidden" name="action" value="lot" />
                <Field name="code" label="Lot code" />
                <Field name="produced_on" label="Production date" kind="date" required=false />
                <Field name="expires_on" label="Expiry date" kind="date" required=false />
                <button type="submit">"Add the lot"</button>
            </form>
        </section>
    }
    .into_any()
}

#[cfg(feature = "ssr")]
pub use server::{change_product, create_product};

#[cfg(feature = "ssr")]
mod server;
