//! A software authenticator for the passkey tests: what a phone's platform authenticator
//! does in a WebAuthn ceremony, built from the specification (a P-256 key, "none"
//! attestation, user present and verified), so the server's checks run on real
//! signatures. Browser tests use Chrome's own virtual authenticator instead.
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use p256::ecdsa::{signature::Signer, Signature, SigningKey};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// One credential, as an authenticator keeps it.
pub struct SoftPasskey {
    key: SigningKey,
    pub credential_id: Vec<u8>,
    pub user_handle: Vec<u8>,
    rp_id: String,
    origin: String,
    counter: u32,
}

const USER_PRESENT: u8 = 0x01;
const USER_VERIFIED: u8 = 0x04;
const ATTESTED_DATA: u8 = 0x40;

// ---- a little CBOR (RFC 8949), enough for an attestation object and a COSE key
fn head(major: u8, len: usize) -> Vec<u8> {
    let m = major << 5;
    match len {
        0..=23 => vec![m | len as u8],
        24..=0xff => vec![m | 24, len as u8],
        _ => {
            let mut out = vec![m | 25];
            out.extend_from_slice(&(len as u16).to_be_bytes());
            out
        }
    }
}
fn int(n: i64) -> Vec<u8> {
    if n >= 0 {
        head(0, n as usize)
    } else {
        head(1, (-1 - n) as usize)
    }
}
fn bytes(b: &[u8]) -> Vec<u8> {
    [head(2, b.len()), b.to_vec()].concat()
}
fn text(t: &str) -> Vec<u8> {
    [head(3, t.len()), t.as_bytes().to_vec()].concat()
}
fn map(entries: &[(Vec<u8>, Vec<u8>)]) -> Vec<u8> {
    let mut out = head(5, entries.len());
    for (k, v) in entries {
        out.extend_from_slice(k);
        out.extend_from_slice(v);
    }
    out
}

fn b64(data: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(data)
}

impl SoftPasskey {
    /// Answers `navigator.credentials.create` with `options` (the server's JSON), as from
    /// `origin`. `seed` makes the key (a distinct seed, a distinct key).
    pub fn create(options: &Value, origin: &str, seed: &str) -> (SoftPasskey, String) {
        let public = &options["publicKey"];
        let rp_id = public["rp"]["id"].as_str().expect("rp.id").to_owned();
        let user_handle = URL_SAFE_NO_PAD.decode(public["user"]["id"].as_str().unwrap()).unwrap();
        let key = SigningKey::from_slice(&Sha256::digest(seed.as_bytes())).unwrap();
        let credential_id = Sha256::digest(format!("credential {seed}").as_bytes())[..16].to_vec();
        let passkey =
            SoftPasskey { key, credential_id, user_handle, rp_id, origin: origin.to_owned(), counter: 0 };
        let answer = passkey.attestation(public["challenge"].as_str().unwrap());
        (passkey, answer)
    }

    fn client_data(&self, kind: &str, challenge: &str) -> Vec<u8> {
        json!({ "type": kind, "challenge": challenge, "origin": self.origin, "crossOrigin": false })
            .to_string()
            .into_bytes()
    }

    fn rp_id_hash(&self) -> Vec<u8> {
        Sha256::digest(self.rp_id.as_bytes()).to_vec()
    }

    fn cose_key(&self) -> Vec<u8> {
        let point = self.key.verifying_key().to_sec1_point(false);
        let xy = &point.as_bytes()[1..];
        map(&[
            (int(1), int(2)),  // kty: EC2
            (int(3), int(-7)), // alg: ES256
            (int(-1), int(1)), // crv: P-256
            (int(-2), bytes(&xy[..32])),
            (int(-3), bytes(&xy[32..])),
        ])
    }

    fn attestation(&self, challenge: &str) -> String {
        let mut auth_data = self.rp_id_hash();
        auth_data.push(USER_PRESENT | USER_VERIFIED | ATTESTED_DATA);
        auth_data.extend_from_slice(&self.counter.to_be_bytes());
        auth_data.extend_from_slice(&[0u8; 16]); // AAGUID
        auth_data.extend_from_slice(&(self.credential_id.len() as u16).to_be_bytes());
        auth_data.extend_from_slice(&self.credential_id);
        auth_data.extend_from_slice(&self.cose_key());
        let object = map(&[
            (text("fmt"), text("none")),
            (text("attStmt"), map(&[])),
            (text("authData"), bytes(&auth_data)),
        ]);
        json!({
            "id": b64(&self.credential_id),
            "rawId": b64(&self.credential_id),
            "type": "public-key",
            "extensions": {},
            "response": {
                "attestationObject": b64(&object),
                "clientDataJSON": b64(&self.client_data("webauthn.create", challenge)),
            },
        })
        .to_string()
    }

    /// Answers `navigator.credentials.get` with `options` (the server's JSON): a signed
    /// assertion, the counter one higher.
    pub fn assert(&mut self, options: &Value) -> String {
        let challenge = options["publicKey"]["challenge"].as_str().unwrap().to_owned();
        self.counter += 1;
        let mut auth_data = self.rp_id_hash();
        auth_data.push(USER_PRESENT | USER_VERIFIED);
        auth_data.extend_from_slice(&self.counter.to_be_bytes());
        let client_data = self.client_data("webauthn.get", &challenge);
        let signed = [auth_data.clone(), Sha256::digest(&client_data).to_vec()].concat();
        let signature: Signature = self.key.sign(&signed);
        json!({
            "id": b64(&self.credential_id),
            "rawId": b64(&self.credential_id),
            "type": "public-key",
            "extensions": {},
            "response": {
                "authenticatorData": b64(&auth_data),
                "clientDataJSON": b64(&client_data),
                "signature": b64(signature.to_der().as_bytes()),
                "userHandle": b64(&self.user_handle),
            },
        })
        .to_string()
    }

    /// Sets the signature counter (the next assertion signs `counter + 1`), as a cloned
    /// copy of the key, which missed the original's later uses, would.
    pub fn set_counter(&mut self, counter: u32) {
        self.counter = counter;
    }

    /// The same credential id and user handle with another key: a forgery.
    pub fn forged(&self) -> SoftPasskey {
        SoftPasskey {
            key: SigningKey::from_slice(&Sha256::digest(b"someone else's key")).unwrap(),
            credential_id: self.credential_id.clone(),
            user_handle: self.user_handle.clone(),
            rp_id: self.rp_id.clone(),
            origin: self.origin.clone(),
            counter: self.counter,
        }
    }
}
