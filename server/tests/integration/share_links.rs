//! A share as a SMART Health Link (issue 16): what a health app does with the `shlink:/`
//! it scanned, done here as the app would: decode the link, post the passcode to its
//! manifest, decrypt the JWE with the link's key, inflate it and read the FHIR bundle.
//! The share door's rules hold: a proxy's share holds nothing confidential, wrong
//! passcodes are counted and said, every read is in the patient's list, an ended share is
//! gone, and other sites' apps may call it (CORS) without any cookie.
use aes_gcm::{
    aead::{Aead, Payload},
    Aes256Gcm, KeyInit, Nonce,
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use reqwest::{header, StatusCode};
use serde_json::{json, Value};

use crate::{
    common::TestApp,
    documents::{assert_fhir_r4, parent_with, resources},
    proxy_fixture::{family, SECRET},
    share_codes::{make_share, LEO_BIRTH},
};
use app::access::Section;

on_both_databases!(
    an_app_reads_a_proxys_share_through_its_link_until_it_ends,
    wrong_passcodes_are_counted_and_said_until_the_link_closes
);

/// What the app reads from the `shlink:/` text.
struct Link {
    url: String,
    key: [u8; 32],
    payload: Value,
}

fn decode(shlink: &str) -> Link {
    let encoded = shlink.strip_prefix("shlink:/").expect("a shlink:/ link");
    let payload: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(encoded).unwrap()).unwrap();
    let key = URL_SAFE_NO_PAD.decode(payload["key"].as_str().unwrap()).unwrap().try_into().unwrap();
    Link { url: payload["url"].as_str().unwrap().to_owned(), key, payload }
}

/// The manifest request an app on another site makes.
async fn ask(app: &TestApp, link: &Link, body: Value) -> (StatusCode, Option<String>, Value) {
    let response = app
        .client()
        .post(&link.url)
        .header(header::ORIGIN, "https://health-app.example")
        .header("sec-fetch-site", "cross-site")
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let cors =
        response.headers().get(header::ACCESS_CONTROL_ALLOW_ORIGIN).map(|v| v.to_str().unwrap().to_owned());
    let answer = response.json().await.unwrap_or(Value::Null);
    (status, cors, answer)
}

/// The record in a compact JWE, as the app decrypts it: AES-256-GCM under the link's key
/// with the protected header as additional data, then inflated.
fn open_record(key: &[u8; 32], jwe: &str) -> Value {
    let parts: Vec<&str> = jwe.split('.').collect();
    assert_eq!(parts.len(), 5, "a compact JWE");
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    assert_eq!((header["alg"].as_str(), header["enc"].as_str()), (Some("dir"), Some("A256GCM")));
    let iv = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
    let mut sealed = URL_SAFE_NO_PAD.decode(parts[3]).unwrap();
    sealed.extend(URL_SAFE_NO_PAD.decode(parts[4]).unwrap());
    let deflated = Aes256Gcm::new(key.into())
        .decrypt(Nonce::from_slice(&iv), Payload { msg: &sealed, aad: parts[0].as_bytes() })
        .expect("the link's key opens the record");
    let json = if header["zip"] == "DEF" {
        miniz_oxide::inflate::decompress_to_vec(&deflated).unwrap()
    } else {
        deflated
    };
    let bundle: Value = serde_json::from_slice(&json).unwrap();
    assert_fhir_r4(&bundle);
    bundle
}

async fn an_app_reads_a_proxys_share_through_its_link_until_it_ends(app: &TestApp) {
    let f = family(app).await;
    let parent = parent_with(app, &f, &Section::GRANTABLE).await;
    let made = make_share(app, &parent, &[("scope", "summary"), ("hours", "24")]).await;
    let shlink = made["link"].as_str().expect("the link, shown with the code");
    assert!(made["link_qr"].as_str().unwrap().contains("<svg"), "and its QR code");
    let link = decode(shlink);
    assert!(link.url.starts_with(&format!("{}/api/shl/manifest?link=", app.base)), "{}", link.url);
    assert_eq!(link.payload["flag"], "P", "the app asks for a passcode");
    let exp = link.payload["exp"].as_i64().unwrap();
    assert!((exp - (app.clock.now_ms() / 1000 + 24 * 3600)).abs() <= 5, "ends with the share: {exp}");
    // Stored: the link's id as a keyed digest, its key sealed (a database copy has neither).
    let link_id = link.url.rsplit_once("link=").unwrap().1;
    let digest = app::access::share_link_hash(&app.state.db, link_id);
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM record_shares WHERE link_hash = '{digest}'")).await,
        1
    );
    let key_text = link.payload["key"].as_str().unwrap();
    let plain_key =
        app.count(&format!("SELECT COUNT(*) FROM record_shares WHERE link_key LIKE '%{key_text}%'")).await;
    assert_eq!(plain_key, 0);

    // Another site's app: a preflight, then the manifest with the passcode.
    let preflight = app
        .client()
        .request(reqwest::Method::OPTIONS, &link.url)
        .header(header::ORIGIN, "https://health-app.example")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), StatusCode::NO_CONTENT);
    assert_eq!(preflight.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    let (status, cors, answer) =
        ask(app, &link, json!({"recipient": "Dr. Lee's app", "passcode": LEO_BIRTH})).await;
    assert_eq!((status, cors.as_deref()), (StatusCode::OK, Some("*")), "{answer}");
    assert_eq!(answer["status"], "can-change", "made from the chart as it is at each answer");
    let file = &answer["files"][0];
    assert_eq!(file["contentType"], "application/fhir+json");
    let bundle = open_record(&link.key, file["embedded"].as_str().expect("embedded when no limit is set"));
    let problems: Vec<String> =
        resources(&bundle, "Condition").iter().map(|c| c["code"].to_string()).collect();
    assert!(problems.iter().any(|p| p.contains("asthma")), "{problems:?}");
    assert!(!bundle.to_string().contains(SECRET), "a proxy's share holds nothing confidential");
    assert_eq!(resources(&bundle, "Patient")[0]["birthDate"], LEO_BIRTH);

    // An app that takes records no longer than 100 characters is sent where to fetch it.
    let (status, _, answer) =
        ask(app, &link, json!({"recipient": "Small app", "passcode": LEO_BIRTH, "embeddedLengthMax": 100}))
            .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let location = answer["files"][0]["location"].as_str().expect("a location past the limit").to_owned();
    assert!(answer["files"][0]["embedded"].is_null());
    let fetched = app.client().get(&location).send().await.unwrap();
    assert_eq!(fetched.status(), StatusCode::OK);
    assert_eq!(fetched.headers()[header::CONTENT_TYPE], "application/jose");
    assert_eq!(fetched.headers()[header::CACHE_CONTROL], "no-store");
    let bundle = open_record(&link.key, &fetched.text().await.unwrap());
    assert!(!resources(&bundle, "Condition").is_empty());
    // Once: the address is spent; another is no address at all.
    assert_eq!(app.client().get(&location).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    let forged = location.replace("ticket=", "ticket=9");
    assert_eq!(app.client().get(&forged).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    // An app that does not say who asks is refused at the field (the patient reads it).
    let (status, _, _) = ask(app, &link, json!({"recipient": " ", "passcode": LEO_BIRTH})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // The patient sees each read, with the app's own words, and who has seen the record.
    let leo = app.signed_in("leo").await;
    let (_, page) = app.call(&leo, "share/list", &[]).await;
    let browsers: Vec<&str> = page["shares"][0]["views"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["browser"].as_str().unwrap())
        .collect();
    assert_eq!(browsers, ["SMART Health Link: Small app", "SMART Health Link: Dr. Lee's app"], "{page}");
    assert_eq!(app.audit_count("share-viewed").await, 3, "two manifests and one fetched record");

    // Ended: the manifest, and an address given before, are gone at once.
    let (_, _, answer) =
        ask(app, &link, json!({"recipient": "Small app", "passcode": LEO_BIRTH, "embeddedLengthMax": 100}))
            .await;
    let unspent = answer["files"][0]["location"].as_str().unwrap().to_owned();
    let id = page["shares"][0]["id"].to_string();
    assert_eq!(app.call(&parent, "share/end", &[("id", &id)]).await.0, StatusCode::OK);
    let (status, _, _) = ask(app, &link, json!({"recipient": "Dr. Lee's app", "passcode": LEO_BIRTH})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(app.client().get(&unspent).send().await.unwrap().status(), StatusCode::NOT_FOUND);
}

async fn wrong_passcodes_are_counted_and_said_until_the_link_closes(app: &TestApp) {
    family(app).await;
    let leo = app.signed_in("leo").await;
    let made = make_share(app, &leo, &[("scope", "summary"), ("hours", "168")]).await;
    let link = decode(made["link"].as_str().unwrap());
    // The patient's own share holds their confidential problem.
    let (status, _, answer) = ask(app, &link, json!({"recipient": "App", "passcode": LEO_BIRTH})).await;
    assert_eq!(status, StatusCode::OK);
    assert!(open_record(&link.key, answer["files"][0]["embedded"].as_str().unwrap())
        .to_string()
        .contains(SECRET));
    // Five wrong passcodes over the link's whole life (a right one in between gives none
    // back), each said with what is left; not a date counts as wrong too.
    for (passcode, left) in [("2011-03-03", 4), ("not a date", 3), ("2011-03-04", 2), ("2011-03-05", 1)] {
        let (status, _, answer) = ask(app, &link, json!({"recipient": "App", "passcode": passcode})).await;
        assert_eq!((status, answer["remainingAttempts"].as_i64()), (StatusCode::UNAUTHORIZED, Some(left)));
    }
    assert_eq!(ask(app, &link, json!({"recipient": "App", "passcode": LEO_BIRTH})).await.0, StatusCode::OK);
    let (status, _, answer) = ask(app, &link, json!({"recipient": "App", "passcode": "2011-03-06"})).await;
    assert_eq!((status, answer["remainingAttempts"].as_i64()), (StatusCode::UNAUTHORIZED, Some(0)));
    assert_eq!(app.audit_count("share-open-failed").await, 5);
    // The link is gone, even to the right passcode; the code, a credential of its own, works.
    let (status, _, _) = ask(app, &link, json!({"recipient": "App", "passcode": LEO_BIRTH})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let code = made["code"].as_str().unwrap();
    let (status, body) =
        app.call(&app.client(), "share/open", &[("code", code), ("birth_date", LEO_BIRTH)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // An unknown link is not found, whatever the passcode.
    let unknown = Link { url: format!("{}/api/shl/manifest?link=nope", app.base), ..link };
    let (status, _, _) = ask(app, &unknown, json!({"recipient": "App", "passcode": LEO_BIRTH})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
