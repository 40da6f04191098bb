//! The device cookie (OWASP, "Slow down online guessing attacks with device cookies"): a
//! browser that has signed in to an account gets a long-lived random token. Wrong passwords
//! typed in that browser count against that browser alone (`throttle::SIGNIN_PER_DEVICE`),
//! so the account lock that a flood of guesses from elsewhere causes does not lock out its
//! owner. The cookie holds no PHI and no account name: the database maps its hash to the
//! accounts it signed in to (a family computer may hold several).
use http::header::{COOKIE, SET_COOKIE};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

use crate::infra::{crypto, AppState};

/// A year: a browser used once a year for an annual visit stays known.
pub const MAX_AGE_SECS: i64 = 365 * 24 * 60 * 60;
/// Browsers remembered per account (the most recently used): a script signing in without
/// a cookie jar would otherwise add one row per sign-in.
pub const PER_ACCOUNT_MAX: i64 = 20;

fn cookie_name(state: &AppState) -> &'static str {
    if state.config.is_https() {
        "__Host-portico_device"
    } else {
        "portico_device"
    }
}

/// The device token this browser sent, if any.
pub fn token_from_request(state: &AppState) -> Option<String> {
    let parts = crate::infra::request_parts()?;
    let name = cookie_name(state);
    parts.headers.get_all(COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|header| {
        header.split(';').find_map(|pair| {
            let (k, v) = pair.trim().split_once('=')?;
            (k == name && !v.is_empty() && v.len() <= 64).then(|| v.to_owned())
        })
    })
}

/// Whether this browser has signed in to the account `username` names before. The same
/// one statement whether or not the account exists.
pub async fn is_trusted(state: &AppState, token: &str, username: &str) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT d.user_id FROM trusted_devices d JOIN users u ON u.id = d.user_id \
         WHERE d.token_hash = $1 AND u.username = $2",
    )
    .bind(crypto::sha256_hex(token))
    .bind(username)
    .fetch_optional(&state.db.read)
    .await?;
    Ok(found.is_some())
}

/// After a successful sign-in: this browser is now known for `user_id`. Its token is kept
/// only if we issued it (it is on file for some account); any other, possibly planted by
/// someone who knows it, is replaced by a new one.
pub async fn remember(state: &AppState, user_id: i64) -> Result<(), sqlx::Error> {
    let issued = match token_from_request(state) {
        Some(token) => {
            let on_file: Option<i64> =
                sqlx::query_scalar("SELECT user_id FROM trusted_devices WHERE token_hash = $1 LIMIT 1")
                    .bind(crypto::sha256_hex(&token))
                    .fetch_optional(&state.db.read)
                    .await?;
            on_file.map(|_| token)
        }
        None => None,
    };
    let token = issued.unwrap_or_else(|| {
        let token = crypto::random_token(32);
        set_cookie(state, &token);
        token
    });
    let now = state.clock.now_ms();
    sqlx::query(
        "INSERT INTO trusted_devices (token_hash, user_id, created_at, last_used_at) VALUES ($1, $2, $3, $3) \
         ON CONFLICT (token_hash, user_id) DO UPDATE SET last_used_at = excluded.last_used_at",
    )
    .bind(crypto::sha256_hex(&token))
    .bind(user_id)
    .bind(now)
    .execute(&state.db.write)
    .await?;
    forget_beyond_limit(state, user_id).await
}

/// Keeps the account's `PER_ACCOUNT_MAX` most recently used browsers.
async fn forget_beyond_limit(state: &AppState, user_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "DELETE FROM trusted_devices WHERE user_id = $1 AND token_hash NOT IN \
         (SELECT token_hash FROM trusted_devices WHERE user_id = $1 ORDER BY last_used_at DESC LIMIT $2)",
    )
    .bind(user_id)
    .bind(PER_ACCOUNT_MAX)
    .execute(&state.db.write)
    .await?;
    Ok(())
}

/// The key of this browser's own limit on one account.
pub fn limit_key(token: &str, username: &str) -> String {
    format!("{}:{username}", &crypto::sha256_hex(token)[..32])
}

fn set_cookie(state: &AppState, token: &str) {
    let secure = if state.config.is_https() { "; Secure" } else { "" };
    let value = format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={MAX_AGE_SECS}{secure}",
        cookie_name(state)
    );
    if let (Some(opts), Ok(v)) = (use_context::<ResponseOptions>(), http::HeaderValue::from_str(&value)) {
        opts.append_header(SET_COOKIE, v);
    }
}

/// Forgets browsers not used for a device cookie's lifetime (the server runs it every ten
/// minutes, with `throttle::prune`).
pub async fn prune(db: &crate::infra::Db, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM trusted_devices WHERE last_used_at < $1")
        .bind(now - MAX_AGE_SECS * 1000)
        .execute(&db.write)
        .await?;
    Ok(())
}
