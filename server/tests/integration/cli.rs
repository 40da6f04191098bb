//! The `portico` binary's subcommands, run as a person would run them.

use std::process::Command;

use crate::common::{Backend, TestApp};
use reqwest::StatusCode;

/// Runs `portico` against the test app's database, with its audit key.
fn portico(app: &TestApp, args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_portico"))
        .args(args)
        .env("PORTICO_DATABASE_URL", &app.state.config.database_url)
        .env("PORTICO_AUDIT_KEY_FILE", &app.state.config.audit_key_file)
        .env("PORTICO_MAIL_DIR", std::env::temp_dir().join("portico-cli-test-outbox"))
        .env("RUST_LOG", "warn")
        .output()
        .expect("run portico");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

fn printed_code(output: &str) -> String {
    output
        .split_whitespace()
        .find(|w| w.len() == 17 && w.matches('-').count() == 2)
        .expect("a code")
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_is_idempotent_and_admin_commands_work() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();

    let (ok, first) = portico(&app, &["seed", "--demo"]);
    assert!(ok, "{first}");
    assert!(first.contains("created patient avery"));
    let (ok, second) = portico(&app, &["seed", "--demo"]);
    assert!(ok && !second.contains("created"), "nothing twice: {second}");
    assert_ne!(printed_code(&first), printed_code(&second), "a fresh code each run");
    assert_eq!(app.count("SELECT COUNT(*) FROM users WHERE username = 'avery'").await, 1);

    // The code printed last works; the one before was voided.
    let client = app.client();
    let check = |code: String| {
        app.call_owned(
            &client,
            "auth/check_activation",
            vec![("code", code), ("birth_date", "1990-07-04".into())],
        )
    };
    assert_eq!(check(printed_code(&second)).await.0, StatusCode::OK);
    assert_eq!(crate::common::error_key(&check(printed_code(&first)).await.1), "activation.replaced");

    let (ok, out) = portico(&app, &["admin", "activation-code", "100003"]);
    assert!(ok && out.contains("Casey Nguyen"), "{out}");
    let (ok, out) = portico(&app, &["admin", "activation-code", "100001"]);
    assert!(!ok, "Avery is enrolled already: {out}");
    let (ok, out) = portico(&app, &["admin", "activation-code", "nope"]);
    assert!(!ok && out.contains("no patient has that MRN"), "{out}");

    let (ok, out) =
        portico(&app, &["admin", "create-staff", "Nurse.Kim", "--role", "clinician", "--name", "Kim Park"]);
    assert!(ok, "{out}");
    let password = out.rsplit("shown once: ").next().unwrap().trim().to_owned();
    assert_eq!(app.sign_in(&client, "nurse.kim", &password).await, StatusCode::OK);
    first_sign_in(&app, &password).await;
    let (ok, out) = portico(&app, &["admin", "create-staff", "nurse.kim", "--role", "clinician"]);
    assert!(!ok && out.contains("taken"), "{out}");
    let sessions =
        "SELECT COUNT(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username = 'nurse.kim'";
    // The setup's session; the first sign-in's, left half-way, ended when the factor was set
    // up (no one else who knew the printed password goes further).
    assert_eq!(app.count(sessions).await, 1, "the setup's session alone");

    // Disabled: the session ends now, and sign-in gets the answer a wrong password gets.
    let (ok, out) = portico(&app, &["admin", "disable-staff", "nurse.kim"]);
    assert!(ok, "{out}");
    assert_eq!(app.count(sessions).await, 0);
    let (status, body) =
        app.call(&app.client(), "auth/sign_in", &[("username", "nurse.kim"), ("password", &password)]).await;
    assert_eq!(
        (status, crate::common::error_key(&body).as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "signin.failed")
    );
    let (ok, out) = portico(&app, &["admin", "disable-staff", "avery"]);
    assert!(!ok && out.contains("no staff account"), "a patient is not disabled here: {out}");
    let (ok, out) = portico(&app, &["admin", "enable-staff", "nurse.kim"]);
    assert!(ok, "{out}");
    let form = [("username", "nurse.kim"), ("password", password.as_str())];
    let (status, stage) = app.call(&app.client(), "auth/sign_in", &form).await;
    assert_eq!((status, stage), (StatusCode::OK, serde_json::json!("SecondStep")));

    // A required reset: the old password no longer works, the sessions have ended.
    let (ok, out) = portico(&app, &["admin", "require-reset", "nurse.kim"]);
    assert!(ok && out.contains("Forgot password"), "{out}");
    assert_eq!(app.count(sessions).await, 0);
    assert_eq!(app.sign_in(&app.client(), "nurse.kim", &password).await, StatusCode::UNPROCESSABLE_ENTITY);
    for action in ["staff-disabled", "staff-enabled", "staff-reset-required"] {
        assert_eq!(app.audit_count(action).await, 1, "{action}");
    }
    let (ok, out) = portico(&app, &["admin", "create-staff", "someone", "--role", "patient"]);
    assert!(!ok && out.contains("--role"), "{out}");

    // Connected apps: the demo's app, and one an admin registers (its secret shown once).
    assert!(first.contains("client id portico-demo-app"), "{first}");
    let register = |extra: &[&'static str]| {
        let mut args = vec![
            "admin",
            "register-app",
            "--name",
            "Clinic Tracker",
            "--redirect-uri",
            "https://tracker.example/cb",
            "--terms-url",
            "https://tracker.example/terms",
            "--privacy-url",
            "https://tracker.example/privacy",
        ];
        args.extend_from_slice(extra);
        portico(&app, &args)
    };
    let (ok, out) = register(&["--confidential"]);
    assert!(ok && out.contains("Client id: ") && out.contains("Client secret, shown once: "), "{out}");
    let secret = out.rsplit("shown once: ").next().unwrap().trim().to_string();
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM smart_apps WHERE secret_hash = '{}'",
            app::infra::crypto::sha256_hex(&secret)
        ))
        .await,
        1
    );
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM smart_apps WHERE secret_hash = '{secret}'")).await,
        0,
        "kept as a digest"
    );
    let (ok, out) = register(&["--redirect-uri", "http://tracker.example/plain"]);
    assert!(!ok && out.contains("redirect_uri"), "{out}");
    assert_eq!(app.audit_count("app-registered").await, 1);
    app.cleanup().await;
}

/// A staff member's first sign-in: the password they were given, a second factor set up,
/// then a password of their own; only then are they signed in.
async fn first_sign_in(app: &TestApp, given: &str) {
    let client = app.client();
    let (_, stage) =
        app.call(&client, "auth/sign_in", &[("username", "nurse.kim"), ("password", given)]).await;
    assert_eq!(stage, "Enroll");
    let (_, setup) = app.call(&client, "auth/two_step/setup", &[]).await;
    let secret = setup["secret"].as_str().unwrap().replace(' ', "");
    let code = app::auth::two_step::code_at(&secret, (app.clock.now_ms() / 1000) as u64).unwrap();
    assert_eq!(app.call(&client, "auth/two_step/confirm", &[("code", &code)]).await.0, StatusCode::OK);
    assert_eq!(app.me(&client).await.1, serde_json::Value::Null, "not yet: a password of their own first");
    let weak = [("password", "short"), ("password_confirm", "short")];
    assert_eq!(
        app.call(&client, "auth/two_step/new_password", &weak).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let own = [("password", "quiet harbour lantern 8"), ("password_confirm", "quiet harbour lantern 8")];
    assert_eq!(app.call(&client, "auth/two_step/new_password", &own).await.0, StatusCode::OK);
    assert_eq!(app.me(&client).await.1["username"], "nurse.kim");
    // Put the given password back for the steps below (as if it were theirs).
    let hash = app.state.hasher.hash(given).await.unwrap();
    sqlx::query("UPDATE users SET password_hash = $1 WHERE username = 'nurse.kim'")
        .bind(hash)
        .execute(&app.state.db.write)
        .await
        .unwrap();
}
