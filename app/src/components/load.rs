//! A page's data as people see it arrive: a note while it loads, then the data, or why it
//! cannot be shown, in the place the data would have been (with the page's heading, when
//! the data would have given the page its heading).

use crate::error::AppError;
use leptos::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Why the data cannot be shown (not found, not allowed, or the store failing just now).
#[component]
pub fn LoadProblem(error: AppError, heading: Option<&'static str>) -> impl IntoView {
    view! {
        {heading.map(|heading| view! { <h1>{heading}</h1> })}
        <p class="form-problem" role="alert">{error.to_string()}</p>
    }
}

/// Waits for `resource`, then shows its data with `show`, or the problem.
#[component]
pub fn Loaded<T, V, F>(
    resource: Resource<Result<T, AppError>>,
    /// The note while it loads ("Loading products…").
    loading: &'static str,
    /// The page's heading, shown with a problem when the data would have given it.
    #[prop(optional)]
    heading: Option<&'static str>,
    show: F,
) -> impl IntoView
where
    T: Clone + Send + Sync + Serialize + DeserializeOwned + 'static,
    V: IntoView + 'static,
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
{
    view! {
        <Suspense fallback=move || view! { <p class="loading">{loading}</p> }>
            {move || {
                let show = show.clone();
                Suspend::new(async move {
                    match resource.await {
                        Ok(data) => show(data).into_any(),
                        Err(error) => view! { <LoadProblem error heading /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}
