//! Connected apps (issue 18), run as a SMART app and a patient's browser would, over HTTP:
//! the authorize request, the consent screen's form, the code exchange with PKCE, FHIR
//! reads with the token, refresh, revoke. Every refusal the issue names is tried: a reused
//! code, a wrong verifier, plain or missing PKCE, a wrong redirect, a wrong `aud`, an
//! expired code, a reused refresh token (the grant ends), an unticked type, another
//! chart's id, a revoked app, a proxy's token after the proxy grant ends, a teen's
//! confidential result (absent from a parent's token).
use reqwest::{header, Client, StatusCode};
use serde_json::Value;

use crate::{
    common::TestApp,
    proxy_fixture::{family, grant, Family, LEO_MARK, SECRET},
};
use app::{
    access::{Relationship, Section},
    connected_apps::store::{register, NewApp},
    proxy::RequestKind,
};

on_both_databases!(
    a_patient_links_an_app_that_reads_pages_refreshes_and_is_revoked,
    each_refusal_of_the_authorize_and_token_steps,
    a_parents_token_reads_what_the_grant_shows_and_ends_with_it,
    every_served_type_reads_as_r4_and_a_parent_gets_nothing_confidential,
    an_admin_registers_an_app_and_sees_its_secret_once,
    openid_gives_a_signed_id_token_naming_the_user_to_each_app_apart,
    a_key_registered_app_signs_its_token_requests
);

const REDIRECT: &str = "https://tracker.example/callback";
/// RFC 7636's example pair.
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const STATE: &str = "af0ifjsldkj";
const LAB_SCOPE: &str =
    "launch/patient offline_access patient/Patient.read patient/Observation.read patient/DiagnosticReport.read \
     patient/MedicationRequest.read";

/// Registers an app; returns its client id and secret (confidential only).
async fn register_app(app: &TestApp, name: &str, confidential: bool) -> (String, Option<String>) {
    let new = NewApp {
        name: name.into(),
        confidential,
        redirect_uris: vec![REDIRECT.into()],
        logo_url: None,
        terms_url: "https://tracker.example/terms".into(),
        privacy_url: "https://tracker.example/privacy".into(),
        registered_by: "Test Clinic IT".into(),
        jwks: None,
    };
    let registered = register(&app.state.db, app.clock.now_ms(), &new, None).await.unwrap();
    (registered.client_id, registered.secret)
}

fn authorize_params<'a>(app: &'a TestApp, client_id: &'a str, scope: &'a str) -> Vec<(&'a str, String)> {
    vec![
        ("response_type", "code".into()),
        ("client_id", client_id.into()),
        ("redirect_uri", REDIRECT.into()),
        ("scope", scope.into()),
        ("state", STATE.into()),
        ("aud", format!("{}/fhir/r4", app.origin)),
        ("code_challenge", CHALLENGE.into()),
        ("code_challenge_method", "S256".into()),
    ]
}

async fn authorize(app: &TestApp, browser: &Client, params: &[(&str, String)]) -> reqwest::Response {
    browser.get(format!("{}/oauth/authorize", app.base)).query(params).send().await.unwrap()
}

/// The consent screen's form, posted as the browser posts it (no wasm), with the id of the
/// request the screen shows (as its hidden field holds).
async fn answer(app: &TestApp, browser: &Client, form: &[(&str, String)]) -> reqwest::Response {
    let (_, shown) = app.call(browser, "apps/consent", &[]).await;
    let mut form = form.to_vec();
    if !form.iter().any(|(name, _)| *name == "request") {
        form.push(("request", shown["request_id"].as_i64().unwrap_or(0).to_string()));
    }
    browser
        .post(format!("{}/api/apps/consent/answer", app.base))
        .header(header::ORIGIN, &app.origin)
        .header(header::ACCEPT, "text/html")
        .header(header::REFERER, format!("{}/connect", app.base))
        .form(&form)
        .send()
        .await
        .unwrap()
}

/// The query of the address the browser is sent back to the app with: the answer lands
/// on our own page (a form may not redirect off the site), which moves on to the app.
async fn back_at_app(app: &TestApp, browser: &Client, response: reqwest::Response) -> Vec<(String, String)> {
    let location = response.headers().get(header::LOCATION).map(|l| l.to_str().unwrap().to_string());
    let to = match location {
        Some(location) if location.starts_with(REDIRECT) => location,
        Some(location) => {
            assert_eq!(location, "/connect/done", "the answer lands on our own page");
            let page =
                browser.get(format!("{}{location}", app.base)).send().await.unwrap().text().await.unwrap();
            let href = page
                .split("href=\"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .expect("a link to the app");
            href.replace("&amp;", "&")
        }
        None => panic!("no redirect: {}", response.status()),
    };
    assert!(to.starts_with(REDIRECT), "{to}");
    url::Url::parse(&to).unwrap().query_pairs().into_owned().collect()
}

fn value_of(pairs: &[(String, String)], name: &str) -> Option<String> {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
}

/// Authorize, consent to `kinds` on `chart`, and return the code.
async fn link(
    app: &TestApp,
    browser: &Client,
    client_id: &str,
    scope: &str,
    chart: i64,
    kinds: &[&str],
) -> String {
    let hop = authorize(app, browser, &authorize_params(app, client_id, scope)).await;
    assert_eq!(hop.status(), StatusCode::OK);
    assert!(
        hop.text().await.unwrap().contains("url=/connect"),
        "the hop page moves on to the consent screen"
    );
    let mut form = vec![("decision", "allow".to_string()), ("chart", chart.to_string())];
    form.extend(kinds.iter().map(|k| ("kinds[]", k.to_string())));
    let back = back_at_app(app, browser, answer(app, browser, &form).await).await;
    assert_eq!(value_of(&back, "state").as_deref(), Some(STATE));
    value_of(&back, "code").expect("a code")
}

/// The app's token request (a public client names itself).
async fn token(app: &TestApp, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let response = app.client().post(format!("{}/oauth/token", app.base)).form(form).send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn exchange(app: &TestApp, client_id: &str, code: &str, verifier: &str) -> (StatusCode, Value) {
    token(
        app,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier),
            ("client_id", client_id),
        ],
    )
    .await
}

/// A discovery document (`smart-configuration`, `openid-configuration`): no token needed.
async fn discovery(app: &TestApp, name: &str) -> Value {
    let url = format!("{}/fhir/r4/.well-known/{name}", app.base);
    let response = app.client().get(url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{name}");
    response.json().await.unwrap()
}

/// A FHIR read as the app makes it from its own site.
async fn fhir(app: &TestApp, access_token: &str, path: &str) -> (StatusCode, Value) {
    let url =
        if path.starts_with("http") { path.to_string() } else { format!("{}/fhir/r4/{path}", app.base) };
    let response = app
        .client()
        .get(url)
        .bearer_auth(access_token)
        .header(header::ORIGIN, "https://tracker.example")
        .send()
        .await
        .unwrap();
    let status = response.status();
    if status == StatusCode::OK {
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/fhir+json");
        assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
        assert_eq!(response.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    }
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Parses a resource back into fhirbolt's R4 types (strict: unknown or missing fields fail).
fn assert_r4_resource(resource: &Value) {
    use fhirbolt::serde::{DeserializationConfig, DeserializationMode};
    let strict = Some(DeserializationConfig { mode: DeserializationMode::Strict });
    let parsed: Result<fhirbolt::model::r4::Resource, _> =
        fhirbolt::json::from_str(&resource.to_string(), strict);
    if let Err(e) = parsed {
        panic!("not a FHIR R4 resource: {e}\n{resource:#}");
    }
}

/// Every page of a search, following `next` links; each page's bundle is checked as R4.
async fn all_pages(app: &TestApp, access_token: &str, first: &str) -> (Vec<Value>, usize) {
    let (mut url, mut found, mut pages) = (first.to_string(), Vec::new(), 0);
    loop {
        let (status, bundle) = fhir(app, access_token, &url).await;
        assert_eq!(status, StatusCode::OK, "{bundle}");
        crate::documents::assert_fhir_r4(&bundle);
        pages += 1;
        found.extend(bundle["entry"].as_array().unwrap().iter().map(|e| e["resource"].clone()));
        match bundle["link"].as_array().unwrap().iter().find(|l| l["relation"] == "next") {
            Some(next) => url = next["url"].as_str().unwrap().to_string(),
            None => return (found, pages),
        }
    }
}

async fn add_result(app: &TestApp, patient: i64, name: &str, value: f64, days_ago: i64) -> (i64, i64) {
    let at = app.clock.now_ms() - days_ago * 86_400_000;
    let report: i64 = sqlx::query_scalar(
        "INSERT INTO diagnostic_reports (patient_id, code, name, collected_at, resulted_at, released_at) \
         VALUES ($1, '2345-7', $2, $3, $3, $3) RETURNING id",
    )
    .bind(patient)
    .bind(name)
    .bind(at)
    .fetch_one(&app.state.db.write)
    .await
    .unwrap();
    let observation: i64 = sqlx::query_scalar(
        "INSERT INTO observations (report_id, patient_id, loinc, name, value_num, unit, ref_low, ref_high, effective_at) \
         VALUES ($1, $2, '2345-7', 'Glucose', $3, 'mg/dL', 70, 99, $4) RETURNING id",
    )
    .bind(report)
    .bind(patient)
    .bind(value)
    .bind(at)
    .fetch_one(&app.state.db.write)
    .await
    .unwrap();
    (report, observation)
}

async fn a_patient_links_an_app_that_reads_pages_refreshes_and_is_revoked(app: &TestApp) {
    let f: Family = family(app).await;
    let (client_id, _) = register_app(app, "Tracker Health", false).await;
    let (_, emmas_observation) = add_result(app, f.emma, "Emma glucose", 90.0, 3).await;
    for day in 1..=3 {
        add_result(app, f.leo, &format!("{LEO_MARK} glucose {day}"), 80.0 + day as f64, day).await;
    }
    let leo = app.signed_in("leo").await;

    // The consent screen names the app, who registered it, its links and the kinds asked.
    let hop = authorize(app, &leo, &authorize_params(app, &client_id, LAB_SCOPE)).await;
    assert_eq!(hop.status(), StatusCode::OK);
    let page = leo.get(format!("{}/connect", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains("told that it was you"), "no openid asked");
    for words in [
        "Tracker Health",
        "Test Clinic IT",
        "https://tracker.example/terms",
        "Your lab results",
        "Your medications",
        "Allow Access",
        "Deny",
    ] {
        assert!(page.contains(words), "{words} on the consent screen");
    }

    // Allowed: lab results only (Basics and Medications unticked).
    let code = link(app, &leo, &client_id, LAB_SCOPE, f.leo, &["lab-results"]).await;
    let (status, tokens) = exchange(app, &client_id, &code, VERIFIER).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert_eq!(tokens["token_type"], "Bearer");
    assert!(tokens["expires_in"].as_i64().unwrap() <= 3600);
    assert_eq!(tokens["patient"], f.leo.to_string());
    let scope = tokens["scope"].as_str().unwrap();
    assert!(
        scope.contains("patient/Observation.read") && scope.contains("patient/DiagnosticReport.read"),
        "{scope}"
    );
    assert!(!scope.contains("Patient.read") && !scope.contains("MedicationRequest"), "unticked: {scope}");
    assert!(tokens.get("id_token").is_none(), "no openid asked, no ID token");
    let access = tokens["access_token"].as_str().unwrap().to_string();
    let refresh = tokens["refresh_token"].as_str().expect("offline_access gives a refresh token").to_string();

    // Observations, two to a page: every one once, newest first, Leo's confidential one
    // too (it is his own chart).
    let first = format!("Observation?patient={}&_count=2", f.leo);
    let (observations, pages) = all_pages(app, &access, &first).await;
    assert_eq!(observations.len(), 5, "3 glucose + the lipid panel + the confidential test");
    assert_eq!(pages, 3);
    let ids: std::collections::BTreeSet<&str> =
        observations.iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 5, "no repeats");
    let times: Vec<&str> = observations.iter().map(|o| o["effectiveDateTime"].as_str().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first: {times:?}");
    assert!(observations.iter().any(|o| o["code"]["coding"][0]["system"] == "http://loinc.org"));
    let (status, coded) = fhir(
        app,
        &access,
        &format!("Observation?patient={}&code=http://loinc.org|2345-7&date=ge2026-11-01", f.leo),
    )
    .await;
    assert_eq!((status, coded["entry"].as_array().unwrap().len()), (StatusCode::OK, 3));
    let (_, vitals) = fhir(app, &access, "Observation?category=vital-signs").await;
    assert_eq!(vitals["entry"].as_array().unwrap().len(), 0, "no vital signs on file");
    let one = &observations[0];
    let (status, read) = fhir(app, &access, &format!("Observation/{}", one["id"].as_str().unwrap())).await;
    assert_eq!(status, StatusCode::OK);
    assert_r4_resource(&read);
    let (reports, _) = all_pages(app, &access, "DiagnosticReport?_count=1").await;
    assert_eq!(reports.len(), 5);
    assert!(reports.iter().all(|r| r["result"].as_array().is_some_and(|r| r.len() == 1)));

    // Refused: a type unticked (403), another chart's id (404, as for no such id), a search
    // naming another patient (403), no token or a made-up one (401).
    let (status, outcome) = fhir(app, &access, &format!("Patient/{}", f.leo)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{outcome}");
    assert_eq!(outcome["resourceType"], "OperationOutcome");
    let (status, _) = fhir(app, &access, &format!("Observation/{emmas_observation}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = fhir(app, &access, "Observation/999999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = fhir(app, &access, &format!("Observation?patient={}", f.emma)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = fhir(app, "made-up", "Observation").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = fhir(app, &access, "Observation?name=glucose").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "an unknown search parameter is said, not ignored");

    // Every read is in Leo's audit log, naming the app.
    let reads = app
        .count(&format!("SELECT COUNT(*) FROM audit_log WHERE action = 'app-read' AND patient_id = {} AND detail LIKE 'Tracker Health|%'", f.leo))
        .await;
    assert!(reads >= 8, "{reads} app reads audited");
    let (_, log) = app.call(&leo, "proxy/access_log", &[]).await;
    let by_app = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["who"]["App"]["app"] == "Tracker Health" && e["who"]["App"]["linked_by"] == "leo")
        .count();
    assert!(by_app >= 8, "\"Who has seen my record\" names the app for each read: {log}");

    // Refresh: a new pair; the old refresh token used again ends the grant.
    let refreshed = token(
        app,
        &[("grant_type", "refresh_token"), ("refresh_token", &refresh), ("client_id", &client_id)],
    )
    .await;
    assert_eq!(refreshed.0, StatusCode::OK, "{}", refreshed.1);
    let new_access = refreshed.1["access_token"].as_str().unwrap().to_string();
    assert_eq!(fhir(app, &new_access, "Observation?_count=1").await.0, StatusCode::OK);
    let reused = token(
        app,
        &[("grant_type", "refresh_token"), ("refresh_token", &refresh), ("client_id", &client_id)],
    )
    .await;
    assert_eq!((reused.0, reused.1["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
    assert_eq!(
        fhir(app, &new_access, "Observation?_count=1").await.0,
        StatusCode::UNAUTHORIZED,
        "the whole grant ended"
    );
    assert_eq!(fhir(app, &access, "Observation?_count=1").await.0, StatusCode::UNAUTHORIZED);

    // Linked apps: a second link is listed; Leo revokes it and its access token stops at once.
    let code = link(app, &leo, &client_id, LAB_SCOPE, f.leo, &["basics", "lab-results"]).await;
    let (_, tokens) = exchange(app, &client_id, &code, VERIFIER).await;
    let access = tokens["access_token"].as_str().unwrap().to_string();
    let (status, patient) = fhir(app, &access, &format!("Patient/{}", f.leo)).await;
    assert_eq!(status, StatusCode::OK);
    assert_r4_resource(&patient);
    let (status, linked) = app.call(&leo, "apps/linked", &[]).await;
    assert_eq!(status, StatusCode::OK);
    let linked = linked.as_array().unwrap();
    assert_eq!(linked.len(), 1, "the revoked grant is gone from the list: {linked:?}");
    assert_eq!(linked[0]["app_name"], "Tracker Health");
    assert!(linked[0]["last_used"].is_string(), "the read above is its last use");
    let page = leo.get(format!("{}/account/apps", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Tracker Health") && page.contains("Remove access"), "{page}");
    let grant_id = linked[0]["grant_id"].as_i64().unwrap().to_string();
    let (status, _) = app.call(&app.signed_in("jordan").await, "apps/revoke", &[("id", &grant_id)]).await;
    assert_ne!(status, StatusCode::OK, "someone else cannot revoke Leo's link");
    assert_eq!(fhir(app, &access, &format!("Patient/{}", f.leo)).await.0, StatusCode::OK);
    let (status, _) = app.call(&leo, "apps/revoke", &[("id", &grant_id)]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(fhir(app, &access, &format!("Patient/{}", f.leo)).await.0, StatusCode::UNAUTHORIZED);
}

async fn each_refusal_of_the_authorize_and_token_steps(app: &TestApp) {
    let f = family(app).await;
    let (client_id, _) = register_app(app, "Tracker Health", false).await;
    let leo = app.signed_in("leo").await;
    let with = |changes: &[(&'static str, &str)]| {
        let mut params = authorize_params(app, &client_id, LAB_SCOPE);
        for (name, value) in changes {
            params.retain(|(n, _)| n != name);
            if !value.is_empty() {
                params.push((name, value.to_string()));
            }
        }
        params
    };

    // An unknown app or an unregistered redirect: an error page here, never a redirect.
    for changes in [&[("client_id", "nobody")][..], &[("redirect_uri", "https://evil.example/cb")][..]] {
        let response = authorize(app, &leo, &with(changes)).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert!(response.headers().get(header::LOCATION).is_none());
    }
    // Everything else goes back to the app with the error and the state.
    let cases: [(&[(&str, &str)], &str); 6] = [
        (&[("code_challenge_method", "plain"), ("code_challenge", VERIFIER)], "invalid_request"),
        (&[("code_challenge_method", ""), ("code_challenge", "")], "invalid_request"),
        (&[("aud", "https://elsewhere.example/fhir")], "invalid_request"),
        (&[("state", "")], "invalid_request"),
        (&[("response_type", "token")], "unsupported_response_type"),
        (&[("scope", "launch/patient user/Observation.read")], "invalid_scope"),
    ];
    for (changes, error) in cases {
        let back = back_at_app(app, &leo, authorize(app, &leo, &with(changes)).await).await;
        assert_eq!(value_of(&back, "error").as_deref(), Some(error), "{changes:?}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM smart_requests").await, 0, "no refused request is kept");

    // Not signed in yet: signing in goes on to the consent screen, not Home.
    let browser = app.client();
    assert_eq!(authorize(app, &browser, &with(&[])).await.status(), StatusCode::OK);
    let signed_in = browser
        .post(format!("{}/api/auth/sign_in", app.base))
        .header(header::ORIGIN, &app.origin)
        .header(header::ACCEPT, "text/html")
        .header(header::REFERER, format!("{}/signin", app.base))
        .form(&[("username", "leo"), ("password", crate::common::PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.headers()[header::LOCATION], "/connect");

    // Deny: back to the app with access_denied; nothing granted.
    authorize(app, &leo, &with(&[])).await;
    let back = back_at_app(app, &leo, answer(app, &leo, &[("decision", "deny".into())]).await).await;
    assert_eq!(value_of(&back, "error").as_deref(), Some("access_denied"));
    assert_eq!(value_of(&back, "state").as_deref(), Some(STATE));
    // The request is answered: the consent screen has nothing left to ask.
    let page = leo.get(format!("{}/connect", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Nothing to answer"), "{page}");
    // A screen answered after another request replaced it (another tab, or a page that
    // started one for another app): refused, nothing granted.
    authorize(app, &leo, &with(&[])).await;
    let (_, first) = app.call(&leo, "apps/consent", &[]).await;
    let (other_id, _) = register_app(app, "Other App", false).await;
    authorize(app, &leo, &authorize_params(app, &other_id, LAB_SCOPE)).await;
    let stale = answer(
        app,
        &leo,
        &[
            ("decision", "allow".into()),
            ("chart", f.leo.to_string()),
            ("kinds[]", "lab-results".into()),
            ("request", first["request_id"].to_string()),
        ],
    )
    .await;
    assert!(stale.headers()[header::LOCATION].to_str().unwrap().contains("__err="));
    assert_eq!(app.count("SELECT COUNT(*) FROM smart_grants").await, 0);
    // Nothing ticked, or no chart: said at the field, and the request waits.
    authorize(app, &leo, &with(&[])).await;
    let refused = answer(app, &leo, &[("decision", "allow".into()), ("chart", f.leo.to_string())]).await;
    let location = refused.headers()[header::LOCATION].to_str().unwrap().to_string();
    assert!(location.contains("__err=") && location.contains("connect"), "{location}");
    let refused = answer(app, &leo, &[("decision", "allow".into()), ("kinds[]", "lab-results".into())]).await;
    assert!(refused.headers()[header::LOCATION].to_str().unwrap().contains("__err="));
    assert_eq!(app.count("SELECT COUNT(*) FROM smart_grants").await, 0);

    // A wrong verifier ends the code and what it stood for; the right one after is too late.
    let code = link(app, &leo, &client_id, LAB_SCOPE, f.leo, &["lab-results"]).await;
    let (status, body) = exchange(app, &client_id, &code, &"x".repeat(43)).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
    assert_eq!(exchange(app, &client_id, &code, VERIFIER).await.0, StatusCode::BAD_REQUEST);
    // A redirect URI other than the request's.
    let code = link(app, &leo, &client_id, LAB_SCOPE, f.leo, &["lab-results"]).await;
    let (status, _) = token(
        app,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "https://tracker.example/other"),
            ("code_verifier", VERIFIER),
            ("client_id", &client_id),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // An expired code (a minute).
    let code = link(app, &leo, &client_id, LAB_SCOPE, f.leo, &["lab-results"]).await;
    app.clock.advance_ms(61_000);
    assert_eq!(exchange(app, &client_id, &code, VERIFIER).await.0, StatusCode::BAD_REQUEST);
    // A reused code: the tokens the first use gave stop working.
    let code = link(app, &leo, &client_id, LAB_SCOPE, f.leo, &["lab-results"]).await;
    let (status, tokens) = exchange(app, &client_id, &code, VERIFIER).await;
    assert_eq!(status, StatusCode::OK);
    let access = tokens["access_token"].as_str().unwrap();
    assert_eq!(fhir(app, access, "Observation").await.0, StatusCode::OK);
    assert_eq!(exchange(app, &client_id, &code, VERIFIER).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(fhir(app, access, "Observation").await.0, StatusCode::UNAUTHORIZED);
    // Another app cannot spend this app's code.
    let code = link(app, &leo, &client_id, LAB_SCOPE, f.leo, &["lab-results"]).await;
    assert_eq!(exchange(app, &other_id, &code, VERIFIER).await.0, StatusCode::BAD_REQUEST);

    // A confidential app must prove its secret (HTTP Basic).
    let (secret_id, secret) = register_app(app, "Server App", true).await;
    let secret = secret.unwrap();
    let code = link(app, &leo, &secret_id, LAB_SCOPE, f.leo, &["lab-results"]).await;
    let (status, body) = exchange(app, &secret_id, &code, VERIFIER).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_client")));
    let response = app
        .client()
        .post(format!("{}/oauth/token", app.base))
        .basic_auth(&secret_id, Some(&secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "the code was not spent by the unauthenticated try");
    let tokens: Value = response.json().await.unwrap();
    let access = tokens["access_token"].as_str().unwrap();
    // Introspection says what the token is to its own app, nothing to another.
    let introspected: Value = app
        .client()
        .post(format!("{}/oauth/introspect", app.base))
        .basic_auth(&secret_id, Some(&secret))
        .form(&[("token", access)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(introspected["active"], true);
    assert_eq!(introspected["patient"], f.leo.to_string());
    let (_, other) = token(app, &[("grant_type", "nope"), ("client_id", &other_id)]).await;
    assert_eq!(other["error"], "unsupported_grant_type");
    // An app the clinic disables is refused at once.
    app.execute(&format!("UPDATE smart_apps SET disabled_at = 1 WHERE client_id = '{secret_id}'")).await;
    assert_eq!(fhir(app, access, "Observation").await.0, StatusCode::UNAUTHORIZED);
    // The app's own revocation ends its grant.
    let code = link(app, &leo, &client_id, LAB_SCOPE, f.leo, &["lab-results"]).await;
    let (_, tokens) = exchange(app, &client_id, &code, VERIFIER).await;
    let access = tokens["access_token"].as_str().unwrap();
    let revoked = app
        .client()
        .post(format!("{}/oauth/revoke", app.base))
        .form(&[("token", tokens["refresh_token"].as_str().unwrap()), ("client_id", &client_id)])
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), StatusCode::OK);
    assert_eq!(fhir(app, access, "Observation").await.0, StatusCode::UNAUTHORIZED);
    // Discovery documents need no token.
    let config: Value = discovery(app, "smart-configuration").await;
    assert_eq!(config["code_challenge_methods_supported"], serde_json::json!(["S256"]));
    let (status, capability) = fhir(app, "", "metadata").await;
    assert_eq!(status, StatusCode::OK);
    assert_r4_resource(&capability);

    // Authorize requests from one network are counted: past 60 an hour, a page saying so
    // (and no request kept), whether the patient answered the earlier ones or not.
    let limit = app::infra::throttle::APP_AUTHORIZE_PER_ADDRESS.max_failures;
    let kept_before = app.count("SELECT COUNT(*) FROM smart_requests").await;
    let mut answered = 0;
    let refused = loop {
        let response = authorize(app, &leo, &with(&[])).await;
        if response.status() != StatusCode::OK || answered > limit {
            break response;
        }
        answered += 1;
    };
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.text().await.unwrap().contains("try again in an hour"));
    let counted = app
        .count(&format!(
            "SELECT COUNT(*) FROM auth_failures WHERE scope = 'app-authorize-address' AND at > {}",
            app.clock.now_ms() - 60 * 60 * 1000
        ))
        .await;
    assert_eq!(counted, limit, "{answered} taken before the refusal");
    let kept = app.count("SELECT COUNT(*) FROM smart_requests").await;
    assert_eq!(kept - kept_before, answered, "the refused request is not kept");
    app.clock.advance_ms(61 * 60 * 1000);
    assert_eq!(
        authorize(app, &leo, &with(&[])).await.status(),
        StatusCode::OK,
        "an hour later it opens again"
    );
}

async fn a_parents_token_reads_what_the_grant_shows_and_ends_with_it(app: &TestApp) {
    let f = family(app).await;
    let (client_id, _) = register_app(app, "Tracker Health", false).await;
    let all = Section::GRANTABLE.to_vec();
    grant(app, f.jordan_user, f.leo, RequestKind::Minor, Relationship::Parent, &all).await;
    let jordan = app.signed_in("jordan").await;

    // The consent screen offers Jordan's own chart and Leo's.
    authorize(app, &jordan, &authorize_params(app, &client_id, LAB_SCOPE)).await;
    let (status, consent) = app.call(&jordan, "apps/consent", &[]).await;
    assert_eq!(status, StatusCode::OK);
    let charts: Vec<i64> =
        consent["charts"].as_array().unwrap().iter().map(|c| c["patient_id"].as_i64().unwrap()).collect();
    assert!(charts.contains(&f.leo) && charts.len() == 2, "{consent}");
    // Leo is 15: his parent's grant no longer shows medications, so they cannot pass them on.
    let refused = answer(
        app,
        &jordan,
        &[("decision", "allow".into()), ("chart", f.leo.to_string()), ("kinds[]", "medications".into())],
    )
    .await;
    assert!(refused.headers()[header::LOCATION].to_str().unwrap().contains("__err="));
    // A chart they hold no grant for is refused at the field.
    let refused = answer(
        app,
        &jordan,
        &[("decision", "allow".into()), ("chart", f.emma.to_string()), ("kinds[]", "lab-results".into())],
    )
    .await;
    assert!(refused.headers()[header::LOCATION].to_str().unwrap().contains("__err="));

    let code = link(app, &jordan, &client_id, LAB_SCOPE, f.leo, &["basics", "lab-results"]).await;
    let (_, tokens) = exchange(app, &client_id, &code, VERIFIER).await;
    let access = tokens["access_token"].as_str().unwrap();
    let (observations, _) = all_pages(app, access, "Observation").await;
    let text = serde_json::to_string(&observations).unwrap();
    assert_eq!(observations.len(), 1, "the confidential result is not there: {text}");
    assert!(!text.contains("777"), "{text}");
    let (status, _) = fhir(app, access, &format!("DiagnosticReport/{}", f.secret_result)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "by id either");
    let (reports, _) = all_pages(app, access, "DiagnosticReport").await;
    assert_eq!(reports.len(), 1);
    assert!(!serde_json::to_string(&reports).unwrap().contains(SECRET));
    let audited = format!(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'app-read' AND as_proxy = 1 AND patient_id = {}",
        f.leo
    );
    assert_eq!(app.count(&audited).await, 3, "each read, as the proxy");

    // The proxy grant ends: the app's token is refused on its next request.
    app.execute(&format!(
        "UPDATE proxy_grants SET ended_at = {} WHERE patient_id = {}",
        app.clock.now_ms(),
        f.leo
    ))
    .await;
    assert_eq!(fhir(app, access, "Observation").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(app.count("SELECT COUNT(*) FROM smart_grants WHERE revoked_why = 'access-ended'").await, 1);

    // A link lives only as long as the proxy grants it was made through: a new grant after
    // the old one ended does not bring it back, even with no read in the gap.
    let second = grant(app, f.jordan_user, f.leo, RequestKind::Minor, Relationship::Parent, &all).await;
    let code = link(app, &jordan, &client_id, LAB_SCOPE, f.leo, &["lab-results"]).await;
    let (_, tokens) = exchange(app, &client_id, &code, VERIFIER).await;
    let (access, refresh) =
        (tokens["access_token"].as_str().unwrap(), tokens["refresh_token"].as_str().unwrap());
    app.execute(&format!("UPDATE proxy_grants SET ended_at = {} WHERE id = {second}", app.clock.now_ms()))
        .await;
    grant(app, f.jordan_user, f.leo, RequestKind::Minor, Relationship::Parent, &all).await;
    let (status, body) =
        token(app, &[("grant_type", "refresh_token"), ("refresh_token", refresh), ("client_id", &client_id)])
            .await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
    assert_eq!(fhir(app, access, "Observation").await.0, StatusCode::UNAUTHORIZED);

    // Leo sees the app his parent linked to his chart, and may end it.
    let code = link(app, &jordan, &client_id, LAB_SCOPE, f.leo, &["lab-results"]).await;
    let (_, tokens) = exchange(app, &client_id, &code, VERIFIER).await;
    let access = tokens["access_token"].as_str().unwrap();
    assert_eq!(fhir(app, access, "Observation").await.0, StatusCode::OK);
    let leo = app.signed_in("leo").await;
    let (_, linked) = app.call(&leo, "apps/linked", &[]).await;
    let by_parent: Vec<&Value> =
        linked.as_array().unwrap().iter().filter(|l| l["linked_by"] == "jordan").collect();
    assert_eq!(by_parent.len(), 1, "{linked}");
    assert_eq!(by_parent[0]["own_chart"], true);
    let id = by_parent[0]["grant_id"].to_string();
    assert_eq!(app.call(&leo, "apps/revoke", &[("id", &id)]).await.0, StatusCode::OK);
    assert_eq!(fhir(app, access, "Observation").await.0, StatusCode::UNAUTHORIZED);
}

/// Searches `resource` for `patient` with every page, and returns the resources.
async fn search_all(app: &TestApp, access_token: &str, resource: &str, patient: i64) -> Vec<Value> {
    all_pages(app, access_token, &format!("{resource}?patient={patient}&_count=1")).await.0
}

async fn every_served_type_reads_as_r4_and_a_parent_gets_nothing_confidential(app: &TestApp) {
    let f = family(app).await;
    let (client_id, _) = register_app(app, "Tracker Health", false).await;
    app.execute(&format!(
        "INSERT INTO immunizations (patient_id, cvx, name, given_on) VALUES ({}, '140', 'Influenza', '2026-10-01')",
        f.leo
    ))
    .await;
    app.execute(&format!(
        "INSERT INTO allergies (patient_id, substance, code, code_system, reaction, severity, recorded_on) \
         VALUES ({}, 'Penicillin', '7980', 'http://www.nlm.nih.gov/research/umls/rxnorm', 'Hives', 'moderate', '2020-05-01')",
        f.leo
    ))
    .await;
    let every = "launch/patient patient/*.rs";
    let all_kinds = ["basics", "lab-results", "medications", "health-summary", "visits", "documents"];

    // Leo, on his own chart, reads each type; every resource parses as R4.
    let leo = app.signed_in("leo").await;
    let code = link(app, &leo, &client_id, every, f.leo, &all_kinds).await;
    let (_, tokens) = exchange(app, &client_id, &code, VERIFIER).await;
    assert_eq!(tokens["scope"].as_str().unwrap().matches(".rs").count(), 10, "v2 scopes said back: {tokens}");
    let access = tokens["access_token"].as_str().unwrap().to_string();
    let expected = [
        ("AllergyIntolerance", 1),
        ("Condition", 2),
        ("Immunization", 1),
        ("MedicationRequest", 2),
        ("Encounter", 1),
    ];
    for (resource, count) in expected {
        let found = search_all(app, &access, resource, f.leo).await;
        assert_eq!(found.len(), count, "{resource}: {found:?}");
        for one in &found {
            let (status, read) =
                fhir(app, &access, &format!("{resource}/{}", one["id"].as_str().unwrap())).await;
            assert_eq!(status, StatusCode::OK);
            assert_r4_resource(&read);
        }
    }
    let conditions = serde_json::to_string(&search_all(app, &access, "Condition", f.leo).await).unwrap();
    assert!(conditions.contains("http://hl7.org/fhir/sid/icd-10-cm") && conditions.contains("J45.909"));
    let (_, none) = fhir(app, &access, "MedicationRequest?intent=plan").await;
    assert_eq!(none["entry"].as_array().unwrap().len(), 0);
    // The clinicians the chart names, and no one else.
    let practitioners = all_pages(app, &access, "Practitioner").await.0;
    assert_eq!(practitioners.len(), 1);
    assert_r4_resource(&practitioners[0]);
    let stranger: i64 = sqlx::query_scalar(
        "INSERT INTO providers (display_name, specialty, department) VALUES ('Dr. Elsewhere', 'X', 'X') RETURNING id",
    )
    .fetch_one(&app.state.db.write)
    .await
    .unwrap();
    assert_eq!(fhir(app, &access, &format!("Practitioner/{stranger}")).await.0, StatusCode::NOT_FOUND);
    let (_, capability) = fhir(app, &access, "metadata").await;
    assert_eq!(capability["rest"][0]["resource"].as_array().unwrap().len(), 11, "ten types and Binary");

    // The document center: the posted letters (his own chart: the confidential one too) and
    // the visit's summary and note, each readable by id; the letters' files from Binary.
    let documents = search_all(app, &access, "DocumentReference", f.leo).await;
    let shown = serde_json::to_string(&documents).unwrap();
    assert!(shown.contains(&format!("{LEO_MARK} letter")) && shown.contains(&format!("{SECRET} letter")));
    assert_eq!(documents.len(), 4, "two letters, the visit's summary and note: {shown}");
    for one in &documents {
        let (status, read) =
            fhir(app, &access, &format!("DocumentReference/{}", one["id"].as_str().unwrap())).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(&read, one);
        assert_r4_resource(&read);
    }
    let letter_title = format!("{LEO_MARK} letter");
    let letter =
        documents.iter().find(|d| d["content"][0]["attachment"]["title"] == letter_title.as_str()).unwrap();
    let file_url =
        format!("{}/fhir/r4/{}", app.base, letter["content"][0]["attachment"]["url"].as_str().unwrap());
    let file = app.client().get(&file_url).bearer_auth(&access).send().await.unwrap();
    assert_eq!(file.status(), StatusCode::OK);
    assert_eq!(file.headers()[header::CONTENT_TYPE], "application/pdf");
    assert_eq!(file.headers()[header::CACHE_CONTROL], "no-store");
    assert!(file.bytes().await.unwrap().starts_with(b"%PDF"));
    let as_fhir = app
        .client()
        .get(&file_url)
        .bearer_auth(&access)
        .header(header::ACCEPT, "application/fhir+json")
        .send()
        .await
        .unwrap();
    let binary: Value = as_fhir.json().await.unwrap();
    assert_eq!(
        (binary["resourceType"].as_str(), binary["contentType"].as_str()),
        (Some("Binary"), Some("application/pdf"))
    );
    assert_r4_resource(&binary);
    let (_, letters) =
        fhir(app, &access, "DocumentReference?category=clinical-note&type=http://loinc.org|51852-2").await;
    assert_eq!(letters["entry"].as_array().unwrap().len(), 2);
    let (_, dated) = fhir(app, &access, "DocumentReference?date=2026-01-05").await;
    assert_eq!(dated["entry"].as_array().unwrap().len(), 2, "the letters' day");
    let (_, none) = fhir(app, &access, "DocumentReference?status=superseded").await;
    assert_eq!(none["entry"].as_array().unwrap().len(), 0);
    let secret_title = format!("{SECRET} letter");
    let secret =
        documents.iter().find(|d| d["content"][0]["attachment"]["title"] == secret_title.as_str()).unwrap();
    let secret_file_url =
        format!("{}/fhir/r4/{}", app.base, secret["content"][0]["attachment"]["url"].as_str().unwrap());

    // Documents without Visits: the letters only. A visit's summary and note go with the
    // visits, as on the Documents page, and are not there by id either.
    let visit_note = documents.iter().find(|d| d["context"]["encounter"].is_array()).unwrap();
    let code = link(app, &leo, &client_id, every, f.leo, &["documents"]).await;
    let (_, tokens) = exchange(app, &client_id, &code, VERIFIER).await;
    let documents_only = tokens["access_token"].as_str().unwrap().to_string();
    assert_eq!(search_all(app, &documents_only, "DocumentReference", f.leo).await.len(), 2);
    let by_id = format!("DocumentReference/{}", visit_note["id"].as_str().unwrap());
    assert_eq!(fhir(app, &documents_only, &by_id).await.0, StatusCode::NOT_FOUND);

    // Jordan, a parent of a 15-year-old: nothing confidential, no medication list.
    grant(app, f.jordan_user, f.leo, RequestKind::Minor, Relationship::Parent, &Section::GRANTABLE).await;
    let jordan = app.signed_in("jordan").await;
    let code = link(
        app,
        &jordan,
        &client_id,
        every,
        f.leo,
        &["basics", "lab-results", "health-summary", "visits", "documents"],
    )
    .await;
    let (_, tokens) = exchange(app, &client_id, &code, VERIFIER).await;
    let access = tokens["access_token"].as_str().unwrap().to_string();
    let conditions = search_all(app, &access, "Condition", f.leo).await;
    assert_eq!(conditions.len(), 1);
    assert!(!serde_json::to_string(&conditions).unwrap().contains(SECRET));
    assert_eq!(
        search_all(app, &access, "Encounter", f.leo).await.len(),
        0,
        "the visit with a confidential note"
    );
    let documents = search_all(app, &access, "DocumentReference", f.leo).await;
    let shown = serde_json::to_string(&documents).unwrap();
    assert!(shown.contains(LEO_MARK) && !shown.contains(SECRET), "{shown}");
    assert_eq!(documents.len(), 1, "the plain letter (the visit's note is confidential): {shown}");
    let get = |url: String| app.client().get(url).bearer_auth(&access).send();
    assert_eq!(get(file_url.clone()).await.unwrap().status(), StatusCode::OK);
    assert_eq!(get(secret_file_url).await.unwrap().status(), StatusCode::NOT_FOUND, "another's eyes only");
    assert_eq!(fhir(app, &access, "Condition?patient=0").await.0, StatusCode::FORBIDDEN);
    let (status, _) = fhir(app, &access, &format!("MedicationRequest?patient={}", f.leo)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "medications were not granted");
}

async fn an_admin_registers_an_app_and_sees_its_secret_once(app: &TestApp) {
    app.add_user("admin", app::auth::Role::Admin, None, "admin@example.org").await;
    app.add_user("dr.who", app::auth::Role::Clinician, None, "who@example.org").await;
    let admin = app.signed_in("admin").await;
    let page = format!("{}/staff/apps", app.base);
    let post = |form: Vec<(&'static str, &'static str)>| {
        admin
            .post(format!("{}/api/staff/apps/register", app.base))
            .header(header::ORIGIN, &app.origin)
            .header(header::ACCEPT, "text/html")
            .header(header::REFERER, &page)
            .form(&form)
            .send()
    };
    let form = |uris: &'static str| {
        vec![
            ("name", "Clinic Tracker"),
            ("kind", "confidential"),
            ("redirect_uris", uris),
            ("terms_url", "https://tracker.example/terms"),
            ("privacy_url", "https://tracker.example/privacy"),
        ]
    };
    // A plain http redirect to another machine: refused at its field, nothing stored.
    let refused = post(form("https://tracker.example/cb\nhttp://tracker.example/cb")).await.unwrap();
    let back = refused.headers()[header::LOCATION].to_str().unwrap().to_string();
    assert!(back.contains("__err="), "{back}");
    let shown = admin.get(&back).send().await.unwrap().text().await.unwrap();
    assert!(shown.contains("redirect URIs, one per line"), "the field says why: {shown}");
    assert_eq!(app.count("SELECT COUNT(*) FROM smart_apps").await, 0);

    let done = post(form("https://tracker.example/cb\ncom.example.tracker:/cb")).await.unwrap();
    assert_eq!(done.headers()[header::LOCATION], "/staff/apps");
    let first = admin.get(&page).send().await.unwrap().text().await.unwrap();
    assert!(first.contains("Client secret (shown once, now)"), "{first}");
    let client_id: String =
        sqlx::query_scalar("SELECT client_id FROM smart_apps WHERE name = 'Clinic Tracker'")
            .fetch_one(&app.state.db.read)
            .await
            .unwrap();
    assert!(first.contains(&client_id) && first.contains("com.example.tracker:/cb"));
    let again = admin.get(&page).send().await.unwrap().text().await.unwrap();
    assert!(again.contains(&client_id) && !again.contains("shown once, now"), "the secret is shown once");
    assert_eq!(app.audit_count("app-registered").await, 1);

    // Nobody else registers apps.
    let clinician = app.signed_in("dr.who").await;
    let (status, _) = app.call(&clinician, "staff/apps/list", &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

const OPENID_SCOPE: &str = "openid fhirUser launch/patient offline_access patient/Observation.rs";
const NONCE: &str = "n-0S6_WzA2Mj";

/// The ID token's claims as an app reads them.
#[derive(serde::Deserialize, Debug)]
struct IdClaims {
    iss: String,
    sub: String,
    aud: String,
    iat: i64,
    exp: i64,
    nonce: Option<String>,
    #[serde(rename = "fhirUser")]
    fhir_user: Option<String>,
}

/// Verifies an ID token as an app does: the key from the JWKS the configuration names,
/// RS256, our issuer, the app as audience, not expired.
async fn verified(
    app: &TestApp,
    client_id: &str,
    id_token: &str,
) -> Result<IdClaims, jsonwebtoken::errors::Error> {
    use jsonwebtoken::{decode, decode_header, jwk::JwkSet, Algorithm, DecodingKey, Validation};
    let issuer = format!("{}/fhir/r4", app.origin);
    let config: Value = discovery(app, "openid-configuration").await;
    assert_eq!(config["issuer"], issuer.as_str());
    let jwks_path = config["jwks_uri"].as_str().unwrap().strip_prefix(&app.origin).unwrap().to_string();
    let keys: JwkSet =
        app.client().get(format!("{}{jwks_path}", app.base)).send().await.unwrap().json().await.unwrap();
    let kid = decode_header(id_token)?.kid.expect("a kid");
    let jwk = keys.find(&kid).expect("the signing key is published");
    let mut rules = Validation::new(Algorithm::RS256);
    rules.set_audience(&[client_id]);
    rules.set_issuer(&[issuer.as_str()]);
    // The test clock is the server's; the library checks `exp` against the real one.
    rules.validate_exp = false;
    Ok(decode::<IdClaims>(id_token, &DecodingKey::from_jwk(jwk)?, &rules)?.claims)
}

async fn openid_gives_a_signed_id_token_naming_the_user_to_each_app_apart(app: &TestApp) {
    let f = family(app).await;
    let (client_id, _) = register_app(app, "Tracker Health", false).await;
    let leo = app.signed_in("leo").await;

    // Discovery names the keys and what the tokens claim.
    let smart = discovery(app, "smart-configuration").await;
    assert!(smart["capabilities"].as_array().unwrap().iter().any(|c| c == "sso-openid-connect"));
    assert!(smart["jwks_uri"].as_str().unwrap().ends_with("/oauth/jwks"));

    let mut params = authorize_params(app, &client_id, OPENID_SCOPE);
    params.push(("nonce", NONCE.into()));
    let hop = authorize(app, &leo, &params).await;
    assert_eq!(hop.status(), StatusCode::OK);
    let page = leo.get(format!("{}/connect", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("told that it was you who allowed it"), "the consent screen says so");
    let form = vec![
        ("decision", "allow".to_string()),
        ("chart", f.leo.to_string()),
        ("kinds[]", "lab-results".to_string()),
    ];
    let back = back_at_app(app, &leo, answer(app, &leo, &form).await).await;
    let code = value_of(&back, "code").expect("a code");
    let (status, tokens) = exchange(app, &client_id, &code, VERIFIER).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert!(tokens["scope"].as_str().unwrap().starts_with("launch/patient openid fhirUser"), "{tokens}");
    let id_token = tokens["id_token"].as_str().expect("openid gives an ID token");

    let claims = verified(app, &client_id, id_token).await.expect("verifies with the published key");
    assert_eq!(claims.iss, format!("{}/fhir/r4", app.origin));
    assert_eq!(claims.aud, client_id);
    assert_eq!(claims.nonce.as_deref(), Some(NONCE), "the authorize request's nonce comes back");
    assert_eq!(claims.fhir_user, Some(format!("{}/fhir/r4/Patient/{}", app.origin, f.leo)));
    assert_eq!(claims.iat, app.clock.now_ms() / 1000);
    assert_eq!(claims.exp - claims.iat, 300);
    assert_eq!(claims.sub.len(), 32, "an opaque subject: {}", claims.sub);
    assert_ne!(claims.sub, f.leo.to_string());

    // One changed byte of the signed part, and it no longer verifies.
    let mut parts: Vec<String> = id_token.split('.').map(str::to_string).collect();
    let flipped = if parts[1].ends_with('A') { 'B' } else { 'A' };
    parts[1].pop();
    parts[1].push(flipped);
    assert!(verified(app, &client_id, &parts.join(".")).await.is_err(), "a changed token is refused");

    // A refresh gives a new ID token for the same subject, without the nonce, signed by the
    // same (one) key.
    let refresh = tokens["refresh_token"].as_str().unwrap();
    let (status, refreshed) =
        token(app, &[("grant_type", "refresh_token"), ("refresh_token", refresh), ("client_id", &client_id)])
            .await;
    assert_eq!(status, StatusCode::OK, "{refreshed}");
    let again = verified(app, &client_id, refreshed["id_token"].as_str().unwrap()).await.unwrap();
    assert_eq!((again.sub.as_str(), again.nonce), (claims.sub.as_str(), None));
    assert_eq!(app.count("SELECT COUNT(*) FROM signing_keys").await, 1);
    let sealed: (String,) = sqlx::query_as("SELECT private_sealed FROM signing_keys")
        .fetch_one(&app.state.db.read)
        .await
        .unwrap();
    assert!(app::infra::crypto::is_sealed(&sealed.0), "the private key is stored sealed");

    // Another app knows Leo by another subject.
    let (other_id, _) = register_app(app, "Steps Coach", false).await;
    let code = link(app, &leo, &other_id, OPENID_SCOPE, f.leo, &["lab-results"]).await;
    let (_, other) = exchange(app, &other_id, &code, VERIFIER).await;
    let theirs = verified(app, &other_id, other["id_token"].as_str().unwrap()).await.unwrap();
    assert_eq!(theirs.fhir_user, claims.fhir_user);
    assert_ne!(theirs.sub, claims.sub, "pairwise subjects");
    assert!(
        verified(app, &client_id, other["id_token"].as_str().unwrap()).await.is_err(),
        "for its own audience only"
    );
}

/// A P-384 key from fixed bytes (any 48 bytes below the group order will do), as
/// jsonwebtoken signs with it, and its public half as a JWK named `kid`.
fn p384_key(byte: u8, kid: &str) -> (jsonwebtoken::EncodingKey, jsonwebtoken::jwk::Jwk) {
    use p384::pkcs8::EncodePrivateKey;
    let secret = p384::SecretKey::from_slice(&[byte; 48]).unwrap();
    let der = secret.to_pkcs8_der().unwrap();
    let key = jsonwebtoken::EncodingKey::from_ec_der(der.as_bytes());
    let mut jwk = jsonwebtoken::jwk::Jwk::from_encoding_key(&key, jsonwebtoken::Algorithm::ES384).unwrap();
    jwk.common.key_id = Some(kid.into());
    (key, jwk)
}

async fn a_key_registered_app_signs_its_token_requests(app: &TestApp) {
    use jsonwebtoken::{encode, jwk::JwkSet, Algorithm, Header};
    let f = family(app).await;
    let (key, jwk) = p384_key(7, "k1");
    let (stranger_key, _) = p384_key(9, "k1");
    let jwks = serde_json::to_string(&JwkSet { keys: vec![jwk] }).unwrap();

    // Only a confidential app registers keys; it is told no secret.
    let typed = |confidential: bool| app::connected_apps::registry::Typed {
        name: "Clinic Server App".into(),
        confidential,
        redirect_uris: vec![REDIRECT.into()],
        terms_url: "https://tracker.example/terms".into(),
        privacy_url: "https://tracker.example/privacy".into(),
        registered_by: "Test Clinic IT".into(),
        jwks: Some(jwks.clone()),
        ..Default::default()
    };
    let refused = app::connected_apps::registry::check(typed(false)).unwrap_err();
    assert_eq!(refused.field, "jwks");
    let new = app::connected_apps::registry::check(typed(true)).unwrap();
    let registered = register(&app.state.db, app.clock.now_ms(), &new, None).await.unwrap();
    assert_eq!(registered.secret, None);
    let client_id = registered.client_id;

    let token_url = format!("{}/oauth/token", app.origin);
    let now = app.clock.now_ms() / 1000;
    let sign = |with: &jsonwebtoken::EncodingKey, kid: &str, aud: &str, exp: i64, jti: &str| {
        let mut header = Header::new(Algorithm::ES384);
        header.kid = Some(kid.into());
        let claims =
            serde_json::json!({ "iss": client_id, "sub": client_id, "aud": aud, "exp": exp, "jti": jti });
        encode(&header, &claims, with).unwrap()
    };
    let leo = app.signed_in("leo").await;
    let code = link(app, &leo, &client_id, LAB_SCOPE, f.leo, &["lab-results"]).await;
    let with_assertion = |assertion: String, extra: Vec<(&'static str, String)>| {
        let mut form = vec![
            ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".to_string()),
            ("client_assertion", assertion),
        ];
        form.extend(extra);
        form
    };
    let post = |form: Vec<(&'static str, String)>| async move {
        let response =
            app.client().post(format!("{}/oauth/token", app.base)).form(&form).send().await.unwrap();
        let status = response.status();
        (status, response.json::<Value>().await.unwrap_or(Value::Null))
    };
    let exchange_form = vec![
        ("grant_type", "authorization_code".to_string()),
        ("code", code.clone()),
        ("redirect_uri", REDIRECT.to_string()),
        ("code_verifier", VERIFIER.to_string()),
    ];

    // Refused, each as invalid_client, the code still unspent: a stranger's key under the
    // registered kid, an unknown kid, another audience, an expiry an hour ahead, an expired
    // one, and the secret way (an app with keys has no secret).
    for (assertion, why) in [
        (sign(&stranger_key, "k1", &token_url, now + 60, "a1"), "signed by another key"),
        (sign(&key, "k2", &token_url, now + 60, "a2"), "an unregistered kid"),
        (sign(&key, "k1", "https://elsewhere.example/token", now + 60, "a3"), "another audience"),
        (sign(&key, "k1", &token_url, now + 3600, "a4"), "valid for too long"),
        (sign(&key, "k1", &token_url, now - 120, "a5"), "expired"),
    ] {
        let (status, body) = post(with_assertion(assertion, exchange_form.clone())).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("invalid_client")),
            "{why}"
        );
    }
    let mut by_secret = exchange_form.clone();
    by_secret.extend([("client_id", client_id.clone()), ("client_secret", String::new())]);
    assert_eq!(post(by_secret).await.0, StatusCode::UNAUTHORIZED, "no secret lets it in");

    // Signed right: tokens, without naming the client id (the assertion does).
    let first = sign(&key, "k1", &token_url, now + 240, "jti-1");
    let (status, tokens) = post(with_assertion(first.clone(), exchange_form.clone())).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert_eq!(
        fhir(app, tokens["access_token"].as_str().unwrap(), "Observation?_count=1").await.0,
        StatusCode::OK
    );

    // An assertion is spent once: replayed for a refresh, refused; a fresh one refreshes.
    let refresh_form = |refresh: &str| {
        vec![("grant_type", "refresh_token".to_string()), ("refresh_token", refresh.to_string())]
    };
    let refresh = tokens["refresh_token"].as_str().unwrap();
    let (status, _) = post(with_assertion(first, refresh_form(refresh))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a replayed assertion");
    let (status, refreshed) =
        post(with_assertion(sign(&key, "k1", &token_url, now + 240, "jti-2"), refresh_form(refresh))).await;
    assert_eq!(status, StatusCode::OK, "{refreshed}");

    // Discovery says so.
    let config: Value = discovery(app, "smart-configuration").await;
    assert!(config["token_endpoint_auth_methods_supported"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m == "private_key_jwt"));
    assert!(config["capabilities"].as_array().unwrap().iter().any(|c| c == "client-confidential-asymmetric"));
}
