//! The identity rules, shared by the browser (to explain) and the server (to enforce).
//! Pure functions over plain values, unit-tested below.
use crate::{
    dates::{DAY_MS, MINUTE_MS},
    problem::Problem,
};

/// Youngest age with an own account; younger patients are reached through proxy access.
pub const MIN_ACCOUNT_AGE: i32 = crate::dates::TEEN_AGE;

pub const ACTIVATION_CODE_TTL_MS: i64 = 45 * DAY_MS;
/// Crockford base32: no I, L, O or U, so a code read aloud or copied by hand survives.
pub const CODE_ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// 15 symbols of 5 bits: 75 random bits (the floor is 60).
pub const CODE_SYMBOLS: usize = 15;
pub const CODE_GROUP: usize = 5;

pub const PASSWORD_MIN_CHARS: usize = 12;
pub const PASSWORD_MAX_CHARS: usize = 128;
pub const USERNAME_MIN_CHARS: usize = 3;
pub const USERNAME_MAX_CHARS: usize = 64;
pub const EMAIL_MAX_CHARS: usize = 254;

pub const IDLE_WEB_MINUTES: u32 = 20;
pub const IDLE_APP_MINUTES: u32 = 10;
/// A session whose sign-in is not finished (an authenticator code due, a staff member's
/// factor to set up) ends after this long.
pub const UNFINISHED_SIGN_IN_MS: i64 = 10 * 60 * 1000;

/// The warning dialog opens this long before an idle sign-out.
pub const IDLE_WARNING_MS: i64 = 2 * MINUTE_MS;
pub const SESSION_ABSOLUTE_MS: i64 = 12 * 60 * MINUTE_MS;
/// A session's last-seen time is written at most this often (saves a write per request).
pub const SESSION_TOUCH_MS: i64 = 10_000;

pub const RESET_CODE_TTL_MS: i64 = 10 * MINUTE_MS;
pub const RESET_CODE_DIGITS: usize = 8;
pub const RESET_MAX_TRIES: i64 = 5;

/// Shows a raw code in dash-separated groups: `ABCDE-FGHJK-MNPQR`.
pub fn format_code(raw: &str) -> String {
    raw.as_bytes()
        .chunks(CODE_GROUP)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// Reads a code as typed: any case, dashes and spaces anywhere, and the letters people
/// confuse with digits (O, I, L) taken as those digits. `None` when it cannot be a code.
pub fn normalize_code(input: &str) -> Option<String> {
    let mut out = String::with_capacity(CODE_SYMBOLS);
    for ch in input.chars() {
        let ch = match ch.to_ascii_uppercase() {
            '-' | ' ' => continue,
            'O' => '0',
            'I' | 'L' => '1',
            c if c.is_ascii() && CODE_ALPHABET.contains(&(c as u8)) => c,
            _ => return None,
        };
        out.push(ch);
    }
    (out.len() == CODE_SYMBOLS).then_some(out)
}

/// Lower-cases and trims; `Err` with the problem when the name cannot be a username.
pub fn normalize_username(input: &str) -> Result<String, Problem> {
    let name = input.trim().to_lowercase();
    let len = name.chars().count();
    if len < USERNAME_MIN_CHARS {
        return Err(Problem::UsernameTooShort);
    }
    if len > USERNAME_MAX_CHARS {
        return Err(Problem::UsernameTooLong);
    }
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')) {
        return Err(Problem::UsernameBadChars);
    }
    Ok(name)
}

/// A deliberately loose check (one @, a dot in the domain): the real test is the mail.
pub fn normalize_email(input: &str) -> Result<String, Problem> {
    let email = input.trim().to_lowercase();
    if email.chars().count() > EMAIL_MAX_CHARS {
        return Err(Problem::EmailTooLong);
    }
    match email.split_once('@') {
        Some((local, domain))
            if !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.contains(char::is_whitespace)
                && !domain.contains('@') =>
        {
            Ok(email)
        }
        _ => Err(Problem::EmailInvalid),
    }
}

/// Idle limit for a session: shorter in the installed app, which lives on phones.
pub fn idle_minutes(app_mode: bool) -> u32 {
    if app_mode {
        IDLE_APP_MINUTES
    } else {
        IDLE_WEB_MINUTES
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_grouped_and_read_forgivingly() {
        let raw = "ABCDE0123456789";
        assert_eq!(format_code(raw), "ABCDE-01234-56789");
        assert_eq!(normalize_code("abcde-o1234-56789").as_deref(), Some(raw));
        assert_eq!(normalize_code(" ABCDE 01234 56789 ").as_deref(), Some(raw));
        assert_eq!(normalize_code("ABCDE-01234-5678"), None, "too short");
        assert_eq!(normalize_code("ABCDE-01234-56789X"), None, "too long");
        assert_eq!(normalize_code("ABCDE-01234-5678U"), None, "U is not in the alphabet");
        assert!((CODE_SYMBOLS * 5) >= 60, "at least 60 random bits");
        assert_eq!(CODE_ALPHABET.len(), 32);
    }

    #[test]
    fn activation_codes_last_45_days() {
        assert_eq!(ACTIVATION_CODE_TTL_MS, 45 * 24 * 3600 * 1000);
    }

    #[test]
    fn usernames_and_emails() {
        assert_eq!(normalize_username("  Avery.Smith "), Ok("avery.smith".into()));
        assert_eq!(normalize_username("ab"), Err(Problem::UsernameTooShort));
        assert_eq!(normalize_username(&"a".repeat(65)), Err(Problem::UsernameTooLong));
        assert_eq!(normalize_username("avery smith"), Err(Problem::UsernameBadChars));
        assert_eq!(normalize_email(" A@Example.org"), Ok("a@example.org".into()));
        assert_eq!(normalize_email("a@b"), Err(Problem::EmailInvalid));
        assert_eq!(normalize_email("a b@c.org"), Err(Problem::EmailInvalid));
        assert_eq!(normalize_email(&format!("{}@x.org", "a".repeat(250))), Err(Problem::EmailTooLong));
    }

    #[test]
    fn idle_limits_follow_the_faq() {
        assert_eq!(idle_minutes(false), 20);
        assert_eq!(idle_minutes(true), 10);
        assert!(IDLE_WARNING_MS < IDLE_APP_MINUTES as i64 * MINUTE_MS);
    }
}
