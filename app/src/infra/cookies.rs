//! Small cookies of our own beyond the session's (a share's view token, a code shown once):
//! HttpOnly, SameSite=Strict, the whole site; `__Host-` and Secure over HTTPS.
use http::header::{COOKIE, SET_COOKIE};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

use super::AppState;

fn full_name(https: bool, name: &str) -> String {
    if https {
        format!("__Host-{name}")
    } else {
        name.to_owned()
    }
}

fn https() -> bool {
    use_context::<AppState>().is_some_and(|s| s.config.is_https())
}

/// The value of our cookie `name` in this request, if any.
pub fn read(name: &str) -> Option<String> {
    let parts = super::request_parts()?;
    read_from(&parts.headers, https(), name)
}

/// Sets our cookie `name` for `max_age_secs` (0 removes it).
pub fn set(name: &str, value: &str, max_age_secs: i64) {
    let cookie = set_cookie_value(https(), name, value, max_age_secs);
    if let (Some(opts), Ok(v)) = (use_context::<ResponseOptions>(), http::HeaderValue::from_str(&cookie)) {
        opts.append_header(SET_COOKIE, v);
    }
}

/// Our cookie `name` from a plain axum handler's request headers (no reactive context).
pub fn read_from(headers: &http::HeaderMap, https: bool, name: &str) -> Option<String> {
    let name = full_name(https, name);
    headers.get_all(COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|header| {
        header.split(';').find_map(|pair| {
            let (key, value) = pair.trim().split_once('=')?;
            (key == name && !value.is_empty()).then(|| value.to_owned())
        })
    })
}

/// The `Set-Cookie` value for our cookie `name`, for a plain axum handler (no reactive
/// context): the same attributes as `set`.
pub fn set_cookie_value(https: bool, name: &str, value: &str, max_age_secs: i64) -> String {
    let secure = if https { "; Secure" } else { "" };
    format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
        full_name(https, name),
        max_age_secs.max(0)
    )
}
