//! The wasm entry point: hydrates the server-rendered page into the live app.
use wasm_bindgen::{prelude::wasm_bindgen, JsValue};

#[wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Pages are lazy routes (app::ui::lazy_page): hydration waits for the page's chunk, so
    // it is asynchronous (what `leptos::mount::hydrate_lazy` does, plus the flag below).
    wasm_bindgen_futures::spawn_local(async {
        let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) else {
            return;
        };
        leptos::mount::hydrate_from_async(body, app::App).await.forget();
        // Lets browser tests (and nothing else) wait until the page is interactive.
        if let Some(window) = web_sys::window() {
            let _ = js_sys::Reflect::set(&window, &JsValue::from_str("__porticoHydrated"), &JsValue::TRUE);
        }
    });
}
