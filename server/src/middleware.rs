//! Headers and checks on every response and request:
//! - state-changing requests must come from our own pages (Origin / Sec-Fetch-Site);
//! - security headers everywhere; a strict CSP on anything that has none of its own;
//! - `Cache-Control: no-store` on everything but the static app shell;
//! - pages' preloads without the CSP nonce in `crossorigin` (a Leptos 0.8.23 bug).
use axum::{
    body::{Body, Bytes},
    extract::{Request, State},
    http::{header, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

use app::{error::AppError, infra::AppState, problem::Problem};
use futures_util::StreamExt;

pub async fn security(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if is_state_changing(request.method()) && !from_our_pages(&state, &request) {
        return cross_site_refusal();
    }
    let path = request.uri().path().to_owned();
    let started = std::time::Instant::now();
    let mut response = next.run(request).await;
    if is_page(&response) {
        response = without_nonce_in_crossorigin(response);
    }
    let server_ms = started.elapsed().as_secs_f64() * 1e3;
    if path.starts_with("/api/") && response.status() == StatusCode::INTERNAL_SERVER_ERROR {
        response = with_error_status(response).await;
    }
    let headers = response.headers_mut();
    // The server's own time (to the first byte), shown by browsers' developer tools and
    // read by the benchmarks; it says nothing about the request's content.
    if let Ok(timing) = HeaderValue::from_str(&format!("app;dur={server_ms:.2}")) {
        headers.insert(header::HeaderName::from_static("server-timing"), timing);
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
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(static_csp(&path)));
    }
    if state.config.is_https() {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        );
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache_policy(&path)));
    response
}

fn is_page(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

/// Leptos 0.8.23 writes the page's CSP nonce into the `crossorigin` attribute of the
/// preloads it adds (the app's JS and wasm, the lazy routes' chunks): leptos-rs/leptos#4843,
/// fixed upstream after 0.8.23, and no later 0.8 release has it. An invalid value the
/// browser reads as "anonymous", but the HTML is invalid and Firefox can leave a streamed
/// page unhydrated. Until a release has the fix, each page's ` crossorigin="NONCE"` is
/// written as ` crossorigin=""` here (the nonce comes from the page's own CSP header);
/// `tests/integration/http_surface.rs` fails if the nonce shows up there again.
///
/// The body is rewritten as it streams, never collected first: collecting it inside this
/// middleware left some pages hanging or failed under parallel load (Leptos' renderer
/// expects the server to poll the body, as it does here).
fn without_nonce_in_crossorigin(response: Response) -> Response {
    let nonce = response
        .headers()
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .and_then(|csp| csp.split("'nonce-").nth(1))
        .and_then(|rest| rest.split('\'').next())
        .map(str::to_owned);
    let Some(nonce) = nonce else { return response };
    let (mut parts, body) = response.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    let rewrite =
        Rewrite { from: format!(" crossorigin=\"{nonce}\"").into_bytes(), to: b" crossorigin=\"\"" };
    // Fused: the compression layer may poll once more after the end.
    Response::from_parts(parts, Body::from_stream(rewrite.apply(body).fuse()))
}

/// Replaces every `from` in a byte stream with `to`, across chunk boundaries: the last
/// `from.len() - 1` bytes of what has arrived wait for the next chunk.
struct Rewrite {
    from: Vec<u8>,
    to: &'static [u8],
}

impl Rewrite {
    fn apply(self, body: Body) -> impl futures_util::Stream<Item = Result<Bytes, axum::Error>> {
        // The state carries the rewrite itself: nothing is copied per chunk.
        let state = (body.into_data_stream(), Vec::new(), false, self);
        futures_util::stream::unfold(state, |(mut input, mut pending, ended, rewrite)| async move {
            if ended {
                return None;
            }
            loop {
                match input.next().await {
                    Some(Ok(chunk)) => {
                        pending.extend_from_slice(&chunk);
                        pending = replace_all(&pending, &rewrite.from, rewrite.to);
                        let ready = pending.len().saturating_sub(rewrite.from.len() - 1);
                        if ready > 0 {
                            let rest = pending.split_off(ready);
                            return Some((Ok(Bytes::from(pending)), (input, rest, false, rewrite)));
                        }
                    }
                    Some(Err(error)) => return Some((Err(error), (input, pending, true, rewrite))),
                    None if pending.is_empty() => return None,
                    None => return Some((Ok(Bytes::from(pending)), (input, Vec::new(), true, rewrite))),
                }
            }
        })
    }
}

fn replace_all(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut at = 0;
    while let Some(found) = haystack[at..].windows(from.len()).position(|window| window == from) {
        out.extend_from_slice(&haystack[at..at + found]);
        out.extend_from_slice(to);
        at += found + from.len();
    }
    out.extend_from_slice(&haystack[at..]);
    out
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
        || matches!(path, "/favicon.ico" | "/manifest.webmanifest" | "/offline.html" | "/sw.js");
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
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The largest request body accepted, but for the endpoints that take files.
pub const MAX_BODY_BYTES: usize = 256 * 1024;
/// The endpoints that take files, and their caps: a message's three 10 MB attachments, a
/// proxy authorization's one signed form.
const UPLOAD_PATHS: [(&str, usize); 2] = [
    ("/api/messages/send", app::messages::UPLOAD_MAX_BYTES),
    ("/api/proxy/request_adult", app::proxy::FORM_UPLOAD_MAX_BYTES),
];

/// Caps every request body: a declared length over the cap is refused before anything is
/// read, and a body that runs past it fails mid-stream (the reader says so at the field).
pub async fn body_limit(request: Request, next: Next) -> Response {
    let upload_limit =
        UPLOAD_PATHS.iter().find(|(path, _)| *path == request.uri().path()).map(|(_, cap)| *cap);
    let upload = upload_limit.is_some();
    let limit = upload_limit.unwrap_or(MAX_BODY_BYTES);
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
fn too_large(upload: bool) -> Response {
    if !upload {
        return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large").into_response();
    }
    let error = AppError::invalid("attachments", Problem::MessagesAttachmentTooBig);
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
    use axum::body::Body;

    #[test]
    fn only_the_static_shell_is_cacheable() {
        assert_eq!(cache_policy("/pkg/portico.wasm"), "no-cache");
        assert_eq!(cache_policy("/sw.js"), "no-cache");
        assert_eq!(cache_policy("/"), "no-store");
        assert_eq!(cache_policy("/api/auth/me"), "no-store");
        assert_eq!(cache_policy("/signin"), "no-store");
    }

    /// A pattern split between two chunks is still replaced; text around it is kept.
    #[tokio::test]
    async fn the_rewrite_finds_the_attribute_across_chunks() {
        use futures_util::StreamExt;
        let page = "<link crossorigin=\"abc123\"><p>text</p><link crossorigin=\"abc123\">";
        for split in 0..page.len() {
            let chunks = vec![
                Ok::<_, std::io::Error>(page.as_bytes()[..split].to_vec()),
                Ok(page.as_bytes()[split..].to_vec()),
            ];
            let body = Body::from_stream(futures_util::stream::iter(chunks));
            let rewrite =
                super::Rewrite { from: b" crossorigin=\"abc123\"".to_vec(), to: b" crossorigin=\"\"" };
            let out: Vec<u8> = rewrite.apply(body).map(|c| c.unwrap().to_vec()).concat().await;
            assert_eq!(
                String::from_utf8(out).unwrap(),
                "<link crossorigin=\"\"><p>text</p><link crossorigin=\"\">",
                "split at {split}"
            );
        }
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
