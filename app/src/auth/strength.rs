//! How strong a new password must be (server only: zxcvbn's dictionaries stay out of the
//! wasm). The length limits are the shared rules (`rules.rs`), which the page also shows.
use super::rules::{PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS};
use crate::problem::Problem;

/// Refuses weak passwords, saying which problem. Length limits first
/// (cheap, and they bound zxcvbn's work), then zxcvbn's estimate with the user's own
/// words (username, name, e-mail) counted as guessable.
pub fn check_strength(password: &str, user_words: &[&str]) -> Result<(), Problem> {
    let chars = password.chars().count();
    if chars < PASSWORD_MIN_CHARS {
        return Err(Problem::PasswordTooShort);
    }
    if chars > PASSWORD_MAX_CHARS {
        return Err(Problem::PasswordTooLong);
    }
    let estimate = zxcvbn::zxcvbn(password, user_words);
    if (estimate.score() as u8) < 3 {
        return Err(Problem::PasswordTooWeak);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strength_rules() {
        assert_eq!(check_strength("short", &[]), Err(Problem::PasswordTooShort));
        assert_eq!(check_strength(&"a".repeat(129), &[]), Err(Problem::PasswordTooLong));
        assert_eq!(check_strength("password1234", &[]), Err(Problem::PasswordTooWeak));
        assert_eq!(check_strength("averysmith2000", &["averysmith"]), Err(Problem::PasswordTooWeak));
        assert_eq!(check_strength("Portico-Demo-2026!", &[]), Ok(()));
        assert_eq!(check_strength("correct horse battery staple", &[]), Ok(()));
    }
}
