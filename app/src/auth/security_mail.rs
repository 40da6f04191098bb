//! Security notices to an account's own address (two-step sign-in or a passkey changed):
//! to the address on the account, in its owner's language, with no PHI.
use crate::{
    error::AppError,
    infra::{
        mail_language::{MailLanguage, MailText},
        AppState,
    },
    site::OrgInfo,
};

/// Mails `text` (in the owner's language) to `user_id`'s address, if the account has one.
pub async fn tell_owner(
    state: &AppState,
    user_id: i64,
    text: impl FnOnce(MailLanguage, &OrgInfo) -> MailText,
) -> Result<(), AppError> {
    let email: Option<Option<String>> = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(&state.db.read)
        .await?;
    if let Some(to) = email.flatten().filter(|e| !e.is_empty()) {
        let lang = MailLanguage::of_own_action(&state.db, user_id).await?;
        state.mail_later(to, text(lang, &state.config.org));
    }
    Ok(())
}
