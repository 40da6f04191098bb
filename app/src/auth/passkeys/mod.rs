//! Passkeys (WebAuthn, through kanidm's `webauthn-rs`): a key on the person's phone or
//! computer, unlocked with their fingerprint, face or PIN. Usable instead of the password
//! (a username-less "Sign in with a passkey") or as the second step after it; for staff, a
//! passkey is the required second factor as an authenticator app is.
//!
//! The pages that use them are plain server-rendered forms; the browser's side of a
//! ceremony (`navigator.credentials`) is `public/passkey.js`, a small script with no
//! dependencies that the pages load when they show a passkey control. Each ceremony is two
//! requests: *start* sends the challenge and keeps webauthn-rs' state in the database under
//! a one-time token; *finish* takes the authenticator's answer with that token.
pub mod api;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod relying_party;
#[cfg(feature = "ssr")]
pub mod store;

use serde::{Deserialize, Serialize};

/// The longest name a person may give a passkey ("Work laptop").
pub const NAME_MAX_CHARS: usize = 60;
/// Passkeys one account may hold: enough for every device a person owns, and a bound on
/// what each sign-in's list and each registration's exclusion list carry.
pub const MAX_PER_USER: usize = 10;
/// How long a started ceremony waits for the authenticator's answer (WebAuthn's own
/// recommended timeout).
pub const CEREMONY_MS: i64 = 5 * 60 * 1000;
/// Sign-in ceremonies one client network may have open at once (each lives five minutes):
/// bounds the rows a script can make, and a flood blocks its own network for five minutes.
pub const SIGN_INS_OPEN_PER_NETWORK: i64 = 30;
/// The longest authenticator answer accepted (real ones are 1–3 KB of base64url).
pub const CREDENTIAL_MAX_BYTES: usize = 16 * 1024;

/// A started ceremony: the options for `navigator.credentials` (webauthn-rs' JSON, with
/// binary fields in base64url) and the token that finishes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Challenge {
    pub ceremony: String,
    pub options: String,
}

/// Where the browser goes once a ceremony has finished.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finished {
    pub next: String,
}

/// One of the user's passkeys, as "Passkeys" lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PasskeyInfo {
    pub id: i64,
    pub name: String,
    pub added: String,
    pub last_used: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PasskeyList {
    pub passkeys: Vec<PasskeyInfo>,
    /// Staff keep one factor: their only one cannot be removed.
    pub last_factor_kept: bool,
}

/// How the second step can be passed for the session's user.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SecondStepMethods {
    pub app_code: bool,
    pub passkey: bool,
}
