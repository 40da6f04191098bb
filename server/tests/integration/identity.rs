//! Enrollment, sign-in, sessions, idle expiry, sign-out and password reset, end to end
//! over HTTP against the real server, on SQLite and PostgreSQL.

use crate::common::{error_key, TestApp, PASSWORD};
use app::auth::{rules, store, Role};
use reqwest::{header, StatusCode};

const MINUTE: i64 = 60_000;

async fn issue_code(app: &TestApp, patient_id: i64) -> String {
    store::issue_activation_code(&app.state.db, patient_id, None, app.clock.now_ms()).await.unwrap().code
}

async fn enroll(
    app: &TestApp,
    client: &reqwest::Client,
    code: &str,
    birth: &str,
    username: &str,
) -> (StatusCode, serde_json::Value) {
    app.call(
        client,
        "auth/enroll",
        &[
            ("code", code),
            ("birth_date", birth),
            ("username", username),
            ("email", "new@example.org"),
            ("password", PASSWORD),
            ("password_confirm", PASSWORD),
        ],
    )
    .await
}

on_both_databases!(
    enrollment_creates_the_account_and_signs_in,
    enrollment_refuses_wrong_expired_used_and_replaced_codes,
    enrollment_refuses_under_13_and_points_to_proxy_access,
    enrollment_validates_each_field_and_keeps_the_code,
    concurrent_redemptions_of_one_code_let_exactly_one_through,
    activation_guessing_is_throttled,
    sign_in_good_bad_and_unknown,
    sign_in_throttle_never_blocks_forgot_password,
    sign_in_rotates_the_session_and_sign_out_ends_it,
    server_refuses_a_session_idle_past_its_limit,
    the_app_gets_ten_minutes_and_sessions_end_after_twelve_hours,
    forgot_password_by_mail_ends_every_session,
    reset_codes_expire_and_five_wrong_tries_void_them,
    old_password_hashes_are_upgraded_at_sign_in,
    staff_issue_codes_and_patients_cannot,
    every_event_is_in_the_hash_chained_audit_log,
);

async fn enrollment_creates_the_account_and_signs_in(app: &TestApp) {
    let pid = app.add_patient("M1", "Robin", "Hale", "1990-02-03").await;
    let code = issue_code(app, pid).await;
    assert!(code.len() == 17 && code.chars().filter(|c| *c == '-').count() == 2, "{code}");
    let client = app.client();
    let (status, preview) = app
        .call(
            &client,
            "auth/check_activation",
            &[("code", &code.to_lowercase()), ("birth_date", "1990-02-03")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(preview["given_name"], "Robin");

    let (status, body) = enroll(app, &client, &code, "1990-02-03", "Robin.Hale").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, me) = app.me(&client).await;
    assert_eq!(me["username"], "robin.hale");
    assert_eq!(me["chart_name"], "Robin Hale");
    assert_eq!(me["idle_minutes"], 20);
    assert_eq!(app.count("SELECT COUNT(*) FROM activation_codes WHERE used_at IS NOT NULL").await, 1);
    assert_eq!(app.audit_count("enrollment").await, 1);
    // Only the hash of the code is stored.
    let stored = app
        .count(&format!("SELECT COUNT(*) FROM activation_codes WHERE code_hash LIKE '%{}%'", &code[..5]))
        .await;
    assert_eq!(stored, 0);
}

async fn enrollment_refuses_wrong_expired_used_and_replaced_codes(app: &TestApp) {
    let pid = app.add_patient("M2", "Sam", "Lee", "1985-05-05").await;
    let client = app.client();
    let check = |code: String, birth: &'static str| {
        let client = client.clone();
        async move {
            let (s, b) =
                app.call(&client, "auth/check_activation", &[("code", &code), ("birth_date", birth)]).await;
            (s, error_key(&b))
        }
    };
    assert_eq!(
        check("ABCDE-FGHJK-MNPQR".into(), "1985-05-05").await,
        (StatusCode::UNPROCESSABLE_ENTITY, "activation.no_match".into())
    );
    assert_eq!(check("not a code".into(), "1985-05-05").await.1, "activation.format");
    let first = issue_code(app, pid).await;
    assert_eq!(check(first.clone(), "1985-05-06").await.1, "activation.no_match", "wrong birth date");
    assert_eq!(check(first.clone(), "05/05/1985").await.1, "activation.birth_date_invalid");

    // A new code voids the old one.
    let second = issue_code(app, pid).await;
    assert_eq!(check(first, "1985-05-05").await.1, "activation.replaced");

    // 45 days: valid until the last millisecond, expired after.
    app.clock.advance_ms(rules::ACTIVATION_CODE_TTL_MS - 1);
    assert_eq!(check(second.clone(), "1985-05-05").await.0, StatusCode::OK);
    app.clock.advance_ms(1);
    assert_eq!(check(second, "1985-05-05").await.1, "activation.expired");

    let third = issue_code(app, pid).await;
    assert_eq!(enroll(app, &client, &third, "1985-05-05", "sam.lee").await.0, StatusCode::OK);
    let other = app.client();
    let (s, b) =
        app.call(&other, "auth/check_activation", &[("code", &third), ("birth_date", "1985-05-05")]).await;
    assert_eq!((s, error_key(&b).as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "activation.used"));
}

async fn enrollment_refuses_under_13_and_points_to_proxy_access(app: &TestApp) {
    // The test clock is 2026-11-25: born 2013-11-26 is 12, born 2013-11-25 is 13 today.
    let child = app.add_patient("M3", "Kid", "Young", "2013-11-26").await;
    let teen = app.add_patient("M4", "Teen", "Young", "2013-11-25").await;
    let staff = app.add_user("front.desk", Role::Support, None, "fd@example.org").await;
    let _ = staff;
    let desk = app.signed_in("front.desk").await;
    let (s, b) = app.call(&desk, "staff/issue_activation_code", &[("patient_id", &child.to_string())]).await;
    assert_eq!((s, error_key(&b).as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "activation.under_13"));

    // A code issued earlier (e.g. by the CLI) still cannot enroll a 12-year-old.
    let code = issue_code(app, child).await;
    let (_, b) = app
        .call(&app.client(), "auth/check_activation", &[("code", &code), ("birth_date", "2013-11-26")])
        .await;
    assert_eq!(error_key(&b), "activation.under_13");

    let (s, b) = app.call(&desk, "staff/issue_activation_code", &[("patient_id", &teen.to_string())]).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let code = b["code"].as_str().unwrap().to_owned();
    assert_eq!(enroll(app, &app.client(), &code, "2013-11-25", "teen.young").await.0, StatusCode::OK);
}

async fn enrollment_validates_each_field_and_keeps_the_code(app: &TestApp) {
    let pid = app.add_patient("M5", "Alex", "Stone", "1970-01-01").await;
    let code = issue_code(app, pid).await;
    let client = app.client();
    let attempt =
        |username: &'static str, email: &'static str, password: &'static str, confirm: &'static str| {
            let client = client.clone();
            let code = code.clone();
            async move {
                let (s, b) = app
                    .call(
                        &client,
                        "auth/enroll",
                        &[
                            ("code", &code),
                            ("birth_date", "1970-01-01"),
                            ("username", username),
                            ("email", email),
                            ("password", password),
                            ("password_confirm", confirm),
                        ],
                    )
                    .await;
                (
                    s,
                    b.get("Invalid").map(|i| {
                        (i["field"].as_str().unwrap().to_owned(), i["problem"].as_str().unwrap().to_owned())
                    }),
                )
            }
        };
    let long_password: &'static str = Box::leak("x".repeat(129).into_boxed_str());
    let cases = [
        (attempt("a", "a@example.org", PASSWORD, PASSWORD).await, ("username", "username.too_short")),
        (attempt("bad name", "a@example.org", PASSWORD, PASSWORD).await, ("username", "username.bad_chars")),
        (attempt("alex", "not-an-email", PASSWORD, PASSWORD).await, ("email", "email.invalid")),
        (attempt("alex", "a@example.org", "short", "short").await, ("password", "password.too_short")),
        (
            attempt("alex", "a@example.org", long_password, long_password).await,
            ("password", "password.too_long"),
        ),
        (
            attempt("alex", "a@example.org", "password1234", "password1234").await,
            ("password", "password.too_weak"),
        ),
        (
            attempt("alex", "a@example.org", PASSWORD, "Portico-Demo-2026?").await,
            ("password_confirm", "password.mismatch"),
        ),
    ];
    for ((status, got), (field, key)) in cases {
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(got, Some((field.to_owned(), key.to_owned())));
    }
    // None of that used the code up.
    assert_eq!(app.count("SELECT COUNT(*) FROM activation_codes WHERE used_at IS NULL").await, 1);
    app.add_user("taken", Role::Patient, None, "t@example.org").await;
    assert_eq!(
        attempt("TAKEN", "a@example.org", PASSWORD, PASSWORD).await.1,
        Some(("username".into(), "username.taken".into()))
    );
    assert_eq!(attempt("alex", "a@example.org", PASSWORD, PASSWORD).await.0, StatusCode::OK);
}

async fn concurrent_redemptions_of_one_code_let_exactly_one_through(app: &TestApp) {
    let pid = app.add_patient("M6", "Jo", "Twin", "1999-09-09").await;
    let code = issue_code(app, pid).await;
    let (a, b) = (app.client(), app.client());
    let (ra, rb) = tokio::join!(
        enroll(app, &a, &code, "1999-09-09", "first.twin"),
        enroll(app, &b, &code, "1999-09-09", "second.twin"),
    );
    let mut statuses = [ra.0, rb.0];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::UNPROCESSABLE_ENTITY], "{ra:?} {rb:?}");
    let loser = if ra.0 == StatusCode::OK { rb.1 } else { ra.1 };
    assert_eq!(error_key(&loser), "activation.used");
    assert_eq!(app.count("SELECT COUNT(*) FROM users WHERE role = 'patient'").await, 1);
}

async fn activation_guessing_is_throttled(app: &TestApp) {
    let pid = app.add_patient("M7", "Guess", "Who", "1960-06-06").await;
    let code = issue_code(app, pid).await;
    let client = app.client();
    for _ in 0..10 {
        let (s, _) = app
            .call(
                &client,
                "auth/check_activation",
                &[("code", "ZZZZZ-ZZZZZ-ZZZZZ"), ("birth_date", "1960-06-06")],
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let (s, b) =
        app.call(&client, "auth/check_activation", &[("code", &code), ("birth_date", "1960-06-06")]).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "even the right code waits: {b}");
    assert!(b["TooManyAttempts"]["retry_after_secs"].as_u64().unwrap() > 3000);
    app.clock.advance_ms(60 * MINUTE + 1);
    assert_eq!(
        app.call(&client, "auth/check_activation", &[("code", &code), ("birth_date", "1960-06-06")]).await.0,
        StatusCode::OK
    );
}

async fn sign_in_good_bad_and_unknown(app: &TestApp) {
    app.add_patient_user("avery").await;
    let client = app.client();
    let (s1, b1) =
        app.call(&client, "auth/sign_in", &[("username", "avery"), ("password", "wrong password!")]).await;
    let (s2, b2) =
        app.call(&client, "auth/sign_in", &[("username", "nobody"), ("password", "wrong password!")]).await;
    assert_eq!((s1, &b1), (s2, &b2), "same status and body for a wrong password and an unknown user");
    assert_eq!(s1, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_key(&b1), "signin.failed");
    assert_eq!(app.me(&client).await.1, serde_json::Value::Null);
    assert_eq!(
        app.sign_in(&client, "  AVERY ", PASSWORD).await,
        StatusCode::OK,
        "usernames are case-insensitive"
    );
    assert_eq!(app.me(&client).await.1["username"], "avery");
    assert_eq!(app.audit_count("signin-failure").await, 2);
    assert_eq!(app.audit_count("signin").await, 1);
}

async fn sign_in_throttle_never_blocks_forgot_password(app: &TestApp) {
    app.add_patient_user("target").await;
    let attacker = app.client();
    for _ in 0..20 {
        assert_eq!(
            app.sign_in(&attacker, "target", "guess guess guess").await,
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
    // The real user, from elsewhere, with the right password: still refused for now…
    let user = app.client();
    let (s, b) = app.call(&user, "auth/sign_in", &[("username", "target"), ("password", PASSWORD)]).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{b}");
    // …but forgot-password works, and a reset lifts the lock.
    assert_eq!(app.call(&user, "auth/request_reset", &[("who", "target")]).await.0, StatusCode::OK);
    let mail = app.mail.wait_for("target@example.org", 1).await;
    let code = reset_code_in(&mail.raw);
    let (s, b) = reset_password(app, &user, "target", &code, "sturdy lantern orbit 9").await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(app.sign_in(&user, "target", "sturdy lantern orbit 9").await, StatusCode::OK);
}

/// Step 2 of forgot-password: (status, JSON body).
async fn reset_password(
    app: &TestApp,
    client: &reqwest::Client,
    who: &str,
    code: &str,
    password: &str,
) -> (StatusCode, serde_json::Value) {
    let form = [("who", who), ("code", code), ("password", password), ("password_confirm", password)];
    app.call(client, "auth/reset_password", &form).await
}

fn reset_code_in(raw: &str) -> String {
    let at = raw.find("Your code is: ").expect("code line") + "Your code is: ".len();
    raw[at..at + rules::RESET_CODE_DIGITS].to_owned()
}

fn session_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.contains("portico_session="))
        .map(str::to_owned)
}

async fn sign_in_rotates_the_session_and_sign_out_ends_it(app: &TestApp) {
    app.add_patient_user("rota").await;
    let client = app.client();
    let first = app.call_raw(&client, "auth/sign_in", &[("username", "rota"), ("password", PASSWORD)]).await;
    let first_cookie = session_cookie(&first).unwrap();
    for attr in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(first_cookie.contains(attr), "{first_cookie}");
    }
    assert!(!first_cookie.contains("Secure"), "plain http: no Secure flag");
    let second = app.call_raw(&client, "auth/sign_in", &[("username", "rota"), ("password", PASSWORD)]).await;
    let second_cookie = session_cookie(&second).unwrap();
    assert_ne!(first_cookie, second_cookie, "a new session id at each sign-in");
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 1, "the previous session was deleted");

    let out = app.call_raw(&client, "auth/sign_out", &[]).await;
    assert_eq!(out.status(), StatusCode::OK);
    assert_eq!(out.headers()["clear-site-data"], "\"cache\"");
    assert!(session_cookie(&out).unwrap().contains("Max-Age=0"));
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
    assert_eq!(app.audit_count("signout").await, 1);

    // The header's "Sign out" is a plain form: a browser's post (asking for a page) ends
    // the session too, and lands on the sign-in page that says so.
    let browser = app.client();
    app.call_raw(&browser, "auth/sign_in", &[("username", "rota"), ("password", PASSWORD)]).await;
    let out = browser
        .post(format!("{}/api/auth/sign_out", app.base))
        .header(header::ORIGIN, &app.origin)
        .header(header::ACCEPT, "text/html")
        .header(header::REFERER, format!("{}/", app.base))
        .form(&[("", "")][..0])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::FOUND);
    assert_eq!(out.headers()[header::LOCATION], "/signin?reason=signed-out");
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
    assert_eq!(app.audit_count("signout").await, 2);

    // A stolen cookie value is useless after sign-out.
    let token = second_cookie.split(';').next().unwrap().to_owned();
    let replay = app
        .client()
        .post(format!("{}/api/auth/keep_alive", app.base))
        .header("cookie", token)
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), StatusCode::UNAUTHORIZED);
}

async fn server_refuses_a_session_idle_past_its_limit(app: &TestApp) {
    app.add_patient_user("idle").await;
    let client = app.signed_in("idle").await;
    // Activity every 19 minutes keeps the session alive for an hour.
    for _ in 0..3 {
        app.clock.advance_ms(19 * MINUTE);
        assert_eq!(app.call(&client, "auth/keep_alive", &[]).await, (StatusCode::OK, serde_json::json!(20)));
    }
    app.clock.advance_ms(20 * MINUTE + 1);
    let (s, b) = app.call(&client, "auth/keep_alive", &[]).await;
    assert_eq!((s, b), (StatusCode::UNAUTHORIZED, serde_json::json!({"IdleTimeout": {"minutes": 20}})));
    assert_eq!(app.audit_count("idle-logout").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
    // Whatever the client does next, it is signed out.
    assert_eq!(app.me(&client).await, (StatusCode::OK, serde_json::Value::Null));
}

async fn the_app_gets_ten_minutes_and_sessions_end_after_twelve_hours(app: &TestApp) {
    app.add_patient_user("phone").await;
    let client = app.client();
    let (s, _) = app
        .call(&client, "auth/sign_in", &[("username", "phone"), ("password", PASSWORD), ("app_mode", "true")])
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(app.me(&client).await.1["idle_minutes"], 10);
    app.clock.advance_ms(10 * MINUTE + 1);
    assert_eq!(
        app.call(&client, "auth/keep_alive", &[]).await.1,
        serde_json::json!({"IdleTimeout": {"minutes": 10}})
    );

    let web = app.signed_in("phone").await;
    for _ in 0..(12 * 60 / 15) {
        app.clock.advance_ms(15 * MINUTE);
        assert_eq!(app.call(&web, "auth/keep_alive", &[]).await.0, StatusCode::OK);
    }
    app.clock.advance_ms(15 * MINUTE);
    assert_eq!(
        app.call(&web, "auth/keep_alive", &[]).await.0,
        StatusCode::UNAUTHORIZED,
        "12-hour absolute limit"
    );
}

async fn forgot_password_by_mail_ends_every_session(app: &TestApp) {
    app.add_patient_user("forgetful").await;
    let laptop = app.signed_in("forgetful").await;
    let phone = app.client();
    // Unknown accounts get the same answer, and no mail.
    assert_eq!(
        app.call(&phone, "auth/request_reset", &[("who", "nobody@example.org")]).await,
        (StatusCode::OK, serde_json::Value::Null)
    );
    assert_eq!(
        app.call(&phone, "auth/request_reset", &[("who", "FORGETFUL@example.org")]).await,
        (StatusCode::OK, serde_json::Value::Null)
    );
    let mail = app.mail.wait_for("forgetful@example.org", 1).await;
    assert!(!mail.raw.contains("Pat Ient"), "no names in mail");
    let code = reset_code_in(&mail.raw);
    let new_password = "quiet harbor violet 73";
    let (s, b) = reset_password(app, &phone, "forgetful", &code, "weakweakweak").await;
    assert_eq!(
        (s, error_key(&b).as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "password.too_weak"),
        "the code survives a weak password"
    );
    let (s, _) = reset_password(app, &phone, "forgetful", &code, new_password).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(app.me(&phone).await.1, serde_json::Value::Null, "a reset does not sign in");
    assert_eq!(
        app.call(&laptop, "auth/keep_alive", &[]).await.0,
        StatusCode::UNAUTHORIZED,
        "every session ended"
    );
    let notice = app.mail.wait_for("forgetful@example.org", 2).await;
    assert!(notice.raw.contains("password") && notice.raw.contains("+1 555 0199"));
    assert_eq!(app.sign_in(&phone, "forgetful", PASSWORD).await, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.sign_in(&phone, "forgetful", new_password).await, StatusCode::OK);
    // Single use.
    let (_, b) = reset_password(app, &app.client(), "forgetful", &code, new_password).await;
    assert_eq!(error_key(&b), "reset.code_invalid");
    assert_eq!(app.mail.count_to("nobody@example.org"), 0);
}

async fn reset_codes_expire_and_five_wrong_tries_void_them(app: &TestApp) {
    app.add_patient_user("unlucky").await;
    let client = app.client();
    let reset = |code: String| {
        let client = client.clone();
        async move {
            let (_, b) = reset_password(app, &client, "unlucky", &code, "copper meadow tiger 5").await;
            error_key(&b)
        }
    };
    app.call(&client, "auth/request_reset", &[("who", "unlucky")]).await;
    let code = reset_code_in(&app.mail.wait_for("unlucky@example.org", 1).await.raw);
    app.clock.advance_ms(rules::RESET_CODE_TTL_MS + 1);
    assert_eq!(reset(code).await, "reset.code_invalid", "expired after 10 minutes");

    app.call(&client, "auth/request_reset", &[("who", "unlucky")]).await;
    let code = reset_code_in(&app.mail.wait_for("unlucky@example.org", 2).await.raw);
    let wrong = if code == "00000000" { "11111111" } else { "00000000" };
    for _ in 0..4 {
        assert_eq!(reset(wrong.into()).await, "reset.code_invalid");
    }
    assert_eq!(reset(wrong.into()).await, "reset.code_exhausted");
    assert_eq!(reset(code).await, "reset.code_invalid", "the right code no longer works");
}

async fn old_password_hashes_are_upgraded_at_sign_in(app: &TestApp) {
    use argon2::{
        password_hash::{PasswordHasher, SaltString},
        Algorithm, Argon2, Params, Version,
    };
    let pid = app.add_patient("M8", "Old", "Hash", "1950-01-01").await;
    let weak = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(4096, 1, 1, None).unwrap());
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    let old = weak.hash_password(PASSWORD.as_bytes(), &salt).unwrap().to_string();
    let user = store::NewUser {
        username: "oldhash",
        password_hash: &old,
        email: None,
        display_name: "Old Hash",
        role: Role::Patient,
        patient_id: Some(pid),
        email_confirmed: true,
    };
    store::insert_user(&app.state.db.write, &user, app.clock.now_ms()).await.unwrap();
    app.signed_in("oldhash").await;
    let stored = store::user_by_username(&app.state.db, "oldhash").await.unwrap().unwrap().password_hash;
    assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{stored}");
    app.signed_in("oldhash").await;
}

async fn staff_issue_codes_and_patients_cannot(app: &TestApp) {
    let pid = app.add_patient("M9", "Nina", "Park", "1992-12-12").await;
    app.add_patient_user("patient.one").await;
    app.add_user("billing.one", Role::Billing, None, "b@example.org").await;
    app.add_user("nurse.one", Role::Clinician, None, "n@example.org").await;
    let id = pid.to_string();
    for who in ["patient.one", "billing.one"] {
        let c = app.signed_in(who).await;
        assert_eq!(
            app.call(&c, "staff/find_patients", &[("query", "Park")]).await.0,
            StatusCode::FORBIDDEN,
            "{who}"
        );
        assert_eq!(
            app.call(&c, "staff/issue_activation_code", &[("patient_id", &id)]).await.0,
            StatusCode::FORBIDDEN,
            "{who}"
        );
    }
    assert_eq!(
        app.call(&app.client(), "staff/find_patients", &[("query", "Park")]).await.0,
        StatusCode::UNAUTHORIZED
    );
    let nurse = app.signed_in("nurse.one").await;
    let (s, found) = app.call(&nurse, "staff/find_patients", &[("query", "park, ni")]).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(found.as_array().unwrap().len(), 1);
    assert_eq!(found[0]["name"], "Park, Nina");
    assert_eq!(app.call(&nurse, "staff/find_patients", &[("query", "M9")]).await.1[0]["id"], pid);
    assert_eq!(
        error_key(&app.call(&nurse, "staff/find_patients", &[("query", "P")]).await.1),
        "search.too_short"
    );
    assert_eq!(
        app.call(&nurse, "staff/issue_activation_code", &[("patient_id", "999999")]).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.call(&nurse, "staff/issue_activation_code", &[("patient_id", "not-a-number")]).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let (s, issued) = app.call(&nurse, "staff/issue_activation_code", &[("patient_id", &id)]).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(issued["expires_on"], "2027-01-09", "45 days after 2026-11-25");
    assert_eq!(app.audit_count("activation-code-issued").await, 1);
}

async fn every_event_is_in_the_hash_chained_audit_log(app: &TestApp) {
    app.add_patient_user("audited").await;
    let c = app.signed_in("audited").await;
    app.sign_in(&app.client(), "audited", "nope nope nope").await;
    app.call(&c, "auth/sign_out", &[]).await;
    assert!(app.count("SELECT COUNT(*) FROM audit_log").await >= 3);
    assert_eq!(app::infra::audit::verify_chain(&app.state.db).await.unwrap(), None, "chain intact");
    // Append-only: the database itself refuses edits and deletions.
    assert!(sqlx::query("UPDATE audit_log SET action = 'x'").execute(&app.state.db.write).await.is_err());
    assert!(sqlx::query("DELETE FROM audit_log").execute(&app.state.db.write).await.is_err());
}
