//! What every page that loads data shows: "Loading…", then the data through `render`, or
//! the error in the reader's words.
use leptos::prelude::*;

use crate::{error::AppError, i18n::*, ui::errors::error_text};

#[component]
pub fn Loaded<T, V, F>(resource: Resource<Result<T, AppError>>, render: F) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    V: IntoView + 'static,
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
{
    let i18n = use_i18n();
    view! {
        <Suspense fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || {
                let render = render.clone();
                Suspend::new(async move {
                    match resource.await {
                        Ok(value) => render(value).into_any(),
                        // (A chart that closed under this page: the frame, rendered in the
                        // same request, already says so.)
                        Err(e) => view! { <p class="form-error">{error_text(i18n, &e)}</p> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}
