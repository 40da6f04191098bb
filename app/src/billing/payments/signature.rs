//! Webhook signatures in Stripe's documented scheme, which the built-in test processor
//! uses too: the header `Stripe-Signature: t=<unix seconds>,v1=<hex>` where the hex is
//! HMAC-SHA-256, under the endpoint's secret, of `"<t>.<raw body>"`. A signature older (or
//! newer) than five minutes is refused, so a captured request cannot be replayed later; a
//! replay within the window is harmless anyway (each charge is recorded once).
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How far a signature's time may be from ours (Stripe's default tolerance).
pub const TOLERANCE_SECS: i64 = 300;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureError {
    /// No header, or no `t=` or `v1=` in it.
    Malformed,
    /// Signed too long ago (or in the future).
    Stale,
    /// No `v1` matches the body.
    Mismatch,
}

/// The header value for `body` signed at `unix_secs` (the test processor sends it).
pub fn sign(secret: &[u8], unix_secs: i64, body: &[u8]) -> String {
    format!("t={unix_secs},v1={}", hex::encode(mac(secret, unix_secs, body).finalize().into_bytes()))
}

/// Checks `header` against `body` at `now_secs`.
pub fn verify(secret: &[u8], header: &str, body: &[u8], now_secs: i64) -> Result<(), SignatureError> {
    let mut timestamp = None;
    let mut candidates = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", v)) => candidates.extend(hex::decode(v).ok()),
            _ => {}
        }
    }
    let t = timestamp.ok_or(SignatureError::Malformed)?;
    if candidates.is_empty() {
        return Err(SignatureError::Malformed);
    }
    // In i128: an extreme `t` must not overflow (a panic, or a wrapped "fresh").
    if (i128::from(now_secs) - i128::from(t)).abs() > i128::from(TOLERANCE_SECS) {
        return Err(SignatureError::Stale);
    }
    // verify_slice compares in constant time.
    if candidates.iter().any(|c| mac(secret, t, body).verify_slice(c).is_ok()) {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

fn mac(secret: &[u8], unix_secs: i64, body: &[u8]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(unix_secs.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_stripes_published_scheme() {
        // HMAC-SHA-256("whsec_test", "1700000000.{}"), computed independently with
        // `printf '1700000000.{}' | openssl dgst -sha256 -hmac whsec_test`.
        let header = sign(b"whsec_test", 1_700_000_000, b"{}");
        assert_eq!(header, format!("t=1700000000,v1={}", EXPECTED));
    }
    const EXPECTED: &str = "35495024f4ef3f94e5a93e22221544c4b75e9a42300cd965ab81cb85cd994e91";

    #[test]
    fn a_good_signature_passes_and_any_change_fails() {
        let body = br#"{"type":"checkout.session.completed"}"#;
        let header = sign(b"secret", 1_000, body);
        assert_eq!(verify(b"secret", &header, body, 1_000), Ok(()));
        assert_eq!(verify(b"secret", &header, body, 1_000 + TOLERANCE_SECS), Ok(()));
        assert_eq!(verify(b"other", &header, body, 1_000), Err(SignatureError::Mismatch));
        assert_eq!(
            verify(b"secret", &header, br#"{"type":"checkout.session.expired"}"#, 1_000),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(verify(b"secret", &header, body, 1_000 + TOLERANCE_SECS + 1), Err(SignatureError::Stale));
        assert_eq!(verify(b"secret", "v1=00", body, 1_000), Err(SignatureError::Malformed));
        assert_eq!(verify(b"secret", "t=1000", body, 1_000), Err(SignatureError::Malformed));
        let extreme = format!("t={},v1=00", i64::MIN);
        assert_eq!(verify(b"secret", &extreme, body, i64::MAX), Err(SignatureError::Stale));
        // A rotated secret: either of two v1 values may match.
        let other = sign(b"old", 1_000, body);
        let both = format!("{header},{}", other.split(',').nth(1).unwrap());
        assert_eq!(verify(b"old", &both, body, 1_000), Ok(()));
    }
}
