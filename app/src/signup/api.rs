//! Sign-up server functions, in its three steps. They are public (the applicant has no
//! session): what the applicant typed is the claim, the verifier's questions the proof.
use leptos::prelude::*;

use super::{Quiz, Verified};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {
    super::{store, verifier::Applicant, MIN_SIGN_UP_AGE, NAME_MAX_CHARS, QUESTIONS},
    crate::{
        auth::{email_code, mail_text, new_login, rules, session, store as auth_store, two_step::Stage},
        infra::{
            audit::{self, AuditEvent},
            crypto, state, throttle, AppState,
        },
        problem::Problem,
    },
};

/// Step 1: who the applicant says they are. Answers with three questions whether or not a
/// chart matched (see `mod.rs`); refuses only what the form itself shows (a field typed
/// wrong, an applicant under 18).
#[server(endpoint = "signup/start")]
pub async fn start_sign_up(
    given_name: String,
    family_name: String,
    birth_date: String,
    postal_code: String,
    phone: String,
    email: String,
) -> Result<Quiz, AppError> {
    let state = state()?;
    // Whatever was found, the questions come back no sooner than this: how long the
    // answer took must not say whether a chart matched.
    let answer_no_sooner =
        tokio::time::Instant::now() + std::time::Duration::from_millis(super::START_ANSWER_FLOOR_MS);
    let applicant =
        read_applicant(&state, &given_name, &family_name, &birth_date, &postal_code, &phone, &email)?;
    let now = state.clock.now_ms();
    // Every start counts (none is released): each one looks for a chart.
    let _counted =
        throttle::reserve(&state.db, now, throttle::SIGNUP_PER_ADDRESS, &crate::infra::client_network())
            .await?;
    // The questions are about the one chart with this name and birth date, whatever else
    // was typed (so changing the postal code or phone changes nothing in them); whether
    // they can be passed is decided here and kept on the server.
    let named = store::charts_named(&state.db, &applicant).await?;
    let chart = match named.as_slice() {
        [one] => Some(one),
        _ => None,
    };
    let passable = match chart {
        Some(chart) => may_pass(&state, chart, &applicant, now).await?,
        None => false,
    };
    let challenge = state.identity.start(&state, &applicant, chart.map(|c| c.patient_id)).await?;
    if let Some(chart) = chart {
        audit_chart(&state, chart.patient_id, "identity-quiz", "sign-up questions built from the chart")
            .await?;
    }
    let token = crypto::random_token(32);
    let new = store::NewSignUp {
        token_hash: &crypto::sha256_hex(&token),
        given_name: &applicant.given_name,
        family_name: &applicant.family_name,
        email: &applicant.email,
        verifier_state: &challenge.kept,
        asked_patient_id: chart.filter(|_| passable).map(|c| c.patient_id),
    };
    store::insert_sign_up(&state.db, &new, now).await?;
    tokio::time::sleep_until(answer_no_sooner).await;
    Ok(Quiz { token, questions: challenge.questions })
}

/// Step 2: the answers, once per sign-up. All right: the applicant may choose a username
/// and password. Anything else: the one "we could not verify you online" answer.
#[server(endpoint = "signup/answer")]
pub async fn answer_sign_up(
    token: String,
    #[server(default)] answer_0: Option<String>,
    #[server(default)] answer_1: Option<String>,
    #[server(default)] answer_2: Option<String>,
) -> Result<Verified, AppError> {
    let state = state()?;
    let given = [answer_0, answer_1, answer_2];
    let mut answers = Vec::with_capacity(QUESTIONS);
    for (i, answer) in given.iter().enumerate() {
        let chosen = answer.as_deref().and_then(|a| a.trim().parse::<usize>().ok());
        let Some(chosen) = chosen.filter(|&c| c < super::CHOICES) else {
            return Err(AppError::invalid(&format!("answer_{i}"), Problem::SignUpAnswerRequired));
        };
        answers.push(chosen);
    }
    let now = state.clock.now_ms();
    let Some(sign_up) = store::open_sign_up(&state.db, &crypto::sha256_hex(&token), now).await? else {
        return Err(AppError::invalid("form", Problem::SignUpExpired));
    };
    if sign_up.answered_at.is_some() {
        return Err(not_verified());
    }
    let verdict = state.identity.check(&state, &sign_up.verifier_state, &answers).await?;
    // Right answers about a chart this applicant may not sign up for pass nothing.
    let verified = verdict.filter(|p| sign_up.asked_patient_id == Some(*p));
    if !store::record_answers(&state.db, sign_up.id, verified, now).await? {
        return Err(not_verified());
    }
    let Some(patient_id) = verified else {
        if let Some(asked) = sign_up.asked_patient_id {
            // Counted towards locking the chart's online sign-up (kept: it is the failure).
            let _failure =
                throttle::reserve(&state.db, now, throttle::SIGNUP_FAILURES_PER_CHART, &asked.to_string())
                    .await;
            audit_chart(&state, asked, "identity-failed", "sign-up").await?;
        }
        return Err(not_verified());
    };
    audit_chart(&state, patient_id, "identity-verified", "sign-up").await?;
    // Proven: the chart's own spelling of the name may be shown now.
    let chart =
        crate::patients::store::patient_by_id(&state.db, patient_id).await?.ok_or(AppError::NotFound)?;
    Ok(Verified { given_name: chart.given_name })
}

/// Step 3: the account. Its e-mail address is the one given at step 1, confirmed with a
/// mailed code before anything else is sent to it; the new account is signed in.
#[server(endpoint = "signup/account")]
pub async fn create_sign_up_account(
    token: String,
    username: String,
    password: String,
    password_confirm: String,
) -> Result<(), AppError> {
    let state = state()?;
    let now = state.clock.now_ms();
    let sign_up = store::open_sign_up(&state.db, &crypto::sha256_hex(&token), now).await?;
    let Some((sign_up, patient_id)) = sign_up.and_then(|s| s.verified_patient_id.map(|p| (s, p))) else {
        return Err(AppError::invalid("form", Problem::SignUpExpired));
    };
    let words = [sign_up.email.as_str(), &sign_up.given_name, &sign_up.family_name];
    let login = new_login::check_and_hash(&state, &username, &password, &password_confirm, &words).await?;
    let (username, hash) = (login.username, login.password_hash);
    // The chart's names, not the typed ones (which matched them but for case).
    let chart =
        crate::patients::store::patient_by_id(&state.db, patient_id).await?.ok_or(AppError::NotFound)?;
    let display_name = format!("{} {}", chart.given_name, chart.family_name);
    let new_user = auth_store::NewUser {
        username: &username,
        password_hash: &hash,
        email: Some(&sign_up.email),
        display_name: &display_name,
        role: crate::auth::Role::Patient,
        patient_id: Some(patient_id),
        email_confirmed: false,
    };
    let user_id = match store::complete_sign_up(&state.db, sign_up.id, &new_user, now).await? {
        store::Completed::User(id) => id,
        store::Completed::UsernameTaken => return Err(AppError::invalid("username", Problem::UsernameTaken)),
        store::Completed::Gone => return Err(AppError::invalid("form", Problem::SignUpExpired)),
    };
    audit_chart(&state, patient_id, "sign-up", "account created after identity questions").await?;
    email_code::send(&state, user_id, &sign_up.email).await?;
    // The address on the chart (from registration) hears of it too: if someone else
    // passed the questions, the patient learns it from a place the applicant did not choose.
    if let Some(on_chart) = chart.email.filter(|e| !e.is_empty() && !e.eq_ignore_ascii_case(&sign_up.email)) {
        // The chart's preferred language (the account is new: it has no other).
        let lang = crate::infra::mail_language::MailLanguage::of_user(&state.db, user_id).await?;
        state.mail_later(on_chart, mail_text::account_created(lang, &state.config.org));
    }
    session::start(&state, user_id, rules::IDLE_WEB_MINUTES, Stage::Full).await?;
    leptos_axum::redirect("/account/email?new=1");
    Ok(())
}

#[cfg(feature = "ssr")]
fn not_verified() -> AppError {
    AppError::invalid("form", Problem::SignUpNotVerified)
}

/// Checks the form's fields, each with its own message.
#[cfg(feature = "ssr")]
fn read_applicant(
    state: &AppState,
    given_name: &str,
    family_name: &str,
    birth_date: &str,
    postal_code: &str,
    phone: &str,
    email: &str,
) -> Result<Applicant, AppError> {
    let name = |field: &str, value: &str| -> Result<String, AppError> {
        let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
        match value.chars().count() {
            0 => Err(AppError::invalid(field, Problem::SignUpNameRequired)),
            n if n > NAME_MAX_CHARS => Err(AppError::invalid(field, Problem::SignUpNameTooLong)),
            _ => Ok(value),
        }
    };
    let given_name = name("given_name", given_name)?;
    let family_name = name("family_name", family_name)?;
    let birth = crate::dates::parse_date(birth_date)
        .filter(|b| *b <= state.clock.today())
        .ok_or_else(|| AppError::invalid("birth_date", Problem::SignUpBirthDateInvalid))?;
    if crate::dates::age_on(birth, state.clock.today()) < MIN_SIGN_UP_AGE {
        return Err(AppError::invalid("birth_date", Problem::SignUpUnder18));
    }
    let postal_code = super::normalize_postal_code(postal_code)
        .ok_or_else(|| AppError::invalid("postal_code", Problem::SignUpPostalCodeInvalid))?;
    let phone = super::normalize_phone(phone)
        .ok_or_else(|| AppError::invalid("phone", Problem::SignUpPhoneInvalid))?;
    let email = rules::normalize_email(email).map_err(|k| AppError::invalid("email", k))?;
    Ok(Applicant { given_name, family_name, birth_date: birth, postal_code, phone, email })
}

/// Whether answering the chart's questions may open an account: the postal code or the
/// phone matches the chart's too, the chart has no account (its owner is told someone
/// tried), was not asked about too often today, and has not had too many wrong answers.
#[cfg(feature = "ssr")]
async fn may_pass(
    state: &AppState,
    chart: &store::NamedChart,
    a: &Applicant,
    now: i64,
) -> Result<bool, AppError> {
    let postal = chart.postal_code.as_deref().and_then(super::normalize_postal_code);
    let phone = chart.phone.as_deref().and_then(super::normalize_phone);
    if postal.as_deref() != Some(a.postal_code.as_str()) && phone.as_deref() != Some(a.phone.as_str()) {
        return Ok(false);
    }
    let key = chart.patient_id.to_string();
    // Counted before anything else, so the owner's mail below is limited too.
    if throttle::reserve(&state.db, now, throttle::SIGNUP_PER_CHART, &key).await.is_err() {
        audit_chart(state, chart.patient_id, "sign-up-refused", "too many sign-ups for this chart today")
            .await?;
        return Ok(false);
    }
    // Only a check: a failure is recorded when an answer is wrong.
    match throttle::reserve(&state.db, now, throttle::SIGNUP_FAILURES_PER_CHART, &key).await {
        Ok(check) => throttle::release(&state.db, check).await?,
        Err(_) => {
            audit_chart(state, chart.patient_id, "sign-up-refused", "online sign-up locked: wrong answers")
                .await?;
            return Ok(false);
        }
    }
    if chart.account_id.is_some() {
        audit_chart(state, chart.patient_id, "sign-up-refused", "the chart already has an account").await?;
        if let Some(email) = chart.account_email.clone().filter(|e| !e.is_empty()) {
            let lang = match chart.account_id {
                Some(owner) => crate::infra::mail_language::MailLanguage::of_user(&state.db, owner).await?,
                None => crate::infra::mail_language::MailLanguage::English,
            };
            state.mail_later(email, mail_text::sign_up_tried(lang, &state.config.org));
        }
        return Ok(false);
    }
    Ok(true)
}

/// Sign-up touches a chart without a session: each touch is on the chart's audit trail.
#[cfg(feature = "ssr")]
async fn audit_chart(state: &AppState, patient_id: i64, action: &str, detail: &str) -> Result<(), AppError> {
    let addr = crate::infra::client_addr();
    audit::append(
        &state.db,
        state.clock.now_ms(),
        AuditEvent {
            action,
            patient_id: Some(patient_id),
            client_addr: Some(&addr),
            detail,
            ..Default::default()
        },
    )
    .await?;
    Ok(())
}
