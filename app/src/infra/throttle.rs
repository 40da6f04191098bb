//! Failure counting in the database (so limits hold across restarts and across servers
//! sharing one PostgreSQL). A rolling window: the count of failures newer than `window`.

use super::Db;
use crate::error::AppError;

#[derive(Clone, Copy, Debug)]
pub struct Limit {
    /// What is counted, e.g. "signin-account"; keys are scoped by it.
    pub scope: &'static str,
    pub max_failures: i64,
    pub window_ms: i64,
}

const HOUR: i64 = 60 * 60 * 1000;

/// Wrong passwords for one username (existing or not, so the limit reveals nothing).
pub const SIGNIN_PER_ACCOUNT: Limit = Limit { scope: "signin-account", max_failures: 20, window_ms: HOUR };
/// Wrong passwords from one client address, across usernames.
pub const SIGNIN_PER_ADDRESS: Limit = Limit { scope: "signin-address", max_failures: 100, window_ms: HOUR };
/// Wrong activation codes or birth dates from one client address.
pub const ACTIVATION_PER_ADDRESS: Limit =
    Limit { scope: "activation-address", max_failures: 10, window_ms: HOUR };
/// Reset-code e-mails for one account (stops mail-bombing; the user still gets several).
pub const RESET_MAILS_PER_ACCOUNT: Limit = Limit { scope: "reset-mail", max_failures: 5, window_ms: HOUR };
/// Reset attempts from one address (wrong codes across accounts).
pub const RESET_PER_ADDRESS: Limit = Limit { scope: "reset-address", max_failures: 30, window_ms: HOUR };

/// Refuses with `TooManyAttempts` when `key` has reached the limit inside the window.
pub async fn check(db: &Db, now: i64, limit: Limit, key: &str) -> Result<(), AppError> {
    let (count, oldest): (i64, Option<i64>) = sqlx::query_as(
        "SELECT COUNT(*) AS n, MIN(at) AS oldest FROM auth_failures \
         WHERE scope = $1 AND key = $2 AND at > $3",
    )
    .bind(limit.scope)
    .bind(key)
    .bind(now - limit.window_ms)
    .fetch_one(&db.read)
    .await?;
    if count < limit.max_failures {
        return Ok(());
    }
    let retry_after_ms = oldest.unwrap_or(now) + limit.window_ms - now;
    Err(AppError::TooManyAttempts { retry_after_secs: (retry_after_ms.max(1000) / 1000) as u64 })
}

pub async fn record(db: &Db, now: i64, limit: Limit, key: &str) -> Result<(), AppError> {
    sqlx::query("INSERT INTO auth_failures (scope, key, at) VALUES ($1, $2, $3)")
        .bind(limit.scope)
        .bind(key)
        .bind(now)
        .execute(&db.write)
        .await?;
    Ok(())
}

/// Forgets a key's failures (after a successful sign-in or password reset).
pub async fn clear(db: &Db, limit: Limit, key: &str) -> Result<(), AppError> {
    sqlx::query("DELETE FROM auth_failures WHERE scope = $1 AND key = $2")
        .bind(limit.scope)
        .bind(key)
        .execute(&db.write)
        .await?;
    Ok(())
}
