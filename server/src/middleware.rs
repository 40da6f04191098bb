//! Headers and checks on every response and request:
//! - state-changing requests must come from our own pages (Origin / Sec-Fetch-Site), but
//!   for a SMART Health Link's endpoints, which any app may call (CORS, no cookies), and the
//!   payment processor's signed webhook;
//! - security headers everywhere; a strict CSP on anything that has none of its own;
//! - `Cache-Control: no-store` on everything but the static app shell.
use axum::{
    body::Body,
    extract::{Request, State},
    http::{header, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

use app::{error::AppError, infra::AppState, problem::Problem};

pub async fn security(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let for_any_app = is_for_any_app(request.uri().path());
    if for_any_app && request.method() == Method::OPTIONS {
        return with_cors(StatusCode::NO_CONTENT.into_response());
    }
    // The payment processor's webhook comes from its servers, not our pages: its door is
    // its signature (billing::payments::webhook).
    let from_processor = request.uri().path() == crate::PAYMENT_WEBHOOK_PATH;
    if is_state_changing(request.method())
        && !for_any_app
        && !from_processor
        && !from_our_pages(&state, &request)
    {
        return cross_site_refusal();
    }
    let page_csp = app::infra::PageCsp::default();
    request.extensions_mut().insert(page_csp.clone());
    let path = request.uri().path().to_owned();
    let started = std::time::Instant::now();
    let mut response = next.run(request).await;
    let server_ms = started.elapsed().as_secs_f64() * 1e3;
    if path.starts_with("/api/") && response.status() == StatusCode::INTERNAL_SERVER_ERROR {
        response = with_error_status(response).await;
    }
    let status = response.status();
    let headers = response.headers_mut();
    // A file answered to a browser's own form post (the activation letter) overrides
    // leptos_axum's redirect back to the page with a 200 (infra/download.rs); the Location
    // it left has no meaning beside a file and goes. (Only there: a 200 with a Location is
    // also how a server function tells the app's own fetch to navigate.)
    let is_file = headers.contains_key(header::CONTENT_DISPOSITION);
    if is_file && !status.is_redirection() {
        headers.remove(header::LOCATION);
    }
    // The server's own time (to the first byte), read by the benchmarks. Only when asked
    // for: on a sign-in or a "forgot password" it would tell a client how much work its
    // request caused, which is what equal work for known and unknown accounts hides.
    if state.config.server_timing {
        if let Ok(timing) = HeaderValue::from_str(&format!("app;dur={server_ms:.2}")) {
            headers.insert(header::HeaderName::from_static("server-timing"), timing);
        }
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // same-origin: our own pages' form posts carry the Referer that server functions use to
    // send a browser without wasm back to the form (with the error); other sites get nothing.
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"),
    );
    headers.insert(
        header::HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        // A page's own policy, if it rendered one that did not reach the headers; else the
        // policy of everything that is not a page.
        let kept = page_csp.0.lock().ok().and_then(|kept| kept.clone());
        match kept.and_then(|policy| HeaderValue::from_str(&policy).ok()) {
            Some(policy) => {
                tracing::debug!(%path, "page CSP set from the render's copy");
                headers.insert(header::CONTENT_SECURITY_POLICY, policy);
            }
            None => {
                headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(static_csp(&path)));
            }
        }
    }
    if state.config.is_https() {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        );
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache_policy(&path)));
    if for_any_app {
        response = with_cors(response);
    }
    response
}

/// A SMART Health Link's manifest and files: health apps on any origin post to them (a web
/// app after a CORS preflight). They read no cookie and set none; the link's id, its
/// passcode or a signed ticket is the whole credential, so another site gains nothing a
/// holder of the link does not already have.
fn is_for_any_app(path: &str) -> bool {
    path == app::share::link::MANIFEST_PATH
        || path == app::share::link::FILE_PATH
        || app::connected_apps::oauth::is_app_endpoint(path)
}

/// Any origin may read the answer, without credentials (a wildcard origin forbids them).
fn with_cors(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, POST"));
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("authorization, content-type"),
    );
    headers.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    response
}

/// The CSP of a response that sets none itself (everything but the pages): nothing may load.
/// Two files need a little more, because a CSP also governs what they do: the service
/// worker (its CSP is the worker's own) fetches and caches the shell from this origin, and
/// the offline page, which the worker shows without a network, uses the stylesheet.
fn static_csp(path: &str) -> &'static str {
    match path {
        "/sw.js" => "default-src 'none'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'",
        "/offline.html" => "default-src 'none'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'",
        _ => "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
    }
}

/// The static app shell may be revalidated from cache; every page and every server
/// function answer (which may hold PHI) is never stored.
fn cache_policy(path: &str) -> &'static str {
    let static_asset = path.starts_with("/pkg/")
        || path.starts_with("/icons/")
        || matches!(
            path,
            "/favicon.ico" | "/manifest.webmanifest" | "/offline.html" | "/sw.js" | "/passkey.js"
        );
    if static_asset {
        "no-cache"
    } else {
        "no-store"
    }
}

/// Server functions answer every error with 500; the `AppError` in the body knows the
/// real status (401 signed out, 422 bad input, 429 throttled…). Mapping it here, once,
/// means no function can forget to, and malformed arguments become 422, never 500.
async fn with_error_status(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "").into_response();
    };
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = StatusCode::from_u16(err.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if let Some(secs) = err.retry_after_secs() {
            parts.headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The largest request body accepted, but for the endpoints that take files.
pub const MAX_BODY_BYTES: usize = 256 * 1024;
/// The endpoints that take files, their caps and what the form says past them: a
/// message's three 10 MB attachments, a proxy authorization's one signed form, a document
/// staff post to a chart or a copy HIM sends (20 MB).
const UPLOAD_PATHS: [(&str, usize, Problem); 4] = [
    ("/api/messages/send", app::messages::UPLOAD_MAX_BYTES, Problem::MessagesAttachmentTooBig),
    ("/api/proxy/request_adult", app::proxy::FORM_UPLOAD_MAX_BYTES, Problem::MessagesAttachmentTooBig),
    ("/api/staff/documents/post", app::documents::POST_UPLOAD_MAX_BYTES, Problem::DocumentsFileTooBig),
    ("/api/staff/records/fulfil_file", app::documents::POST_UPLOAD_MAX_BYTES, Problem::DocumentsFileTooBig),
];

/// Caps every request body: a declared length over the cap is refused before anything is
/// read, and a body that runs past it fails mid-stream (the reader says so at the field).
pub async fn body_limit(request: Request, next: Next) -> Response {
    let upload = UPLOAD_PATHS.iter().find(|(path, ..)| *path == request.uri().path());
    let limit = upload.map_or(MAX_BODY_BYTES, |(_, cap, _)| *cap);
    let upload = upload.map(|(.., too_big)| *too_big);
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|length| length > limit) {
        return too_large(upload);
    }
    let (parts, body) = request.into_parts();
    let body = Body::new(http_body_util::Limited::new(body, limit));
    next.run(Request::from_parts(parts, body)).await
}

/// An upload too large is an error at the attachments field; anything else is a plain 413.
fn too_large(upload: Option<Problem>) -> Response {
    let Some(too_big) = upload else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large").into_response();
    };
    let error = AppError::invalid("attachments", too_big);
    let mut response =
        (StatusCode::UNPROCESSABLE_ENTITY, Body::from(serde_json::to_string(&error).unwrap_or_default()))
            .into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

fn is_state_changing(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Browsers send Sec-Fetch-Site on every request and Origin on every POST; a request
/// from another site shows it in one of them. Requests with neither come from non-browser
/// clients, which cannot ride on a victim's cookies.
fn from_our_pages(state: &AppState, request: &Request) -> bool {
    let headers = request.headers();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        if !matches!(site, "same-origin" | "none") {
            return false;
        }
    }
    match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        None => true,
        Some(origin) => origin == state.config.public_origin() || origin_matches_host(origin, headers),
    }
}

/// Also accept the origin the request was actually addressed to (e.g. 127.0.0.1 vs
/// localhost in development): an attacker's page cannot forge both Origin and Host.
fn origin_matches_host(origin: &str, headers: &axum::http::HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else { return false };
    origin.strip_prefix("http://").or_else(|| origin.strip_prefix("https://")) == Some(host)
}

fn cross_site_refusal() -> Response {
    let body = serde_json::to_string(&AppError::CrossSite).unwrap_or_default();
    let mut response = (StatusCode::FORBIDDEN, Body::from(body)).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::{cache_policy, static_csp};

    #[test]
    fn only_the_static_shell_is_cacheable() {
        assert_eq!(cache_policy("/pkg/portico.wasm"), "no-cache");
        assert_eq!(cache_policy("/sw.js"), "no-cache");
        assert_eq!(cache_policy("/"), "no-store");
        assert_eq!(cache_policy("/api/auth/me"), "no-store");
        assert_eq!(cache_policy("/signin"), "no-store");
    }

    /// The worker's CSP is its own: with `default-src 'none'` it could not cache the shell
    /// and never installed (issue 13).
    #[test]
    fn the_worker_may_fetch_its_own_origin_and_nothing_else_may_load() {
        assert!(static_csp("/sw.js").contains("connect-src 'self'"));
        assert!(!static_csp("/sw.js").contains("script-src"));
        assert!(static_csp("/offline.html").contains("style-src 'self'"));
        assert!(!static_csp("/offline.html").contains("script-src"));
        assert_eq!(
            static_csp("/pkg/portico.wasm"),
            "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
        );
    }
}
