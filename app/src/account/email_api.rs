//! The account's e-mail address: confirming it with the mailed code, sending a new code,
//! and changing it (the current password, then a code to the new address; the old address
//! is told once the new one is confirmed). All on the signed-in user's own account.
use leptos::prelude::*;

use super::EmailStatus;
use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::{
    access,
    auth::{email_code, mail_text, rules},
    problem::Problem,
};

#[server(endpoint = "account/email_status")]
pub async fn load_email_status() -> Result<EmailStatus, AppError> {
    let me = access::signed_in().await?;
    let state = me.state();
    let account = super::store::account(&state.db, me.user_id()).await?;
    let pending = email_code::pending(&state.db, me.user_id(), state.clock.now_ms()).await?;
    Ok(EmailStatus {
        email: account.email.filter(|e| !e.is_empty()),
        confirmed: account.email_confirmed_at.is_some(),
        pending,
    })
}

/// The code from the e-mail. Right: the address it was sent to is the account's, confirmed.
#[server(endpoint = "account/confirm_email")]
pub async fn confirm_email(code: String) -> Result<(), AppError> {
    let me = access::signed_in().await?;
    let state = me.state();
    let now = state.clock.now_ms();
    let changed = match email_code::confirm(&state.db, me.user_id(), &code, now).await? {
        email_code::Confirmation::Confirmed { replaced, .. } => replaced,
        email_code::Confirmation::Wrong => {
            me.audit_event("email-code-wrong", "").await?;
            return Err(AppError::invalid("code", Problem::EmailCodeWrong));
        }
        email_code::Confirmation::NoOpenCode => {
            return Err(AppError::invalid("code", Problem::EmailCodeNone))
        }
    };
    me.audit_event("email-confirmed", if changed.is_some() { "changed" } else { "" }).await?;
    if let Some(old) = changed.clone() {
        let lang = crate::infra::mail_language::MailLanguage::of_own_action(&state.db, me.user_id()).await?;
        state.mail_later(old, mail_text::email_changed(lang, &state.config.org));
    }
    if crate::ui::form::is_form_post() {
        leptos_axum::redirect(if changed.is_some() {
            "/account/email?done=changed"
        } else {
            "/account/email?done=confirmed"
        });
    }
    Ok(())
}

/// Sends a new code: to the address being changed to, or else to the account's own
/// address while it is not confirmed. Limited per account (`EMAIL_CODE_MAILS_PER_ACCOUNT`).
#[server(endpoint = "account/resend_email_code")]
pub async fn resend_email_code() -> Result<(), AppError> {
    let me = access::signed_in().await?;
    let state = me.state();
    let now = state.clock.now_ms();
    let account = super::store::account(&state.db, me.user_id()).await?;
    let unconfirmed = account.email.filter(|e| !e.is_empty() && account.email_confirmed_at.is_none());
    let target = email_code::pending(&state.db, me.user_id(), now).await?.or(unconfirmed);
    let Some(target) = target else {
        return Err(AppError::invalid("form", Problem::EmailCodeNone));
    };
    email_code::send(state, me.user_id(), &target).await?;
    me.audit_event("email-code-sent", "").await?;
    if crate::ui::form::is_form_post() {
        leptos_axum::redirect("/account/email?done=sent");
    }
    Ok(())
}

/// Starts a change of address: the current password (limited as for a password change),
/// then a code to the new address. The account's address changes only when that code is
/// typed (`confirm_email`).
#[server(endpoint = "account/change_email")]
pub async fn change_email(new_email: String, current_password: String) -> Result<(), AppError> {
    let me = access::signed_in().await?;
    let state = me.state();
    let new_email = rules::normalize_email(&new_email).map_err(|k| AppError::invalid("new_email", k))?;
    let account = super::store::account(&state.db, me.user_id()).await?;
    let same = account.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(&new_email));
    if same && account.email_confirmed_at.is_some() {
        return Err(AppError::invalid("new_email", Problem::EmailUnchanged));
    }
    super::api::check_current_password(&me, &account.password_hash, &current_password).await?;
    email_code::send(state, me.user_id(), &new_email).await?;
    me.audit_event("email-change-requested", "").await?;
    if crate::ui::form::is_form_post() {
        leptos_axum::redirect("/account/email?done=sent");
    }
    Ok(())
}
