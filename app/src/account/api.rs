//! The account's server functions. Each one acts on the signed-in user's own account,
//! taken from the session: no argument names a user, and a session id from the form is
//! looked up among that user's sessions only.
use leptos::prelude::*;

use super::{AccountSummary, SignedInDevice};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {
    super::store,
    crate::{
        access::{self, SignedIn},
        auth::{mail_text, session},
        problem::Problem,
    },
};

#[server(endpoint = "account/overview")]
pub async fn account_overview() -> Result<AccountSummary, AppError> {
    let me = access::signed_in().await?;
    let state = me.state();
    let row = store::account(&state.db, me.user_id()).await?;
    Ok(AccountSummary {
        username: row.username,
        display_name: row.display_name,
        email: row.email,
        password_changed: state.clock.local_date_time(row.password_changed_at),
    })
}

/// Changes the password: the current one is required (and wrong ones are limited per
/// account), the new one must be strong and new. With `sign_out_others` every other
/// session ends. The account's address is told, with no PHI.
#[server(endpoint = "account/change_password")]
pub async fn change_password(
    current_password: String,
    password: String,
    password_confirm: String,
    #[server(default)] sign_out_others: Option<String>,
) -> Result<(), AppError> {
    let me = access::signed_in().await?;
    let state = me.state();
    let account = store::account(&state.db, me.user_id()).await?;
    check_current_password(&me, &account.password_hash, &current_password).await?;
    if password == current_password {
        return Err(AppError::invalid("password", Problem::PasswordUnchanged));
    }
    let email = account.email.clone().unwrap_or_default();
    let words: Vec<&str> = [account.username.as_str(), &email]
        .into_iter()
        .chain(account.display_name.split_whitespace())
        .collect();
    crate::auth::strength::check_strength(&password, &words).map_err(|k| AppError::invalid("password", k))?;
    if password != password_confirm {
        return Err(AppError::invalid("password_confirm", Problem::PasswordMismatch));
    }
    let hash = state.hasher.hash(&password).await?;
    let others = sign_out_others.is_some_and(|v| v == "on" || v == "true");
    let now = state.clock.now_ms();
    store::set_password(&state.db, me.user_id(), &hash, now, others.then_some(me.session_id())).await?;
    me.audit_event("password-changed", if others { "others-signed-out" } else { "" }).await?;
    if let Some(email) = account.email.filter(|e| !e.is_empty()) {
        let lang = crate::infra::mail_language::MailLanguage::of_own_action(&state.db, me.user_id()).await?;
        state.mail_later(email, mail_text::password_changed_in_settings(lang, &state.config.org, others));
    }
    if crate::ui::form::is_form_post() {
        leptos_axum::redirect("/account?done=password");
    }
    Ok(())
}

/// Verifies the current password within `PASSWORD_CHANGE_LIMIT`: a right one does
/// not count, a wrong one does, a refused one (busy) is not an attempt.
#[cfg(feature = "ssr")]
pub(super) async fn check_current_password(me: &SignedIn, stored: &str, typed: &str) -> Result<(), AppError> {
    let key = me.user_id().to_string();
    let limit = super::PASSWORD_CHANGE_LIMIT;
    if !crate::auth::current_password::verify_within(me.state(), limit, &key, stored, typed).await? {
        me.audit_event("password-change-failure", "").await?;
        return Err(AppError::invalid("current_password", Problem::PasswordCurrentWrong));
    }
    Ok(())
}

/// Every session signed in to this account, this one marked.
#[server(endpoint = "account/devices")]
pub async fn signed_in_devices() -> Result<Vec<SignedInDevice>, AppError> {
    let me = access::signed_in().await?;
    let state = me.state();
    let rows = store::sessions(&state.db, me.user_id()).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let (browser, system) = super::device_words::describe(&row.user_agent);
            SignedInDevice {
                id: row.id,
                browser,
                system,
                address: row.client_addr.unwrap_or_default(),
                started: state.clock.local_date_time(row.created_at),
                last_active: state.clock.local_date_time(row.last_seen_at),
                this_one: row.id == me.session_id(),
            }
        })
        .collect())
}

/// Signs out one session of this account (a phone left somewhere). This device's own
/// session is the header's "Sign out"; asked for here, it ends the same way.
#[server(endpoint = "account/sign_out_device")]
pub async fn sign_out_device(id: i64) -> Result<(), AppError> {
    let me = access::signed_in().await?;
    let state = me.state();
    if id == me.session_id() {
        session::end_current(state).await?;
        me.audit_event("signout", "").await?;
        if crate::ui::form::is_form_post() {
            leptos_axum::redirect("/signin?reason=signed-out");
        }
        return Ok(());
    }
    if !store::end_session(&state.db, me.user_id(), id).await? {
        return Err(AppError::NotFound);
    }
    me.audit_event("session-ended", &format!("session={id}")).await?;
    if crate::ui::form::is_form_post() {
        leptos_axum::redirect("/account/devices?done=one");
    }
    Ok(())
}

/// Signs out every session of this account but this one.
#[server(endpoint = "account/sign_out_others")]
pub async fn sign_out_others() -> Result<u64, AppError> {
    let me = access::signed_in().await?;
    let ended = store::end_other_sessions(&me.state().db, me.user_id(), me.session_id()).await?;
    me.audit_event("sessions-ended", &format!("count={ended}")).await?;
    if crate::ui::form::is_form_post() {
        leptos_axum::redirect("/account/devices?done=others");
    }
    Ok(ended)
}
