//! "Your current password" where a signed-in person changes something sensitive (their
//! password, two-step sign-in, passkeys): checked within a limit, so a session left open is no way
//! to guess the password at leisure.
use crate::{
    error::AppError,
    infra::{throttle, AppState},
};

/// Verifies `typed` against `stored` within `limit` on `key`: a right password does not
/// count, a wrong one does, one refused because the hasher is busy is no attempt. True
/// when right; the caller audits and answers a wrong one at its field.
pub async fn verify_within(
    state: &AppState,
    limit: throttle::Limit,
    key: &str,
    stored: &str,
    typed: &str,
) -> Result<bool, AppError> {
    let attempt = throttle::reserve(&state.db, state.clock.now_ms(), limit, key).await?;
    let too_long = typed.chars().count() > super::rules::PASSWORD_MAX_CHARS;
    let verified = match state.hasher.verify(if too_long { "" } else { typed }, Some(stored)).await {
        Ok(verified) => verified,
        Err(busy) => {
            throttle::release(&state.db, attempt).await?;
            return Err(busy);
        }
    };
    if !verified.ok || too_long {
        return Ok(false);
    }
    throttle::release(&state.db, attempt).await?;
    Ok(true)
}

/// The signed-in person's password typed again before a change to how they sign in (two-step
/// sign-in turned off, a passkey added or removed): checked within the two-step limit, on a
/// count of its own per `purpose` (so wrong passwords never block the owner's codes at
/// sign-in), the failure audited as `failure_action`, and refused at the `current_password`
/// field.
pub async fn require_again(
    state: &AppState,
    user_id: i64,
    purpose: &str,
    typed: &str,
    failure_action: &str,
) -> Result<(), AppError> {
    let stored: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(&state.db.read)
        .await?;
    let key = format!("{purpose}:{user_id}");
    if verify_within(state, super::two_step::TWO_STEP_LIMIT, &key, &stored, typed).await? {
        return Ok(());
    }
    crate::infra::audit::user_event(&state.db, state.clock.now_ms(), user_id, failure_action, "").await?;
    Err(AppError::invalid("current_password", crate::problem::Problem::PasswordCurrentWrong))
}
