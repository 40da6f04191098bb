//! Passkey server functions: registering one (Account, or a staff member's first sign-in),
//! signing in with one instead of the password, the second step with one, listing and
//! removing them.
use leptos::prelude::*;

use super::{Challenge, Finished, PasskeyList, SecondStepMethods};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {
    super::{
        relying_party,
        store::{self, Purpose, Starter},
        PasskeyInfo, CREDENTIAL_MAX_BYTES, MAX_PER_USER, NAME_MAX_CHARS, SIGN_INS_OPEN_PER_NETWORK,
    },
    crate::{
        auth::{
            session::{self, Session},
            two_step::{self, Stage},
        },
        infra::{audit, state, throttle, AppState},
        problem::Problem,
    },
    serde::{Deserialize, Serialize},
    webauthn_rs::prelude::{
        DiscoverableAuthentication, PasskeyAuthentication, PasskeyRegistration, PublicKeyCredential,
        RegisterPublicKeyCredential, Uuid,
    },
};

#[cfg(feature = "ssr")]
fn failed() -> AppError {
    AppError::invalid("form", Problem::PasskeyFailed)
}

#[cfg(feature = "ssr")]
fn to_json<T: Serialize>(value: &T) -> Result<String, AppError> {
    serde_json::to_string(value).map_err(|e| {
        tracing::error!(error = %e, "a passkey ceremony did not serialise");
        AppError::Unavailable
    })
}

/// The browser's answer, bounded and parsed; anything else is a failed ceremony.
#[cfg(feature = "ssr")]
fn parse_answer<T: for<'de> Deserialize<'de>>(credential: &str) -> Result<T, AppError> {
    if credential.len() > CREDENTIAL_MAX_BYTES {
        return Err(failed());
    }
    serde_json::from_str(credential).map_err(|_| failed())
}

#[cfg(feature = "ssr")]
async fn audit_user(state: &AppState, user_id: i64, action: &str, detail: &str) -> Result<(), AppError> {
    audit::user_event(&state.db, state.clock.now_ms(), user_id, action, detail).await?;
    Ok(())
}

/// Tells the account's address that a passkey was added or removed (no PHI).
#[cfg(feature = "ssr")]
async fn notify_owner(state: &AppState, user_id: i64, added: bool) -> Result<(), AppError> {
    let text = |lang, org: &_| crate::auth::mail_text::passkey_changed(lang, org, added);
    crate::auth::security_mail::tell_owner(state, user_id, text).await
}

// ------------------------------------------------------------------ registering

/// What a registration keeps between its two requests: webauthn-rs' state and the user
/// handle the new passkey is made for.
#[cfg(feature = "ssr")]
#[derive(Serialize, Deserialize)]
struct Registration {
    handle: String,
    state: PasskeyRegistration,
}

/// A session that may add a passkey: signed in, or a staff member setting up the factor
/// their role requires while the account has none (once it has one, a session still at
/// that stage was begun by someone who knew the first password only).
#[cfg(feature = "ssr")]
async fn registering_session(state: &AppState) -> Result<Session, AppError> {
    let session = session::current_at_any_stage(state).await?;
    match session.stage {
        Stage::Full => Ok(session),
        Stage::Enroll if !has_factor(state, session.user_id).await? => Ok(session),
        Stage::Enroll | Stage::SecondStep | Stage::NewPassword => Err(AppError::NotSignedIn),
    }
}

/// Whether the account has a second factor (an authenticator app or a passkey).
#[cfg(feature = "ssr")]
pub async fn has_factor(state: &AppState, user_id: i64) -> Result<bool, AppError> {
    Ok(two_step::is_on(&state.db, user_id).await? || store::count(&state.db, user_id).await? > 0)
}

/// Adding a passkey to a signed-in account asks for the password again: a session left
/// open (or stolen) must not be able to plant a way in that outlives it. A staff member
/// setting up their first factor has just typed it.
#[cfg(feature = "ssr")]
async fn check_password_again(state: &AppState, session: &Session, typed: &str) -> Result<(), AppError> {
    if session.stage == Stage::Enroll {
        return Ok(());
    }
    let again = crate::auth::current_password::require_again;
    again(state, session.user_id, "passkey-add", typed, "passkey-add-failure").await
}

#[server(endpoint = "passkeys/register_start")]
pub async fn start_passkey_registration(
    #[server(default)] current_password: String,
) -> Result<Challenge, AppError> {
    let state = state()?;
    let session = registering_session(&state).await?;
    let existing = store::of_user(&state.db, session.user_id).await?;
    if existing.len() >= MAX_PER_USER {
        return Err(AppError::invalid("form", Problem::PasskeyLimit));
    }
    let handle =
        existing.first().map(|p| p.user_handle.clone()).unwrap_or_else(|| Uuid::new_v4().to_string());
    let uuid = Uuid::parse_str(&handle).map_err(|_| AppError::Unavailable)?;
    let exclude = existing.iter().filter_map(|p| p.credential()).map(|p| p.cred_id().clone()).collect();
    let rp = relying_party::build(&state.config)?;
    let (mut options, registration) = rp
        .start_passkey_registration(uuid, &session.username, &session.display_name, Some(exclude))
        .map_err(|e| {
            tracing::error!(error = %e, "passkey registration did not start");
            AppError::Unavailable
        })?;
    // Ask for a discoverable credential (kept on the authenticator with the user handle),
    // so the passkey can also sign in without a username. "Preferred": an older security
    // key that cannot still works as the second step.
    if let Some(selection) = options.public_key.authenticator_selection.as_mut() {
        selection.resident_key = Some(webauthn_rs_proto::ResidentKeyRequirement::Preferred);
    }
    check_password_again(&state, &session, &current_password).await?;
    let kept = to_json(&Registration { handle, state: registration })?;
    let now = state.clock.now_ms();
    let starter = Starter::Session { user_id: session.user_id, session_id: session.id };
    let ceremony = store::begin_ceremony(&state.db, Purpose::Register, starter, &kept, now).await?;
    Ok(Challenge { ceremony, options: to_json(&options)? })
}

/// The name a passkey is stored under: the one typed, or else the browser and system it
/// was made on ("Chrome on Android").
#[cfg(feature = "ssr")]
fn passkey_name(typed: &str) -> Result<String, AppError> {
    let typed = typed.trim();
    if typed.chars().count() > NAME_MAX_CHARS {
        return Err(AppError::invalid("name", Problem::PasskeyNameTooLong));
    }
    if !typed.is_empty() {
        return Ok(typed.to_owned());
    }
    let described = match crate::account::device_words::describe(&session::user_agent()) {
        (browser, _) if browser.is_empty() => "Passkey".to_owned(),
        (browser, system) if system.is_empty() => browser,
        (browser, system) => format!("{browser} · {system}"),
    };
    Ok(described.chars().take(NAME_MAX_CHARS).collect())
}

#[server(endpoint = "passkeys/register_finish")]
pub async fn finish_passkey_registration(
    ceremony: String,
    credential: String,
    #[server(default)] name: String,
) -> Result<Finished, AppError> {
    let state = state()?;
    let session = registering_session(&state).await?;
    let name = passkey_name(&name)?;
    let now = state.clock.now_ms();
    let kept = store::take_ceremony(&state.db, &ceremony, Purpose::Register, now)
        .await?
        .filter(|c| c.user_id == Some(session.user_id) && c.session_id == Some(session.id))
        .ok_or_else(failed)?;
    let kept: Registration = serde_json::from_str(&kept.state).map_err(|_| failed())?;
    let answer: RegisterPublicKeyCredential = parse_answer(&credential)?;
    let rp = relying_party::build(&state.config)?;
    let passkey = rp.finish_passkey_registration(&answer, &kept.state).map_err(|e| {
        tracing::info!(error = %e, "a passkey registration was refused");
        failed()
    })?;
    // The limit, and a first factor's "none yet", are checked again in the insert itself:
    // two registrations started side by side each passed the first checks.
    let enrolling = session.stage == Stage::Enroll;
    let condition = if enrolling { store::Condition::FirstFactor } else { store::Condition::BelowLimit };
    let new = store::NewPasskey {
        user_id: session.user_id,
        user_handle: &kept.handle,
        name: &name,
        passkey: &passkey,
    };
    if !store::insert(&state.db, &new, condition, now).await? {
        if enrolling {
            return Err(AppError::NotSignedIn);
        }
        if store::count(&state.db, session.user_id).await? >= MAX_PER_USER as i64 {
            return Err(AppError::invalid("form", Problem::PasskeyLimit));
        }
        return Err(failed());
    }
    audit_user(&state, session.user_id, "passkey-added", "").await?;
    notify_owner(&state, session.user_id, true).await?;
    let next = if enrolling {
        // A staff member's required factor is now set up: on to the rest of sign-in, and
        // no other half-way session of theirs goes further.
        let next = two_step::stage_after_both_steps(&state.db, session.user_id).await?;
        session::set_stage(&state, session.id, next).await?;
        session::end_other_partial(&state, session.user_id, session.id).await?;
        crate::auth::device::remember(&state, session.user_id).await?;
        next.next_page().to_owned()
    } else {
        "/account/passkeys?done=added".to_owned()
    };
    Ok(Finished { next })
}

// ------------------------------------------------------------------ signing in

/// Starts a sign-in with a passkey instead of the password: no username asked, the
/// authenticator offers the passkeys it holds for Portico.
#[server(endpoint = "passkeys/sign_in_start")]
pub async fn start_passkey_sign_in() -> Result<Challenge, AppError> {
    let state = state()?;
    let now = state.clock.now_ms();
    let network = crate::infra::client_network();
    if store::open_sign_ins(&state.db, &network, now).await? >= SIGN_INS_OPEN_PER_NETWORK {
        return Err(AppError::TooManyAttempts { retry_after_secs: (super::CEREMONY_MS / 1000) as u64 });
    }
    let rp = relying_party::build(&state.config)?;
    let (mut options, authentication) = rp.start_discoverable_authentication().map_err(|e| {
        tracing::error!(error = %e, "passkey sign-in did not start");
        AppError::Unavailable
    })?;
    // The person pressed "Sign in with a passkey": a modal request, not the autofill one
    // webauthn-rs prepares by default.
    options.mediation = None;
    let kept = to_json(&authentication)?;
    let starter = Starter::Network(&network);
    let ceremony = store::begin_ceremony(&state.db, Purpose::SignIn, starter, &kept, now).await?;
    Ok(Challenge { ceremony, options: to_json(&options)? })
}

/// The account a passkey answer belongs to, checked: the passkey is stored, its user
/// handle is the one the authenticator returned, and the signature verifies (user
/// verification required: a fingerprint, face or PIN). Returns (user, passkey row id).
#[cfg(feature = "ssr")]
async fn verify_sign_in(
    state: &AppState,
    answer: &PublicKeyCredential,
    authentication: DiscoverableAuthentication,
) -> Result<Option<(i64, i64)>, AppError> {
    let rp = relying_party::build(&state.config)?;
    let Ok((handle, raw_id)) = rp.identify_discoverable_authentication(answer) else { return Ok(None) };
    let Some(stored) = store::by_credential(&state.db, raw_id).await? else { return Ok(None) };
    if stored.user_handle != handle.to_string() {
        return Ok(None);
    }
    let Some(mut passkey) = stored.credential() else { return Ok(None) };
    let Ok(result) = rp.finish_discoverable_authentication_v2(answer, authentication, &passkey) else {
        return Ok(None);
    };
    passkey.update_credential(&result);
    if !store::record_use(&state.db, stored.id, &passkey, result.counter(), state.clock.now_ms()).await? {
        tracing::warn!(passkey = stored.id, "a passkey signed a counter already used: refused");
        return Ok(None);
    }
    Ok(Some((stored.user_id, stored.id)))
}

#[server(endpoint = "passkeys/sign_in_finish")]
pub async fn finish_passkey_sign_in(
    ceremony: String,
    credential: String,
    #[server(default)] app_mode: Option<String>,
) -> Result<Finished, AppError> {
    let state = state()?;
    let now = state.clock.now_ms();
    // A failed passkey counts as a wrong password does, against the client's network.
    let attempt =
        throttle::reserve(&state.db, now, throttle::SIGNIN_PER_ADDRESS, &crate::infra::client_network())
            .await?;
    let verified = match store::take_ceremony(&state.db, &ceremony, Purpose::SignIn, now).await? {
        Some(kept) => {
            let authentication: DiscoverableAuthentication =
                serde_json::from_str(&kept.state).map_err(|_| failed())?;
            verify_sign_in(&state, &parse_answer(&credential)?, authentication).await?
        }
        None => None,
    };
    let disabled: Option<Option<i64>> = match verified {
        Some((user_id, _)) => {
            sqlx::query_scalar("SELECT disabled_at FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(&state.db.read)
                .await?
        }
        None => None,
    };
    // A disabled account gets the same answer as an unknown passkey.
    let Some((user_id, passkey_id)) = verified.filter(|_| matches!(disabled, Some(None))) else {
        crate::auth::api::audit_event(&state, verified.map(|v| v.0), "signin-failure", "passkey").await?;
        return Err(failed());
    };
    throttle::release(&state.db, attempt).await?;
    // A passkey is two factors in one (something held, unlocked by something known or
    // been): no second step follows.
    let stage = two_step::stage_after_both_steps(&state.db, user_id).await?;
    crate::auth::device::remember(&state, user_id).await?;
    let app_mode = app_mode.as_deref() == Some("true");
    session::start(&state, user_id, crate::auth::rules::idle_minutes(app_mode), stage).await?;
    let detail = format!("passkey={passkey_id} {}", if app_mode { "app" } else { "web" });
    crate::auth::api::audit_event(&state, Some(user_id), "signin", &detail).await?;
    Ok(Finished { next: stage.next_page().to_owned() })
}

// ------------------------------------------------------------------ the second step

/// A session waiting for its second step.
#[cfg(feature = "ssr")]
async fn second_step_session(state: &AppState) -> Result<Session, AppError> {
    let session = session::current_at_any_stage(state).await?;
    if session.stage != Stage::SecondStep {
        return Err(AppError::NotSignedIn);
    }
    Ok(session)
}

#[server(endpoint = "passkeys/second_step_methods")]
pub async fn load_second_step_methods() -> Result<SecondStepMethods, AppError> {
    let state = state()?;
    let session = second_step_session(&state).await?;
    Ok(SecondStepMethods {
        app_code: two_step::is_on(&state.db, session.user_id).await?,
        passkey: store::count(&state.db, session.user_id).await? > 0,
    })
}

#[server(endpoint = "passkeys/second_step_start")]
pub async fn start_passkey_second_step() -> Result<Challenge, AppError> {
    let state = state()?;
    let session = second_step_session(&state).await?;
    let passkeys: Vec<_> =
        store::of_user(&state.db, session.user_id).await?.iter().filter_map(|p| p.credential()).collect();
    if passkeys.is_empty() {
        return Err(failed());
    }
    let rp = relying_party::build(&state.config)?;
    let (options, authentication) = rp.start_passkey_authentication(&passkeys).map_err(|e| {
        tracing::error!(error = %e, "passkey second step did not start");
        AppError::Unavailable
    })?;
    let now = state.clock.now_ms();
    let kept = to_json(&authentication)?;
    let starter = Starter::Session { user_id: session.user_id, session_id: session.id };
    let ceremony = store::begin_ceremony(&state.db, Purpose::SecondStep, starter, &kept, now).await?;
    Ok(Challenge { ceremony, options: to_json(&options)? })
}

/// Checks a second-step answer; the row id of the passkey that signed, when it verifies.
#[cfg(feature = "ssr")]
async fn verify_second_step(
    state: &AppState,
    session: &Session,
    ceremony: &str,
    credential: &str,
) -> Result<Option<i64>, AppError> {
    let now = state.clock.now_ms();
    let Some(kept) = store::take_ceremony(&state.db, ceremony, Purpose::SecondStep, now)
        .await?
        .filter(|c| c.user_id == Some(session.user_id) && c.session_id == Some(session.id))
    else {
        return Ok(None);
    };
    let authentication: PasskeyAuthentication = serde_json::from_str(&kept.state).map_err(|_| failed())?;
    let answer: PublicKeyCredential = parse_answer(credential)?;
    let rp = relying_party::build(&state.config)?;
    let Ok(result) = rp.finish_passkey_authentication(&answer, &authentication) else { return Ok(None) };
    let Some(stored) = store::by_credential(&state.db, result.cred_id().as_ref())
        .await?
        .filter(|p| p.user_id == session.user_id)
    else {
        return Ok(None);
    };
    let Some(mut passkey) = stored.credential() else { return Ok(None) };
    passkey.update_credential(&result);
    if !store::record_use(&state.db, stored.id, &passkey, result.counter(), now).await? {
        tracing::warn!(passkey = stored.id, "a passkey signed a counter already used: refused");
        return Ok(None);
    }
    Ok(Some(stored.id))
}

#[server(endpoint = "passkeys/second_step_finish")]
pub async fn finish_passkey_second_step(ceremony: String, credential: String) -> Result<Finished, AppError> {
    let state = state()?;
    let session = second_step_session(&state).await?;
    // Counted with wrong authenticator codes (two_step::TWO_STEP_LIMIT).
    let attempt = throttle::reserve(
        &state.db,
        state.clock.now_ms(),
        two_step::TWO_STEP_LIMIT,
        &session.user_id.to_string(),
    )
    .await?;
    let Some(passkey_id) = verify_second_step(&state, &session, &ceremony, &credential).await? else {
        audit_user(&state, session.user_id, "two-step-failure", "passkey").await?;
        return Err(failed());
    };
    throttle::release(&state.db, attempt).await?;
    let next = two_step::stage_after_both_steps(&state.db, session.user_id).await?;
    session::set_stage(&state, session.id, next).await?;
    crate::auth::device::remember(&state, session.user_id).await?;
    audit_user(&state, session.user_id, "two-step", &format!("passkey={passkey_id}")).await?;
    Ok(Finished { next: next.next_page().to_owned() })
}

// ------------------------------------------------------------------ managing

/// Whether removing one passkey would leave a staff member with no second factor.
#[cfg(feature = "ssr")]
async fn is_last_staff_factor(
    state: &AppState,
    session: &Session,
    passkeys: usize,
) -> Result<bool, AppError> {
    Ok(session.role.is_staff() && passkeys <= 1 && !two_step::is_on(&state.db, session.user_id).await?)
}

#[server(endpoint = "passkeys/list")]
pub async fn list_passkeys() -> Result<PasskeyList, AppError> {
    let state = state()?;
    let session = session::current(&state).await?;
    let stored = store::of_user(&state.db, session.user_id).await?;
    let last_factor_kept = is_last_staff_factor(&state, &session, stored.len()).await?;
    let passkeys = stored
        .into_iter()
        .map(|p| PasskeyInfo {
            id: p.id,
            name: p.name,
            added: state.clock.local_date_time(p.created_at),
            last_used: p.last_used_at.map(|at| state.clock.local_date_time(at)),
        })
        .collect();
    Ok(PasskeyList { passkeys, last_factor_kept })
}

/// Removes one of the user's passkeys (the current password required; a staff member's
/// only factor stays).
#[server(endpoint = "passkeys/remove")]
pub async fn remove_passkey(#[server(default)] id: String, current_password: String) -> Result<(), AppError> {
    let state = state()?;
    let session = session::current(&state).await?;
    let Ok(id) = id.trim().parse::<i64>() else {
        return Err(AppError::invalid("id", Problem::PasskeyChoose));
    };
    let count = store::count(&state.db, session.user_id).await? as usize;
    if is_last_staff_factor(&state, &session, count).await? {
        return Err(AppError::invalid("form", Problem::TwoStepRequiredForStaff));
    }
    let again = crate::auth::current_password::require_again;
    again(&state, session.user_id, "passkey-off", &current_password, "passkey-remove-failure").await?;
    // The last-factor rule again, in the statement itself (two removals at once).
    if !store::remove(&state.db, session.user_id, id, session.role.is_staff()).await? {
        return Err(AppError::invalid("id", Problem::PasskeyChoose));
    }
    audit_user(&state, session.user_id, "passkey-removed", &format!("passkey={id}")).await?;
    notify_owner(&state, session.user_id, false).await?;
    if crate::ui::form::is_form_post() {
        leptos_axum::redirect("/account/passkeys?done=removed");
    }
    Ok(())
}
