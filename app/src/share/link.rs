//! A share as a SMART Health Link (the HL7 / SMART Health Links specification, v1): the
//! `shlink:/` text and its QR code that a health app scans, and the encrypted answers it
//! reads. The link holds the address of the share's manifest, the 256-bit key the record is
//! encrypted with, when it ends, and flag "P" (the app asks its user for a passcode: the
//! patient's date of birth). Each record is a compact JWE (`alg` "dir", `enc` "A256GCM",
//! the FHIR JSON deflated first, as the specification asks), made afresh from the chart
//! as the share shows it when the app asks.
//!
//! aes-gcm (RustCrypto, already sealing the authenticator keys) encrypts and miniz_oxide
//! (already making the PDFs' streams) deflates: a JOSE crate would bring a second crypto
//! stack for the one algorithm pair the specification uses.
use aes_gcm::{
    aead::{Aead, Payload},
    Aes256Gcm, KeyInit, Nonce,
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use rand::{rngs::OsRng, RngCore};
use serde_json::json;

/// The manifest's path; the link's id follows as `?link=`.
pub const MANIFEST_PATH: &str = "/api/shl/manifest";
/// The path where an app fetches a record by a ticket (`?ticket=`), when it asked for
/// records no longer than some length.
pub const FILE_PATH: &str = "/api/shl/file";
/// What a record is: FHIR R4 JSON, a Bundle.
pub const CONTENT_TYPE: &str = "application/fhir+json";
/// The specification's limit for a link's label.
const LABEL_MAX_CHARS: usize = 80;

/// A fresh 256-bit key for one link.
pub fn new_key() -> [u8; 32] {
    let mut key = [0u8; 32];
    OsRng.fill_bytes(&mut key);
    key
}

/// The `shlink:/` text: base64url of the link's JSON payload.
pub fn shlink(origin: &str, link_id: &str, key: &[u8; 32], expires_ms: i64, label: &str) -> String {
    let payload = json!({
        "url": format!("{origin}{MANIFEST_PATH}?link={link_id}"),
        "key": URL_SAFE_NO_PAD.encode(key),
        "exp": expires_ms / 1000,
        "flag": "P",
        "label": label.chars().take(LABEL_MAX_CHARS).collect::<String>(),
        "v": 1,
    });
    format!("shlink:/{}", URL_SAFE_NO_PAD.encode(payload.to_string()))
}

/// The link as a QR code (an SVG the page shows inline), in byte mode as the link is.
pub fn qr_svg(shlink: &str) -> Option<String> {
    let code = qrcode::QrCode::with_error_correction_level(shlink.as_bytes(), qrcode::EcLevel::M).ok()?;
    Some(code.render::<qrcode::render::svg::Color<'_>>().min_dimensions(240, 240).build())
}

/// `content` encrypted under `key` as a compact JWE (direct key, AES-256-GCM, deflated).
pub fn jwe(key: &[u8; 32], content: &[u8]) -> String {
    let header = json!({"alg": "dir", "enc": "A256GCM", "cty": CONTENT_TYPE, "zip": "DEF"});
    let protected = URL_SAFE_NO_PAD.encode(header.to_string());
    let deflated = miniz_oxide::deflate::compress_to_vec(content, 6);
    let mut iv = [0u8; 12];
    OsRng.fill_bytes(&mut iv);
    // The protected header is the additional authenticated data (RFC 7516, 5.1).
    let sealed = Aes256Gcm::new(key.into())
        .encrypt(Nonce::from_slice(&iv), Payload { msg: &deflated, aad: protected.as_bytes() })
        .expect("AES-GCM encrypts any record we make");
    let (ciphertext, tag) = sealed.split_at(sealed.len() - 16);
    format!(
        "{protected}..{}.{}.{}",
        URL_SAFE_NO_PAD.encode(iv),
        URL_SAFE_NO_PAD.encode(ciphertext),
        URL_SAFE_NO_PAD.encode(tag)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decrypt(key: &[u8; 32], jwe: &str) -> Vec<u8> {
        let parts: Vec<&str> = jwe.split('.').collect();
        assert_eq!(parts.len(), 5);
        assert!(parts[1].is_empty(), "direct encryption has no encrypted key");
        let iv = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
        let mut sealed = URL_SAFE_NO_PAD.decode(parts[3]).unwrap();
        sealed.extend(URL_SAFE_NO_PAD.decode(parts[4]).unwrap());
        let deflated = Aes256Gcm::new(key.into())
            .decrypt(Nonce::from_slice(&iv), Payload { msg: &sealed, aad: parts[0].as_bytes() })
            .expect("decrypts with the link's key");
        miniz_oxide::inflate::decompress_to_vec(&deflated).unwrap()
    }

    #[test]
    fn a_record_opens_with_its_links_key_only() {
        let key = new_key();
        let record = br#"{"resourceType":"Bundle","type":"collection"}"#;
        let sealed = jwe(&key, record);
        assert_eq!(decrypt(&key, &sealed), record);
        let header: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(sealed.split('.').next().unwrap()).unwrap())
                .unwrap();
        assert_eq!(header["alg"], "dir");
        assert_eq!(header["enc"], "A256GCM");
        assert_eq!(header["zip"], "DEF");
        let other = new_key();
        let result = std::panic::catch_unwind(|| decrypt(&other, &sealed));
        assert!(result.is_err(), "another key opens nothing");
    }

    #[test]
    fn the_link_says_where_with_what_key_until_when_and_asks_for_a_passcode() {
        let key = [9u8; 32];
        let link = shlink("https://portal.example", "abc", &key, 1_800_000_000_000, &"x".repeat(100));
        let payload: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(link.strip_prefix("shlink:/").unwrap()).unwrap())
                .unwrap();
        assert_eq!(payload["url"], "https://portal.example/api/shl/manifest?link=abc");
        assert_eq!(payload["key"].as_str().unwrap().len(), 43);
        assert_eq!(payload["exp"], 1_800_000_000);
        assert_eq!(payload["flag"], "P");
        assert_eq!(payload["label"].as_str().unwrap().chars().count(), 80);
        assert!(qr_svg(&link).unwrap().starts_with("<?xml"));
    }
}
