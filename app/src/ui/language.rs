//! The page language: chosen from the browser's Accept-Language, switchable, remembered
//! in a plain cookie (`portico_lang`, not secret, one year). Pages render on the server
//! only, so the choice is a form post and the next page is in the new language.
//!
//! We keep the cookie ourselves instead of leptos_i18n's "cookie" feature: that feature
//! pulls leptos-use's cookie parser and the `time` crate into the wasm bundle, about 60 KB
//! before compression, for what is one line of `document.cookie` here.
use leptos::prelude::*;
use leptos_i18n::context::UseLocalesOptions;

use crate::i18n::*;

pub const LANG_COOKIE: &str = "portico_lang";

/// How the server picks the language of a page: the cookie if it names a language we
/// have, else the Accept-Language header (leptos_i18n matches it against our locales).
pub fn locale_options() -> UseLocalesOptions {
    #[cfg(feature = "ssr")]
    {
        use std::str::FromStr;
        UseLocalesOptions::default().ssr_lang_header_getter(|| {
            let parts = use_context::<http::request::Parts>()?;
            let chosen = parts
                .headers
                .get_all(http::header::COOKIE)
                .iter()
                .filter_map(|value| value.to_str().ok())
                .find_map(|cookies| cookie_value(cookies, LANG_COOKIE))
                .filter(|lang| Locale::from_str(lang).is_ok());
            chosen.map(str::to_owned).or_else(|| {
                let accept = parts.headers.get(http::header::ACCEPT_LANGUAGE)?;
                accept.to_str().ok().map(str::to_owned)
            })
        })
    }
    #[cfg(not(feature = "ssr"))]
    UseLocalesOptions::default()
}

/// The value of cookie `name` in a `Cookie:` header.
pub fn cookie_value<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header.split(';').find_map(|pair| {
        let (key, value) = pair.trim().split_once('=')?;
        (key == name).then_some(value)
    })
}

/// Two buttons in a form that posts to `choose_language`, which sets the cookie and sends
/// the same page back in the chosen language (frontend/client.js patches it in place).
#[component]
pub fn LanguageSwitcher() -> impl IntoView {
    let i18n = use_i18n();
    let location = leptos_router::hooks::use_location();
    // Leptos keeps the query without its "?".
    let here = match location.search.get_untracked() {
        search if search.is_empty() => location.pathname.get_untracked(),
        search => format!("{}?{search}", location.pathname.get_untracked()),
    };
    let pressed = move |locale: Locale| (i18n.get_locale_untracked() == locale).to_string();
    const CHOOSE_LANGUAGE_PATH: &str = <ChooseLanguage as server_fn::ServerFn>::PATH;
    view! {
        <form class="languages" method="post" action=CHOOSE_LANGUAGE_PATH
            role="group" aria-label=t_string!(i18n, nav.language).to_string()>
            <input type="hidden" name="back_to" value=here />
            <button type="submit" name="lang" value="en" lang="en" aria-pressed=pressed(Locale::en)>
                "English"
            </button>
            <button type="submit" name="lang" value="es" lang="es" aria-pressed=pressed(Locale::es)>
                "Español"
            </button>
        </form>
    }
}

/// The no-wasm path of the switcher: remember `lang` and go back to the page.
#[server(endpoint = "site/language")]
pub async fn choose_language(lang: String, back_to: String) -> Result<(), crate::error::AppError> {
    use std::str::FromStr;
    let Ok(locale) = Locale::from_str(&lang) else {
        return Err(crate::error::AppError::invalid("lang", crate::problem::Problem::BadRequest));
    };
    remember_language(&locale.to_string());
    leptos_axum::redirect(&local_path(&back_to));
    Ok(())
}

/// Sets the language cookie on this answer (the switcher; a preferred language saved in
/// Personal information).
#[cfg(feature = "ssr")]
pub fn remember_language(lang: &str) {
    if let Some(opts) = use_context::<leptos_axum::ResponseOptions>() {
        let cookie = format!("{LANG_COOKIE}={lang}; Path=/; Max-Age=31536000; SameSite=Lax");
        if let Ok(value) = http::HeaderValue::from_str(&cookie) {
            opts.append_header(http::header::SET_COOKIE, value);
        }
    }
}

/// `path` if it is a path on this site, else the home page: never an open redirect.
pub fn local_path(path: &str) -> String {
    let local = path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && !path.chars().any(char::is_control);
    if local {
        path.to_owned()
    } else {
        "/".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::{cookie_value, local_path};

    #[test]
    fn goes_back_only_to_a_local_path() {
        assert_eq!(local_path("/signin?reason=idle"), "/signin?reason=idle");
        for outside in ["https://evil.example/", "//evil.example/", "/\\evil.example", "signin", "/a\nb"] {
            assert_eq!(local_path(outside), "/", "{outside:?}");
        }
    }

    #[test]
    fn finds_the_named_cookie_among_others() {
        assert_eq!(cookie_value("a=1; portico_lang=es; b=2", "portico_lang"), Some("es"));
        assert_eq!(cookie_value("portico_lang_x=es", "portico_lang"), None);
        assert_eq!(cookie_value("", "portico_lang"), None);
    }
}
