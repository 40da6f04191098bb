//! Random secrets and their hashes. Secrets are shown once; only hashes are stored.
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
