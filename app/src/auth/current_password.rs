//! "Your current password" where a signed-in person changes something sensitive (their
//! password, two-step sign-in): checked within a limit, so a session left open is no way
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
