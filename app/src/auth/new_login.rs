//! The username and password a new account chooses (activation-code enrolment, sign-up
//! online, an accepted invitation): checked the same way, each refused at its own field,
//! then the password hashed.
use super::{rules, store, strength};
use crate::{error::AppError, infra::AppState, problem::Problem};

pub struct NewLogin {
    pub username: String,
    pub password_hash: String,
}

/// `other_words`: what the password must not be made of besides the username (the
/// person's names, their e-mail address).
pub async fn check_and_hash(
    state: &AppState,
    username: &str,
    password: &str,
    password_confirm: &str,
    other_words: &[&str],
) -> Result<NewLogin, AppError> {
    let username = rules::normalize_username(username).map_err(|k| AppError::invalid("username", k))?;
    let words: Vec<&str> = std::iter::once(username.as_str()).chain(other_words.iter().copied()).collect();
    strength::check_strength(password, &words).map_err(|k| AppError::invalid("password", k))?;
    if password != password_confirm {
        return Err(AppError::invalid("password_confirm", Problem::PasswordMismatch));
    }
    if store::user_by_username(&state.db, &username).await?.is_some() {
        return Err(AppError::invalid("username", Problem::UsernameTaken));
    }
    let password_hash = state.hasher.hash(password).await?;
    Ok(NewLogin { username, password_hash })
}
