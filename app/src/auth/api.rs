//! Identity server functions: thin — validate, call the store, audit, map errors.
use leptos::prelude::*;

use super::EnrollPreview;
use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::problem::Problem;
#[cfg(feature = "ssr")]
use {
    super::{rules, session, store},
    crate::infra::{
        audit::{self, AuditEvent},
        state, throttle, AppState,
    },
};

/// Renews the session ("Stay signed in", and activity pings from the idle timer).
/// Returns the idle limit in minutes.
#[server(endpoint = "auth/keep_alive")]
pub async fn keep_alive() -> Result<u32, AppError> {
    let state = state()?;
    let s = session::current(&state).await?;
    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
        .bind(state.clock.now_ms())
        .bind(s.id)
        .execute(&state.db.write)
        .await?;
    Ok((s.idle_limit_ms / crate::dates::MINUTE_MS) as u32)
}

#[server(endpoint = "auth/sign_in")]
pub async fn sign_in(
    username: String,
    password: String,
    #[server(default)] app_mode: Option<String>,
) -> Result<super::two_step::Stage, AppError> {
    let state = state()?;
    let now = state.clock.now_ms();
    // Bounded: the key is stored with each failure.
    let key: String = username.trim().to_lowercase().chars().take(rules::USERNAME_MAX_CHARS + 1).collect();
    // Attempts are reserved before the hash (throttle::reserve), so parallel requests
    // cannot all pass one check; a success releases them.
    let attempts = reserve_sign_in(&state, now, &key).await?;

    // Every name is looked up, even one that cannot exist (empty, over-long): one path, the
    // same steps for every failure (server/tests/signin_steps.rs checks it).
    let user = store::user_by_username(&state.db, &key)
        .await?
        .filter(|_| !key.is_empty() && key.chars().count() <= rules::USERNAME_MAX_CHARS);
    let too_long = password.chars().count() > rules::PASSWORD_MAX_CHARS;
    // Unknown users are checked against a dummy hash: same work, same time.
    let verified = match state
        .hasher
        .verify(if too_long { "" } else { &password }, user.as_ref().map(|u| u.password_hash.as_str()))
        .await
    {
        Ok(verified) => verified,
        Err(busy) => {
            // Not tried: it does not count.
            release_all(&state, attempts.reservations).await?;
            return Err(busy);
        }
    };
    // Kept before the filter below: the failure is audited against the account it targets.
    let known = user.as_ref().map(|u| u.id);
    // A disabled account gets the same answer as a wrong password.
    let Some(user) = user.filter(|u| verified.ok && !too_long && u.disabled_at.is_none()) else {
        // The reservations stay: they are the failure.
        let detail = format!("username={}", truncate(&key, 64));
        audit_event(&state, known, "signin-failure", &detail).await?;
        return Err(AppError::invalid("form", Problem::SigninFailed));
    };
    // This attempt was no failure. A browser it knows has its own count cleared; the
    // account's count is not (an attacker's guesses would start over each time the owner
    // signs in somewhere new): only a password reset clears it.
    let cleared = attempts.cleared.clone();
    release_all(&state, attempts.reservations).await?;
    if let Some((limit, limit_key)) = cleared {
        throttle::clear(&state.db, limit, &limit_key).await?;
    }
    if verified.needs_rehash {
        // Stronger parameters when the hasher has room; next time otherwise.
        match state.hasher.hash(&password).await {
            Ok(fresh) => store::set_password_hash(&state.db, user.id, &fresh, now).await?,
            Err(busy) => tracing::info!(error = %busy, "password rehash postponed"),
        }
    }
    let app_mode = app_mode.as_deref() == Some("true");
    // A right password signs in at once, or opens the second step (an authenticator code),
    // or, for staff without a second factor, its setup and nothing else.
    let stage = super::two_step::stage_after_password(&state.db, user.id, user.role.is_staff()).await?;
    if stage == super::two_step::Stage::Full {
        // Else once the second step is passed (two_step.rs).
        super::device::remember(&state, user.id).await?;
    }
    session::start(&state, user.id, rules::idle_minutes(app_mode), stage).await?;
    audit_event(&state, Some(user.id), "signin", if app_mode { "app" } else { "web" }).await?;
    leptos_axum::redirect(stage.next_page());
    Ok(stage)
}

/// The attempts one sign-in reserved, and the count a success clears.
#[cfg(feature = "ssr")]
struct SignInAttempt {
    reservations: Vec<throttle::Reservation>,
    cleared: Option<(throttle::Limit, String)>,
}

/// Reserves one sign-in attempt. From a browser that has signed in to this account before
/// (its device cookie) the attempt counts against that browser alone; from anywhere else
/// against the client's network and against the account.
#[cfg(feature = "ssr")]
async fn reserve_sign_in(state: &AppState, now: i64, key: &str) -> Result<SignInAttempt, AppError> {
    if let Some(token) = super::device::token_from_request(state) {
        if super::device::is_trusted(state, &token, key).await? {
            let device_key = super::device::limit_key(&token, key);
            let reserved =
                throttle::reserve(&state.db, now, throttle::SIGNIN_PER_DEVICE, &device_key).await?;
            return Ok(SignInAttempt {
                reservations: vec![reserved],
                cleared: Some((throttle::SIGNIN_PER_DEVICE, device_key)),
            });
        }
    }
    let network = crate::infra::client_network();
    let by_network = throttle::reserve(&state.db, now, throttle::SIGNIN_PER_ADDRESS, &network).await?;
    match throttle::reserve(&state.db, now, throttle::SIGNIN_PER_ACCOUNT, key).await {
        Ok(by_account) => Ok(SignInAttempt { reservations: vec![by_network, by_account], cleared: None }),
        Err(refused) => {
            throttle::release(&state.db, by_network).await?;
            Err(refused)
        }
    }
}

#[cfg(feature = "ssr")]
async fn release_all(state: &AppState, reservations: Vec<throttle::Reservation>) -> Result<(), AppError> {
    for reservation in reservations {
        throttle::release(&state.db, reservation).await?;
    }
    Ok(())
}

/// Signs out; `reason` is "idle" when the idle timer did it (recorded as an idle logout).
#[server(endpoint = "auth/sign_out")]
/// The header's "Sign out" is a plain form post (it works without the wasm): the browser
/// then lands on the sign-in page, which says so.
pub async fn sign_out(#[server(default)] reason: Option<String>) -> Result<(), AppError> {
    let state = state()?;
    if let Some(user_id) = session::end_current(&state).await? {
        let action = if reason.as_deref() == Some("idle") { "idle-logout" } else { "signout" };
        session::audit_session(&state, user_id, action).await?;
    }
    // An app's request waiting for this browser's answer is not the next person's to answer.
    crate::infra::cookies::set(crate::connected_apps::CONSENT_COOKIE, "", 0);
    if crate::ui::form::is_form_post() {
        leptos_axum::redirect("/signin?reason=signed-out");
    }
    Ok(())
}

/// Enrollment step 1: does this code belong to a patient born on this date?
#[server(endpoint = "auth/check_activation")]
pub async fn check_activation(code: String, birth_date: String) -> Result<EnrollPreview, AppError> {
    let state = state()?;
    let found = verify_activation(&state, &code, &birth_date).await?;
    Ok(EnrollPreview { given_name: found.given_name })
}

/// Enrollment step 2: redeems the code, creates the account and signs in.
#[server(endpoint = "auth/enroll")]
pub async fn enroll(
    code: String,
    birth_date: String,
    username: String,
    email: String,
    password: String,
    password_confirm: String,
) -> Result<(), AppError> {
    let state = state()?;
    let found = verify_activation(&state, &code, &birth_date).await?;
    let email = rules::normalize_email(&email).map_err(|k| AppError::invalid("email", k))?;
    let words = [email.as_str(), &found.given_name, &found.family_name];
    let login =
        super::new_login::check_and_hash(&state, &username, &password, &password_confirm, &words).await?;
    let (username, hash) = (login.username, login.password_hash);
    let display_name = format!("{} {}", found.given_name, found.family_name);
    let new_user = store::NewUser {
        username: &username,
        password_hash: &hash,
        email: Some(&email),
        display_name: &display_name,
        role: super::Role::Patient,
        patient_id: Some(found.patient_id),
        email_confirmed: false,
    };
    let now = state.clock.now_ms();
    let user_id = match store::redeem_code(&state.db, found.code_id, &new_user, now).await? {
        store::Redeemed::User(id) => id,
        store::Redeemed::CodeGone => return Err(AppError::invalid("code", Problem::ActivationUsed)),
        store::Redeemed::UsernameTaken => return Err(AppError::invalid("username", Problem::UsernameTaken)),
    };
    audit::append(
        &state.db,
        now,
        AuditEvent {
            actor_user_id: Some(user_id),
            action: "enrollment",
            patient_id: Some(found.patient_id),
            client_addr: Some(&crate::infra::client_addr()),
            ..Default::default()
        },
    )
    .await?;
    // The address typed here is confirmed with a mailed code before anything else is sent
    // to it; the new account lands on the page that asks for that code.
    super::email_code::send(&state, user_id, &email).await?;
    session::start(&state, user_id, rules::IDLE_WEB_MINUTES, super::two_step::Stage::Full).await?;
    leptos_axum::redirect("/account/email?new=1");
    Ok(())
}

/// Forgot password, step 1. Always the same answer, whether or not the account exists, and
/// the same work before it: the request is only validated, counted against the client's
/// network and queued; finding the account, creating the code and sending the mail happen
/// after the answer (`send_reset_code`), so neither its content nor its timing says
/// whether an account matched.
#[server(endpoint = "auth/request_reset")]
pub async fn request_password_reset(who: String) -> Result<(), AppError> {
    let state = state()?;
    let who = who.trim().to_lowercase();
    if who.is_empty() || who.chars().count() > rules::EMAIL_MAX_CHARS {
        return Err(AppError::invalid("who", Problem::ResetWhoRequired));
    }
    let now = state.clock.now_ms();
    let network = crate::infra::client_network();
    // Every queued request counts here (none is "released"): it bounds the mail one client
    // causes. One refused as busy was not queued, and does not count.
    let counted = throttle::reserve(&state.db, now, throttle::RESET_REQUESTS_PER_ADDRESS, &network).await?;
    let Ok(slot) = state.background.clone().try_acquire_owned() else {
        throttle::release(&state.db, counted).await?;
        return Err(AppError::Busy { retry_after_secs: 5 });
    };
    let addr = crate::infra::client_addr();
    tokio::spawn(async move {
        if let Err(e) = send_reset_code(&state, &who, &addr).await {
            tracing::error!(error = %e, "reset code not sent");
        }
        drop(slot);
    });
    Ok(())
}

/// Forgot password, the queued part: a code for the account `who` names (username or
/// e-mail), within the per-account and per-e-mail-address mail limits.
#[cfg(feature = "ssr")]
async fn send_reset_code(state: &AppState, who: &str, addr: &str) -> Result<(), AppError> {
    let Some(user) = store::user_by_username_or_email(&state.db, who).await? else { return Ok(()) };
    // An address nobody proved is theirs gets no reset code: it might be someone else's.
    let Some(email) = user.email.clone().filter(|_| user.email_confirmed_at.is_some()) else { return Ok(()) };
    let now = state.clock.now_ms();
    let limits = [
        (throttle::RESET_MAILS_PER_ACCOUNT, user.id.to_string()),
        // Hashed: the limit's table need not keep addresses.
        (throttle::RESET_MAILS_PER_EMAIL, crate::infra::crypto::sha256_hex(&email.to_lowercase())),
    ];
    for (limit, key) in limits {
        if throttle::reserve(&state.db, now, limit, &key).await.is_err() {
            return Ok(());
        }
    }
    let code = store::create_reset(&state.db, user.id, now).await?;
    audit::append(
        &state.db,
        now,
        AuditEvent {
            actor_user_id: Some(user.id),
            action: "reset-requested",
            client_addr: Some(addr),
            ..Default::default()
        },
    )
    .await?;
    // The queued job has no request to take a page language from: the preferred one.
    let lang = crate::infra::mail_language::MailLanguage::of_user(&state.db, user.id).await?;
    let text = crate::auth::mail_text::reset_code(lang, &state.config.org.name, &code);
    // Sent here, inside the queued job (its slot bounds the mail in flight too).
    if let Err(e) = state.mailer.send(&email, text.subject, text.body).await {
        tracing::error!(error = %e, "reset code not sent");
    }
    Ok(())
}

/// Forgot password, step 2: the e-mailed code and a new password. Ends every session and
/// does not sign in: the person signs in with the new password.
#[server(endpoint = "auth/reset_password")]
pub async fn reset_password(
    who: String,
    code: String,
    password: String,
    password_confirm: String,
) -> Result<(), AppError> {
    let state = state()?;
    let now = state.clock.now_ms();
    let network = crate::infra::client_network();
    let attempt = throttle::reserve(&state.db, now, throttle::RESET_PER_ADDRESS, &network).await?;
    let who = who.trim().to_lowercase();
    let code = code.trim().replace([' ', '-'], "");
    let user = store::user_by_username_or_email(&state.db, &who).await?;
    let reset = match &user {
        Some(u) => store::open_reset(&state.db, u.id, now).await?,
        None => None,
    };
    let (Some(user), Some(reset)) = (user, reset) else {
        return Err(AppError::invalid("code", Problem::ResetCodeInvalid));
    };
    let hashed = crate::infra::crypto::sha256_hex(&code);
    if !crate::infra::crypto::constant_time_eq(&hashed, &reset.code_hash) {
        let exhausted = store::reset_wrong_try(&state.db, reset.id, now).await?;
        let key = if exhausted { Problem::ResetCodeExhausted } else { Problem::ResetCodeInvalid };
        return Err(AppError::invalid("code", key));
    }
    // The code was right: whatever follows, this was not a guess.
    throttle::release(&state.db, attempt).await?;
    let words = [user.username.as_str(), user.email.as_deref().unwrap_or_default()];
    super::strength::check_strength(&password, &words).map_err(|k| AppError::invalid("password", k))?;
    if password != password_confirm {
        return Err(AppError::invalid("password_confirm", Problem::PasswordMismatch));
    }
    let hash = state.hasher.hash(&password).await?;
    if !store::complete_reset(&state.db, reset.id, user.id, &hash, now).await? {
        return Err(AppError::invalid("code", Problem::ResetCodeInvalid));
    }
    throttle::clear(&state.db, throttle::SIGNIN_PER_ACCOUNT, &user.username).await?;
    audit_event(&state, Some(user.id), "password-reset", "").await?;
    if let Some(email) = user.email {
        let lang = crate::infra::mail_language::MailLanguage::of_own_action(&state.db, user.id).await?;
        state.mail_later(email, crate::auth::mail_text::password_changed(lang, &state.config.org));
    }
    Ok(())
}

#[cfg(feature = "ssr")]
fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

#[cfg(feature = "ssr")]
pub(crate) async fn audit_event(
    state: &AppState,
    user: Option<i64>,
    action: &str,
    detail: &str,
) -> Result<(), AppError> {
    let addr = crate::infra::client_addr();
    audit::append(
        &state.db,
        state.clock.now_ms(),
        AuditEvent { actor_user_id: user, action, client_addr: Some(&addr), detail, ..Default::default() },
    )
    .await?;
    Ok(())
}

#[cfg(feature = "ssr")]
struct FoundCode {
    code_id: i64,
    patient_id: i64,
    given_name: String,
    family_name: String,
}

/// Checks a code and birth date. Wrong code and wrong birth date get one message (so a
/// found code says nothing without the birth date); expired, used and replaced codes get
/// their own once the birth date matched. Failures are throttled per client address.
#[cfg(feature = "ssr")]
async fn verify_activation(state: &AppState, code: &str, birth_date: &str) -> Result<FoundCode, AppError> {
    let now = state.clock.now_ms();
    let network = crate::infra::client_network();
    let attempt = throttle::reserve(&state.db, now, throttle::ACTIVATION_PER_ADDRESS, &network).await?;
    let Some(birth) = crate::dates::parse_date(birth_date) else {
        // A typing slip, not a guess.
        throttle::release(&state.db, attempt).await?;
        return Err(AppError::invalid("birth_date", Problem::ActivationBirthDateInvalid));
    };
    let Some(normalized) = rules::normalize_code(code) else {
        return Err(AppError::invalid("code", Problem::ActivationFormat));
    };
    let found = store::find_code(&state.db, &normalized).await?;
    let Some(found) = found.filter(|c| crate::dates::parse_date(&c.birth_date) == Some(birth)) else {
        audit_event(state, None, "activation-failure", "no match").await?;
        return Err(AppError::invalid("code", Problem::ActivationNoMatch));
    };
    // Code and birth date matched: not a guess, whatever its state.
    throttle::release(&state.db, attempt).await?;
    let problem = if found.used || found.patient_enrolled {
        Some(Problem::ActivationUsed)
    } else if found.voided {
        Some(Problem::ActivationReplaced)
    } else if found.expires_at <= now {
        Some(Problem::ActivationExpired)
    } else if crate::dates::age_on(birth, state.clock.today()) < rules::MIN_ACCOUNT_AGE {
        Some(Problem::ActivationUnder13)
    } else {
        None
    };
    if let Some(key) = problem {
        return Err(AppError::invalid("code", key));
    }
    Ok(FoundCode {
        code_id: found.id,
        patient_id: found.patient_id,
        given_name: found.given_name,
        family_name: found.family_name,
    })
}
