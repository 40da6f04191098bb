//! Password hashing with argon2id on a bounded blocking pool: at most one hash per core
//! runs at once, so a flood of sign-ins cannot starve every other request, and at most
//! `QUEUED_PER_CORE` per core wait: past that the answer is "busy, retry in a second" at
//! once (503 with Retry-After), not a queue that grows without end.
use std::sync::Arc;

use argon2::{
    password_hash::{
        rand_core::OsRng, PasswordHash, PasswordHashString, PasswordHasher, PasswordVerifier, SaltString,
    },
    Algorithm, Argon2, Params, Version,
};
use tokio::sync::Semaphore;

use crate::error::AppError;

/// OWASP's argon2id minimum: 19 MiB, 2 passes, 1 lane.
pub const MEMORY_KIB: u32 = 19_456;
pub const ITERATIONS: u32 = 2;
pub const PARALLELISM: u32 = 1;

/// Hashes that may wait per core. An argon2id verification takes about 40 ms on one core of
/// the reference machine, so a full queue is drained in about a second.
pub const QUEUED_PER_CORE: usize = 16;
/// What a refused caller is told to wait.
const BUSY_RETRY_SECS: u64 = 1;

#[derive(Clone)]
pub struct Hasher {
    /// One per core: the hashes running.
    permits: Arc<Semaphore>,
    /// Running plus waiting: taken without waiting, or the request is refused.
    slots: Arc<Semaphore>,
    /// A hash of a random password with the current parameters, verified for unknown
    /// usernames (and unreadable stored hashes) so that they do the same work as known ones.
    dummy_hash: Arc<PasswordHashString>,
}

/// The target of the events that name a request's expensive steps. With sqlx's own
/// statement events (`sqlx::query`) they let a test check that two paths do the same work,
/// which a wall-clock comparison on a shared machine cannot (see server/tests/signin_steps.rs).
pub const STEPS_TARGET: &str = "portico::steps";

pub struct Verified {
    pub ok: bool,
    /// The stored hash used weaker or older parameters: store a fresh one.
    pub needs_rehash: bool,
}

fn argon2() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None)
        .expect("argon2 parameters are valid constants");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn hash_now(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    argon2().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| {
        tracing::error!(error = %e, "argon2 hash failed");
        AppError::Unavailable
    })
}

/// What decides an argon2 verification's cost: algorithm, version, memory, passes, lanes,
/// salt and output lengths. Never the hash itself.
fn shape(hash: &PasswordHash<'_>) -> String {
    let params = Params::try_from(hash).ok();
    format!(
        "{} v{} m={} t={} p={} salt={} out={}",
        hash.algorithm,
        hash.version.unwrap_or_default(),
        params.as_ref().map_or(0, Params::m_cost),
        params.as_ref().map_or(0, Params::t_cost),
        params.as_ref().map_or(0, Params::p_cost),
        hash.salt.map_or(0, |s| s.len()),
        hash.hash.map_or(0, |h| h.len()),
    )
}

fn is_current(hash: &PasswordHash<'_>) -> bool {
    let Ok(params) = Params::try_from(hash) else { return false };
    hash.algorithm.as_str() == "argon2id"
        && params.m_cost() >= MEMORY_KIB
        && params.t_cost() >= ITERATIONS
        && params.p_cost() >= PARALLELISM
}

impl Hasher {
    pub fn new() -> Self {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        Self::with_limits(cores, cores * QUEUED_PER_CORE)
    }

    /// `running` hashes at once and `waiting` more queued (tests use small numbers).
    pub fn with_limits(running: usize, waiting: usize) -> Self {
        // Fail at start-up rather than fall back to something cheaper: an empty dummy would
        // make every unknown username answer at once, telling an attacker which ones exist.
        let salt = SaltString::generate(&mut OsRng);
        let secret = crate::infra::crypto::random_token(24);
        let dummy = argon2()
            .hash_password(secret.as_bytes(), &salt)
            .expect("argon2id with constant, valid parameters always hashes")
            .serialize();
        Hasher {
            permits: Arc::new(Semaphore::new(running)),
            slots: Arc::new(Semaphore::new(running + waiting)),
            dummy_hash: Arc::new(dummy),
        }
    }

    async fn run_blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let slot = self
            .slots
            .clone()
            .try_acquire_owned()
            .map_err(|_| AppError::Busy { retry_after_secs: BUSY_RETRY_SECS })?;
        let permit = self.permits.clone().acquire_owned().await.map_err(|_| AppError::Unavailable)?;
        // The permits go with the work, not with this future: a client that hangs up does
        // not free a core's permit while its hash still runs.
        tokio::task::spawn_blocking(move || {
            let result = work();
            drop((permit, slot));
            result
        })
        .await
        .map_err(|_| AppError::Unavailable)
    }

    pub async fn hash(&self, password: &str) -> Result<String, AppError> {
        let password = password.to_owned();
        self.run_blocking(move || hash_now(&password)).await?
    }

    /// Verifies against `stored`, or against the dummy hash when there is no account (or
    /// the stored hash cannot be read): the same parameters, input and output sizes, so the
    /// same work and the same time whether or not the username exists.
    pub async fn verify(&self, password: &str, stored: Option<&str>) -> Result<Verified, AppError> {
        let stored = stored.map(str::to_owned);
        let password = password.to_owned();
        let dummy = self.dummy_hash.clone();
        self.run_blocking(move || {
            let readable = stored.as_deref().and_then(|s| match PasswordHash::new(s) {
                Ok(parsed) => Some(parsed),
                Err(e) => {
                    tracing::error!(error = %e, "a stored password hash cannot be read; verifying the dummy");
                    None
                }
            });
            let known = readable.is_some();
            let parsed = readable.unwrap_or_else(|| dummy.password_hash());
            tracing::debug!(target: STEPS_TARGET, step = "argon2-verify", shape = %shape(&parsed));
            let ok = argon2().verify_password(password.as_bytes(), &parsed).is_ok() && known;
            Verified { ok, needs_rehash: ok && !is_current(&parsed) }
        })
        .await
    }
}

impl Default for Hasher {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_old_params_need_rehash() {
        let hasher = Hasher::new();
        let hash = hasher.hash("a long enough passphrase").await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        let v = hasher.verify("a long enough passphrase", Some(&hash)).await.unwrap();
        assert!(v.ok && !v.needs_rehash);
        assert!(!hasher.verify("wrong", Some(&hash)).await.unwrap().ok);
        assert!(!hasher.verify("anything", None).await.unwrap().ok);

        let weak = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(8192, 1, 1, None).unwrap());
        let salt = SaltString::generate(&mut OsRng);
        let old = weak.hash_password(b"a long enough passphrase", &salt).unwrap().to_string();
        let v = hasher.verify("a long enough passphrase", Some(&old)).await.unwrap();
        assert!(v.ok && v.needs_rehash);
    }

    /// A full queue refuses at once instead of growing: one running, one waiting, the third
    /// is told to come back.
    #[tokio::test]
    async fn a_full_queue_answers_busy_at_once() {
        let hasher = Hasher::with_limits(1, 1);
        let (a, b, c) = tokio::join!(
            hasher.verify("one", None),
            hasher.verify("two", None),
            hasher.verify("three", None)
        );
        assert!(a.is_ok() && b.is_ok());
        assert_eq!(c.err(), Some(AppError::Busy { retry_after_secs: 1 }));
        // Once they are done, there is room again.
        assert!(hasher.verify("four", None).await.is_ok());
    }

    /// Unknown usernames verify the dummy: it must cost what a real account's hash costs.
    #[tokio::test]
    async fn the_dummy_hash_has_the_shape_of_a_real_one() {
        let hasher = Hasher::new();
        let real = hasher.hash("a long enough passphrase").await.unwrap();
        let real_shape = shape(&PasswordHash::new(&real).unwrap());
        assert_eq!(real_shape, "argon2id v19 m=19456 t=2 p=1 salt=22 out=32");
        assert_eq!(shape(&hasher.dummy_hash.password_hash()), real_shape);
    }
}
