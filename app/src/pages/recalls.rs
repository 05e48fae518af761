//! `/recalls` (active recalls, searchable), `/recalls/{manufacturer}/{number}` (one recall:
//! numbers are unique within a manufacturer, so the page names both) and `/recalls/{number}`,
//! the older one-segment link, which leads to the recall when one manufacturer has that
//! number and lists them when several do.

use crate::components::lookup_form::LookupForm;
use crate::error::AppError;
use crate::web::responses::set_status;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};
use serialtrace::recall::{RecallDetail, RecallFilter, RecallSummary};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RecallSearch {
    pub recalls: Vec<RecallSummary>,
    /// (slug, name) of manufacturers with active recalls, for the filter.
    pub manufacturers: Vec<(String, String)>,
}

#[server(prefix = "/_fn", endpoint = "recalls")]
pub async fn search_recalls(filter: RecallFilter) -> Result<RecallSearch, AppError> {
    let services = crate::state::services()?;
    let (recalls, manufacturers) = tokio::try_join!(
        serialtrace::service::recalls::search(&services.db, filter),
        serialtrace::service::recalls::manufacturers_with_recalls(&services.db),
    )?;
    Ok(RecallSearch {
        recalls,
        manufacturers,
    })
}

#[server(prefix = "/_fn", endpoint = "recall")]
pub async fn fetch_recall(
    manufacturer: String,
    number: String,
) -> Result<Option<RecallDetail>, AppError> {
    let services = crate::state::services()?;
    Ok(serialtrace::service::recalls::detail(&services.db, &manufacturer, &number).await?)
}

/// The manufacturers (slugs) with a published recall of this number.
#[server(prefix = "/_fn", endpoint = "recall_makers")]
pub async fn recall_makers(number: String) -> Result<Vec<String>, AppError> {
    let services = crate::state::services()?;
    Ok(serialtrace::service::recalls::makers_numbered(&services.db, &number).await?)
}

#[component]
pub fn RecallListPage() -> impl IntoView {
    let query = use_query_map();
    let filter = move || {
        let q = query.read();
        RecallFilter {
            text: q.get("q"),
            manufacturer: q.get("manufacturer"),
            product: q.get("product"),
        }
    };
    let search = Resource::new(filter, search_recalls);
    view! {
        <Title text="Active recalls" />
        <h1>"Active recalls"</h1>
        <Suspense fallback=|| view! { <p class="loading">"Loading recalls…"</p> }>
            {move || Suspend::new(async move {
                let current = filter();
                match search.await {
                    Ok(found) => view! {
                        <form class="recall-search" method="get" action="/recalls" role="search">
                            <div class="field">
                                <label for="q">"Search"</label>
                                <input id="q" name="q" type="search" value=current.text.clone().unwrap_or_default() placeholder="hazard, product, recall number" />
                            </div>
                            <div class="field">
                                <label for="manufacturer">"Manufacturer"</label>
                                <select id="manufacturer" name="manufacturer">
                                    <option value="">"All manufacturers"</option>
                                    {found.manufacturers.into_iter().map(|(slug, name)| {
                                        let selected = current.manufacturer.as_deref() == Some(slug.as_str());
                                        view! { <option value=slug selected=selected>{name}</option> }
                                    }).collect_view()}
                                </select>
                            </div>
                            <div class="field">
                                <label for="product">"Product"</label>
                                <input id="product" name="product" type="search" value=current.product.clone().unwrap_or_default() placeholder="model or name" />
                            </div>
                            <button type="submit">"Search"</button>
                        </form>
                        <p class="count">{format!("{} active recall{}", found.recalls.len(), if found.recalls.len() == 1 { "" } else { "s" })}</p>
                        <ul class="recall-list">
                            {found.recalls.into_iter().map(|r| view! { <RecallItem recall=r /> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => {
                        set_status(503);
                        view! { <p class="result error" role="alert">{error.to_string()}</p> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn RecallItem(recall: RecallSummary) -> impl IntoView {
    let href = recall.path.clone();
    let products = recall
        .products
        .iter()
        .map(|p| p.name.clone())
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <li class=format!("recall-item severity-{}", recall.severity.as_str())>
            <h2><a href=href>{recall.title.clone()}</a></h2>
            <p class="meta">{recall.number.clone()} " · " {recall.manufacturer.clone()} " · since " {recall.starts_on.clone()}</p>
            <p>{recall.hazard.clone()}</p>
            <p class="meta">"Products: " {products} " · Remedy: " {recall.remedy.label()}</p>
        </li>
    }
}

fn recall_not_found() -> AnyView {
    set_status(404);
    view! {
        <Title text="Recall not found" />
        <section class="panel">
            <h1>"Recall not found"</h1>
            <p>"There is no published recall with that number. " <a href="/recalls">"See all active recalls"</a> "."</p>
        </section>
    }
    .into_any()
}

#[component]
pub fn RecallPage() -> impl IntoView {
    let params = use_params_map();
    let key = move || {
        let p = params.read();
        (
            p.get("manufacturer").unwrap_or_default(),
            p.get("number").unwrap_or_default(),
        )
    };
    let detail = Resource::new(key, |(manufacturer, number)| {
        fetch_recall(manufacturer, number)
    });
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading recall…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(Some(recall)) => view! { <RecallView recall /> }.into_any(),
                    Ok(None) => recall_not_found(),
                    Err(error) => {
                        set_status(503);
                        view! { <p class="result error" role="alert">{error.to_string()}</p> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// `/recalls/{number}`: to the recall when one manufacturer has that number; a choice when
/// several do (each manufacturer numbers its own recalls).
#[component]
pub fn RecallNumberPage() -> impl IntoView {
    let params = use_params_map();
    let number = move || params.read().get("number").unwrap_or_default();
    let makers = Resource::new(number, recall_makers);
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading recall…"</p> }>
            {move || Suspend::new(async move {
                let number = number();
                match makers.await {
                    Ok(makers) if makers.is_empty() => recall_not_found(),
                    Ok(makers) if makers.len() == 1 => {
                        let to = serialtrace::recall::page_path(&makers[0], &number);
                        #[cfg(feature = "ssr")]
                        leptos_axum::redirect(&to);
                        view! { <p>"This recall is now at " <a href=to.clone()>{to.clone()}</a> "."</p> }.into_any()
                    }
                    Ok(makers) => view! {
                        <Title text=format!("Recalls numbered {number}") />
                        <section class="panel">
                            <h1>{format!("Recalls numbered {number}")}</h1>
                            <p>"Each manufacturer numbers its own recalls, and several have one numbered so. Whose product is it?"</p>
                            <ul>
                                {makers.into_iter().map(|maker| {
                                    let href = serialtrace::recall::page_path(&maker, &number);
                                    view! { <li><a href=href>{format!("{maker}: {number}")}</a></li> }
                                }).collect_view()}
                            </ul>
                        </section>
                    }.into_any(),
                    Err(error) => {
                        set_status(503);
                        view! { <p class="result error" role="alert">{error.to_string()}</p> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn RecallView(recall: RecallDetail) -> impl IntoView {
    let s = recall.summary;
    let closed = s.status == serialtrace::recall::RecallStatus::Closed;
    view! {
        <Title text=s.title.clone() />
        <article class=format!("recall-detail severity-{}", s.severity.as_str())>
            <p class="meta">{s.number.clone()} " · " {s.manufacturer.clone()}</p>
            <h1>{s.title.clone()}</h1>
            {closed.then(|| view! { <p class="status muted">"This recall is closed."</p> })}
            <dl class="facts">
                <dt>"Hazard"</dt><dd>{s.hazard.clone()}</dd>
                <dt>"Severity"</dt><dd>{s.severity.as_str()}</dd>
                <dt>"Remedy"</dt><dd>{s.remedy.label()} {(!recall.remedy_available).then_some(" (not yet available)")}</dd>
                <dt>"What to do"</dt><dd>{recall.instructions.clone()}</dd>
                <dt>"Details"</dt><dd>{recall.description.clone()}</dd>
                <dt>"Since"</dt><dd>{s.starts_on.clone()}</dd>
                {recall.closed_at.clone().map(|c| view! { <dt>"Closed"</dt><dd>{c}</dd> })}
                <dt>"Units affected"</dt><dd>{recall.affected_units.to_string()}</dd>
                <dt>"Products"</dt>
                <dd>
                    <ul>
                        {s.products.into_iter().map(|p| view! {
                            <li>{p.name} " (model " {p.model} {p.gtin.map(|g| format!(", GTIN {g}"))} ")"</li>
                        }).collect_view()}
                    </ul>
                </dd>
            </dl>
            <section class="affected-check">
                <h2>"Is my unit affected?"</h2>
                <p>"Enter your unit's serial number: the answer says whether this recall covers that exact unit."</p>
                <LookupForm serial=String::new() gtin=String::new() />
            </section>
        </article>
    }
}
