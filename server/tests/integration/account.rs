//! The account's security settings: change the password (current one required, wrong ones
//! limited, others signed out on request, a notice mailed), and the signed-in devices (each
//! described, one or all others signed out, never someone else's). On both databases.

use crate::common::{error_key, TestApp, PASSWORD};
use reqwest::{header, StatusCode};

on_both_databases!(
    changing_the_password_needs_the_current_one_and_a_new_strong_one,
    changing_the_password_can_sign_out_the_other_devices,
    wrong_current_passwords_are_limited,
    devices_are_listed_and_signed_out_one_by_one_or_all,
);

const NEW_PASSWORD: &str = "violet harbour kettle 42";
const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 \
                      (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";

async fn change(
    app: &TestApp,
    client: &reqwest::Client,
    current: &str,
    new: &str,
    confirm: &str,
    others: bool,
) -> (StatusCode, String) {
    let mut form = vec![("current_password", current), ("password", new), ("password_confirm", confirm)];
    if others {
        form.push(("sign_out_others", "on"));
    }
    let (status, body) = app.call(client, "account/change_password", &form).await;
    (status, error_key(&body))
}

async fn changing_the_password_needs_the_current_one_and_a_new_strong_one(app: &TestApp) {
    app.add_patient_user("robin").await;
    let client = app.signed_in("robin").await;
    let refused = StatusCode::UNPROCESSABLE_ENTITY;
    assert_eq!(
        change(app, &client, "not my password", NEW_PASSWORD, NEW_PASSWORD, false).await,
        (refused, "password.current_wrong".into())
    );
    assert_eq!(
        change(app, &client, PASSWORD, PASSWORD, PASSWORD, false).await,
        (refused, "password.unchanged".into())
    );
    assert_eq!(
        change(app, &client, PASSWORD, "robin robin robin", "robin robin robin", false).await.1,
        "password.too_weak"
    );
    assert_eq!(change(app, &client, PASSWORD, "short", "short", false).await.1, "password.too_short");
    assert_eq!(
        change(app, &client, PASSWORD, NEW_PASSWORD, "violet harbour kettle 43", false).await,
        (refused, "password.mismatch".into())
    );
    // Nothing was changed by any of those.
    assert_eq!(app.sign_in(&app.client(), "robin", PASSWORD).await, StatusCode::OK);

    assert_eq!(change(app, &client, PASSWORD, NEW_PASSWORD, NEW_PASSWORD, false).await.0, StatusCode::OK);
    assert_eq!(app.me(&client).await.1["username"], "robin", "this session goes on");
    assert_eq!(app.sign_in(&app.client(), "robin", PASSWORD).await, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.sign_in(&app.client(), "robin", NEW_PASSWORD).await, StatusCode::OK);
    let mail = app.mail.wait_for("robin@example.org", 1).await;
    assert!(mail.raw.contains("was just changed") && mail.raw.contains("+1 555 0199"), "{}", mail.raw);
    assert_eq!(app.audit_count("password-changed").await, 1);
    assert_eq!(app.audit_count("password-change-failure").await, 1);
    // Not signed in: refused as such.
    assert_eq!(
        change(app, &app.client(), NEW_PASSWORD, "another sturdy phrase 7", "another sturdy phrase 7", false)
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
}

async fn changing_the_password_can_sign_out_the_other_devices(app: &TestApp) {
    app.add_patient_user("robin").await;
    let phone = app.signed_in("robin").await;
    let laptop = app.signed_in("robin").await;
    let (status, _) = change(app, &laptop, PASSWORD, NEW_PASSWORD, NEW_PASSWORD, true).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.me(&laptop).await.1["username"], "robin", "the device that changed it stays in");
    assert_eq!(app.me(&phone).await.1, serde_json::Value::Null, "every other one is out");
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 1);
    let mail = app.mail.wait_for("robin@example.org", 1).await;
    assert!(mail.raw.contains("Every other device"), "{}", mail.raw);
}

async fn wrong_current_passwords_are_limited(app: &TestApp) {
    app.add_patient_user("robin").await;
    let client = app.signed_in("robin").await;
    for _ in 0..app::account::PASSWORD_CHANGES_PER_HOUR {
        let (status, key) = change(app, &client, "a guess at it", NEW_PASSWORD, NEW_PASSWORD, false).await;
        assert_eq!((status, key.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "password.current_wrong"));
    }
    let res = app
        .call_raw(
            &client,
            "account/change_password",
            &[("current_password", PASSWORD), ("password", NEW_PASSWORD), ("password_confirm", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS, "even the right one waits");
    assert!(res.headers().contains_key(header::RETRY_AFTER));
}

/// A client for `username` whose browser says it is Safari on an iPhone.
async fn signed_in_on_iphone(app: &TestApp, username: &str) -> reqwest::Client {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .user_agent(IPHONE)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    assert_eq!(app.sign_in(&client, username, PASSWORD).await, StatusCode::OK);
    client
}

async fn devices_are_listed_and_signed_out_one_by_one_or_all(app: &TestApp) {
    app.add_patient_user("robin").await;
    app.add_patient_user("other").await;
    let iphone = signed_in_on_iphone(app, "robin").await;
    let desk = app.signed_in("robin").await;
    let spare = app.signed_in("robin").await;
    let someone_else = app.signed_in("other").await;

    let (status, list) = app.call(&desk, "account/devices", &[]).await;
    assert_eq!(status, StatusCode::OK);
    let list = list.as_array().unwrap().clone();
    assert_eq!(list.len(), 3, "robin's three sessions, not other's: {list:?}");
    assert_eq!(list.iter().filter(|d| d["this_one"] == true).count(), 1);
    let phone = list.iter().find(|d| d["system"] == "iPhone").expect("the iPhone");
    assert_eq!(phone["browser"], "Safari");
    assert_eq!(phone["address"], "127.0.0.1");
    let phone_id = phone["id"].as_i64().unwrap().to_string();

    // Another account's session id is not found, and that session goes on.
    let (_, theirs) = app.call(&someone_else, "account/devices", &[]).await;
    let their_id = theirs[0]["id"].as_i64().unwrap().to_string();
    let (status, _) = app.call(&desk, "account/sign_out_device", &[("id", their_id.as_str())]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(app.me(&someone_else).await.1["username"], "other");

    // One device…
    let (status, _) = app.call(&desk, "account/sign_out_device", &[("id", phone_id.as_str())]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.me(&iphone).await.1, serde_json::Value::Null);
    assert_eq!(app.me(&spare).await.1["username"], "robin");
    assert_eq!(app.audit_count("session-ended").await, 1);
    // …then every other.
    let (status, ended) = app.call(&desk, "account/sign_out_others", &[]).await;
    assert_eq!((status, ended), (StatusCode::OK, serde_json::json!(1)));
    assert_eq!(app.me(&spare).await.1, serde_json::Value::Null);
    assert_eq!(app.me(&desk).await.1["username"], "robin");
    assert_eq!(app.me(&someone_else).await.1["username"], "other");
}
