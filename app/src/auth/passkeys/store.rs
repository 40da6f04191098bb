//! SQL for passkeys and their ceremonies, and nothing else.
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use webauthn_rs::prelude::Passkey;

use super::CEREMONY_MS;
use crate::infra::{crypto, Db};

/// A credential id as stored and looked up: base64url, as the browser shows it.
pub fn credential_key(raw: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(raw)
}

#[derive(sqlx::FromRow)]
pub struct StoredPasskey {
    pub id: i64,
    pub user_id: i64,
    pub user_handle: String,
    pub name: String,
    pub passkey: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

impl StoredPasskey {
    /// webauthn-rs' record. A row it cannot read fails closed (logged): that passkey
    /// signs no one in.
    pub fn credential(&self) -> Option<Passkey> {
        serde_json::from_str(&self.passkey)
            .inspect_err(
                |e| tracing::error!(error = %e, passkey = self.id, "a stored passkey does not parse"),
            )
            .ok()
    }
}

macro_rules! columns {
    () => {
        "id, user_id, user_handle, name, passkey, created_at, last_used_at"
    };
}

pub async fn of_user(db: &Db, user_id: i64) -> Result<Vec<StoredPasskey>, sqlx::Error> {
    sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        " FROM passkeys WHERE user_id = $1 ORDER BY created_at, id"
    ))
    .bind(user_id)
    .fetch_all(&db.read)
    .await
}

pub async fn count(db: &Db, user_id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM passkeys WHERE user_id = $1")
        .bind(user_id)
        .fetch_one(&db.read)
        .await
}

pub async fn by_credential(db: &Db, raw_id: &[u8]) -> Result<Option<StoredPasskey>, sqlx::Error> {
    sqlx::query_as(concat!("SELECT ", columns!(), " FROM passkeys WHERE credential_id = $1"))
        .bind(credential_key(raw_id))
        .fetch_optional(&db.read)
        .await
}

/// A new passkey to store.
pub struct NewPasskey<'a> {
    pub user_id: i64,
    pub user_handle: &'a str,
    pub name: &'a str,
    pub passkey: &'a Passkey,
}

/// When a new passkey may be stored.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    /// Below `MAX_PER_USER`.
    BelowLimit,
    /// A staff member's first factor: only while the account has none (of two sessions
    /// at that stage, one sets it up; the other is refused).
    FirstFactor,
}

/// Stores a new passkey in one statement that also checks `condition`. False when it was
/// not stored: the condition failed, or its credential id is stored already.
pub async fn insert(
    db: &Db,
    new: &NewPasskey<'_>,
    condition: Condition,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let json = serde_json::to_string(new.passkey).map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
    let first_factor = i64::from(condition == Condition::FirstFactor);
    let inserted = sqlx::query(
        "INSERT INTO passkeys (user_id, user_handle, credential_id, name, passkey, created_at) \
         SELECT $1, $2, $3, $4, $5, $6 \
         WHERE (SELECT COUNT(*) FROM passkeys WHERE user_id = $1) < $7 \
         AND ($8 = 0 OR (NOT EXISTS (SELECT 1 FROM passkeys WHERE user_id = $1) \
              AND NOT EXISTS (SELECT 1 FROM totp_factors WHERE user_id = $1 AND confirmed_at IS NOT NULL))) \
         ON CONFLICT (credential_id) DO NOTHING",
    )
    .bind(new.user_id)
    .bind(new.user_handle)
    .bind(credential_key(new.passkey.cred_id().as_ref()))
    .bind(new.name)
    .bind(json)
    .bind(now)
    .bind(super::MAX_PER_USER as i64)
    .bind(first_factor)
    .execute(&db.write)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

/// Records a sign-in with the passkey: its counter (`counter`, as the authenticator
/// signed it) and when. The counter must move forward (authenticators that keep none
/// send 0 every time): of two sign-ins that signed the same value, one is recorded and the
/// other is refused (false), as a cloned key's would be.
pub async fn record_use(
    db: &Db,
    id: i64,
    passkey: &Passkey,
    counter: u32,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let json = serde_json::to_string(passkey).map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
    let counter = i64::from(counter);
    let recorded = sqlx::query(
        "UPDATE passkeys SET passkey = $1, last_used_at = $2, sign_count = $4 \
         WHERE id = $3 AND (sign_count < $4 OR $4 = 0)",
    )
    .bind(json)
    .bind(now)
    .bind(id)
    .bind(counter)
    .execute(&db.write)
    .await?
    .rows_affected();
    Ok(recorded == 1)
}

/// Removes one of the user's passkeys; false when it is not theirs (or gone already), or
/// when `keep_a_factor` (staff) and it is the account's last factor: checked in the same
/// statement, so two removals at once cannot leave none.
pub async fn remove(db: &Db, user_id: i64, id: i64, keep_a_factor: bool) -> Result<bool, sqlx::Error> {
    let removed = sqlx::query(
        "DELETE FROM passkeys WHERE id = $1 AND user_id = $2 \
         AND ($3 = 0 OR (SELECT COUNT(*) FROM passkeys WHERE user_id = $2) > 1 \
              OR EXISTS (SELECT 1 FROM totp_factors WHERE user_id = $2 AND confirmed_at IS NOT NULL))",
    )
    .bind(id)
    .bind(user_id)
    .bind(i64::from(keep_a_factor))
    .execute(&db.write)
    .await?
    .rows_affected();
    Ok(removed == 1)
}

/// Removes every passkey of the account (an administrator's "require a password reset",
/// a password reset): whoever planted one with a stolen session loses it too.
pub async fn remove_all<'c, E>(exec: E, user_id: i64) -> Result<u64, sqlx::Error>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    Ok(sqlx::query("DELETE FROM passkeys WHERE user_id = $1")
        .bind(user_id)
        .execute(exec)
        .await?
        .rows_affected())
}

/// Sign-in ceremonies one network has open now (each lives five minutes).
pub async fn open_sign_ins(db: &Db, network: &str, now: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM passkey_ceremonies WHERE purpose = 'sign-in' AND network = $1 AND created_at >= $2",
    )
    .bind(network)
    .bind(now - CEREMONY_MS)
    .fetch_one(&db.read)
    .await
}

/// What a ceremony is for: checked when it finishes, so that a token from one kind of
/// ceremony cannot finish another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    Register,
    SignIn,
    SecondStep,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::Register => "register",
            Purpose::SignIn => "sign-in",
            Purpose::SecondStep => "second-step",
        }
    }
}

/// A ceremony taken back by its token.
#[derive(sqlx::FromRow)]
pub struct Ceremony {
    pub user_id: Option<i64>,
    pub session_id: Option<i64>,
    pub state: String,
}

/// Who started a ceremony: a session (registering, the second step), or, signing in, a
/// client network.
pub enum Starter<'a> {
    Session { user_id: i64, session_id: i64 },
    Network(&'a str),
}

/// Keeps a started ceremony's state; returns the token that finishes it. Ceremonies past
/// their time are dropped here, and a session's earlier one of the same purpose (a session
/// has one open at a time), so the table holds only live ones.
pub async fn begin_ceremony(
    db: &Db,
    purpose: Purpose,
    starter: Starter<'_>,
    state: &str,
    now: i64,
) -> Result<String, sqlx::Error> {
    sqlx::query("DELETE FROM passkey_ceremonies WHERE created_at < $1")
        .bind(now - CEREMONY_MS)
        .execute(&db.write)
        .await?;
    let (user_id, session_id, network) = match starter {
        Starter::Session { user_id, session_id } => {
            sqlx::query("DELETE FROM passkey_ceremonies WHERE session_id = $1 AND purpose = $2")
                .bind(session_id)
                .bind(purpose.as_str())
                .execute(&db.write)
                .await?;
            (Some(user_id), Some(session_id), "")
        }
        Starter::Network(network) => (None, None, network),
    };
    let token = crypto::random_token(32);
    sqlx::query(
        "INSERT INTO passkey_ceremonies (token_hash, purpose, user_id, session_id, network, state, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(crypto::sha256_hex(&token))
    .bind(purpose.as_str())
    .bind(user_id)
    .bind(session_id)
    .bind(network)
    .bind(state)
    .bind(now)
    .execute(&db.write)
    .await?;
    Ok(token)
}

/// Takes a ceremony back, once: the row is deleted by the same statement that reads it,
/// so of two answers with one token only one finds it. None when unknown, used, of
/// another purpose or past its time.
pub async fn take_ceremony(
    db: &Db,
    token: &str,
    purpose: Purpose,
    now: i64,
) -> Result<Option<Ceremony>, sqlx::Error> {
    sqlx::query_as(
        "DELETE FROM passkey_ceremonies WHERE token_hash = $1 AND purpose = $2 AND created_at >= $3 \
         RETURNING user_id, session_id, state",
    )
    .bind(crypto::sha256_hex(token))
    .bind(purpose.as_str())
    .bind(now - CEREMONY_MS)
    .fetch_optional(&db.write)
    .await
}
