//! Code splitting: every page is a lazy route, so its code sits in its own wasm chunk
//! (`cargo leptos build --split`) and is fetched the first time that page is shown; the
//! main bundle holds the framework, the frames and what every page shares.

/// Declares a lazy route named `$route` that renders the component `$page` (which must be
/// in scope where the macro is used).
///
/// The wrapper is all a route needs: `#[lazy_route]` moves `view` (and everything only it
/// reaches, i.e. the page) into a separate chunk.
#[macro_export]
macro_rules! lazy_page {
    ($route:ident, $page:ident) => {
        pub struct $route;

        #[leptos_router::lazy_route]
        impl leptos_router::LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(_this: Self) -> leptos::prelude::AnyView {
                use leptos::prelude::*;
                view! { <$page /> }.into_any()
            }
        }
    };
}
