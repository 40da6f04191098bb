//! Passkeys: registered from Account (or as a staff member's required factor), used
//! instead of the password or as the second step, removed with the password; every
//! ceremony once, in time, from its own session, with a signature that verifies. Real
//! signatures from a software authenticator (soft_authenticator.rs). On both databases.
use crate::{
    common::{TestApp, PASSWORD},
    soft_authenticator::SoftPasskey,
};
use app::auth::{two_step, Role};
use reqwest::{Client, StatusCode};
use serde_json::Value;

on_both_databases!(
    a_passkey_signs_in_instead_of_the_password,
    every_ceremony_is_answered_once_in_time_and_by_its_own_key,
    a_staff_members_passkey_is_their_second_factor,
    passkeys_are_limited_named_and_removed_with_the_password,
    sign_in_ceremonies_are_bounded_per_network,
);

/// "field:problem" of a refusal at a field.
fn field_key(body: &Value) -> String {
    let invalid = &body["Invalid"];
    format!("{}:{}", invalid["field"].as_str().unwrap_or("?"), invalid["problem"].as_str().unwrap_or("?"))
}

/// Where the browser runs the ceremony: the test server's public URL is an IP address,
/// which browsers refuse as a relying party, so passkeys live at localhost.
fn origin(app: &TestApp) -> String {
    app.base.replace("127.0.0.1", "localhost")
}

fn options(challenge: &Value) -> Value {
    serde_json::from_str(challenge["options"].as_str().expect("options")).unwrap()
}

async fn start(app: &TestApp, client: &Client, endpoint: &str) -> Value {
    // Adding a passkey asks for the password again (ignored where it is not asked).
    let (status, challenge) = app.call(client, endpoint, &[("current_password", PASSWORD)]).await;
    assert_eq!(status, StatusCode::OK, "{endpoint}: {challenge}");
    challenge
}

/// Registers a passkey made from `seed` on the signed-in `client`'s account.
async fn register(app: &TestApp, client: &Client, seed: &str, name: &str) -> (SoftPasskey, Value) {
    let challenge = start(app, client, "passkeys/register_start").await;
    let (passkey, answer) = SoftPasskey::create(&options(&challenge), &origin(app), seed);
    let ceremony = challenge["ceremony"].as_str().unwrap();
    let (status, finished) = app
        .call(
            client,
            "passkeys/register_finish",
            &[("ceremony", ceremony), ("credential", &answer), ("name", name)],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{finished}");
    (passkey, finished)
}

/// Signs in with `passkey` (no username); the answer of the finishing call.
async fn passkey_sign_in(app: &TestApp, client: &Client, passkey: &mut SoftPasskey) -> (StatusCode, Value) {
    let challenge = start(app, client, "passkeys/sign_in_start").await;
    let answer = passkey.assert(&options(&challenge));
    let ceremony = challenge["ceremony"].as_str().unwrap();
    app.call(client, "passkeys/sign_in_finish", &[("ceremony", ceremony), ("credential", &answer)]).await
}

async fn a_passkey_signs_in_instead_of_the_password(app: &TestApp) {
    app.add_patient_user("pat.key").await;
    let client = app.signed_in("pat.key").await;

    let challenge = start(app, &client, "passkeys/register_start").await;
    let public = &options(&challenge)["publicKey"];
    assert_eq!(public["rp"]["id"], "localhost", "{public}");
    assert_eq!(public["authenticatorSelection"]["residentKey"], "preferred", "usable without a username");
    assert_eq!(public["authenticatorSelection"]["userVerification"], "required");

    let (mut passkey, finished) = register(app, &client, "pat.key phone", "My phone").await;
    assert_eq!(finished["next"], "/account/passkeys?done=added");
    let (_, list) = app.call(&client, "passkeys/list", &[]).await;
    assert_eq!(list["passkeys"][0]["name"], "My phone", "{list}");
    assert_eq!(list["passkeys"][0]["last_used"], Value::Null);
    assert_eq!(app.audit_count("passkey-added").await, 1);
    let told = app.mail.wait_for("pat.key@example.org", 1).await;
    assert!(told.raw.contains("A passkey was just added"), "{}", told.raw);

    // In the preferred language, once there is one.
    app.execute("UPDATE patients SET language = 'es' WHERE id = (SELECT patient_id FROM users WHERE username = 'pat.key')")
        .await;
    let (_, second) = register(app, &client, "pat.key tablet", "Tablet").await;
    assert_eq!(second["next"], "/account/passkeys?done=added");
    let told = app.mail.wait_for("pat.key@example.org", 2).await;
    assert!(told.raw.contains("Se acaba de agregar una llave de acceso a su cuenta"), "{}", told.raw);

    // A patient's passkey adds no second step to the password.
    let other = app.client();
    let (status, stage) =
        app.call(&other, "auth/sign_in", &[("username", "pat.key"), ("password", PASSWORD)]).await;
    assert_eq!((status, stage), (StatusCode::OK, Value::from("Full")));

    // Instead of the password: signed in, no username given.
    let fresh = app.client();
    let (status, finished) = passkey_sign_in(app, &fresh, &mut passkey).await;
    assert_eq!((status, finished["next"].as_str()), (StatusCode::OK, Some("/")), "{finished}");
    assert_eq!(app.me(&fresh).await.1["username"], "pat.key");
    let (_, list) = app.call(&fresh, "passkeys/list", &[]).await;
    assert!(list["passkeys"][0]["last_used"].is_string(), "{list}");
    let detail: String =
        sqlx::query_scalar("SELECT detail FROM audit_log WHERE action = 'signin' ORDER BY seq DESC LIMIT 1")
            .fetch_one(&app.state.db.read)
            .await
            .unwrap();
    assert!(detail.starts_with("passkey="), "{detail}");
    // The signature counter is kept: the next sign-in must count higher.
    let again = app.client();
    assert_eq!(passkey_sign_in(app, &again, &mut passkey).await.0, StatusCode::OK);
}

async fn refused(app: &TestApp, client: &Client, endpoint: &str, ceremony: &str, answer: &str) {
    let (status, body) = app.call(client, endpoint, &[("ceremony", ceremony), ("credential", answer)]).await;
    assert_eq!(
        (status, field_key(&body).as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "form:passkey.failed"),
        "{endpoint} {body}"
    );
    assert_eq!(app.me(client).await.1, Value::Null, "not signed in");
}

async fn every_ceremony_is_answered_once_in_time_and_by_its_own_key(app: &TestApp) {
    app.add_patient_user("pat.once").await;
    let owner = app.signed_in("pat.once").await;
    let (mut passkey, _) = register(app, &owner, "pat.once laptop", "").await;
    const SIGN_IN: &str = "passkeys/sign_in_finish";

    // Used once: the same answer again is refused.
    let client = app.client();
    let challenge = start(app, &client, "passkeys/sign_in_start").await;
    let ceremony = challenge["ceremony"].as_str().unwrap().to_owned();
    let answer = passkey.assert(&options(&challenge));
    let (status, _) = app.call(&client, SIGN_IN, &[("ceremony", &ceremony), ("credential", &answer)]).await;
    assert_eq!(status, StatusCode::OK);
    refused(app, &app.client(), SIGN_IN, &ceremony, &answer).await;

    // Five minutes, then the ceremony is gone.
    let late = app.client();
    let challenge = start(app, &late, "passkeys/sign_in_start").await;
    let answer = passkey.assert(&options(&challenge));
    app.clock.advance_ms(app::auth::passkeys::CEREMONY_MS + 1);
    refused(app, &late, SIGN_IN, challenge["ceremony"].as_str().unwrap(), &answer).await;

    // A counter that does not move forward (a cloned key): refused. The one sign-in that
    // went through signed 1.
    passkey.set_counter(0);
    let cloned = app.client();
    let (status, body) = passkey_sign_in(app, &cloned, &mut passkey).await;
    assert_eq!(
        (status, field_key(&body).as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "form:passkey.failed")
    );

    // Signed by another key for the same credential: refused.
    let forger = app.client();
    let challenge = start(app, &forger, "passkeys/sign_in_start").await;
    let forged = passkey.forged().assert(&options(&challenge));
    refused(app, &forger, SIGN_IN, challenge["ceremony"].as_str().unwrap(), &forged).await;

    // An answer to another challenge (a replayed assertion): refused.
    let replay = app.client();
    let first = start(app, &replay, "passkeys/sign_in_start").await;
    let second = start(app, &replay, "passkeys/sign_in_start").await;
    let answer = passkey.assert(&options(&first));
    refused(app, &replay, SIGN_IN, second["ceremony"].as_str().unwrap(), &answer).await;

    // A registration's token does not finish a sign-in, nor one from another session.
    let challenge = start(app, &owner, "passkeys/register_start").await;
    let (_, answer) = SoftPasskey::create(&options(&challenge), &origin(app), "pat.once second");
    let ceremony = challenge["ceremony"].as_str().unwrap();
    refused(app, &app.client(), SIGN_IN, ceremony, &passkey.assert(&options(&challenge))).await;
    let other = app.signed_in("pat.once").await;
    let (status, body) = app
        .call(&other, "passkeys/register_finish", &[("ceremony", ceremony), ("credential", &answer)])
        .await;
    assert_eq!(
        (status, field_key(&body).as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "form:passkey.failed")
    );

    // A malformed or oversized answer is a failed ceremony, never a server error.
    let client = app.client();
    let challenge = start(app, &client, "passkeys/sign_in_start").await;
    refused(app, &client, SIGN_IN, challenge["ceremony"].as_str().unwrap(), "{not json").await;
    let challenge = start(app, &client, "passkeys/sign_in_start").await;
    let huge = "x".repeat(app::auth::passkeys::CREDENTIAL_MAX_BYTES + 1);
    refused(app, &client, SIGN_IN, challenge["ceremony"].as_str().unwrap(), &huge).await;
    assert!(app.audit_count("signin-failure").await >= 5);

    // A disabled account signs in with its passkey no more (same answer as an unknown key).
    app.execute("UPDATE users SET disabled_at = 1 WHERE username = 'pat.once'").await;
    let client = app.client();
    let (status, body) = passkey_sign_in(app, &client, &mut passkey).await;
    assert_eq!(
        (status, field_key(&body).as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "form:passkey.failed")
    );
}

async fn a_staff_members_passkey_is_their_second_factor(app: &TestApp) {
    let id = app.add_user("dr.key", Role::Clinician, None, "key@staff.example.org").await;
    two_step::remove(&app.state.db, id).await.unwrap(); // as `admin create-staff` leaves them
    let enrol = || async {
        let client = app.client();
        let (_, stage) =
            app.call(&client, "auth/sign_in", &[("username", "dr.key"), ("password", PASSWORD)]).await;
        assert_eq!(stage, "Enroll");
        client
    };
    let client = enrol().await;
    // Someone else who knows the first password sits at the same stage.
    let other = enrol().await;
    let other_start = start(app, &other, "passkeys/register_start").await;
    // The required factor may be a passkey instead of an authenticator app.
    let (mut passkey, finished) = register(app, &client, "dr.key phone", "Work phone").await;
    assert_eq!(finished["next"], "/", "{finished}");
    assert_eq!(app.me(&client).await.1["username"], "dr.key");
    // The other half-way session ends: it sets up no factor of its own.
    let (_, planted) = SoftPasskey::create(&options(&other_start), &origin(app), "intruder");
    let ceremony = other_start["ceremony"].as_str().unwrap();
    let (status, _) = app
        .call(&other, "passkeys/register_finish", &[("ceremony", ceremony), ("credential", &planted)])
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.call(&other, "auth/two_step/setup", &[]).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM passkeys WHERE user_id = {id}")).await, 1);
    // Their only factor stays.
    let (_, list) = app.call(&client, "passkeys/list", &[]).await;
    assert_eq!(list["last_factor_kept"], true);
    let passkey_id = list["passkeys"][0]["id"].to_string();
    let (status, body) =
        app.call(&client, "passkeys/remove", &[("id", &passkey_id), ("current_password", PASSWORD)]).await;
    assert_eq!(
        (status, field_key(&body).as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "form:two_step.required_for_staff")
    );

    // The password, then the passkey.
    let client = app.client();
    let (_, stage) =
        app.call(&client, "auth/sign_in", &[("username", "dr.key"), ("password", PASSWORD)]).await;
    assert_eq!(stage, "SecondStep");
    assert_eq!(app.me(&client).await.1, Value::Null, "not yet");
    let (_, methods) = app.call(&client, "passkeys/second_step_methods", &[]).await;
    assert_eq!(methods, serde_json::json!({ "app_code": false, "passkey": true }));
    // Someone else's passkey does not pass this account's second step.
    app.add_patient_user("pat.other").await;
    let patient = app.signed_in("pat.other").await;
    let (mut theirs, _) = register(app, &patient, "pat.other phone", "").await;
    let challenge = start(app, &client, "passkeys/second_step_start").await;
    let answer = theirs.assert(&options(&challenge));
    let ceremony = challenge["ceremony"].as_str().unwrap();
    refused(app, &client, "passkeys/second_step_finish", ceremony, &answer).await;
    // Its own does.
    let challenge = start(app, &client, "passkeys/second_step_start").await;
    assert_eq!(options(&challenge)["publicKey"]["allowCredentials"].as_array().unwrap().len(), 1);
    let answer = passkey.assert(&options(&challenge));
    let ceremony = challenge["ceremony"].as_str().unwrap();
    let (status, finished) = app
        .call(&client, "passkeys/second_step_finish", &[("ceremony", ceremony), ("credential", &answer)])
        .await;
    assert_eq!((status, finished["next"].as_str()), (StatusCode::OK, Some("/")), "{finished}");
    assert_eq!(app.me(&client).await.1["username"], "dr.key");

    // An administrator's "require a password reset" removes the passkeys too.
    let unusable = app.state.hasher.hash("a secret nobody holds 1").await.unwrap();
    app::auth::store::require_staff_reset(&app.state.db, "dr.key", &unusable, app.clock.now_ms())
        .await
        .unwrap();
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM passkeys WHERE user_id = {id}")).await, 0);
    let client = app.client();
    let (status, body) = passkey_sign_in(app, &client, &mut passkey).await;
    assert_eq!(
        (status, field_key(&body).as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "form:passkey.failed")
    );
}

async fn passkeys_are_limited_named_and_removed_with_the_password(app: &TestApp) {
    app.add_patient_user("pat.many").await;
    let client = app.signed_in("pat.many").await;
    // A name over 60 characters is refused at its field; none given, the browser's words.
    let challenge = start(app, &client, "passkeys/register_start").await;
    let (_, answer) = SoftPasskey::create(&options(&challenge), &origin(app), "pat.many long");
    let long = "n".repeat(app::auth::passkeys::NAME_MAX_CHARS + 1);
    let ceremony = challenge["ceremony"].as_str().unwrap();
    let (status, body) = app
        .call(
            &client,
            "passkeys/register_finish",
            &[("ceremony", ceremony), ("credential", &answer), ("name", &long)],
        )
        .await;
    assert_eq!(
        (status, field_key(&body).as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "name:passkey.name_too_long")
    );

    // Adding one asks for the password again.
    let (status, body) =
        app.call(&client, "passkeys/register_start", &[("current_password", "not it")]).await;
    assert_eq!(
        (status, field_key(&body).as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "current_password:password.current_wrong")
    );

    for n in 0..app::auth::passkeys::MAX_PER_USER {
        register(app, &client, &format!("pat.many {n}"), "").await;
    }
    let (_, list) = app.call(&client, "passkeys/list", &[]).await;
    assert_eq!(list["passkeys"].as_array().unwrap().len(), app::auth::passkeys::MAX_PER_USER);
    assert_eq!(list["passkeys"][0]["name"], "Passkey", "no browser named: {list}");
    let (status, body) = app.call(&client, "passkeys/register_start", &[]).await;
    assert_eq!((status, field_key(&body).as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "form:passkey.limit"));

    // Removing: which one, and the password.
    let first = list["passkeys"][0]["id"].to_string();
    let (status, body) = app.call(&client, "passkeys/remove", &[("current_password", PASSWORD)]).await;
    assert_eq!((status, field_key(&body).as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "id:passkey.choose"));
    let (status, body) = app
        .call(&client, "passkeys/remove", &[("id", &first), ("current_password", "not my password")])
        .await;
    assert_eq!(
        (status, field_key(&body).as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "current_password:password.current_wrong")
    );
    // Someone else's passkey is not found among the caller's.
    app.add_patient_user("pat.few").await;
    let other = app.signed_in("pat.few").await;
    let (status, body) =
        app.call(&other, "passkeys/remove", &[("id", &first), ("current_password", PASSWORD)]).await;
    assert_eq!((status, field_key(&body).as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "id:passkey.choose"));
    assert_eq!(app.count("SELECT COUNT(*) FROM passkeys").await, 10);

    let (status, _) =
        app.call(&client, "passkeys/remove", &[("id", &first), ("current_password", PASSWORD)]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.count("SELECT COUNT(*) FROM passkeys").await, 9);
    assert_eq!(app.audit_count("passkey-removed").await, 1);
    // Signed out, nothing passkey-related answers but the sign-in.
    let nobody = app.client();
    assert_eq!(app.call(&nobody, "passkeys/list", &[]).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(app.call(&nobody, "passkeys/register_start", &[]).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(app.call(&nobody, "passkeys/second_step_start", &[]).await.0, StatusCode::UNAUTHORIZED);
}

/// Anyone may start a passkey sign-in, so one network keeps at most 30 open at once (each
/// lives five minutes): the 31st waits, and the network's ceremonies free up in time.
async fn sign_in_ceremonies_are_bounded_per_network(app: &TestApp) {
    let client = app.client();
    for _ in 0..app::auth::passkeys::SIGN_INS_OPEN_PER_NETWORK {
        start(app, &client, "passkeys/sign_in_start").await;
    }
    let (status, body) = app.call(&client, "passkeys/sign_in_start", &[]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM passkey_ceremonies").await,
        app::auth::passkeys::SIGN_INS_OPEN_PER_NETWORK
    );
    app.clock.advance_ms(app::auth::passkeys::CEREMONY_MS + 1);
    start(app, &client, "passkeys/sign_in_start").await;
    assert_eq!(app.count("SELECT COUNT(*) FROM passkey_ceremonies").await, 1, "the old ones are dropped");
}
