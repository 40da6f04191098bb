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

/// Stores a new passkey. False when its credential id is already stored (registered twice).
pub async fn insert(
    db: &Db,
    user_id: i64,
    user_handle: &str,
    name: &str,
    passkey: &Passkey,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let json = serde_json::to_string(passkey).map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
    let inserted = sqlx::query(
        "INSERT INTO passkeys (user_id, user_handle, credential_id, name, passkey, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (credential_id) DO NOTHING",
    )
    .bind(user_id)
    .bind(user_handle)
    .bind(credential_key(passkey.cred_id().as_ref()))
    .bind(name)
    .bind(json)
    .bind(now)
    .execute(&db.write)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

/// Records a sign-in with the passkey: its updated counter and when.
pub async fn record_use(db: &Db, id: i64, passkey: &Passkey, now: i64) -> Result<(), sqlx::Error> {
    let json = serde_json::to_string(passkey).map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
    sqlx::query("UPDATE passkeys SET passkey = $1, last_used_at = $2 WHERE id = $3")
        .bind(json)
        .bind(now)
        .bind(id)
        .execute(&db.write)
        .await?;
    Ok(())
}

/// Removes one of the user's passkeys; false when it is not theirs (or gone already).
pub async fn remove(db: &Db, user_id: i64, id: i64) -> Result<bool, sqlx::Error> {
    let removed = sqlx::query("DELETE FROM passkeys WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .execute(&db.write)
        .await?
        .rows_affected();
    Ok(removed == 1)
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

/// Keeps a started ceremony's state; returns the token that finishes it. Ceremonies past
/// their time are dropped here, so the table holds only live ones.
pub async fn begin_ceremony(
    db: &Db,
    purpose: Purpose,
    user_id: Option<i64>,
    session_id: Option<i64>,
    state: &str,
    now: i64,
) -> Result<String, sqlx::Error> {
    sqlx::query("DELETE FROM passkey_ceremonies WHERE created_at < $1")
        .bind(now - CEREMONY_MS)
        .execute(&db.write)
        .await?;
    let token = crypto::random_token(32);
    sqlx::query(
        "INSERT INTO passkey_ceremonies (token_hash, purpose, user_id, session_id, state, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(crypto::sha256_hex(&token))
    .bind(purpose.as_str())
    .bind(user_id)
    .bind(session_id)
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
