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
    let me = use_context::<crate::MeResource>();
    let ended = use_context::<crate::ui::layout::AccessEndedNotice>();
    view! {
        <Suspense fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || {
                let render = render.clone();
                Suspend::new(async move {
                    match resource.await {
                        Ok(value) => render(value).into_any(),
                        Err(e) => {
                            if e == AppError::AccessEnded {
                                // The chart closed under this page: the switcher and banner
                                // are fetched again, so they stop naming it.
                                if let (Some(me), Some(ended)) = (me, ended) {
                                    queue_microtask(move || {
                                        ended.0.set(true);
                                        me.0.refetch();
                                    });
                                }
                            }
                            view! { <p class="form-error">{error_text(i18n, &e)}</p> }.into_any()
                        }
                    }
                })
            }}
        </Suspense>
    }
}
