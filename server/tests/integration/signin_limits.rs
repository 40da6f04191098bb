//! Sign-in, activation and "forgot password" under a flood: limits that parallel requests
//! cannot pass, a browser that signed in before that a flood from elsewhere does not lock
//! out, a full hashing queue that answers at once, client addresses that the client cannot
//! write, and a "forgot password" that answers alike for every name. On both databases.

use std::time::Duration;

use crate::common::{error_key, TestApp, PASSWORD};
use reqwest::{header, StatusCode};

on_both_databases!(
    parallel_wrong_passwords_cannot_pass_the_account_limit,
    a_browser_that_signed_in_before_is_not_locked_out,
    forwarded_for_is_ignored_without_a_trusted_proxy,
    forgot_password_answers_alike_and_is_limited,
);

on_both_databases!(
    with crate::common::Options { hash_limits: Some((1, 1)), ..Default::default() };
    a_full_hash_queue_answers_busy_at_once,
);

on_both_databases!(
    with crate::common::Options { trusted_proxy_hops: 1, server_timing: true, ..Default::default() };
    forwarded_for_is_the_entry_our_proxy_appended,
);

/// A wrong-password sign-in from a browser of its own (no cookies shared).
async fn guess(app: &TestApp, username: &str) -> StatusCode {
    app.sign_in(&app.client(), username, "not the password at all").await
}

async fn parallel_wrong_passwords_cannot_pass_the_account_limit(app: &TestApp) {
    app.add_patient_user("target").await;
    // Forty at once. Checked before and recorded after the hash, all forty would pass a
    // check that saw no failure yet.
    let flood: Vec<_> = (0..40).map(|_| guess(app, "target")).collect();
    let statuses = futures::future::join_all(flood).await;
    let tried = statuses.iter().filter(|s| **s == StatusCode::UNPROCESSABLE_ENTITY).count();
    let refused = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!((tried, refused), (20, 20), "exactly the limit's 20 were tried: {statuses:?}");
    assert_eq!(app.count("SELECT COUNT(*) FROM auth_failures WHERE scope = 'signin-account'").await, 20);
    assert_eq!(app.sign_in(&app.client(), "target", PASSWORD).await, StatusCode::TOO_MANY_REQUESTS);

    // A day later every attempt and key is forgotten (the server prunes every ten minutes).
    app.clock.advance_ms(app::infra::throttle::KEEP_MS + 1);
    app::infra::throttle::prune(&app.state.db, app.clock.now_ms()).await.unwrap();
    assert_eq!(app.count("SELECT COUNT(*) FROM auth_failures").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM throttle_keys").await, 0);
    assert_eq!(app.sign_in(&app.client(), "target", PASSWORD).await, StatusCode::OK);
}

async fn a_browser_that_signed_in_before_is_not_locked_out(app: &TestApp) {
    app.add_patient_user("owner").await;
    // A token we never issued (planted by someone who knows it) is replaced at sign-in.
    let planted = app
        .client()
        .post(format!("{}/api/auth/sign_in", app.base))
        .header(header::ORIGIN, &app.origin)
        .header(header::COOKIE, "portico_device=planted-token")
        .form(&[("username", "owner"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(planted.status(), StatusCode::OK);
    let fresh = set_cookie(&planted, "portico_device=").expect("a new device cookie");
    assert!(!fresh.starts_with("portico_device=planted-token;"), "{fresh}");
    let planted_hash = app::infra::crypto::sha256_hex("planted-token");
    let kept =
        app.count(&format!("SELECT COUNT(*) FROM trusted_devices WHERE token_hash = '{planted_hash}'")).await;
    assert_eq!(kept, 0);

    let home = app.client();
    let res = app.call_raw(&home, "auth/sign_in", &[("username", "owner"), ("password", PASSWORD)]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let device = set_cookie(&res, "portico_device=").expect("a device cookie");
    assert!(device.contains("HttpOnly") && device.contains("SameSite=Lax"), "{device}");
    assert!(device.contains("Max-Age=31536000"), "a year: {device}");
    assert!(!device.to_lowercase().contains("owner"), "no account name in it: {device}");
    assert_eq!(app.call(&home, "auth/sign_out", &[]).await.0, StatusCode::OK);

    // Twenty guesses from elsewhere lock the account for every browser it does not know…
    for _ in 0..20 {
        assert_eq!(guess(app, "owner").await, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let (status, body) =
        app.call(&app.client(), "auth/sign_in", &[("username", "owner"), ("password", PASSWORD)]).await;
    assert_eq!((status, error_key(&body).as_str()), (StatusCode::TOO_MANY_REQUESTS, "TooManyAttempts"));
    // …but not for the owner's own browser.
    assert_eq!(app.sign_in(&home, "owner", PASSWORD).await, StatusCode::OK);
    assert_eq!(app.me(&home).await.1["username"], "owner");
    assert_eq!(app.call(&home, "auth/sign_out", &[]).await.0, StatusCode::OK);

    // That browser has a limit of its own: ten wrong passwords, then it waits too.
    for _ in 0..10 {
        assert_eq!(app.sign_in(&home, "owner", "typo typo typo").await, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let res = app.call_raw(&home, "auth/sign_in", &[("username", "owner"), ("password", PASSWORD)]).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = res.headers()[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!((3000..=3600).contains(&retry), "about an hour: {retry}");
    // Its guesses did not count against the account's limit for everyone else.
    assert_eq!(app.count("SELECT COUNT(*) FROM auth_failures WHERE scope = 'signin-account'").await, 20);
    assert_eq!(app.count("SELECT COUNT(*) FROM auth_failures WHERE scope = 'signin-device'").await, 10);
    // A device cookie for another account, or a made-up one, earns nothing.
    let stranger = app.client();
    for _ in 0..3 {
        let status = stranger
            .post(format!("{}/api/auth/sign_in", app.base))
            .header(header::ORIGIN, &app.origin)
            .header(header::COOKIE, "portico_device=made-up-token")
            .form(&[("username", "owner"), ("password", PASSWORD)])
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    }
}

async fn a_full_hash_queue_answers_busy_at_once(app: &TestApp) {
    // One hash running, one waiting (Options): thirty sign-ins at once.
    let flood: Vec<_> = (0..30)
        .map(|i| async move {
            let res = app
                .call_raw(
                    &app.client(),
                    "auth/sign_in",
                    &[("username", &format!("user{i}")), ("password", "nope nope")],
                )
                .await;
            let status = res.status();
            let retry = res.headers().get(header::RETRY_AFTER).map(|v| v.to_str().unwrap().to_owned());
            let body: serde_json::Value = serde_json::from_str(&res.text().await.unwrap()).unwrap();
            (status, retry, error_key(&body))
        })
        .collect();
    let answers = futures::future::join_all(flood).await;
    let busy: Vec<_> = answers.iter().filter(|(s, _, _)| *s == StatusCode::SERVICE_UNAVAILABLE).collect();
    let tried = answers.iter().filter(|(s, _, _)| *s == StatusCode::UNPROCESSABLE_ENTITY).count();
    assert_eq!(busy.len() + tried, 30, "only tried or busy, never a 500: {answers:?}");
    assert!(!busy.is_empty(), "a queue of one refuses some of thirty at once");
    for (_, retry, key) in &busy {
        assert_eq!((retry.as_deref(), key.as_str()), (Some("1"), "Busy"));
    }
    // A refused attempt was not an attempt: it counts against no limit.
    let counted = app.count("SELECT COUNT(*) FROM auth_failures WHERE scope = 'signin-address'").await;
    assert_eq!(counted, tried as i64);
}

/// A server-function call with the X-Forwarded-For header a proxy would have sent.
async fn call_via(
    app: &TestApp,
    forwarded_for: &str,
    endpoint: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    app.client()
        .post(format!("{}/api/{endpoint}", app.base))
        .header(header::ORIGIN, &app.origin)
        .header("x-forwarded-for", forwarded_for)
        .form(form)
        .send()
        .await
        .unwrap()
}

async fn wrong_code_via(app: &TestApp, forwarded_for: &str) -> StatusCode {
    let form = [("code", "ABCDE-FGHJK-MNPQR"), ("birth_date", "1985-05-05")];
    call_via(app, forwarded_for, "auth/check_activation", &form).await.status()
}

async fn forwarded_for_is_the_entry_our_proxy_appended(app: &TestApp) {
    // Ten wrong codes from one IPv6 /64, each with a different made-up left-most entry.
    for i in 0..10 {
        let header = format!("198.51.100.{i}, 2001:db8:1:2::{i:x}");
        assert_eq!(wrong_code_via(app, &header).await, StatusCode::UNPROCESSABLE_ENTITY);
    }
    // Any address of that /64 now waits, whatever the client writes to the left…
    assert_eq!(wrong_code_via(app, "2001:db8:1:2:ffff::1").await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(wrong_code_via(app, "203.0.113.50, 2001:db8:1:2::77").await, StatusCode::TOO_MANY_REQUESTS);
    // …and another /64 or an IPv4 client does not.
    assert_eq!(wrong_code_via(app, "2001:db8:1:3::1").await, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong_code_via(app, "2001:db8:1:2::1, 192.0.2.10").await, StatusCode::UNPROCESSABLE_ENTITY);

    // The session and the audit log keep the full address our proxy saw.
    app.add_patient_user("traveller").await;
    let form = [("username", "traveller"), ("password", PASSWORD)];
    let res = call_via(app, "10.9.9.9, 192.0.2.44", "auth/sign_in", &form).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers().contains_key("server-timing"), "PORTICO_SERVER_TIMING=1 sends it");
    let seen = app.count("SELECT COUNT(*) FROM sessions WHERE client_addr = '192.0.2.44'").await;
    assert_eq!(seen, 1);
    let audited = app
        .count("SELECT COUNT(*) FROM audit_log WHERE action = 'signin' AND client_addr = '192.0.2.44'")
        .await;
    assert_eq!(audited, 1);
}

async fn forwarded_for_is_ignored_without_a_trusted_proxy(app: &TestApp) {
    // No proxy is trusted (the default): a client changing the header gains nothing.
    for i in 0..10 {
        assert_eq!(wrong_code_via(app, &format!("192.0.2.{i}")).await, StatusCode::UNPROCESSABLE_ENTITY);
    }
    assert_eq!(wrong_code_via(app, "192.0.2.200").await, StatusCode::TOO_MANY_REQUESTS);
}

async fn forgot_password_answers_alike_and_is_limited(app: &TestApp) {
    app.add_patient_user("target").await;
    let client = app.client();
    let known = app.call_raw(&client, "auth/request_reset", &[("who", "target")]).await;
    let unknown = app.call_raw(&client, "auth/request_reset", &[("who", "nobody-at-all")]).await;
    assert_eq!((known.status(), unknown.status()), (StatusCode::OK, StatusCode::OK));
    for res in [&known, &unknown] {
        assert!(!res.headers().contains_key("server-timing"), "no Server-Timing unless configured");
    }
    assert_eq!(known.text().await.unwrap(), unknown.text().await.unwrap());
    app.mail.wait_for("target@example.org", 1).await;

    // Reset mails to one e-mail address are limited, whichever account names it.
    for name in ["twin.a", "twin.b"] {
        app.add_user(name, app::auth::Role::Patient, None, "shared@example.org").await;
    }
    for name in ["twin.a", "twin.b", "twin.a", "twin.b", "twin.a", "twin.b", "twin.a"] {
        assert_eq!(app.call(&client, "auth/request_reset", &[("who", name)]).await.0, StatusCode::OK);
        // One queued lookup at a time: two racing for the last place may both be refused
        // (a limit errs on the side of refusing), which would make the count below 4.
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    app.mail.wait_for("shared@example.org", 5).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(app.mail.count_to("shared@example.org"), 5, "five per address an hour");

    // Requests from one client address: twenty an hour, then a wait (9 made so far).
    for _ in 0..11 {
        assert_eq!(app.call(&client, "auth/request_reset", &[("who", "nobody")]).await.0, StatusCode::OK);
    }
    let res = app.call_raw(&client, "auth/request_reset", &[("who", "target")]).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().contains_key(header::RETRY_AFTER));
}

fn set_cookie(res: &reqwest::Response, prefix: &str) -> Option<String> {
    res.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(prefix))
        .map(str::to_owned)
}
