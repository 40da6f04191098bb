//! Shared interface pieces: layouts, navigation, the idle timer, form fields, notices.
pub mod errors;
pub mod form;
pub mod idle_timer;
pub mod language;
pub mod layout;
pub mod loaded;
pub mod notices;
pub mod session_channel;
pub mod when;

/// Answers this page with 404 Not Found (a page for something that is not there, or not
/// the reader's: the same answer either way). The pages render whole before they are sent
/// (async SSR), so a status set while rendering still applies.
pub fn set_not_found_status() {
    #[cfg(feature = "ssr")]
    if let Some(options) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        options.set_status(http::StatusCode::NOT_FOUND);
    }
}

/// The translations inside an island: islands run in the browser without the server's
/// context, so each provides its own, in the page's language (the server wrote it on
/// `<html lang>`, from the `portico_lang` cookie or Accept-Language).
pub fn island_i18n() -> leptos_i18n::I18nContext<crate::i18n::Locale> {
    let i18n = leptos_i18n::context::provide_i18n_context_with_options_inner::<crate::i18n::Locale>(
        Default::default(),
    );
    #[cfg(feature = "hydrate")]
    if let Some(locale) = page_locale() {
        if i18n.get_locale_untracked() != locale {
            i18n.set_locale(locale);
        }
    }
    i18n
}

#[cfg(feature = "hydrate")]
fn page_locale() -> Option<crate::i18n::Locale> {
    use std::str::FromStr;
    let lang = leptos::prelude::document().document_element()?.get_attribute("lang")?;
    crate::i18n::Locale::from_str(&lang).ok()
}

/// Client-side navigation from an island (frontend/client.js): `go` to a page, or `reload` the
/// current one with the server's new data after a change (scroll and focus stay).
pub mod nav {
    pub fn go(url: &str) {
        call(url, false)
    }

    /// After a change that the server now shows differently: renders the page again once
    /// `succeeded` turns true (an action's latest result is Ok).
    pub fn reload_when(succeeded: impl Fn() -> bool + 'static) {
        leptos::prelude::Effect::new(move |_| {
            if succeeded() {
                reload()
            }
        });
    }

    pub fn reload() {
        #[cfg(feature = "hydrate")]
        if let Ok(href) = leptos::prelude::window().location().href() {
            call(&href, true)
        }
    }

    #[allow(unused_variables)]
    fn call(url: &str, reload: bool) {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::{JsCast, JsValue};
            let window = leptos::prelude::window();
            let navigate = js_sys::Reflect::get(&window, &JsValue::from_str("porticoNavigate"))
                .ok()
                .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
            match navigate {
                Some(navigate) => {
                    let options = js_sys::Object::new();
                    let _ = js_sys::Reflect::set(
                        &options,
                        &JsValue::from_str("reload"),
                        &JsValue::from_bool(reload),
                    );
                    let _ = navigate.call2(&window, &JsValue::from_str(url), &options);
                }
                // Without the navigation script (it failed to load): a document load.
                None => {
                    let _ = window.location().assign(url);
                }
            }
        }
    }
}
