//! What every response carries, and what the server refuses at the door: security
//! headers, CSP nonces, no-store, compression, cross-site refusal, /healthz, HTTPS cookies.

use crate::common::{Backend, Options, TestApp, PASSWORD};
use reqwest::{header, StatusCode};

on_both_databases!(healthz_answers_when_the_database_does);

async fn healthz_answers_when_the_database_does(app: &TestApp) {
    let res = app.client().get(format!("{}/healthz", app.base)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    app.state.db.read.close().await;
    let res = app.client().get(format!("{}/healthz", app.base)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_carry_security_headers_and_a_fresh_csp_nonce() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let client = app.client();
    let mut nonces = Vec::new();
    for _ in 0..2 {
        let res = client.get(format!("{}/signin", app.base)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let h = res.headers().clone();
        assert_eq!(h[header::CACHE_CONTROL], "no-store");
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(h[header::REFERRER_POLICY], "same-origin");
        assert!(h.get(header::STRICT_TRANSPORT_SECURITY).is_none(), "no HSTS over plain http");
        let csp = h[header::CONTENT_SECURITY_POLICY].to_str().unwrap().to_owned();
        assert!(csp.contains("'wasm-unsafe-eval'") && csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(!csp.contains("'unsafe-eval'") && !csp.contains("'unsafe-inline'"), "{csp}");
        let nonce = csp.split("'nonce-").nth(1).unwrap().split('\'').next().unwrap().to_owned();
        let html = res.text().await.unwrap();
        assert!(html.contains(&format!("nonce=\"{nonce}\"")), "the hydration script carries the CSP nonce");
        nonces.push(nonce);
    }
    assert_ne!(nonces[0], nonces[1], "a new nonce per response");

    let res = app.call_raw(&client, "auth/me", &[]).await;
    assert_eq!(res.headers()[header::CACHE_CONTROL], "no-store", "server functions are never cached");
    let missing = client.get(format!("{}/no/such/page", app.base)).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    app.cleanup().await;
}

/// Leptos 0.8.23's `HydrationScripts` writes the CSP nonce into the preloads' `crossorigin`
/// (leptos-rs/leptos#4843): a preload the browser never claims, pages that may not hydrate in
/// Firefox, and invalid HTML. The pages render their own client script instead
/// (app/src/lib.rs); the nonce belongs in `nonce` attributes alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_nonce_is_only_in_nonce_attributes() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    app.add_patient_user("nina").await;
    let signed_in = app.signed_in("nina").await;
    for (client, page) in [(app.client(), "/help"), (signed_in, "/")] {
        let res = client.get(format!("{}{page}", app.base)).send().await.unwrap();
        let csp = res.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap().to_owned();
        let nonce = csp.split("'nonce-").nth(1).unwrap().split('\'').next().unwrap().to_owned();
        let html = res.text().await.unwrap();
        assert!(html.contains("src=\"/pkg/client.js\""), "{page} loads the app");
        let in_nonce_attributes = html.matches(&format!("nonce=\"{nonce}\"")).count();
        assert!(in_nonce_attributes > 0, "{page}");
        assert_eq!(
            html.matches(nonce.as_str()).count(),
            in_nonce_attributes,
            "{page}: the nonce elsewhere:\n{html}"
        );
        for value in html.split("crossorigin=\"").skip(1).map(|rest| rest.split('"').next().unwrap()) {
            assert!(value.is_empty() || value == "anonymous", "{page}: crossorigin=\"{value}\"");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn responses_are_compressed() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    for encoding in ["br", "gzip"] {
        let res = app
            .client()
            .get(format!("{}/help", app.base))
            .header(header::ACCEPT_ENCODING, encoding)
            .send()
            .await
            .unwrap();
        let (status, headers) = (res.status(), res.headers().clone());
        assert_eq!(
            headers.get(header::CONTENT_ENCODING).and_then(|v| v.to_str().ok()),
            Some(encoding),
            "{status} {headers:?}: {}",
            res.text().await.unwrap_or_default()
        );
    }
    app.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cross_site_requests_are_refused() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    app.add_patient_user("victim").await;
    let client = app.client();
    let form = [("username", "victim"), ("password", PASSWORD)];
    let url = format!("{}/api/auth/sign_in", app.base);
    let evil_origin =
        client.post(&url).header(header::ORIGIN, "https://evil.example").form(&form).send().await.unwrap();
    assert_eq!(evil_origin.status(), StatusCode::FORBIDDEN);
    let cross_site =
        client.post(&url).header("sec-fetch-site", "cross-site").form(&form).send().await.unwrap();
    assert_eq!(cross_site.status(), StatusCode::FORBIDDEN);
    let same_site = client.post(&url).header("sec-fetch-site", "same-site").form(&form).send().await.unwrap();
    assert_eq!(same_site.status(), StatusCode::FORBIDDEN, "a sibling subdomain is another site for us");
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
    assert_eq!(app.sign_in(&client, "victim", PASSWORD).await, StatusCode::OK, "our own origin is fine");
    app.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_https_cookies_are_host_prefixed_and_secure_with_hsts() {
    let options = Options { public_url: Some("https://portal.example.org".into()), ..Default::default() };
    let app = TestApp::spawn_with(Backend::Sqlite, options).await.unwrap();
    assert_eq!(app.origin, "https://portal.example.org");
    app.add_patient_user("secure").await;
    let res =
        app.call_raw(&app.client(), "auth/sign_in", &[("username", "secure"), ("password", PASSWORD)]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let cookies: Vec<&str> =
        res.headers().get_all(header::SET_COOKIE).iter().map(|v| v.to_str().unwrap()).collect();
    for name in ["__Host-portico_session=", "__Host-portico_device="] {
        let cookie =
            cookies.iter().find(|c| c.starts_with(name)).unwrap_or_else(|| panic!("{name} in {cookies:?}"));
        assert!(cookie.contains("; Secure") && cookie.contains("Path=/"), "{cookie}");
    }
    assert!(res.headers()[header::STRICT_TRANSPORT_SECURITY].to_str().unwrap().contains("max-age="));
    app.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_server_function_calls_get_422_not_500() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let client = app.client();
    // Missing required arguments.
    let (s, _) = app.call(&client, "auth/sign_in", &[("username", "x")]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = app.call(&client, "auth/enroll", &[]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // Oversized input is refused with a clear error, never a crash.
    let huge = "a".repeat(100_000);
    let (s, _) = app.call(&client, "auth/sign_in", &[("username", &huge), ("password", &huge)]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    app.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_bodies_over_the_limit_are_refused() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let big = "a".repeat(portico_server::MAX_BODY_BYTES + 1);
    let res = app.call_raw(&app.client(), "auth/sign_in", &[("username", &big), ("password", "x")]).await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // Uploads have their own, larger caps; a declared length past one is refused before a
    // byte of the body is read, with the field named. (The headers alone are sent: a client
    // still writing 30 MB when the answer comes would see a broken pipe, not the answer.)
    for (endpoint, cap) in [
        ("/api/messages/send", app::messages::UPLOAD_MAX_BYTES),
        ("/api/proxy/request_adult", app::proxy::FORM_UPLOAD_MAX_BYTES),
    ] {
        let (status, body) = headers_only(&app, endpoint, cap + 1).await;
        assert_eq!(status, 422, "{endpoint}: {body}");
        assert!(body.contains("messages.attachment_too_big"), "{endpoint}: {body}");
    }
    // Under the cap the request is read, and refused for what it is: not signed in.
    let (status, _) = headers_only(&app, "/api/proxy/request_adult", 0).await;
    assert_eq!(status, 401);
    app.cleanup().await;
}

/// Sends a multipart POST's headers declaring `length` bytes (and no body when it is over
/// the cap); returns the answer's status and body.
async fn headers_only(app: &TestApp, endpoint: &str, length: usize) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = app.base.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let request = format!(
        "POST {endpoint} HTTP/1.1\r\nHost: {address}\r\nOrigin: {}\r\nContent-Type: multipart/form-data; boundary=x\r\n\
         Content-Length: {length}\r\nConnection: close\r\n\r\n",
        app.origin
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, answer)
}
