//! What a page shows when the request may not see it: the anonymous are sent to sign in
//! (and brought back after), a signed-in user without the role gets 403 and says so.

use crate::auth::{Access, require};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;

/// The page for those `access` lets in; for anyone else the refusal (sign in, or 403),
/// before any of the page is made. The route table wraps its pages in this, so it shows who
/// may open each one.
pub fn guarded<V: IntoView + 'static>(access: Access, page: impl Fn() -> V) -> AnyView {
    match require(access) {
        Ok(_) => page().into_any(),
        Err(error) => view! { <Refused error /> }.into_any(),
    }
}

#[component]
pub fn Refused(error: AppError) -> impl IntoView {
    match error {
        AppError::SignInRequired => {
            let target = format!(
                "/signin?next={}",
                crate::web::forms::encode(&current_path())
            );
            #[cfg(feature = "ssr")]
            leptos_axum::redirect(&target);
            view! {
                <Title text="Sign in" />
                <section class="panel narrow" data-refused="sign-in">
                    <h1>"Please sign in"</h1>
                    <p>"This page is for signed-in users. " <a href=target>"Sign in"</a></p>
                </section>
            }
            .into_any()
        }
        other => view! {
            <Title text="Not allowed" />
            <section class="panel narrow" data-refused="forbidden" role="alert">
                <h1>"Not allowed"</h1>
                <p>{other.to_string()}</p>
                <p><a href="/">"Back to the lookup"</a></p>
            </section>
        }
        .into_any(),
    }
}

/// The path and query of the page being rendered.
fn current_path() -> String {
    #[cfg(feature = "ssr")]
    {
        use_context::<axum::http::request::Parts>()
            .and_then(|parts| parts.uri.path_and_query().map(|p| p.as_str().to_owned()))
            .unwrap_or_else(|| "/".to_owned())
    }
    #[cfg(not(feature = "ssr"))]
    {
        "/".to_owned()
    }
}
