//! SMART App Launch 2 (standalone patient launch) as plain HTTP endpoints: the
//! configuration document, authorize (to the consent screen), token (code and refresh
//! grants), revocation (RFC 7009) and introspection (RFC 7662). The consent screen itself
//! is a page (`pages.rs`, `api.rs`).
use std::collections::HashMap;

use axum::{
    extract::{Form, Query, State},
    http::{header, request::Parts, HeaderMap, HeaderValue, StatusCode},
    response::{Html, IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use base64::{
    engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD},
    Engine as _,
};
use serde_json::json;

use super::{
    client_assertion::{self, ASSERTION_TYPE},
    id_token::{self, JWKS_PATH},
    pkce, scopes,
    store::{self, AppRow, CodeUse, GrantRow, NewRequest, RefreshUse},
    CONSENT_COOKIE, CONSENT_DONE_COOKIE, CONSENT_DONE_PATH, CONSENT_PATH, FHIR_BASE_PATH,
};
use crate::{
    error::AppError,
    infra::{throttle, AppState},
};

pub const AUTHORIZE_PATH: &str = "/oauth/authorize";
pub const TOKEN_PATH: &str = "/oauth/token";
pub const REVOKE_PATH: &str = "/oauth/revoke";
pub const INTROSPECT_PATH: &str = "/oauth/introspect";
/// `state` and `nonce` are the app's own values, echoed back: bounded all the same.
pub const STATE_MAX_CHARS: usize = 500;

/// Whether `path` is one an app calls from anywhere (CORS, no cookies, no same-site check):
/// the token endpoints and the FHIR API. Authorize is not: it is a page in the browser.
pub fn is_app_endpoint(path: &str) -> bool {
    matches!(path, TOKEN_PATH | REVOKE_PATH | INTROSPECT_PATH | JWKS_PATH) || path.starts_with("/fhir/")
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(AUTHORIZE_PATH, get(authorize))
        .route(CONSENT_DONE_PATH, get(consent_done))
        .route(TOKEN_PATH, post(token))
        .route(REVOKE_PATH, post(revoke))
        .route(INTROSPECT_PATH, post(introspect))
        .route(JWKS_PATH, get(jwks))
        .route("/fhir/r4/.well-known/smart-configuration", get(smart_configuration))
        .route("/fhir/r4/.well-known/openid-configuration", get(openid_configuration))
        .merge(super::fhir::routes())
}

/// The FHIR base URL, which an app names as `aud`.
pub fn fhir_base(state: &AppState) -> String {
    format!("{}{FHIR_BASE_PATH}", state.config.public_origin())
}

async fn smart_configuration(State(state): State<AppState>) -> Response {
    let origin = state.config.public_origin();
    Json(json!({
        "issuer": fhir_base(&state),
        "authorization_endpoint": format!("{origin}{AUTHORIZE_PATH}"),
        "token_endpoint": format!("{origin}{TOKEN_PATH}"),
        "revocation_endpoint": format!("{origin}{REVOKE_PATH}"),
        "introspection_endpoint": format!("{origin}{INTROSPECT_PATH}"),
        "token_endpoint_auth_methods_supported": AUTH_METHODS,
        "token_endpoint_auth_signing_alg_values_supported": ["RS384", "ES384"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": SCOPES_SUPPORTED,
        "jwks_uri": format!("{origin}{JWKS_PATH}"),
        "capabilities": [
            "launch-standalone", "client-public", "client-confidential-symmetric",
            "client-confidential-asymmetric",
            "context-standalone-patient", "permission-patient", "permission-offline",
            "permission-v1", "permission-v2", "sso-openid-connect"
        ]
    }))
    .into_response()
}

const AUTH_METHODS: [&str; 4] = ["client_secret_basic", "client_secret_post", "private_key_jwt", "none"];
const SCOPES_SUPPORTED: [&str; 7] = [
    "openid",
    "fhirUser",
    "launch/patient",
    "offline_access",
    "patient/*.rs",
    "patient/*.read",
    "patient/*.r",
];

/// OpenID Connect Discovery, which SMART asks of a server offering `openid`: at the issuer
/// (the FHIR base) + `/.well-known/openid-configuration`.
async fn openid_configuration(State(state): State<AppState>) -> Response {
    let origin = state.config.public_origin();
    Json(json!({
        "issuer": fhir_base(&state),
        "authorization_endpoint": format!("{origin}{AUTHORIZE_PATH}"),
        "token_endpoint": format!("{origin}{TOKEN_PATH}"),
        "jwks_uri": format!("{origin}{JWKS_PATH}"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": SCOPES_SUPPORTED,
        "claims_supported": ["iss", "sub", "aud", "exp", "iat", "nonce", "fhirUser"],
        "token_endpoint_auth_methods_supported": AUTH_METHODS,
        "token_endpoint_auth_signing_alg_values_supported": ["RS384", "ES384"],
        "code_challenge_methods_supported": ["S256"],
    }))
    .into_response()
}

/// The public keys that verify our ID tokens.
async fn jwks(State(state): State<AppState>) -> Response {
    match id_token::published(&state.db).await {
        Ok(set) => Json(set).into_response(),
        Err(e) => {
            tracing::error!(?e, "the published keys could not be read");
            unavailable()
        }
    }
}

type Params = HashMap<String, String>;

fn param<'a>(params: &'a Params, name: &str) -> &'a str {
    params.get(name).map(String::as_str).unwrap_or_default()
}

/// Checks the request, keeps it, and sends the browser on to the consent screen (through
/// sign-in when needed). An unknown app or a redirect URI it did not register gets an
/// error page here: sending the browser to an unchecked address is how codes leak.
async fn authorize(State(state): State<AppState>, parts: Parts, Query(params): Query<Params>) -> Response {
    let app = match store::app_by_client_id(&state.db, param(&params, "client_id")).await {
        Ok(Some(app)) => app,
        Ok(None) => {
            return error_page(StatusCode::BAD_REQUEST, "This app is not registered with this clinic.")
        }
        Err(_) => return error_page(StatusCode::SERVICE_UNAVAILABLE, "Please try again shortly."),
    };
    let redirect_uri = param(&params, "redirect_uri");
    if !app.allows_redirect(redirect_uri) {
        return error_page(StatusCode::BAD_REQUEST, "The app sent an address it did not register.");
    }
    let app_state = param(&params, "state");
    let back =
        |error: &str, description: &str| redirect_with_error(redirect_uri, error, description, app_state);
    if param(&params, "response_type") != "code" {
        return back("unsupported_response_type", "only response_type=code");
    }
    if app_state.is_empty() || app_state.len() > STATE_MAX_CHARS {
        return back("invalid_request", "state is required (at most 500 characters)");
    }
    if param(&params, "aud") != fhir_base(&state) {
        return back("invalid_request", "aud must be this server's FHIR base URL");
    }
    let challenge = param(&params, "code_challenge");
    if param(&params, "code_challenge_method") != "S256" || !pkce::is_valid_challenge(challenge) {
        return back("invalid_request", "PKCE with code_challenge_method=S256 is required");
    }
    let scope = param(&params, "scope");
    if scope.len() > scopes::SCOPE_MAX_CHARS || scopes::parse(scope).types.is_empty() {
        return back("invalid_scope", "ask for at least one patient/<type>.read or .rs scope");
    }
    let nonce = params.get("nonce").map(String::as_str).filter(|n| !n.is_empty());
    if nonce.is_some_and(|n| n.len() > STATE_MAX_CHARS) {
        return back("invalid_request", "nonce is too long");
    }
    let addr =
        crate::infra::client_addr_of(&parts.headers, &parts.extensions, state.config.trusted_proxy_hops);
    let network = crate::infra::network_of(&addr);
    let now = state.clock.now_ms();
    match throttle::reserve(&state.db, now, throttle::APP_AUTHORIZE_PER_ADDRESS, &network).await {
        Ok(_) => {}
        Err(AppError::TooManyAttempts { .. }) => {
            return error_page(
                StatusCode::TOO_MANY_REQUESTS,
                "Too many requests to connect apps came from your network. Please try again in an hour.",
            )
        }
        Err(_) => return back("temporarily_unavailable", "please try again"),
    }
    let request = NewRequest {
        app_id: app.id,
        redirect_uri,
        state: app_state,
        scope,
        code_challenge: challenge,
        nonce,
    };
    match store::save_request(&state.db, now, &request).await {
        Ok(handle) => to_consent(&state, &handle),
        Err(_) => back("temporarily_unavailable", "please try again"),
    }
}

/// A page of our own that moves to the consent screen: a navigation that starts on our
/// site, so the SameSite=Strict session cookie goes with it (a redirect straight from the
/// app's site would arrive without it). The request's handle rides in a cookie, so it is
/// never in an address and survives signing in.
fn to_consent(state: &AppState, handle: &str) -> Response {
    let max_age = store::REQUEST_LIFETIME_MS / 1000;
    let cookie =
        crate::infra::cookies::set_cookie_value(state.config.is_https(), CONSENT_COOKIE, handle, max_age);
    let mut page = Html(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"refresh\" content=\"0;url={CONSENT_PATH}\"><title>Portico</title></head>\
         <body><main><p><a href=\"{CONSENT_PATH}\">Continue to Portico</a></p></main></body></html>"
    ))
    .into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        page.headers_mut().insert(header::SET_COOKIE, value);
    }
    page
}

/// After the consent form: a page of our own that moves on to the app with the answer
/// (its address was checked against the app's registered redirect URIs when the request
/// was made, and rides here in an HttpOnly cookie, cleared now).
async fn consent_done(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let https = state.config.is_https();
    let answer = crate::infra::cookies::read_from(&headers, https, CONSENT_DONE_COOKIE)
        .and_then(|v| URL_SAFE_NO_PAD.decode(v).ok())
        .and_then(|v| String::from_utf8(v).ok())
        .filter(|to| {
            url::Url::parse(to).is_ok_and(|u| !matches!(u.scheme(), "javascript" | "data" | "vbscript"))
        });
    let Some(to) = answer else {
        return error_page(StatusCode::NOT_FOUND, "There is no answer to send to an app from this browser.");
    };
    let to = html_escape(&to);
    let mut page = Html(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"refresh\" content=\"0;url={to}\"><title>Portico</title></head>\
         <body><main><p><a href=\"{to}\">Continue to the app</a></p></main></body></html>"
    ))
    .into_response();
    let cleared = crate::infra::cookies::set_cookie_value(https, CONSENT_DONE_COOKIE, "", 0);
    if let Ok(value) = HeaderValue::from_str(&cleared) {
        page.headers_mut().insert(header::SET_COOKIE, value);
    }
    page
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}

fn error_page(status: StatusCode, why: &str) -> Response {
    // `why` is one of this file's fixed sentences: nothing to escape.
    let page = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Cannot connect this app</title>\
         </head><body><main><h1>Cannot connect this app</h1><p>{why}</p>\
         <p><a href=\"/\">Go to Portico</a></p></main></body></html>"
    );
    (status, Html(page)).into_response()
}

/// The app's redirect URI (already checked as registered) with `extra` added to its query.
pub fn redirect_uri_with(redirect_uri: &str, extra: &[(&str, &str)]) -> String {
    match url::Url::parse(redirect_uri) {
        Ok(mut url) => {
            url.query_pairs_mut().extend_pairs(extra);
            url.to_string()
        }
        Err(_) => redirect_uri.to_string(),
    }
}

fn redirect_with_error(redirect_uri: &str, error: &str, description: &str, app_state: &str) -> Response {
    let mut pairs = vec![("error", error), ("error_description", description)];
    if !app_state.is_empty() {
        pairs.push(("state", app_state));
    }
    let to = redirect_uri_with(redirect_uri, &pairs);
    (StatusCode::FOUND, [(header::LOCATION, to)]).into_response()
}

/// An OAuth error answer (RFC 6749 §5.2).
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (status, Json(json!({ "error": error, "error_description": description }))).into_response()
}

fn invalid_client() -> Response {
    let mut answer = oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "client authentication failed");
    answer
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"portico\""));
    answer
}

fn unavailable() -> Response {
    oauth_error(StatusCode::SERVICE_UNAVAILABLE, "temporarily_unavailable", "please try again")
}

/// The calling app: a signed assertion (private_key_jwt), HTTP Basic, or `client_id` (and
/// `client_secret`) in the form. A confidential app must prove its secret or its key; a
/// public one has neither (PKCE stands in).
async fn calling_app(state: &AppState, headers: &HeaderMap, form: &Params) -> Result<AppRow, Response> {
    if let Some(assertion) = form.get("client_assertion") {
        return asserting_app(state, form, assertion).await;
    }
    let (client_id, secret) = match basic_credentials(headers) {
        Some((id, secret)) => (id, Some(secret)),
        None => (param(form, "client_id").to_string(), form.get("client_secret").cloned()),
    };
    let app = match store::app_by_client_id(&state.db, &client_id).await {
        Ok(Some(app)) => app,
        Ok(None) => return Err(invalid_client()),
        Err(_) => return Err(unavailable()),
    };
    if app.is_confidential() && !secret.is_some_and(|s| app.secret_matches(&s)) {
        return Err(invalid_client());
    }
    Ok(app)
}

/// RFC 7523 client authentication: the app named by the form's `client_id` or else by the
/// assertion's `iss`, verified with its registered keys.
async fn asserting_app(state: &AppState, form: &Params, assertion: &str) -> Result<AppRow, Response> {
    if param(form, "client_assertion_type") != ASSERTION_TYPE {
        return Err(invalid_client());
    }
    let client_id = match form.get("client_id").filter(|id| !id.is_empty()) {
        Some(id) => id.clone(),
        None => client_assertion::claimed_client(assertion).ok_or_else(invalid_client)?,
    };
    let app = match store::app_by_client_id(&state.db, &client_id).await {
        Ok(Some(app)) => app,
        Ok(None) => return Err(invalid_client()),
        Err(_) => return Err(unavailable()),
    };
    let token_url = format!("{}{TOKEN_PATH}", state.config.public_origin());
    match client_assertion::verify(state, &app, assertion, &token_url, state.clock.now_ms()).await {
        Ok(()) => Ok(app),
        Err(client_assertion::Refused::Db(_)) => Err(unavailable()),
        Err(why) => {
            tracing::info!(client_id = %app.client_id, ?why, "a client assertion was refused");
            Err(invalid_client())
        }
    }
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    // The scheme's name is case-insensitive (RFC 7235 §2.1).
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    // RFC 6749 §2.3.1: both parts are form-urlencoded before Basic encoding.
    let unescape = |s: &str| {
        url::form_urlencoded::parse(format!("x={s}").as_bytes()).next().map(|(_, v)| v.into_owned())
    };
    Some((unescape(id)?, unescape(secret)?))
}

async fn token(State(state): State<AppState>, headers: HeaderMap, Form(form): Form<Params>) -> Response {
    let app = match calling_app(&state, &headers, &form).await {
        Ok(app) => app,
        Err(answer) => return answer,
    };
    match param(&form, "grant_type") {
        "authorization_code" => exchange_code(&state, &app, &form).await,
        "refresh_token" => refresh(&state, &app, &form).await,
        _ => oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "authorization_code or refresh_token",
        ),
    }
}

fn invalid_grant(description: &str) -> Response {
    oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", description)
}

/// A code, once: for the app it was issued to, with the redirect URI it was issued for and
/// the verifier of its challenge. Any mismatch ends the grant the code stood for.
async fn exchange_code(state: &AppState, app: &AppRow, form: &Params) -> Response {
    let now = state.clock.now_ms();
    let outcome = match store::use_code(&state.db, now, param(form, "code")).await {
        Ok(outcome) => outcome,
        Err(_) => return unavailable(),
    };
    let (grant, redirect_uri, challenge, nonce) = match outcome {
        CodeUse::First { grant, redirect_uri, code_challenge, nonce } => {
            (grant, redirect_uri, code_challenge, nonce)
        }
        CodeUse::Reused => return invalid_grant("this code was already used; what it gave is revoked"),
        CodeUse::Unknown => return invalid_grant("unknown or expired code"),
    };
    let refusal = if grant.app_id != app.id {
        Some("this code was issued to another app")
    } else if param(form, "redirect_uri") != redirect_uri {
        Some("redirect_uri differs from the authorize request's")
    } else if !pkce::verifies(param(form, "code_verifier"), &challenge) {
        Some("code_verifier does not match the code_challenge")
    } else {
        None
    };
    if let Some(why) = refusal {
        if store::revoke(&state.db, now, grant.grant_id, "exchange-refused").await.is_err() {
            return unavailable();
        }
        return invalid_grant(why);
    }
    issue(state, now, &grant, nonce.as_deref()).await
}

async fn refresh(state: &AppState, app: &AppRow, form: &Params) -> Response {
    let now = state.clock.now_ms();
    match store::use_refresh(&state.db, now, param(form, "refresh_token")).await {
        Ok(RefreshUse::Rotated(grant)) if grant.app_id == app.id => {
            match crate::access::app_grant_stands(state, &grant).await {
                Ok(true) => issue(state, now, &grant, None).await,
                Ok(false) => invalid_grant("the access this app was linked through has ended"),
                Err(_) => unavailable(),
            }
        }
        Ok(RefreshUse::Rotated(_)) | Ok(RefreshUse::Unknown) => {
            invalid_grant("unknown or expired refresh token")
        }
        Ok(RefreshUse::Reused) => {
            invalid_grant("this refresh token was already used; the app's access is revoked")
        }
        Err(_) => unavailable(),
    }
}

/// The token answer. With `openid` granted, an ID token too (on a refresh as well, without
/// the nonce, which belongs to the authorize request: OpenID Connect Core §12.2).
async fn issue(state: &AppState, now: i64, grant: &GrantRow, nonce: Option<&str>) -> Response {
    // Signed before the tokens are stored: a signing failure leaves no live token behind.
    let id_token = match id_token::for_grant(state, now, grant, nonce).await {
        Ok(id_token) => id_token,
        Err(e) => {
            tracing::error!(?e, "no ID token could be signed");
            return unavailable();
        }
    };
    let Ok(issued) = store::issue_tokens(&state.db, now, grant).await else { return unavailable() };
    let mut answer = json!({
        "access_token": issued.access_token,
        "token_type": "Bearer",
        "expires_in": issued.expires_in_s,
        "scope": grant.scope,
        "patient": grant.patient_id.to_string(),
    });
    if let Some(refresh) = issued.refresh_token {
        answer["refresh_token"] = json!(refresh);
    }
    if let Some(id_token) = id_token {
        answer["id_token"] = json!(id_token);
    }
    (StatusCode::OK, [(header::PRAGMA, "no-cache")], Json(answer)).into_response()
}

/// RFC 7009: the app ends its own grant by either of its tokens. The answer is the same
/// whether or not the token was known.
async fn revoke(State(state): State<AppState>, headers: HeaderMap, Form(form): Form<Params>) -> Response {
    let app = match calling_app(&state, &headers, &form).await {
        Ok(app) => app,
        Err(answer) => return answer,
    };
    let now = state.clock.now_ms();
    match store::grant_of_any_token(&state.db, now, param(&form, "token")).await {
        Ok(Some((grant, _, _))) if grant.app_id == app.id => {
            if store::revoke(&state.db, now, grant.grant_id, "app").await.is_err() {
                return unavailable();
            }
        }
        Ok(_) => {}
        Err(_) => return unavailable(),
    }
    StatusCode::OK.into_response()
}

/// RFC 7662, for the app's own tokens: whether one is active, and what it allows.
async fn introspect(State(state): State<AppState>, headers: HeaderMap, Form(form): Form<Params>) -> Response {
    let app = match calling_app(&state, &headers, &form).await {
        Ok(app) => app,
        Err(answer) => return answer,
    };
    let now = state.clock.now_ms();
    let found = match store::grant_of_any_token(&state.db, now, param(&form, "token")).await {
        Ok(Some((grant, kind, expires_at))) if grant.app_id == app.id => {
            match crate::access::app_grant_stands(&state, &grant).await {
                Ok(true) => Some((grant, kind, expires_at)),
                Ok(false) => None,
                Err(_) => return unavailable(),
            }
        }
        Ok(_) => None,
        Err(_) => return unavailable(),
    };
    match found {
        Some((grant, kind, expires_at)) => Json(json!({
            "active": true,
            "scope": grant.scope,
            "client_id": grant.client_id,
            "patient": grant.patient_id.to_string(),
            "exp": expires_at / 1000,
            "token_type": if kind == "access" { "Bearer" } else { "refresh_token" },
        }))
        .into_response(),
        None => Json(json!({ "active": false })).into_response(),
    }
}
