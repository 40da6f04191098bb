//! Random secrets and their hashes. Secrets are shown once; only hashes are stored. A
//! secret the server must read again (an authenticator's key) is sealed instead.
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use rand::{rngs::OsRng, Rng, RngCore};
use sha2::{Digest, Sha256};

/// A URL-safe token with `bytes * 8` bits from the OS CSPRNG.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

/// SHA-256 in hex. Enough for high-entropy secrets (tokens, activation codes);
/// passwords use argon2 instead.
pub fn sha256_hex(input: &str) -> String {
    hex::encode(Sha256::digest(input.as_bytes()))
}

/// `len` characters drawn uniformly from `alphabet` by the OS CSPRNG.
pub fn random_from_alphabet(alphabet: &[u8], len: usize) -> String {
    (0..len).map(|_| alphabet[OsRng.gen_range(0..alphabet.len())] as char).collect()
}

/// Compares two strings in time that does not depend on where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// What `seal` writes before its output: the format, so that a later one can be told apart.
const SEALED_PREFIX: &str = "v1:";

/// Encrypts `text` with AES-256-GCM under `key`, with a random 96-bit nonce: "v1:" and
/// base64 of nonce then ciphertext (with its tag). A database copy without the key reads
/// nothing, and a changed byte fails `open`.
pub fn seal(key: &[u8; 32], text: &str) -> String {
    use aes_gcm::{aead::Aead, Aes256Gcm, KeyInit, Nonce};
    let mut nonce = [0u8; 12];
    OsRng.fill_bytes(&mut nonce);
    let cipher = Aes256Gcm::new(key.into());
    let sealed = cipher
        .encrypt(Nonce::from_slice(&nonce), text.as_bytes())
        .expect("AES-GCM encrypts any length we store");
    let mut out = nonce.to_vec();
    out.extend_from_slice(&sealed);
    format!("{SEALED_PREFIX}{}", URL_SAFE_NO_PAD.encode(out))
}

/// The text `seal` sealed under `key`; `None` when it was not sealed, or under another
/// key, or was changed.
pub fn open(key: &[u8; 32], sealed: &str) -> Option<String> {
    use aes_gcm::{aead::Aead, Aes256Gcm, KeyInit, Nonce};
    let bytes = URL_SAFE_NO_PAD.decode(sealed.strip_prefix(SEALED_PREFIX)?).ok()?;
    if bytes.len() < 12 {
        return None;
    }
    let (nonce, ciphertext) = bytes.split_at(12);
    let plain = Aes256Gcm::new(key.into()).decrypt(Nonce::from_slice(nonce), ciphertext).ok()?;
    String::from_utf8(plain).ok()
}

/// Whether `stored` is the output of `seal` (rather than text stored before sealing).
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(SEALED_PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_text_opens_with_its_key_only_and_not_once_changed() {
        let key = [7u8; 32];
        let sealed = seal(&key, "JBSWY3DPEHPK3PXP");
        assert!(is_sealed(&sealed) && !sealed.contains("JBSWY3DP"));
        assert_ne!(sealed, seal(&key, "JBSWY3DPEHPK3PXP"), "a fresh nonce each time");
        assert_eq!(open(&key, &sealed).as_deref(), Some("JBSWY3DPEHPK3PXP"));
        assert_eq!(open(&[8u8; 32], &sealed), None);
        let mut changed = sealed.clone().into_bytes();
        let last = changed.len() - 1;
        changed[last] = if changed[last] == b'A' { b'B' } else { b'A' };
        assert_eq!(open(&key, &String::from_utf8(changed).unwrap()), None);
        assert_eq!(open(&key, "JBSWY3DPEHPK3PXP"), None);
    }
}
