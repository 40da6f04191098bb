//! Server-side sessions: a random token in an HttpOnly cookie, its hash in the database.
//! The server is the authority on idle and absolute expiry, whatever the browser does.
use http::header::{COOKIE, SET_COOKIE};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

use super::{rules, two_step::Stage, Role};
use crate::{
    error::AppError,
    infra::{
        audit::{self, AuditEvent},
        crypto,
        sqlite_inline::from_columns,
        AppState,
    },
};

/// The session behind the current request.
#[derive(Debug, Clone)]
pub struct Session {
    pub id: i64,
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub patient_id: Option<i64>,
    /// The chart this session has open when it is not the user's own (proxy access);
    /// checked against the grants again on every request (access::open_chart).
    pub active_patient_id: Option<i64>,
    pub idle_limit_ms: i64,
    /// How far sign-in has come (two-step sign-in): only `Full` sessions pass `current`.
    pub stage: Stage,
}

/// A session row with its user, as stored.
#[derive(sqlx::FromRow)]
struct StoredSession {
    id: i64,
    user_id: i64,
    created_at: i64,
    last_seen_at: i64,
    idle_limit_ms: i64,
    active_patient_id: Option<i64>,
    username: String,
    display_name: String,
    #[sqlx(try_from = "String")]
    role: Role,
    patient_id: Option<i64>,
    stage: String,
    disabled_at: Option<i64>,
}

const STORED_SQL: &str = "SELECT s.id, s.user_id, s.created_at, s.last_seen_at, s.idle_limit_ms, \
     s.active_patient_id, u.username, u.display_name, u.role, u.patient_id, s.stage, u.disabled_at \
     FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1";

/// The session whose token hashes to `token_hash`, with its user. Every signed-in request
/// reads it, so on SQLite it is read on the request's thread (`infra::sqlite_inline`).
async fn stored(state: &AppState, token_hash: &str) -> Result<Option<StoredSession>, sqlx::Error> {
    match &state.db.inline {
        Some(inline) => {
            inline.fetch_optional(STORED_SQL, &[&token_hash], StoredSession::from_inline_row)?.transpose()
        }
        None => sqlx::query_as(STORED_SQL).bind(token_hash).fetch_optional(&state.db.read).await,
    }
}

impl StoredSession {
    /// A row of `STORED_SQL` read by `infra::sqlite_inline`: the outer result is SQLite's,
    /// the inner one says whether the stored role is one we know (as sqlx's `try_from` does).
    fn from_inline_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Result<StoredSession, sqlx::Error>> {
        let role: String = row.get("role")?;
        let Ok(role) = Role::try_from(role) else {
            return Ok(Err(sqlx::Error::ColumnDecode {
                index: "role".into(),
                source: "unknown role".into(),
            }));
        };
        Ok(Ok(from_columns!(row => StoredSession {
            id, user_id, created_at, last_seen_at, idle_limit_ms, active_patient_id, username,
            display_name, patient_id, stage, disabled_at; role
        })))
    }
}

/// `__Host-` binds the cookie to our exact origin, but browsers accept it only over HTTPS.
pub fn cookie_name(state: &AppState) -> &'static str {
    if state.config.is_https() {
        "__Host-portico_session"
    } else {
        "portico_session"
    }
}

fn cookie(state: &AppState, value: &str, max_age_secs: i64) -> String {
    let secure = if state.config.is_https() { "; Secure" } else { "" };
    format!("{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}", cookie_name(state))
}

fn token_from_request(state: &AppState) -> Option<String> {
    let parts = crate::infra::request_parts()?;
    let name = cookie_name(state);
    parts.headers.get_all(COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|header| {
        header.split(';').find_map(|pair| {
            let (k, v) = pair.trim().split_once('=')?;
            (k == name && !v.is_empty()).then(|| v.to_owned())
        })
    })
}

fn set_response_cookie(value: String) {
    if let Some(opts) = use_context::<ResponseOptions>() {
        if let Ok(v) = http::HeaderValue::from_str(&value) {
            opts.append_header(SET_COOKIE, v);
        }
    }
}

/// The current session, refusing expired ones (and deleting them, with an audit row) and
/// ones whose sign-in is not complete (a second step due, a factor to set up).
pub async fn current(state: &AppState) -> Result<Session, AppError> {
    let session = current_at_any_stage(state).await?;
    if session.stage != Stage::Full {
        return Err(AppError::NotSignedIn);
    }
    Ok(session)
}

/// The current session whatever its stage: for the two-step pages alone.
pub async fn current_at_any_stage(state: &AppState) -> Result<Session, AppError> {
    let token = token_from_request(state).ok_or(AppError::NotSignedIn)?;
    let row = stored(state, &crypto::sha256_hex(&token)).await?.ok_or(AppError::NotSignedIn)?;

    let now = state.clock.now_ms();
    let (id, user_id, created_at, last_seen_at, idle_limit_ms) =
        (row.id, row.user_id, row.created_at, row.last_seen_at, row.idle_limit_ms);

    // A sign-in left half-way (a code due, a factor to set up) lasts ten minutes.
    let unfinished = row.stage != Stage::Full.as_str() && now - created_at > rules::UNFINISHED_SIGN_IN_MS;
    let expired = if row.disabled_at.is_some() {
        // Disabling deletes the sessions; this is for one read in flight meanwhile.
        Some(("session-ended-disabled", AppError::NotSignedIn))
    } else if unfinished {
        Some(("session-expired", AppError::NotSignedIn))
    } else if now - last_seen_at > idle_limit_ms {
        Some(("idle-logout", AppError::IdleTimeout { minutes: (idle_limit_ms / 60_000) as u32 }))
    } else if now - created_at > rules::SESSION_ABSOLUTE_MS {
        Some(("session-expired", AppError::NotSignedIn))
    } else {
        None
    };
    if let Some((action, error)) = expired {
        delete(state, id).await?;
        audit_session(state, user_id, action).await?;
        set_response_cookie(cookie(state, "", 0));
        return Err(error);
    }
    if now - last_seen_at >= rules::SESSION_TOUCH_MS {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id)
            .execute(&state.db.write)
            .await?;
    }
    Ok(Session {
        id,
        user_id,
        username: row.username,
        display_name: row.display_name,
        role: row.role,
        patient_id: row.patient_id,
        active_patient_id: row.active_patient_id,
        idle_limit_ms,
        stage: Stage::parse(&row.stage),
    })
}

/// Starts a session with a fresh token (never reusing one the browser brought, so a
/// planted cookie cannot become a signed-in session) and sets the cookie.
pub async fn start(state: &AppState, user_id: i64, idle_minutes: u32, stage: Stage) -> Result<(), AppError> {
    if let Some(old) = token_from_request(state) {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(crypto::sha256_hex(&old))
            .execute(&state.db.write)
            .await?;
    }
    let token = crypto::random_token(32);
    let now = state.clock.now_ms();
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, idle_limit_ms, \
         client_addr, user_agent, stage) VALUES ($1, $2, $3, $3, $4, $5, $6, $7)",
    )
    .bind(crypto::sha256_hex(&token))
    .bind(user_id)
    .bind(now)
    .bind(idle_minutes as i64 * crate::dates::MINUTE_MS)
    .bind(crate::infra::client_addr())
    .bind(user_agent())
    .bind(stage.as_str())
    .execute(&state.db.write)
    .await?;
    set_response_cookie(cookie(state, &token, rules::SESSION_ABSOLUTE_MS / 1000));
    Ok(())
}

/// The longest User-Agent kept with a session (real ones are under 300 characters).
pub const USER_AGENT_MAX_CHARS: usize = 512;

/// The browser's User-Agent, cut to `USER_AGENT_MAX_CHARS`, for "Signed-in devices".
pub(crate) fn user_agent() -> String {
    crate::infra::request_parts()
        .and_then(|parts| parts.headers.get(http::header::USER_AGENT)?.to_str().ok().map(str::to_owned))
        .map(|ua| ua.chars().take(USER_AGENT_MAX_CHARS).collect())
        .unwrap_or_default()
}

/// Ends the current session, if any: deletes the row, expires the cookie and asks the
/// browser to drop cached pages. Returns the user it belonged to.
pub async fn end_current(state: &AppState) -> Result<Option<i64>, AppError> {
    set_response_cookie(cookie(state, "", 0));
    if let Some(opts) = use_context::<ResponseOptions>() {
        opts.insert_header(
            http::HeaderName::from_static("clear-site-data"),
            // Not "cookies": that would also drop the device cookie (auth::device), which
            // keeps this browser's owner from being locked out by guesses from elsewhere.
            // The session cookie is expired above, by name.
            http::HeaderValue::from_static("\"cache\""),
        );
    }
    let Some(token) = token_from_request(state) else { return Ok(None) };
    let user_id: Option<i64> =
        sqlx::query_scalar("DELETE FROM sessions WHERE token_hash = $1 RETURNING user_id")
            .bind(crypto::sha256_hex(&token))
            .fetch_optional(&state.db.write)
            .await?;
    Ok(user_id)
}

/// Moves a session to `stage` (a second step passed, a factor set up).
pub async fn set_stage(state: &AppState, session_id: i64, stage: Stage) -> Result<(), AppError> {
    sqlx::query("UPDATE sessions SET stage = $1 WHERE id = $2")
        .bind(stage.as_str())
        .bind(session_id)
        .execute(&state.db.write)
        .await?;
    Ok(())
}

/// Ends the user's other sign-ins still half-way (past the password, before the end): once
/// a staff member has set up their first factor, a session that someone else began with
/// the same first password cannot set up a second one.
pub async fn end_other_partial(state: &AppState, user_id: i64, keep_session_id: i64) -> Result<(), AppError> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id <> $2 AND stage <> 'full'")
        .bind(user_id)
        .bind(keep_session_id)
        .execute(&state.db.write)
        .await?;
    Ok(())
}

/// Records the chart the session has open (`None`: the user's own).
pub async fn set_active_chart(
    state: &AppState,
    session_id: i64,
    patient_id: Option<i64>,
) -> Result<(), AppError> {
    sqlx::query("UPDATE sessions SET active_patient_id = $1 WHERE id = $2")
        .bind(patient_id)
        .bind(session_id)
        .execute(&state.db.write)
        .await?;
    Ok(())
}

async fn delete(state: &AppState, session_id: i64) -> Result<(), AppError> {
    sqlx::query("DELETE FROM sessions WHERE id = $1").bind(session_id).execute(&state.db.write).await?;
    Ok(())
}

pub async fn audit_session(state: &AppState, user_id: i64, action: &str) -> Result<(), AppError> {
    let addr = crate::infra::client_addr();
    audit::append(
        &state.db,
        state.clock.now_ms(),
        AuditEvent { actor_user_id: Some(user_id), action, client_addr: Some(&addr), ..Default::default() },
    )
    .await?;
    Ok(())
}
