//! E-mail addresses confirmed with a code (issue 14). An address a person typed (at
//! enrolment, at sign-up, or changing it in Personal information) gets a mailed code; until
//! the code is typed back, no reset code and no notice is sent to it, and a changed address
//! replaces the old one only then.
use super::mail_text;
use crate::{
    error::AppError,
    infra::{crypto, throttle, AppState, Db},
};

pub const EMAIL_CODE_TTL_MS: i64 = 30 * crate::dates::MINUTE_MS;
pub const EMAIL_CODE_DIGITS: usize = 8;
/// Wrong codes before the code stops working (a new one can be sent).
pub const EMAIL_CODE_MAX_TRIES: i64 = 5;

/// Creates a code for `email` (voiding the account's earlier ones) and mails it after the
/// answer. Counted against the account's mail limit: past it, `TooManyAttempts`.
pub async fn send(state: &AppState, user_id: i64, email: &str) -> Result<(), AppError> {
    let now = state.clock.now_ms();
    // Every mail counts (never released): the limit bounds what one account can send.
    let _counted =
        throttle::reserve(&state.db, now, throttle::EMAIL_CODE_MAILS_PER_ACCOUNT, &user_id.to_string())
            .await?;
    let code = create(&state.db, user_id, email, now).await?;
    let lang = crate::infra::mail_language::MailLanguage::of_own_action(&state.db, user_id).await?;
    state.mail_later(email.to_owned(), mail_text::email_code(lang, &state.config.org.name, &code));
    Ok(())
}

async fn create(db: &Db, user_id: i64, email: &str, now: i64) -> Result<String, sqlx::Error> {
    let code = crypto::random_from_alphabet(b"0123456789", EMAIL_CODE_DIGITS);
    let mut tx = db.write.begin().await?;
    sqlx::query(
        "UPDATE email_codes SET voided_at = $1 WHERE user_id = $2 AND used_at IS NULL AND voided_at IS NULL",
    )
    .bind(now)
    .bind(user_id)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO email_codes (user_id, email, code_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(user_id)
    .bind(email)
    .bind(crypto::sha256_hex(&code))
    .bind(now)
    .bind(now + EMAIL_CODE_TTL_MS)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(code)
}

/// What typing a code did.
#[derive(Debug, PartialEq, Eq)]
pub enum Confirmation {
    /// The address is the account's, confirmed; `replaced` is the address it had before
    /// when it was a change (to be told, without PHI).
    Confirmed {
        email: String,
        replaced: Option<String>,
    },
    Wrong,
    /// Too many wrong tries, expired, or none sent: a new code is needed.
    NoOpenCode,
}

/// The address waiting for confirmation, if a code for it is open.
pub async fn pending(db: &Db, user_id: i64, now: i64) -> Result<Option<String>, sqlx::Error> {
    Ok(open_code(db, user_id, now).await?.map(|(_, email, _)| email))
}

async fn open_code(db: &Db, user_id: i64, now: i64) -> Result<Option<(i64, String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, email, code_hash FROM email_codes WHERE user_id = $1 AND used_at IS NULL \
         AND voided_at IS NULL AND expires_at > $2 AND attempts < $3 ORDER BY id DESC LIMIT 1",
    )
    .bind(user_id)
    .bind(now)
    .bind(EMAIL_CODE_MAX_TRIES)
    .fetch_optional(&db.read)
    .await
}

/// Checks a typed code against the account's open one; a right one makes its address the
/// account's confirmed address, in one transaction with using the code.
pub async fn confirm(db: &Db, user_id: i64, typed: &str, now: i64) -> Result<Confirmation, sqlx::Error> {
    let Some((code_id, email, code_hash)) = open_code(db, user_id, now).await? else {
        return Ok(Confirmation::NoOpenCode);
    };
    // Each try is counted before the comparison, by one conditional update: tries in
    // parallel cannot share more than `EMAIL_CODE_MAX_TRIES` between them.
    let counted = sqlx::query(
        "UPDATE email_codes SET attempts = attempts + 1 WHERE id = $1 AND used_at IS NULL \
         AND voided_at IS NULL AND expires_at > $2 AND attempts < $3",
    )
    .bind(code_id)
    .bind(now)
    .bind(EMAIL_CODE_MAX_TRIES)
    .execute(&db.write)
    .await?
    .rows_affected();
    if counted != 1 {
        return Ok(Confirmation::NoOpenCode);
    }
    let typed: String = typed.chars().filter(char::is_ascii_digit).collect();
    if !crypto::constant_time_eq(&crypto::sha256_hex(&typed), &code_hash) {
        return Ok(Confirmation::Wrong);
    }
    let mut tx = db.write.begin().await?;
    // Still open: a newer code (another change of address) may have voided it meanwhile.
    let used = sqlx::query(
        "UPDATE email_codes SET used_at = $1 WHERE id = $2 AND used_at IS NULL AND voided_at IS NULL \
         AND expires_at > $1",
    )
    .bind(now)
    .bind(code_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if used != 1 {
        return Ok(Confirmation::NoOpenCode);
    }
    let before: Option<String> =
        sqlx::query_scalar("SELECT email FROM users WHERE id = $1").bind(user_id).fetch_one(&mut *tx).await?;
    sqlx::query("UPDATE users SET email = $1, email_confirmed_at = $2 WHERE id = $3")
        .bind(&email)
        .bind(now)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    let replaced = before.filter(|old| !old.is_empty() && !old.eq_ignore_ascii_case(&email));
    Ok(Confirmation::Confirmed { email, replaced })
}

/// Old codes go with the daily prune.
pub async fn prune(db: &Db, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM email_codes WHERE expires_at < $1")
        .bind(now - crate::dates::DAY_MS)
        .execute(&db.write)
        .await?;
    Ok(())
}
