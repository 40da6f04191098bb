//! Attempt counting in the database (so limits hold across restarts and across servers
//! sharing one PostgreSQL). A rolling window: the attempts newer than `window` that were
//! not released.
//!
//! An attempt is *reserved* before the work it guards (a password hash, a code lookup):
//! in one transaction that holds the key's row lock (`throttle_keys`), its attempts are
//! counted and, when under the limit, a new one recorded. Parallel requests on one key take
//! turns, so exactly `max_failures` attempts are ever under way or failed, however many
//! arrive at once. An attempt that succeeds is released (its row deleted); one that fails
//! simply stays.

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

/// Wrong passwords for one username (existing or not, so the limit reveals nothing), from
/// browsers that have not signed in to that account before.
pub const SIGNIN_PER_ACCOUNT: Limit = Limit { scope: "signin-account", max_failures: 20, window_ms: HOUR };
/// Wrong passwords for one account from one browser that has signed in to it before (its
/// device cookie, `auth::device`): a flood from elsewhere does not lock that browser out.
pub const SIGNIN_PER_DEVICE: Limit = Limit { scope: "signin-device", max_failures: 10, window_ms: HOUR };
/// Wrong passwords from one client network (an IPv4 address, an IPv6 /64), across usernames.
pub const SIGNIN_PER_ADDRESS: Limit = Limit { scope: "signin-address", max_failures: 100, window_ms: HOUR };
/// Wrong activation codes or birth dates from one client network.
pub const ACTIVATION_PER_ADDRESS: Limit =
    Limit { scope: "activation-address", max_failures: 10, window_ms: HOUR };
/// Reset-code e-mails for one account (stops mail-bombing; the user still gets several).
pub const RESET_MAILS_PER_ACCOUNT: Limit = Limit { scope: "reset-mail", max_failures: 5, window_ms: HOUR };
/// Reset-code e-mails to one e-mail address (several accounts may share one).
pub const RESET_MAILS_PER_EMAIL: Limit =
    Limit { scope: "reset-mail-email", max_failures: 5, window_ms: HOUR };
/// "Forgot password" requests from one client network, whatever name they give.
pub const RESET_REQUESTS_PER_ADDRESS: Limit =
    Limit { scope: "reset-request-address", max_failures: 20, window_ms: HOUR };
/// Reset attempts from one client network (wrong codes across accounts).
pub const RESET_PER_ADDRESS: Limit = Limit { scope: "reset-address", max_failures: 30, window_ms: HOUR };

/// Sign-ups started from one client network: each asks the identity verifier to look for
/// a chart, so a script cannot use the form to probe the patient list.
pub const SIGNUP_PER_ADDRESS: Limit = Limit { scope: "signup-address", max_failures: 10, window_ms: HOUR };
/// Identity quizzes about one chart: past this, the chart is quizzed no more that day (the
/// applicant gets the same "call us" answer as everyone who failed).
pub const SIGNUP_PER_CHART: Limit = Limit { scope: "signup-chart", max_failures: 3, window_ms: 24 * HOUR };
/// Wrong answers to one chart's questions: past this, online sign-up is closed for the
/// chart for 30 days (the patient gets a code from the clinic instead). With the same
/// questions at every try, three guesses pass 3 times in 64 at most.
pub const SIGNUP_FAILURES_PER_CHART: Limit =
    Limit { scope: "signup-chart-failure", max_failures: 3, window_ms: 30 * 24 * HOUR };
/// Confirmation-code e-mails for one account (a new address, or "send it again").
pub const EMAIL_CODE_MAILS_PER_ACCOUNT: Limit =
    Limit { scope: "email-code-mail", max_failures: 5, window_ms: HOUR };

/// Enrollment links e-mailed to one chart's address by staff: a clerk's double click or a
/// script cannot flood a patient's inbox.
pub const ENROLLMENT_MAILS_PER_CHART: Limit =
    Limit { scope: "enrollment-mail", max_failures: 3, window_ms: 24 * HOUR };

/// Activation letters printed for one chart: a reprint or two is normal, a stack is not.
pub const ACTIVATION_LETTERS_PER_CHART: Limit =
    Limit { scope: "activation-letter", max_failures: 10, window_ms: 24 * HOUR };

/// Share codes opened from one client network with a wrong code or birth date: a code has
/// 60 random bits, and this keeps a script from trying birth dates against one it holds.
pub const SHARE_OPEN_PER_ADDRESS: Limit =
    Limit { scope: "share-open-address", max_failures: 10, window_ms: HOUR };
/// Wrong birth dates on one share code, from anywhere: past this the code opens nothing for
/// a day (the patient makes a new one), however many networks a guesser uses.
pub const SHARE_OPEN_PER_CODE: Limit =
    Limit { scope: "share-open-code", max_failures: 5, window_ms: 24 * HOUR };

/// Connected apps' authorize requests from one client network, answered or not: each is
/// kept until answered or pruned (about 3 KB), so a script cannot fill the table. A
/// household linking a few apps makes a handful.
pub const APP_AUTHORIZE_PER_ADDRESS: Limit =
    Limit { scope: "app-authorize-address", max_failures: 60, window_ms: HOUR };

/// "Pay as Guest" tries from one client network with a wrong account number or last name.
pub const GUEST_PAY_PER_ADDRESS: Limit =
    Limit { scope: "guest-pay-address", max_failures: 10, window_ms: HOUR };
/// Wrong last names (or no such account) for one account number, from any network: past
/// this the number opens nothing for a day, however many networks a guesser uses.
pub const GUEST_PAY_PER_NUMBER: Limit =
    Limit { scope: "guest-pay-number", max_failures: 5, window_ms: 24 * HOUR };

/// A reserved attempt: `release` it when the attempt succeeded; drop it to let it count.
#[must_use = "an attempt that succeeded must be released"]
#[derive(Debug)]
pub struct Reservation {
    id: i64,
}

/// Reserves one attempt on `key`, or refuses with `TooManyAttempts` when the window already
/// holds `max_failures` (a refused attempt leaves no row: a flood does not extend a lock).
pub async fn reserve(db: &Db, now: i64, limit: Limit, key: &str) -> Result<Reservation, AppError> {
    let mut tx = db.write.begin().await?;
    if db.kind == super::db::DbKind::Postgres {
        // Requests queued on one hot key each hold a pooled connection: past a short wait
        // they are answered "busy" rather than starving every other write.
        sqlx::query("SET LOCAL lock_timeout = '2s'").execute(&mut *tx).await?;
    }
    // The row lock (PostgreSQL) or the write lock (SQLite) that makes the others wait.
    sqlx::query(
        "INSERT INTO throttle_keys (scope, key) VALUES ($1, $2) \
         ON CONFLICT (scope, key) DO UPDATE SET key = excluded.key",
    )
    .bind(limit.scope)
    .bind(key)
    .execute(&mut *tx)
    .await
    .map_err(busy_when_lock_waits_too_long)?;
    let (count, oldest): (i64, Option<i64>) = sqlx::query_as(
        "SELECT COUNT(*) AS n, MIN(at) AS oldest FROM auth_failures \
         WHERE scope = $1 AND key = $2 AND at > $3",
    )
    .bind(limit.scope)
    .bind(key)
    .bind(now - limit.window_ms)
    .fetch_one(&mut *tx)
    .await?;
    if count >= limit.max_failures {
        tx.rollback().await?;
        let retry_after_ms = oldest.unwrap_or(now) + limit.window_ms - now;
        return Err(AppError::TooManyAttempts { retry_after_secs: (retry_after_ms.max(1000) / 1000) as u64 });
    }
    let id: i64 =
        sqlx::query_scalar("INSERT INTO auth_failures (scope, key, at) VALUES ($1, $2, $3) RETURNING id")
            .bind(limit.scope)
            .bind(key)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
    tx.commit().await?;
    Ok(Reservation { id })
}

/// PostgreSQL's `lock_not_available` (the lock timeout above) is the server being busy.
fn busy_when_lock_waits_too_long(error: sqlx::Error) -> AppError {
    match error.as_database_error().and_then(|e| e.code()) {
        Some(code) if code == "55P03" => AppError::Busy { retry_after_secs: 2 },
        _ => error.into(),
    }
}

/// The attempt succeeded (or was never made): it does not count.
pub async fn release(db: &Db, reservation: Reservation) -> Result<(), AppError> {
    sqlx::query("DELETE FROM auth_failures WHERE id = $1").bind(reservation.id).execute(&db.write).await?;
    Ok(())
}

/// The failures on `key` the window holds now (`limit.max_failures` less this is what is
/// left: a SMART Health Link's server says it to the app after a wrong passcode).
pub async fn failures(db: &Db, now: i64, limit: Limit, key: &str) -> Result<i64, AppError> {
    let count =
        sqlx::query_scalar("SELECT COUNT(*) FROM auth_failures WHERE scope = $1 AND key = $2 AND at > $3")
            .bind(limit.scope)
            .bind(key)
            .bind(now - limit.window_ms)
            .fetch_one(&db.read)
            .await?;
    Ok(count)
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

/// Every window is an hour at most: a day-old attempt counts for nothing, nor does a key
/// with no attempt left.
pub const KEEP_MS: i64 = 24 * HOUR;

/// Forgets attempts older than `KEEP_MS` and the keys left without any. The server runs it
/// every ten minutes (a flood from many addresses would otherwise stay forever).
pub async fn prune(db: &Db, now: i64) -> Result<(), AppError> {
    sqlx::query("DELETE FROM auth_failures WHERE at < $1").bind(now - KEEP_MS).execute(&db.write).await?;
    sqlx::query(
        "DELETE FROM throttle_keys WHERE NOT EXISTS (SELECT 1 FROM auth_failures f \
         WHERE f.scope = throttle_keys.scope AND f.key = throttle_keys.key)",
    )
    .execute(&db.write)
    .await?;
    Ok(())
}
