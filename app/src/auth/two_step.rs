//! Two-step sign-in with an authenticator app (TOTP, RFC 6238, through `totp-rs`: a
//! maintained implementation that checks the skew window and hands back the step it
//! matched, so each code is accepted once). Ten single-use recovery codes stand in for a
//! lost phone. Optional for patients; every staff role must have it: a staff member's
//! sign-in without a factor opens a session that can only set one up.
//!
//! A session carries its stage: `SecondStep` after a right password when a code is due,
//! `Enroll` for staff without a factor, `Full` once signed in. Only `Full` sessions pass
//! `session::current`, so every door refuses the others.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Stage {
    Full,
    SecondStep,
    Enroll,
    /// Both steps done, but the password was chosen by an administrator: replace it first.
    NewPassword,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Full => "full",
            Stage::SecondStep => "second-step",
            Stage::Enroll => "enroll",
            Stage::NewPassword => "new-password",
        }
    }

    /// An unknown value is the most restricted stage (fails closed).
    pub fn parse(s: &str) -> Stage {
        match s {
            "full" => Stage::Full,
            "second-step" => Stage::SecondStep,
            "new-password" => Stage::NewPassword,
            _ => Stage::Enroll,
        }
    }

    /// The page a session at this stage goes to after the password.
    pub fn next_page(self) -> &'static str {
        match self {
            Stage::Full => after_sign_in(),
            Stage::SecondStep => "/two-step",
            Stage::Enroll => "/two-step/setup",
            Stage::NewPassword => "/two-step/password",
        }
    }
}

/// Where a fully signed-in session goes: the consent screen when this browser came to sign
/// in from an app's request (`connected_apps`), Home otherwise.
#[cfg(feature = "ssr")]
fn after_sign_in() -> &'static str {
    if crate::infra::cookies::read(crate::connected_apps::CONSENT_COOKIE).is_some() {
        crate::connected_apps::CONSENT_PATH
    } else {
        "/"
    }
}

#[cfg(not(feature = "ssr"))]
fn after_sign_in() -> &'static str {
    "/"
}

/// What setting up an authenticator shows, once.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TwoStepSetup {
    /// The secret in base32, in groups of four for typing by hand.
    pub secret: String,
    /// The otpauth:// address the QR code holds.
    pub uri: String,
    /// The QR code as an SVG document.
    pub qr_svg: String,
    pub recovery_codes: Vec<String>,
    /// A staff member setting up a required factor (the page says why).
    pub required: bool,
    /// At the first sign-in, before the session is signed in (a passkey added here needs
    /// no password again: it was just typed).
    pub enrolling: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TwoStepStatus {
    pub on: bool,
    /// Staff may not turn it off.
    pub required: bool,
    pub recovery_codes_left: i64,
}

/// Wrong codes per account and hour at the second step (a 6-digit code has a million
/// values; ten tries an hour make guessing hopeless).
pub const CODES_PER_HOUR: i64 = 10;

#[cfg(feature = "ssr")]
pub use server::*;

#[cfg(feature = "ssr")]
mod server {
    use totp_rs::{Builder, Secret, Totp};

    use super::{Stage, CODES_PER_HOUR};
    use crate::{
        auth::session::Session,
        error::AppError,
        infra::{crypto, throttle, AppState, Db},
        problem::Problem,
    };

    pub const TWO_STEP_LIMIT: throttle::Limit =
        throttle::Limit { scope: "two-step", max_failures: CODES_PER_HOUR, window_ms: 60 * 60 * 1000 };

    const RECOVERY_CODES: usize = 10;
    /// 10 characters from a 32-symbol alphabet: 50 random bits.
    const RECOVERY_ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

    fn totp(secret_base32: &str, account: &str, issuer: &str) -> Result<Totp, AppError> {
        let secret = Secret::try_from_base32(secret_base32).map_err(|_| {
            tracing::error!("a stored TOTP secret is not base32");
            AppError::Unavailable
        })?;
        // An issuer or account with a colon would break the otpauth label.
        Builder::new()
            .with_secret(secret)
            .with_account_name(account.replace(':', " "))
            .with_issuer(Some(issuer.replace(':', " ")))
            .build()
            .map_err(|e| {
                tracing::error!(error = %e, "TOTP parameters refused");
                AppError::Unavailable
            })
    }

    /// The 6-digit code of `secret_base32` at `unix_secs` (the seed's demo and the tests
    /// compute what an authenticator app would show).
    pub fn code_at(secret_base32: &str, unix_secs: u64) -> Result<String, AppError> {
        Ok(totp(secret_base32, "x", "x")?.generate(unix_secs).to_string())
    }

    /// A new random secret (160 bits, as RFC 4226 recommends), base32.
    pub fn new_secret() -> String {
        Secret::generate().to_base32()
    }

    fn now_secs(state: &AppState) -> u64 {
        (state.clock.now_ms() / 1000).max(0) as u64
    }

    /// Whether the user has a confirmed factor.
    pub async fn is_on(db: &Db, user_id: i64) -> Result<bool, sqlx::Error> {
        let confirmed: Option<Option<i64>> =
            sqlx::query_scalar("SELECT confirmed_at FROM totp_factors WHERE user_id = $1")
                .bind(user_id)
                .fetch_optional(&db.read)
                .await?;
        Ok(confirmed.flatten().is_some())
    }

    /// The stage after both steps: signed in, or first a new password when an administrator
    /// chose the current one.
    pub async fn stage_after_both_steps(db: &Db, user_id: i64) -> Result<Stage, sqlx::Error> {
        let must: i64 = sqlx::query_scalar("SELECT must_change_password FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(&db.read)
            .await?;
        Ok(if must != 0 { Stage::NewPassword } else { Stage::Full })
    }

    /// The stage a session starts at once the password was right: the second step when the
    /// user has a factor (an authenticator app; for staff, a passkey too).
    pub async fn stage_after_password(db: &Db, user_id: i64, is_staff: bool) -> Result<Stage, sqlx::Error> {
        // A patient's passkey is a way in instead of the password, not a second step they
        // did not ask for (a patient who loses the device has no recovery codes for it):
        // it is offered at the second step once an authenticator app has turned it on. A
        // staff member's passkey is their required factor.
        let has_factor = is_on(db, user_id).await?
            || (is_staff && crate::auth::passkeys::store::count(db, user_id).await? > 0);
        Ok(match (has_factor, is_staff) {
            (true, _) => Stage::SecondStep,
            (false, true) => Stage::Enroll,
            (false, false) => Stage::Full,
        })
    }

    /// Stores a confirmed factor directly (the seed's demo staff, the tests' staff).
    pub async fn enroll_confirmed(
        db: &Db,
        user_id: i64,
        secret_base32: &str,
        now: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO totp_factors (user_id, secret, created_at, confirmed_at) VALUES ($1, $2, $3, $3) \
             ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, confirmed_at = excluded.confirmed_at, \
             last_step = 0",
        )
        .bind(user_id)
        .bind(seal(db, secret_base32))
        .bind(now)
        .execute(&db.write)
        .await?;
        Ok(())
    }

    /// The key that seals authenticator secrets and pending recovery codes at rest,
    /// derived from the audit key (a file outside the database, `PORTICO_AUDIT_KEY_FILE`):
    /// a copy of the database alone cannot make anyone's codes.
    fn secrets_key(db: &Db) -> [u8; 32] {
        db.audit_key.derive("totp-secrets", "v1")
    }

    fn seal(db: &Db, text: &str) -> String {
        crypto::seal(&secrets_key(db), text)
    }

    fn unseal(db: &Db, stored: &str) -> Result<String, AppError> {
        crypto::open(&secrets_key(db), stored).ok_or_else(|| {
            tracing::error!("a stored TOTP secret does not open with this server's key");
            AppError::Unavailable
        })
    }

    /// Seals the secrets stored before they were sealed (run at start, after migrating).
    pub async fn seal_stored_secrets(db: &Db) -> Result<u64, sqlx::Error> {
        #[derive(sqlx::FromRow)]
        struct Plain {
            user_id: i64,
            secret: String,
            pending_codes: String,
        }
        let plain: Vec<Plain> = sqlx::query_as("SELECT user_id, secret, pending_codes FROM totp_factors")
            .fetch_all(&db.read)
            .await?;
        let mut sealed = 0;
        for row in plain.into_iter().filter(|r| !crypto::is_sealed(&r.secret)) {
            let codes =
                if row.pending_codes.is_empty() { String::new() } else { seal(db, &row.pending_codes) };
            sealed += sqlx::query(
                "UPDATE totp_factors SET secret = $1, pending_codes = $2 WHERE user_id = $3 AND secret = $4",
            )
            .bind(seal(db, &row.secret))
            .bind(codes)
            .bind(row.user_id)
            .bind(&row.secret)
            .execute(&db.write)
            .await?
            .rows_affected();
        }
        Ok(sealed)
    }

    /// How long a setup in progress shows the same secret and codes (a reload, a wrong
    /// code sent back to the page): after that, a new one.
    const SETUP_REUSE_MS: i64 = 15 * 60 * 1000;

    #[derive(sqlx::FromRow)]
    struct PendingRow {
        secret: String,
        pending_codes: String,
        created_at: i64,
    }

    /// A setup in progress: its secret and recovery codes, new or (within 15 minutes) the
    /// one already shown. Refused when a factor is already on.
    pub async fn begin_setup(state: &AppState, session: &Session) -> Result<super::TwoStepSetup, AppError> {
        let db = &state.db;
        if is_on(db, session.user_id).await? {
            return Err(AppError::invalid("form", Problem::TwoStepAlreadyOn));
        }
        let now = state.clock.now_ms();
        let pending: Option<PendingRow> = sqlx::query_as(
            "SELECT secret, pending_codes, created_at FROM totp_factors WHERE user_id = $1 AND confirmed_at IS NULL",
        )
        .bind(session.user_id)
        .fetch_optional(&db.read)
        .await?;
        let fresh = pending.filter(|p| now - p.created_at < SETUP_REUSE_MS && !p.pending_codes.is_empty());
        let (secret, codes) = match fresh {
            Some(p) => {
                let codes = unseal(db, &p.pending_codes)?;
                (unseal(db, &p.secret)?, codes.split(',').map(str::to_owned).collect::<Vec<_>>())
            }
            None => new_setup(db, session.user_id, now).await?,
        };
        let issuer = format!("{} Portico", state.config.org.name);
        let factor = totp(&secret, &session.username, &issuer)?;
        let uri = factor.to_url().map_err(|_| AppError::Unavailable)?;
        let qr_svg = qrcode::QrCode::new(uri.as_bytes())
            .map_err(|_| AppError::Unavailable)?
            .render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(200, 200)
            .build();
        let grouped: Vec<String> =
            secret.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect();
        Ok(super::TwoStepSetup {
            secret: grouped.join(" "),
            uri,
            qr_svg,
            recovery_codes: codes,
            required: session.role.is_staff(),
            enrolling: session.stage == Stage::Enroll,
        })
    }

    /// A new secret and ten recovery codes, stored as the setup in progress.
    async fn new_setup(db: &Db, user_id: i64, now: i64) -> Result<(String, Vec<String>), sqlx::Error> {
        let secret = new_secret();
        let codes: Vec<String> = (0..RECOVERY_CODES)
            .map(|_| {
                let raw = crypto::random_from_alphabet(RECOVERY_ALPHABET, 10);
                format!("{}-{}", &raw[..5], &raw[5..])
            })
            .collect();
        sqlx::query(
            "INSERT INTO totp_factors (user_id, secret, created_at, pending_codes) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, created_at = excluded.created_at, \
             pending_codes = excluded.pending_codes, confirmed_at = NULL, last_step = 0",
        )
        .bind(user_id)
        .bind(seal(db, &secret))
        .bind(now)
        .bind(seal(db, &codes.join(",")))
        .execute(&db.write)
        .await?;
        Ok((secret, codes))
    }

    /// "ABCDE-12345", "abcde12345", " abcde 12345 ": one code.
    fn normalize_recovery(code: &str) -> String {
        code.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_uppercase()
    }

    /// Checks a code against the user's factor (`confirmed`: an active one, else the setup
    /// in progress): a TOTP code for a step newer than the last accepted (so each works
    /// once), or, for an active factor, an unused recovery code (then used up). Wrong codes
    /// are limited per account (`TWO_STEP_LIMIT`).
    pub async fn check_code(
        state: &AppState,
        user_id: i64,
        code: &str,
        confirmed: bool,
    ) -> Result<Accepted, AppError> {
        let db = &state.db;
        let attempt =
            throttle::reserve(db, state.clock.now_ms(), TWO_STEP_LIMIT, &user_id.to_string()).await?;
        // An app's code has 6 digits, a recovery code 10 characters.
        let accepted = if confirmed && normalize_recovery(code).len() == 10 {
            use_recovery_code(db, user_id, code, state.clock.now_ms())
                .await?
                .then_some(Accepted::RecoveryCode)
        } else {
            accept_totp(state, user_id, code, confirmed).await?.map(Accepted::AppCode)
        };
        let Some(accepted) = accepted else {
            return Err(AppError::invalid("code", Problem::TwoStepCodeWrong));
        };
        throttle::release(db, attempt).await?;
        Ok(accepted)
    }

    /// What a right code was: the app's (with the secret it was checked against), or a
    /// recovery code (now used up).
    pub enum Accepted {
        AppCode(String),
        RecoveryCode,
    }

    #[derive(sqlx::FromRow)]
    struct FactorRow {
        secret: String,
        confirmed_at: Option<i64>,
    }

    async fn accept_totp(
        state: &AppState,
        user_id: i64,
        code: &str,
        confirmed: bool,
    ) -> Result<Option<String>, AppError> {
        let db = &state.db;
        let factor: Option<FactorRow> =
            sqlx::query_as("SELECT secret, confirmed_at FROM totp_factors WHERE user_id = $1")
                .bind(user_id)
                .fetch_optional(&db.read)
                .await?;
        let Some(factor) = factor.filter(|f| f.confirmed_at.is_some() == confirmed) else { return Ok(None) };
        let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        let Some(step) = totp(&unseal(db, &factor.secret)?, "x", "x")?.check(&digits, now_secs(state)) else {
            return Ok(None);
        };
        // One statement: of two requests with the same code, one moves last_step.
        let moved =
            sqlx::query("UPDATE totp_factors SET last_step = $1 WHERE user_id = $2 AND last_step < $1")
                .bind(step as i64)
                .bind(user_id)
                .execute(&db.write)
                .await?
                .rows_affected();
        Ok((moved == 1).then_some(factor.secret))
    }

    async fn use_recovery_code(db: &Db, user_id: i64, code: &str, now: i64) -> Result<bool, AppError> {
        let used = sqlx::query(
            "UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
        )
        .bind(now)
        .bind(user_id)
        .bind(crypto::sha256_hex(&normalize_recovery(code)))
        .execute(&db.write)
        .await?
        .rows_affected();
        Ok(used == 1)
    }

    /// Makes the setup in progress the active factor, if it is still the one whose code was
    /// checked (`secret`: not replaced meanwhile from another tab), with its recovery codes.
    /// False when it was replaced.
    pub async fn confirm(db: &Db, user_id: i64, secret: &str, now: i64) -> Result<bool, sqlx::Error> {
        let mut tx = db.write.begin().await?;
        let codes: Option<String> = sqlx::query_scalar(
            "UPDATE totp_factors SET confirmed_at = $1 WHERE user_id = $2 AND secret = $3 AND confirmed_at IS NULL \
             RETURNING pending_codes",
        )
        .bind(now)
        .bind(user_id)
        .bind(secret)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(codes) = codes else { return Ok(false) };
        let Some(codes) = crypto::open(&secrets_key(db), &codes) else {
            tracing::error!("pending recovery codes do not open with this server's key");
            return Err(sqlx::Error::Protocol("sealed recovery codes unreadable".into()));
        };
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
        for code in codes.split(',').filter(|c| !c.is_empty()) {
            sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
                .bind(user_id)
                .bind(crypto::sha256_hex(&normalize_recovery(code)))
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("UPDATE totp_factors SET pending_codes = '' WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    pub async fn recovery_codes_left(db: &Db, user_id: i64) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL")
            .bind(user_id)
            .fetch_one(&db.read)
            .await
    }

    /// Removes the factor and its recovery codes.
    pub async fn remove(db: &Db, user_id: i64) -> Result<(), sqlx::Error> {
        let mut tx = db.write.begin().await?;
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM totp_factors WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
        tx.commit().await
    }
}

// ------------------------------------------------------------------ server functions

#[cfg(feature = "ssr")]
use crate::{
    auth::session,
    infra::{audit, state, AppState},
};

#[cfg(feature = "ssr")]
async fn audit_user(state: &AppState, user_id: i64, action: &str) -> Result<(), AppError> {
    audit::user_event(&state.db, state.clock.now_ms(), user_id, action, "").await?;
    Ok(())
}

/// Tells the account's address that two-step sign-in was turned on or off (no PHI).
#[cfg(feature = "ssr")]
async fn notify_owner(state: &AppState, user_id: i64, on: bool) -> Result<(), AppError> {
    let text = |lang, org: &_| crate::auth::mail_text::two_step_changed(lang, org, on);
    crate::auth::security_mail::tell_owner(state, user_id, text).await
}

/// A session that may set up an authenticator: signed in, or a staff member setting up the
/// factor their role requires while the account has none (a passkey counts).
#[cfg(feature = "ssr")]
async fn setting_up_session(state: &AppState) -> Result<session::Session, AppError> {
    let session = session::current_at_any_stage(state).await?;
    match session.stage {
        Stage::Full => Ok(session),
        Stage::Enroll if crate::auth::passkeys::store::count(&state.db, session.user_id).await? == 0 => {
            Ok(session)
        }
        Stage::Enroll | Stage::SecondStep | Stage::NewPassword => Err(AppError::NotSignedIn),
    }
}

/// The second step: a code from the authenticator app, or a recovery code.
#[server(endpoint = "auth/two_step/verify")]
pub async fn verify_two_step(code: String) -> Result<(), AppError> {
    let state = state()?;
    let session = session::current_at_any_stage(&state).await?;
    match session.stage {
        Stage::SecondStep => {}
        // A second press of "Continue" after the first went through: done already.
        Stage::Full => {
            if crate::ui::form::is_form_post() {
                leptos_axum::redirect("/");
            }
            return Ok(());
        }
        Stage::Enroll | Stage::NewPassword => return Err(AppError::NotSignedIn),
    }
    let accepted = match check_code(&state, session.user_id, &code, true).await {
        Ok(accepted) => accepted,
        Err(refused) => {
            audit_user(&state, session.user_id, "two-step-failure").await?;
            return Err(refused);
        }
    };
    let next = stage_after_both_steps(&state.db, session.user_id).await?;
    session::set_stage(&state, session.id, next).await?;
    // Only a browser past both steps is one its owner signs in from (auth::device).
    crate::auth::device::remember(&state, session.user_id).await?;
    let action = match accepted {
        Accepted::AppCode(_) => "two-step",
        Accepted::RecoveryCode => "two-step-recovery",
    };
    audit_user(&state, session.user_id, action).await?;
    if crate::ui::form::is_form_post() {
        leptos_axum::redirect(next.next_page());
    }
    Ok(())
}

/// Starts setting up an authenticator (staff at their first sign-in, or anyone from
/// Account): the secret, its QR code and the recovery codes (the same ones on a reload
/// within 15 minutes).
#[server(endpoint = "auth/two_step/setup")]
pub async fn begin_two_step_setup() -> Result<TwoStepSetup, AppError> {
    let state = state()?;
    let session = setting_up_session(&state).await?;
    begin_setup(&state, &session).await
}

/// Finishes the setup with a code the app shows: the factor is on (the one whose code was
/// checked), and a staff member's session is now signed in.
#[server(endpoint = "auth/two_step/confirm")]
pub async fn confirm_two_step(code: String) -> Result<(), AppError> {
    let state = state()?;
    let session = setting_up_session(&state).await?;
    let wrong = || AppError::invalid("code", crate::problem::Problem::TwoStepCodeWrong);
    let Accepted::AppCode(secret) = check_code(&state, session.user_id, &code, false).await? else {
        return Err(wrong());
    };
    if !confirm(&state.db, session.user_id, &secret, state.clock.now_ms()).await? {
        return Err(wrong());
    }
    let next = stage_after_both_steps(&state.db, session.user_id).await?;
    session::set_stage(&state, session.id, next).await?;
    if session.stage == Stage::Enroll {
        // No other half-way session of this staff member goes further.
        session::end_other_partial(&state, session.user_id, session.id).await?;
        crate::auth::device::remember(&state, session.user_id).await?;
    }
    audit_user(&state, session.user_id, "two-step-on").await?;
    notify_owner(&state, session.user_id, true).await?;
    if crate::ui::form::is_form_post() {
        let page = if session.stage == Stage::Enroll { next.next_page() } else { "/account?done=two-step" };
        leptos_axum::redirect(page);
    }
    Ok(())
}

#[server(endpoint = "auth/two_step/status")]
pub async fn load_two_step_status() -> Result<TwoStepStatus, AppError> {
    let state = state()?;
    let session = session::current(&state).await?;
    Ok(TwoStepStatus {
        on: is_on(&state.db, session.user_id).await?,
        required: session.role.is_staff(),
        recovery_codes_left: recovery_codes_left(&state.db, session.user_id).await?,
    })
}

/// Turns two-step sign-in off (patients only; the current password is required).
#[server(endpoint = "auth/two_step/turn_off")]
pub async fn turn_off_two_step(current_password: String) -> Result<(), AppError> {
    let state = state()?;
    let session = session::current(&state).await?;
    if session.role.is_staff() {
        return Err(AppError::invalid("form", crate::problem::Problem::TwoStepRequiredForStaff));
    }
    // Limited as wrong codes are: a session left open is no way to guess.
    let again = crate::auth::current_password::require_again;
    again(&state, session.user_id, "off", &current_password, "two-step-off-failure").await?;
    let db = &state.db;
    remove(db, session.user_id).await?;
    audit_user(&state, session.user_id, "two-step-off").await?;
    notify_owner(&state, session.user_id, false).await?;
    if crate::ui::form::is_form_post() {
        leptos_axum::redirect("/account?done=two-step-off");
    }
    Ok(())
}

/// Replaces a first password an administrator chose (`portico admin create-staff`), the
/// last step before the session is signed in.
#[server(endpoint = "auth/two_step/new_password")]
pub async fn set_first_password(password: String, password_confirm: String) -> Result<(), AppError> {
    let state = state()?;
    let session = session::current_at_any_stage(&state).await?;
    if session.stage != Stage::NewPassword {
        return Err(AppError::NotSignedIn);
    }
    let email: Option<String> = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(session.user_id)
        .fetch_one(&state.db.read)
        .await?;
    let email = email.unwrap_or_default();
    let words: Vec<&str> = [session.username.as_str(), &email]
        .into_iter()
        .chain(session.display_name.split_whitespace())
        .collect();
    crate::auth::strength::check_strength(&password, &words).map_err(|k| AppError::invalid("password", k))?;
    if password != password_confirm {
        return Err(AppError::invalid("password_confirm", crate::problem::Problem::PasswordMismatch));
    }
    let hash = state.hasher.hash(&password).await?;
    let now = state.clock.now_ms();
    crate::auth::store::set_first_password(&state.db, session.user_id, &hash, now).await?;
    session::set_stage(&state, session.id, Stage::Full).await?;
    audit_user(&state, session.user_id, "first-password-set").await?;
    if crate::ui::form::is_form_post() {
        leptos_axum::redirect("/");
    }
    Ok(())
}
