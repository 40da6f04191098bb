//! SMART's `openid fhirUser`: an OpenID Connect ID token that tells the app who linked it,
//! signed (RS256, which SMART and OpenID Connect both require servers to offer) with a key
//! whose public half the app fetches from `JWKS_PATH`.
//!
//! The signing key is made on first need (RSA, `KEY_BITS`) and
//! kept in `signing_keys`, its private half sealed under a key derived from the audit key
//! file. Every key in the table is published, so two servers that each made one at the
//! same moment both verify.
use base64::{engine::general_purpose::STANDARD, Engine as _};
use jsonwebtoken::{
    jwk::{Jwk, JwkSet, PublicKeyUse, ThumbprintHash},
    Algorithm, EncodingKey, Header,
};
use serde::Serialize;

use super::store::GrantRow;
use crate::infra::{crypto, AppState, Db};

/// Where the public keys are published (the configuration documents name it).
pub const JWKS_PATH: &str = "/oauth/jwks";
/// An ID token says who signed in when the app was linked or refreshed: read once, at
/// once. Five minutes leaves room for clocks that disagree a little.
pub const ID_TOKEN_LIFETIME_S: i64 = 5 * 60;
const ALGORITHM: Algorithm = Algorithm::RS256;

/// Why no token could be signed. Either way the app gets "try again" and the log the why.
#[derive(Debug)]
pub enum SigningError {
    Db(sqlx::Error),
    Key(String),
}

impl From<sqlx::Error> for SigningError {
    fn from(e: sqlx::Error) -> Self {
        SigningError::Db(e)
    }
}

fn key_error(what: &str, e: impl std::fmt::Display) -> SigningError {
    SigningError::Key(format!("{what}: {e}"))
}

/// The claims (OpenID Connect Core §2, SMART's `fhirUser`).
#[derive(Serialize)]
struct Claims<'a> {
    iss: String,
    /// Pairwise: the same user is a different subject to each app (see `subject`).
    sub: String,
    aud: &'a str,
    iat: i64,
    exp: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    nonce: Option<&'a str>,
    #[serde(rename = "fhirUser", skip_serializing_if = "Option::is_none")]
    fhir_user: Option<String>,
}

/// The ID token for this grant's user, when the grant's scope has `openid` (None without).
/// `nonce` is the authorize request's, given back on the code exchange only.
pub async fn for_grant(
    state: &AppState,
    now_ms: i64,
    grant: &GrantRow,
    nonce: Option<&str>,
) -> Result<Option<String>, SigningError> {
    let words: Vec<&str> = grant.scope.split_ascii_whitespace().collect();
    if !words.contains(&"openid") {
        return Ok(None);
    }
    // The consent granted `fhirUser` only to a user with a chart of their own: that is who
    // they are here (a proxy reading a child's chart is still themselves, not the child).
    let fhir_user = if words.contains(&"fhirUser") {
        crate::auth::store::patient_of_user(&state.db, grant.user_id)
            .await?
            .map(|own| format!("{}/Patient/{own}", super::oauth::fhir_base(state)))
    } else {
        None
    };
    let now_s = now_ms / 1000;
    let claims = Claims {
        iss: super::oauth::fhir_base(state),
        sub: subject(&state.db, &grant.client_id, grant.user_id),
        aud: &grant.client_id,
        iat: now_s,
        exp: now_s + ID_TOKEN_LIFETIME_S,
        nonce,
        fhir_user,
    };
    let (kid, key) = signing_key(&state.db, now_ms).await?;
    let mut header = Header::new(ALGORITHM);
    header.kid = Some(kid);
    jsonwebtoken::encode(&header, &claims, &key).map(Some).map_err(|e| key_error("signing", e))
}

/// A user's subject for one app: stable for that app, unrelated across apps (OpenID
/// Connect's pairwise identifiers), so two apps cannot match their users up by it.
fn subject(db: &Db, client_id: &str, user_id: i64) -> String {
    let derived = db.audit_key.derive("oidc-subject", &format!("{client_id}\n{user_id}"));
    hex::encode(&derived[..16])
}

/// The published keys (JWKS, RFC 7517).
pub async fn published(db: &Db) -> Result<JwkSet, SigningError> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT public_jwk FROM signing_keys ORDER BY created_at DESC, kid")
            .fetch_all(&db.read)
            .await?;
    let keys = rows
        .into_iter()
        .map(|(jwk,)| serde_json::from_str(&jwk).map_err(|e| key_error("a stored public key", e)))
        .collect::<Result<Vec<Jwk>, _>>()?;
    Ok(JwkSet { keys })
}

#[derive(sqlx::FromRow)]
struct KeyRow {
    kid: String,
    private_sealed: String,
}

/// The newest key and its id, made (and kept) when there is none.
async fn signing_key(db: &Db, now_ms: i64) -> Result<(String, EncodingKey), SigningError> {
    if let Some(row) = newest_key(db).await? {
        return opened(db, row);
    }
    let made = tokio::task::spawn_blocking(new_key).await.map_err(|e| key_error("making a key", e))??;
    sqlx::query(
        "INSERT INTO signing_keys (kid, alg, public_jwk, private_sealed, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&made.kid)
    .bind("RS256")
    .bind(&made.public_jwk)
    .bind(crypto::seal(&sealing_key(db), &STANDARD.encode(&made.private_der)))
    .bind(now_ms)
    .execute(&db.write)
    .await?;
    tracing::info!(kid = %made.kid, "made the key that signs connected apps' id_tokens");
    let row = newest_key(db).await?.ok_or_else(|| SigningError::Key("the new key is not stored".into()))?;
    opened(db, row)
}

async fn newest_key(db: &Db) -> Result<Option<KeyRow>, sqlx::Error> {
    // The writer's pool: right after a key is made, a reader must not miss it.
    sqlx::query_as("SELECT kid, private_sealed FROM signing_keys ORDER BY created_at DESC, kid LIMIT 1")
        .fetch_optional(&db.write)
        .await
}

fn opened(db: &Db, row: KeyRow) -> Result<(String, EncodingKey), SigningError> {
    let der = crypto::open(&sealing_key(db), &row.private_sealed)
        .and_then(|b64| STANDARD.decode(b64).ok())
        .ok_or_else(|| SigningError::Key("the signing key does not open with this audit key".into()))?;
    Ok((row.kid, EncodingKey::from_rsa_der(&der)))
}

/// What seals the private keys: derived from the audit key file, like the authenticator
/// secrets' key, so a copy of the database alone cannot sign.
fn sealing_key(db: &Db) -> [u8; 32] {
    db.audit_key.derive("id-token-signing-keys", "v1")
}

struct NewKey {
    kid: String,
    public_jwk: String,
    /// PKCS#1 DER.
    private_der: Vec<u8>,
}

/// RSA at 3072 bits (NIST's size for use past 2030).
const KEY_BITS: usize = 3072;

fn new_key() -> Result<NewKey, SigningError> {
    use rsa::{pkcs1::EncodeRsaPrivateKey, RsaPrivateKey};
    let private = RsaPrivateKey::new(&mut rand::rngs::OsRng, KEY_BITS).map_err(|e| key_error("making", e))?;
    let der = private.to_pkcs1_der().map_err(|e| key_error("encoding", e))?;
    let encoding = EncodingKey::from_rsa_der(der.as_bytes());
    let mut jwk =
        Jwk::from_encoding_key(&encoding, ALGORITHM).map_err(|e| key_error("the public half", e))?;
    let kid = jwk.thumbprint(ThumbprintHash::SHA256).map_err(|e| key_error("the thumbprint", e))?;
    jwk.common.key_id = Some(kid.clone());
    jwk.common.public_key_use = Some(PublicKeyUse::Signature);
    let public_jwk = serde_json::to_string(&jwk).map_err(|e| key_error("the public half", e))?;
    Ok(NewKey { kid, public_jwk, private_der: der.as_bytes().to_vec() })
}
