//! Two-step sign-in: staff set up an authenticator before anything else, every later
//! sign-in asks for a code (each works once, wrong ones are limited, recovery codes work
//! once each), and patients may turn it on and off. On both databases.

use crate::common::{error_key, TestApp, PASSWORD};
use app::auth::{two_step, Role};
use reqwest::StatusCode;

on_both_databases!(
    staff_set_up_a_second_factor_before_anything_else,
    patients_may_turn_two_step_on_and_off,
    authenticator_secrets_are_sealed_at_rest,
);

/// The database holds no authenticator secret in the clear: sealed with a key from the
/// audit key file; one stored before sealing is sealed at start and still signs in.
async fn authenticator_secrets_are_sealed_at_rest(app: &TestApp) {
    let id = app.add_user("dr.seal", app::auth::Role::Clinician, None, "seal@example.org").await;
    let stored = || async {
        sqlx::query_scalar::<_, String>("SELECT secret FROM totp_factors WHERE user_id = $1")
            .bind(id)
            .fetch_one(&app.state.db.read)
            .await
            .unwrap()
    };
    let sealed = stored().await;
    assert!(sealed.starts_with("v1:") && !sealed.contains(crate::common::TEST_TOTP_SECRET), "{sealed}");
    app.execute(&format!(
        "UPDATE totp_factors SET secret = '{}' WHERE user_id = {id}",
        crate::common::TEST_TOTP_SECRET
    ))
    .await;
    assert_eq!(app::auth::two_step::seal_stored_secrets(&app.state.db).await.unwrap(), 1);
    assert!(stored().await.starts_with("v1:"));
    assert_eq!(app::auth::two_step::seal_stored_secrets(&app.state.db).await.unwrap(), 0, "once");
    let client = app.signed_in("dr.seal").await;
    assert_eq!(app.me(&client).await.1["username"], "dr.seal");
}

async fn sign_in_raw(app: &TestApp, client: &reqwest::Client, username: &str) -> serde_json::Value {
    let (status, next) =
        app.call(client, "auth/sign_in", &[("username", username), ("password", PASSWORD)]).await;
    assert_eq!(status, StatusCode::OK, "{next}");
    next
}

/// Begins a setup; its secret (without the spaces it is shown with) and recovery codes.
async fn begin_setup(app: &TestApp, client: &reqwest::Client) -> (String, Vec<String>) {
    let (status, setup) = app.call(client, "auth/two_step/setup", &[]).await;
    assert_eq!(status, StatusCode::OK, "{setup}");
    assert!(setup["uri"].as_str().unwrap().starts_with("otpauth://totp/"), "{setup}");
    assert!(setup["qr_svg"].as_str().unwrap().contains("<svg"));
    let codes: Vec<String> =
        setup["recovery_codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect();
    assert_eq!(codes.len(), 10);
    (setup["secret"].as_str().unwrap().replace(' ', ""), codes)
}

fn code_now(app: &TestApp, secret: &str, steps_ahead: i64) -> String {
    let at = app.clock.now_ms() / 1000 + steps_ahead * 30;
    two_step::code_at(secret, at as u64).unwrap()
}

async fn staff_set_up_a_second_factor_before_anything_else(app: &TestApp) {
    let id = app.add_user("dr.new", Role::Clinician, None, "new@staff.example.org").await;
    two_step::remove(&app.state.db, id).await.unwrap(); // as `admin create-staff` leaves them
    let client = app.client();
    assert_eq!(sign_in_raw(app, &client, "dr.new").await, "Enroll");
    // Signed in to nothing but the setup.
    assert_eq!(app.me(&client).await.1, serde_json::Value::Null);
    assert_eq!(app.call(&client, "staff/results/queue", &[]).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.call(&client, "auth/two_step/verify", &[("code", "123456")]).await.0,
        StatusCode::UNAUTHORIZED
    );

    let (secret, recovery) = begin_setup(app, &client).await;
    let (status, body) = app.call(&client, "auth/two_step/confirm", &[("code", "000000")]).await;
    assert_eq!(
        (status, error_key(&body).as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "two_step.code_wrong")
    );
    let (status, body) =
        app.call(&client, "auth/two_step/confirm", &[("code", &code_now(app, &secret, 0))]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(app.me(&client).await.1["username"], "dr.new");
    assert_eq!(app.call(&client, "staff/results/queue", &[]).await.0, StatusCode::OK);
    let (status, body) = app.call(&client, "auth/two_step/turn_off", &[("current_password", PASSWORD)]).await;
    assert_eq!(
        (status, error_key(&body).as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "two_step.required_for_staff")
    );
    assert_eq!(app.audit_count("two-step-on").await, 1);

    // Every later sign-in asks for a code, which works once.
    let laptop = app.client();
    assert_eq!(sign_in_raw(app, &laptop, "dr.new").await, "SecondStep");
    assert_eq!(app.me(&laptop).await.1, serde_json::Value::Null);
    let used = code_now(app, &secret, 0);
    let (status, _) = app.call(&laptop, "auth/two_step/verify", &[("code", &used)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "the code the setup used does not work again");
    let next = code_now(app, &secret, 1);
    assert_eq!(app.call(&laptop, "auth/two_step/verify", &[("code", &next)]).await.0, StatusCode::OK);
    assert_eq!(app.me(&laptop).await.1["username"], "dr.new");

    // A recovery code, once.
    let phone = app.client();
    assert_eq!(sign_in_raw(app, &phone, "dr.new").await, "SecondStep");
    let spaced = recovery[0].to_lowercase().replace('-', " ");
    assert_eq!(app.call(&phone, "auth/two_step/verify", &[("code", &spaced)]).await.0, StatusCode::OK);
    let again = app.client();
    sign_in_raw(app, &again, "dr.new").await;
    assert_eq!(
        app.call(&again, "auth/two_step/verify", &[("code", &recovery[0])]).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let (_, status) = app.call(&phone, "auth/two_step/status", &[]).await;
    assert_eq!(status["recovery_codes_left"], 9);

    // Ten wrong codes an hour (three so far: the setup's, the reused code, the used
    // recovery code); then even a right one waits.
    for _ in 0..(two_step::CODES_PER_HOUR - 3) {
        assert_eq!(
            app.call(&again, "auth/two_step/verify", &[("code", "000000")]).await.0,
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
    let res = app.call_raw(&again, "auth/two_step/verify", &[("code", &recovery[1])]).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    // Every refused second step is in the audit log, the one refused for the limit too
    // (the setup's wrong code is not a sign-in).
    assert_eq!(app.audit_count("two-step-failure").await, two_step::CODES_PER_HOUR);
}

async fn patients_may_turn_two_step_on_and_off(app: &TestApp) {
    app.add_patient_user("robin").await;
    let client = app.client();
    assert_eq!(sign_in_raw(app, &client, "robin").await, "Full", "optional for patients");
    let (_, status) = app.call(&client, "auth/two_step/status", &[]).await;
    assert_eq!((status["on"].clone(), status["required"].clone()), (false.into(), false.into()));

    let (secret, recovery) = begin_setup(app, &client).await;
    // A reload (or a wrong code sent back to the page) shows the same setup…
    assert_eq!(begin_setup(app, &client).await, (secret.clone(), recovery.clone()));
    // …for 15 minutes; then a new one, and the old secret's codes no longer confirm.
    app.clock.advance_ms(16 * 60 * 1000);
    let (secret2, recovery2) = begin_setup(app, &client).await;
    assert_ne!(secret, secret2);
    assert_ne!(recovery, recovery2);
    let stale = code_now(app, &secret, 0);
    if stale != code_now(app, &secret2, 0) {
        assert_eq!(
            app.call(&client, "auth/two_step/confirm", &[("code", &stale)]).await.0,
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
    assert_eq!(
        app.call(&client, "auth/two_step/confirm", &[("code", &code_now(app, &secret2, 0))]).await.0,
        StatusCode::OK
    );
    let mail = app.mail.wait_for("robin@example.org", 1).await;
    assert!(mail.raw.contains("Two-step sign-in was just turned on"), "{}", mail.raw);
    let (status, body) = app.call(&client, "auth/two_step/setup", &[]).await;
    assert_eq!(
        (status, error_key(&body).as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "two_step.already_on")
    );

    let other = app.client();
    assert_eq!(sign_in_raw(app, &other, "robin").await, "SecondStep");
    assert_eq!(app.call(&other, "auth/two_step/verify", &[("code", &recovery2[3])]).await.0, StatusCode::OK);
    assert_eq!(app.audit_count("two-step-recovery").await, 1);
    // A second "Continue" (a double click) is answered as done.
    assert_eq!(app.call(&other, "auth/two_step/verify", &[("code", &recovery2[3])]).await.0, StatusCode::OK);
    // A sign-in left at the second step ends after ten minutes.
    let abandoned = app.client();
    assert_eq!(sign_in_raw(app, &abandoned, "robin").await, "SecondStep");
    app.clock.advance_ms(app::auth::rules::UNFINISHED_SIGN_IN_MS + 1);
    let late = code_now(app, &secret2, 0);
    assert_eq!(
        app.call(&abandoned, "auth/two_step/verify", &[("code", &late)]).await.0,
        StatusCode::UNAUTHORIZED
    );

    let (status, body) = app.call(&other, "auth/two_step/turn_off", &[("current_password", "not it")]).await;
    assert_eq!(
        (status, error_key(&body).as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "password.current_wrong")
    );
    assert_eq!(
        app.call(&other, "auth/two_step/turn_off", &[("current_password", PASSWORD)]).await.0,
        StatusCode::OK
    );
    assert_eq!(sign_in_raw(app, &app.client(), "robin").await, "Full");
    assert_eq!(app.count("SELECT COUNT(*) FROM recovery_codes").await, 0);
}
