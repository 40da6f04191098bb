//! SQL for identity, and nothing else.
use super::{rules, Role};
use crate::infra::{crypto, Db};

#[derive(sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub password_hash: String,
    pub email: Option<String>,
    pub display_name: String,
    /// A role this build does not know fails the read (never a default role).
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub patient_id: Option<i64>,
    /// Set when an administrator disabled the account: it signs in no more.
    pub disabled_at: Option<i64>,
    /// Set once the owner typed the code mailed to `email` (`email_code`): until then no
    /// reset code and no notice is sent there.
    pub email_confirmed_at: Option<i64>,
}

macro_rules! user_columns {
    () => {
        "id, username, password_hash, email, display_name, role, patient_id, disabled_at, email_confirmed_at"
    };
}

pub async fn user_by_username(db: &Db, username: &str) -> Result<Option<UserRow>, sqlx::Error> {
    sqlx::query_as(concat!("SELECT ", user_columns!(), " FROM users WHERE username = $1"))
        .bind(username)
        .fetch_optional(&db.read)
        .await
}

/// By username, or else by e-mail (the forgot-password form accepts either).
pub async fn user_by_username_or_email(db: &Db, who: &str) -> Result<Option<UserRow>, sqlx::Error> {
    if let Some(user) = user_by_username(db, who).await? {
        return Ok(Some(user));
    }
    // Only a confirmed address names an account: anyone can type someone else's address
    // on an account of their own, and must not capture (or block) that person's resets.
    sqlx::query_as(concat!(
        "SELECT ",
        user_columns!(),
        " FROM users WHERE email = $1 AND email_confirmed_at IS NOT NULL ORDER BY id LIMIT 1"
    ))
    .bind(who)
    .fetch_optional(&db.read)
    .await
}

pub async fn set_password_hash(db: &Db, user_id: i64, hash: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET password_hash = $1, password_changed_at = $2 WHERE id = $3")
        .bind(hash)
        .bind(now)
        .bind(user_id)
        .execute(&db.write)
        .await?;
    Ok(())
}

pub struct NewUser<'a> {
    pub username: &'a str,
    pub password_hash: &'a str,
    pub email: Option<&'a str>,
    pub display_name: &'a str,
    pub role: Role,
    pub patient_id: Option<i64>,
    /// The address was given by the clinic (staff, the seed) rather than typed by the
    /// person at sign-up or enrolment, who confirms it with a mailed code.
    pub email_confirmed: bool,
}

pub async fn insert_user<'c, E>(exec: E, user: &NewUser<'_>, now: i64) -> Result<i64, sqlx::Error>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    sqlx::query_scalar(
        "INSERT INTO users (username, password_hash, email, display_name, role, patient_id, \
         created_at, password_changed_at, email_confirmed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8) \
         RETURNING id",
    )
    .bind(user.username)
    .bind(user.password_hash)
    .bind(user.email)
    .bind(user.display_name)
    .bind(user.role.as_str())
    .bind(user.patient_id)
    .bind(now)
    .bind(user.email_confirmed.then_some(now))
    .fetch_one(exec)
    .await
}

pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}

// ---- the account's chart --------------------------------------------------------------

/// The chart of an account, if it has one.
pub async fn patient_of_user(db: &Db, user_id: i64) -> Result<Option<i64>, sqlx::Error> {
    let found: Option<Option<i64>> = sqlx::query_scalar("SELECT patient_id FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(&db.read)
        .await?;
    Ok(found.flatten())
}

// ---- activation codes -----------------------------------------------------------------

pub struct IssuedCode {
    /// Shown once, dash-grouped; never stored.
    pub code: String,
    pub expires_at: i64,
}

/// Issues a new code for a patient, voiding any unused one, in one transaction.
pub async fn issue_activation_code(
    db: &Db,
    patient_id: i64,
    issued_by: Option<i64>,
    now: i64,
) -> Result<IssuedCode, sqlx::Error> {
    let raw = crypto::random_from_alphabet(rules::CODE_ALPHABET, rules::CODE_SYMBOLS);
    let expires_at = now + rules::ACTIVATION_CODE_TTL_MS;
    let mut tx = db.write.begin().await?;
    sqlx::query(
        "UPDATE activation_codes SET voided_at = $1 \
         WHERE patient_id = $2 AND used_at IS NULL AND voided_at IS NULL",
    )
    .bind(now)
    .bind(patient_id)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO activation_codes (patient_id, code_hash, issued_by, issued_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(patient_id)
    .bind(crypto::sha256_hex(&raw))
    .bind(issued_by)
    .bind(now)
    .bind(expires_at)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(IssuedCode { code: rules::format_code(&raw), expires_at })
}

pub struct CodeRow {
    pub id: i64,
    pub patient_id: i64,
    pub expires_at: i64,
    pub used: bool,
    pub voided: bool,
    pub birth_date: String,
    pub given_name: String,
    pub family_name: String,
    pub patient_enrolled: bool,
}

/// A code as stored: instants and flags as SQL returns them.
#[derive(sqlx::FromRow)]
struct StoredCode {
    id: i64,
    patient_id: i64,
    expires_at: i64,
    used_at: Option<i64>,
    voided_at: Option<i64>,
    birth_date: String,
    given_name: String,
    family_name: String,
    enrolled: i64,
}

pub async fn find_code(db: &Db, normalized_code: &str) -> Result<Option<CodeRow>, sqlx::Error> {
    let found: Option<StoredCode> = sqlx::query_as(
        "SELECT c.id, c.patient_id, c.expires_at, c.used_at, c.voided_at, p.birth_date, \
         p.given_name, p.family_name, \
         CASE WHEN u.id IS NULL THEN 0 ELSE 1 END AS enrolled \
         FROM activation_codes c JOIN patients p ON p.id = c.patient_id \
         LEFT JOIN users u ON u.patient_id = p.id WHERE c.code_hash = $1",
    )
    .bind(crypto::sha256_hex(normalized_code))
    .fetch_optional(&db.read)
    .await?;
    Ok(found.map(|c| CodeRow {
        id: c.id,
        patient_id: c.patient_id,
        expires_at: c.expires_at,
        used: c.used_at.is_some(),
        voided: c.voided_at.is_some(),
        birth_date: c.birth_date,
        given_name: c.given_name,
        family_name: c.family_name,
        patient_enrolled: c.enrolled != 0,
    }))
}

pub enum Redeemed {
    User(i64),
    /// Someone else redeemed (or voided) the code first.
    CodeGone,
    UsernameTaken,
}

/// Marks the code used and creates the account in one transaction; the conditional
/// UPDATE lets exactly one of two simultaneous redemptions through.
pub async fn redeem_code(
    db: &Db,
    code_id: i64,
    user: &NewUser<'_>,
    now: i64,
) -> Result<Redeemed, sqlx::Error> {
    let mut tx = db.write.begin().await?;
    let claimed = sqlx::query(
        "UPDATE activation_codes SET used_at = $1 WHERE id = $2 \
         AND used_at IS NULL AND voided_at IS NULL AND expires_at > $1",
    )
    .bind(now)
    .bind(code_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if claimed != 1 {
        return Ok(Redeemed::CodeGone);
    }
    match insert_user(&mut *tx, user, now).await {
        Ok(id) => {
            tx.commit().await?;
            Ok(Redeemed::User(id))
        }
        // users.username is unique; users.patient_id is unique too, which a concurrent
        // redemption of another code for the same patient would hit.
        Err(e) if is_unique_violation(&e) => {
            let taken = user_by_username(db, user.username).await?.is_some();
            Ok(if taken { Redeemed::UsernameTaken } else { Redeemed::CodeGone })
        }
        Err(e) => Err(e),
    }
}

// ---- password resets ------------------------------------------------------------------

/// Creates a reset code (voiding earlier ones) and returns it for the e-mail.
pub async fn create_reset(db: &Db, user_id: i64, now: i64) -> Result<String, sqlx::Error> {
    let code = crypto::random_from_alphabet(b"0123456789", rules::RESET_CODE_DIGITS);
    let mut tx = db.write.begin().await?;
    sqlx::query("UPDATE password_resets SET voided_at = $1 WHERE user_id = $2 AND used_at IS NULL AND voided_at IS NULL")
        .bind(now)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO password_resets (user_id, code_hash, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(user_id)
    .bind(crypto::sha256_hex(&code))
    .bind(now)
    .bind(now + rules::RESET_CODE_TTL_MS)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(code)
}

#[derive(sqlx::FromRow)]
pub struct OpenReset {
    pub id: i64,
    pub code_hash: String,
    pub attempts: i64,
}

pub async fn open_reset(db: &Db, user_id: i64, now: i64) -> Result<Option<OpenReset>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, code_hash, attempts FROM password_resets WHERE user_id = $1 \
         AND used_at IS NULL AND voided_at IS NULL AND expires_at > $2 ORDER BY id DESC LIMIT 1",
    )
    .bind(user_id)
    .bind(now)
    .fetch_optional(&db.read)
    .await
}

/// Counts a wrong code; the fifth wrong try voids the code.
pub async fn reset_wrong_try(db: &Db, reset_id: i64, now: i64) -> Result<bool, sqlx::Error> {
    let attempts: i64 = sqlx::query_scalar(
        "UPDATE password_resets SET attempts = attempts + 1 WHERE id = $1 RETURNING attempts",
    )
    .bind(reset_id)
    .fetch_one(&db.write)
    .await?;
    let exhausted = attempts >= rules::RESET_MAX_TRIES;
    if exhausted {
        sqlx::query("UPDATE password_resets SET voided_at = $1 WHERE id = $2")
            .bind(now)
            .bind(reset_id)
            .execute(&db.write)
            .await?;
    }
    Ok(exhausted)
}

/// Uses the code, sets the password, ends every session of the account and removes its
/// passkeys, atomically.
/// `false` when the code was used or voided in the meantime.
pub async fn complete_reset(
    db: &Db,
    reset_id: i64,
    user_id: i64,
    hash: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let mut tx = db.write.begin().await?;
    let used = sqlx::query(
        "UPDATE password_resets SET used_at = $1 WHERE id = $2 AND used_at IS NULL AND voided_at IS NULL",
    )
    .bind(now)
    .bind(reset_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if used != 1 {
        return Ok(false);
    }
    sqlx::query("UPDATE users SET password_hash = $1, password_changed_at = $2 WHERE id = $3")
        .bind(hash)
        .bind(now)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
    sqlx::query("DELETE FROM trusted_devices WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
    // A passkey someone planted with a stolen session would outlive the new password.
    super::passkeys::store::remove_all(&mut *tx, user_id).await?;
    tx.commit().await?;
    Ok(true)
}

/// Disables (`Some(now)`) or enables (`None`) a staff account; disabling ends every session
/// at once. The account's id, or None when no staff account has that username.
pub async fn set_staff_disabled(
    db: &Db,
    username: &str,
    disabled_at: Option<i64>,
) -> Result<Option<i64>, sqlx::Error> {
    let mut tx = db.write.begin().await?;
    let id: Option<i64> = sqlx::query_scalar(
        "UPDATE users SET disabled_at = $1 WHERE username = $2 AND role <> 'patient' RETURNING id",
    )
    .bind(disabled_at)
    .bind(username)
    .fetch_optional(&mut *tx)
    .await?;
    if let (Some(id), Some(_)) = (id, disabled_at) {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// Makes a staff account's password unusable (a hash of a secret nobody holds), ends its
/// sessions and removes its passkeys: the person sets a new password through "Forgot
/// password". Its id, or None.
pub async fn require_staff_reset(
    db: &Db,
    username: &str,
    unusable_hash: &str,
    now: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let mut tx = db.write.begin().await?;
    let id: Option<i64> = sqlx::query_scalar(
        "UPDATE users SET password_hash = $1, password_changed_at = $2 WHERE username = $3 AND role <> 'patient' \
         RETURNING id",
    )
    .bind(unusable_hash)
    .bind(now)
    .bind(username)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(id) = id {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
        super::passkeys::store::remove_all(&mut *tx, id).await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// Marks an account's password as chosen by someone else (create-staff): the first sign-in
/// replaces it.
pub async fn require_first_password(db: &Db, user_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET must_change_password = 1 WHERE id = $1")
        .bind(user_id)
        .execute(&db.write)
        .await?;
    Ok(())
}

/// The person's own password in place of the one they were given.
pub async fn set_first_password(db: &Db, user_id: i64, hash: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE users SET password_hash = $1, password_changed_at = $2, must_change_password = 0 WHERE id = $3",
    )
    .bind(hash)
    .bind(now)
    .bind(user_id)
    .execute(&db.write)
    .await?;
    Ok(())
}
