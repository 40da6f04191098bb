//! private_key_jwt (SMART "client-confidential-asymmetric", RFC 7523): a confidential app
//! proves itself with a short-lived JWT signed by a key whose public half an admin
//! registered, instead of a shared secret the server would have to keep.
//!
//! The assertion must be RS384 or ES384 (the two SMART servers must accept), name the app
//! as `iss` and `sub`, the token endpoint as `aud`, expire within five minutes, and carry a
//! `jti` never seen before from this app.
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use jsonwebtoken::{
    decode, decode_header,
    jwk::{AlgorithmParameters, EllipticCurve, JwkSet},
    Algorithm, DecodingKey, Validation,
};
use serde::Deserialize;

use super::store::{self, AppRow};
use crate::infra::AppState;

/// `client_assertion_type`'s one value.
pub const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
pub const ALGORITHMS: [Algorithm; 2] = [Algorithm::RS384, Algorithm::ES384];
/// SMART: an assertion's `exp` at most five minutes ahead (a minute more for clocks).
const LIFETIME_MAX_S: i64 = 5 * 60;
const CLOCK_SKEW_S: i64 = 60;
/// A registered key set: at most this many keys and bytes, RSA keys of at least 2048 bits.
pub const JWKS_MAX_KEYS: usize = 5;
pub const JWKS_MAX_BYTES: usize = 16 * 1024;
const RSA_MIN_BITS: usize = 2048;

#[derive(Deserialize)]
struct Claims {
    iss: String,
    exp: i64,
    #[serde(default)]
    jti: String,
}

/// The client id an assertion claims (its `iss`), read before anything is verified: only
/// to find the app whose keys then verify it.
pub fn claimed_client(assertion: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct Issuer {
        iss: String,
    }
    let payload = assertion.split('.').nth(1)?;
    let issuer: Issuer = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
    Some(issuer.iss)
}

/// Why an assertion was refused (the app is told only "invalid_client"; the log says which).
#[derive(Debug)]
pub enum Refused {
    NoKeys,
    Malformed(String),
    Replayed,
    Expired,
    Db(sqlx::Error),
}

/// Verifies `assertion` for `app` at `token_url`, and spends its `jti`.
pub async fn verify(
    state: &AppState,
    app: &AppRow,
    assertion: &str,
    token_url: &str,
    now_ms: i64,
) -> Result<(), Refused> {
    let keys: JwkSet =
        app.jwks.as_deref().and_then(|jwks| serde_json::from_str(jwks).ok()).ok_or(Refused::NoKeys)?;
    let malformed = |e: jsonwebtoken::errors::Error| Refused::Malformed(e.to_string());
    let header = decode_header(assertion).map_err(malformed)?;
    if !ALGORITHMS.contains(&header.alg) {
        return Err(Refused::Malformed(format!("{:?} is not RS384 or ES384", header.alg)));
    }
    let kid = header.kid.ok_or_else(|| Refused::Malformed("no kid".into()))?;
    let jwk = keys.find(&kid).ok_or_else(|| Refused::Malformed(format!("no registered key {kid}")))?;
    let mut rules = Validation::new(header.alg);
    rules.set_audience(&[token_url]);
    rules.set_issuer(&[app.client_id.as_str()]);
    rules.sub = Some(app.client_id.clone());
    rules.set_required_spec_claims(&["exp", "aud", "iss", "sub"]);
    // Expiry is judged on the server's clock (which the tests move), below.
    rules.validate_exp = false;
    let claims = decode::<Claims>(assertion, &DecodingKey::from_jwk(jwk).map_err(malformed)?, &rules)
        .map_err(malformed)?
        .claims;
    let now_s = now_ms / 1000;
    if claims.exp + CLOCK_SKEW_S <= now_s || claims.exp > now_s + LIFETIME_MAX_S + CLOCK_SKEW_S {
        return Err(Refused::Expired);
    }
    if claims.iss != app.client_id || claims.jti.is_empty() || claims.jti.len() > 256 {
        return Err(Refused::Malformed("jti is required (at most 256 characters)".into()));
    }
    let until_ms = (claims.exp + CLOCK_SKEW_S) * 1000;
    match store::spend_assertion(&state.db, app.id, &claims.jti, until_ms).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(Refused::Replayed),
        Err(e) => Err(Refused::Db(e)),
    }
}

/// Checks a key set an admin registers: JSON, 1 to `JWKS_MAX_KEYS` public keys, each with
/// a `kid`, each RSA (≥ 2048 bits) or EC P-384; private parts refused outright. Returns it
/// as it will be stored (re-serialised: only what verifying needs).
pub fn check_jwks(text: &str) -> Result<String, String> {
    if text.len() > JWKS_MAX_BYTES {
        return Err(format!("a key set of at most {JWKS_MAX_BYTES} bytes"));
    }
    let raw: serde_json::Value = serde_json::from_str(text).map_err(|_| "not JSON".to_string())?;
    let private = raw["keys"].as_array().is_some_and(|keys| keys.iter().any(|k| k.get("d").is_some()));
    if private {
        return Err("it holds a private key: register only the public half".into());
    }
    let keys: JwkSet = serde_json::from_value(raw).map_err(|e| format!("not a JWK set ({e})"))?;
    if keys.keys.is_empty() || keys.keys.len() > JWKS_MAX_KEYS {
        return Err(format!("give 1 to {JWKS_MAX_KEYS} keys"));
    }
    let mut kids = std::collections::BTreeSet::new();
    for key in &keys.keys {
        let kid = key.common.key_id.as_deref().filter(|k| !k.is_empty()).ok_or("every key needs a kid")?;
        if !kids.insert(kid) {
            return Err(format!("kid {kid} is used twice"));
        }
        match &key.algorithm {
            AlgorithmParameters::RSA(rsa) => {
                let bits = URL_SAFE_NO_PAD.decode(&rsa.n).map(|n| modulus_bits(&n)).unwrap_or(0);
                if bits < RSA_MIN_BITS {
                    return Err(format!("key {kid}: RSA keys of at least {RSA_MIN_BITS} bits"));
                }
            }
            AlgorithmParameters::EllipticCurve(ec) if ec.curve == EllipticCurve::P384 => {}
            _ => return Err(format!("key {kid}: RSA (RS384) or EC P-384 (ES384) only")),
        }
        DecodingKey::from_jwk(key).map_err(|e| format!("key {kid}: {e}"))?;
    }
    serde_json::to_string(&keys).map_err(|e| e.to_string())
}

/// A big-endian modulus's size in bits (leading zero bytes and bits do not count).
fn modulus_bits(n: &[u8]) -> usize {
    match n.iter().position(|b| *b != 0) {
        Some(first) => (n.len() - first) * 8 - n[first].leading_zeros() as usize,
        None => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P384: &str = r#"{"keys":[{"kty":"EC","crv":"P-384","kid":"k1","alg":"ES384",
        "x":"wcE8O55ro6aOuTf5Ty1k_IG4mTcuLiVercHouge1G5Ri-leevhev4uJzlHpi3U8r",
        "y":"mLRgz8Giu6XA_AqG8bywqbygShmd8jowflrdx0KQtM5X4s4aqDeCRfcpexykp3aI"}]}"#;

    #[test]
    fn a_public_p384_key_set_passes_and_the_rest_is_refused() {
        assert!(check_jwks(P384).is_ok());
        let with_private = P384.replace(r#""alg":"ES384","#, r#""alg":"ES384","d":"secret","#);
        assert!(check_jwks(&with_private).unwrap_err().contains("private"));
        assert!(check_jwks(&P384.replace(r#""kid":"k1","#, "")).unwrap_err().contains("kid"));
        assert!(check_jwks(&P384.replace("P-384", "P-256")).is_err());
        assert!(check_jwks(r#"{"keys":[]}"#).is_err());
        assert!(check_jwks("not json").is_err());
        assert!(check_jwks(&" ".repeat(JWKS_MAX_BYTES + 1)).is_err());
        let small_rsa = r#"{"keys":[{"kty":"RSA","kid":"r","n":"AQAB","e":"AQAB"}]}"#;
        assert!(check_jwks(small_rsa).unwrap_err().contains("2048"));
        // Zeros in front of a small modulus do not make it long.
        let mut padded = vec![0u8; 253];
        padded.extend([1, 0, 1]);
        let padded =
            small_rsa.replace(r#""n":"AQAB""#, &format!(r#""n":"{}""#, URL_SAFE_NO_PAD.encode(&padded)));
        assert!(check_jwks(&padded).unwrap_err().contains("2048"));
        assert_eq!(modulus_bits(&[0, 0x80, 0]), 16);
        assert_eq!(modulus_bits(&[0x01, 0xff]), 9);
    }

    #[test]
    fn the_claimed_client_is_read_from_the_payload() {
        let payload = URL_SAFE_NO_PAD.encode(r#"{"iss":"app-1","sub":"app-1"}"#);
        assert_eq!(claimed_client(&format!("e30.{payload}.sig")).as_deref(), Some("app-1"));
        assert_eq!(claimed_client("garbage"), None);
    }
}
