//! My recall notices (`/my/notices`), marked read one by one.

use super::MyDone;
#[cfg(feature = "ssr")]
use crate::auth::{Access, require};
use crate::components::load::Loaded;
use crate::error::AppError;
use crate::web::forms::FormProblem;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serialtrace::recall::Notice;

#[server(prefix = "/_fn", endpoint = "my_notices")]
pub async fn my_notices() -> Result<Vec<Notice>, AppError> {
    let user = require(Access::SignedIn)?;
    let services = crate::state::services()?;
    Ok(serialtrace::service::owners::my_notices(&services.db, user.id).await?)
}

#[component]
pub fn NoticesPage() -> impl IntoView {
    let done = use_query_map().get_untracked().get("done");
    let list = Resource::new(|| (), |_| my_notices());
    view! {
        <Title text="Recall notices" />
        <h1>"Recall notices"</h1>
        <MyDone done />
        <FormProblem />
        <Loaded resource=list loading="Loading…" show=move |data| match data {
                    list if list.is_empty() => view! { <p class="count">"No recall has covered your products."</p> }.into_any(),
                    list => view! {
                        <ul class="notices">{list.into_iter().map(|n| view! {
                            <li class={if n.is_read() { "panel notice-item read" } else { "panel notice-item unread" }}>
                                <h2><a href=n.path()>{n.number.clone()}</a> ": " {n.title.clone()}</h2>
                                <p class="meta">{format!("{} · serial {} · {}{}", n.model, n.serial, n.received_on(),
                                    n.remedy_status.as_deref().map(|s| format!(" · this unit: {}", s.replace('_', " "))).unwrap_or_default())}</p>
                                <p><strong>"What to do: "</strong>{n.instructions.clone()}</p>
                                <p class="actions">
                                    <a href=format!("/my/products/{}", n.unit_id)>"The product"</a>
                                    {(!n.is_read()).then(|| view! {
                                        <form method="post" action="/my/notices" class="inline-form">
                                            <input type="hidden" name="notice" value=n.id.to_string() />
                                            <button type="submit">"Mark read"</button>
                                        </form>
                                    })}
                                </p>
                            </li>
                        }).collect_view()}</ul>
                    }.into_any(),
                } />
    }
    .into_any()
}

#[cfg(feature = "ssr")]
pub use server::*;

#[cfg(feature = "ssr")]
mod server {
    use crate::auth::{RequireRole, SignedIn};
    use crate::state::AppState;
    use crate::web::forms::PageForm;
    use crate::web::responses::answer;
    use axum::extract::State;
    use axum::response::Response;
    use serde::{Deserialize, Serialize};
    use serialtrace::service::Error as ServiceError;
    use serialtrace::service::owners;

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
            Err(_) => Err(ServiceError::NotFound(
                "There is no such unread notice.".into(),
            )),
        };
        answer(&state, parts, &form, outcome, |()| {
            "/my/notices?done=read".to_owned()
        })
        .await
    }
}
