//! The integration-test harness: the real server on port 0 with a fresh database
//! (SQLite always; PostgreSQL when PORTICO_TEST_PG is set), a settable clock, a real
//! SMTP sink, and HTTP clients with their own cookie jars.
#![allow(dead_code)]

pub mod smtp_sink;

use std::{net::SocketAddr, time::Duration};

use app::{
    auth::{store, Role},
    infra::{AppState, Clock, Config},
    site::OrgInfo,
};
use reqwest::{header, Client, StatusCode};
use serde_json::Value;

pub use smtp_sink::MailSink;

pub const PASSWORD: &str = "Portico-Demo-2026!";

#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub base: String,
    pub origin: String,
    pub state: AppState,
    pub clock: Clock,
    pub mail: MailSink,
    cleanup: Cleanup,
}

enum Cleanup {
    SqliteFile(std::path::PathBuf),
    PgDatabase { admin_url: String, name: String },
}

/// Every test staff member's authenticator secret (base32).
pub const TEST_TOTP_SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

#[derive(Default)]
pub struct Options {
    pub public_url: Option<String>,
    /// PORTICO_PAYMENTS and its webhook secret (default: none).
    pub payments: Option<app::infra::config::Payments>,
    /// The clinic's time zone (default UTC).
    pub time_zone: Option<&'static str>,
    /// PORTICO_TEEN_PROXY_SECTIONS (default here: no medication list from 13).
    pub teen_proxy_sections: Option<Vec<app::access::Section>>,
    /// PORTICO_TRUSTED_PROXY_HOPS (default 0).
    pub trusted_proxy_hops: usize,
    /// PORTICO_SERVER_TIMING (default off).
    pub server_timing: bool,
    /// The password hasher's (running, waiting) limits instead of the machine's.
    pub hash_limits: Option<(usize, usize)>,
    /// PORTICO_REPLY_PROMISE_* and PORTICO_RENEWAL_PROMISE (default: none).
    pub promises: Option<app::site::Promises>,
    /// PORTICO_DEPARTMENT_PHONES, PORTICO_BILLING_PHONE… (default: none).
    pub contacts: Option<app::site::Contacts>,
    /// PORTICO_PRIVACY_NOTICE (default: none).
    pub privacy_notice: Option<app::infra::config::PrivacyNotice>,
}

fn unique_name() -> String {
    use rand::Rng;
    format!("portico_test_{:016x}", rand::thread_rng().gen::<u64>())
}

/// The PostgreSQL server to create test databases on, or `None` to skip PostgreSQL.
/// With PORTICO_REQUIRE_PG set (as `make test` does), a missing server is a failure.
pub fn pg_admin_url() -> Option<String> {
    match std::env::var("PORTICO_TEST_PG") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("PORTICO_REQUIRE_PG").is_ok() => {
            panic!("PORTICO_REQUIRE_PG is set but PORTICO_TEST_PG is not")
        }
        _ => {
            eprintln!("PORTICO_TEST_PG unset: skipping the PostgreSQL run of this test");
            None
        }
    }
}

async fn create_pg_database(admin_url: &str, name: &str) -> String {
    use sqlx::{Connection, Executor};
    let mut conn = sqlx::PgConnection::connect(admin_url).await.expect("connect to PostgreSQL");
    conn.execute(format!("CREATE DATABASE {name}").as_str()).await.expect("create test database");
    let base = admin_url.rsplit_once('/').map(|(b, _)| b).unwrap_or(admin_url);
    format!("{base}/{name}")
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_with(backend, Options::default()).await
    }

    pub async fn spawn_with(backend: Backend, options: Options) -> Option<TestApp> {
        let name = unique_name();
        let (database_url, cleanup) = match backend {
            Backend::Sqlite => {
                let path = std::env::temp_dir().join(format!("{name}.db"));
                (format!("sqlite://{}", path.display()), Cleanup::SqliteFile(path))
            }
            Backend::Postgres => {
                let admin_url = pg_admin_url()?;
                let url = create_pg_database(&admin_url, &name).await;
                (url, Cleanup::PgDatabase { admin_url, name: name.clone() })
            }
        };
        let mail = MailSink::start();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        let base = format!("http://{addr}");
        let public_url = options.public_url.unwrap_or_else(|| base.clone());
        let config = Config {
            database_url,
            audit_key_file: std::env::temp_dir().join(format!("{name}-audit.key")),
            public_url: public_url.parse().unwrap(),
            smtp_url: Some(format!("smtp://127.0.0.1:{}?tls=none", mail.port())),
            mail_dir: std::env::temp_dir().join(format!("{name}-outbox")),
            mail_from: "Portico <portico@localhost>".into(),
            org: OrgInfo {
                name: "Test Clinic".into(),
                short_name: String::new(),
                support_phone: "+1 555 0199".into(),
                support_hours: "weekdays".into(),
                // The narrower policy the tests were written for; the default (every
                // section) has its own test.
                teen_proxy_sections: options
                    .teen_proxy_sections
                    .unwrap_or_else(|| app::access::Section::TEEN_VIEW_WITHOUT_MEDICATIONS.to_vec()),
                promises: options.promises.clone().unwrap_or_default(),
                contacts: options.contacts.clone().unwrap_or_default(),
            },
            trusted_proxy_hops: options.trusted_proxy_hops,
            server_timing: options.server_timing,
            // Thanksgiving, the day after the test clock's start.
            holidays: vec![time::macros::date!(2026 - 11 - 26)],
            messages_per_hour: app::messages::SENDS_PER_HOUR,
            billing_plan_minimum_cents: 20_000,
            privacy_notice: options.privacy_notice.clone(),
            payments: options.payments.clone(),
        };
        let origin = config.public_origin();
        // A fixed, realistic start: 2026-11-25 12:00 UTC.
        let zone = app::infra::clock::time_zone(options.time_zone.unwrap_or("UTC")).unwrap();
        let clock = Clock::manual_in(1_795_608_000_000, zone);
        let mut state = portico_server::build_state(config, clock.clone(), "target/site").await.unwrap();
        if let Some((running, waiting)) = options.hash_limits {
            state.hasher = app::infra::passwords::Hasher::with_limits(running, waiting);
        }
        let served = state.clone();
        tokio::spawn(async move { portico_server::serve(listener, served).await });
        Some(TestApp { base, origin, state, clock, mail, cleanup })
    }

    /// A browser-like client with its own cookie jar.
    pub fn client(&self) -> Client {
        Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap()
    }

    /// Calls a server function as the app's own page would (form-encoded POST with our
    /// Origin). Returns the status and the JSON body (Null when empty).
    pub async fn call(&self, client: &Client, endpoint: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
        let res = self.call_raw(client, endpoint, form).await;
        let status = res.status();
        let text = res.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// `call` with owned values, handy inside closures.
    pub async fn call_owned(
        &self,
        client: &Client,
        endpoint: &str,
        form: Vec<(&str, String)>,
    ) -> (StatusCode, Value) {
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        self.call(client, endpoint, &form).await
    }

    pub async fn call_raw(
        &self,
        client: &Client,
        endpoint: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        client
            .post(format!("{}/api/{endpoint}", self.base))
            .header(header::ORIGIN, &self.origin)
            .header("sec-fetch-site", "same-origin")
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// Posts a multipart form (text fields, then `attachment` files by name and bytes) as
    /// the message page does.
    pub async fn call_multipart(
        &self,
        client: &Client,
        endpoint: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &[u8])],
    ) -> (StatusCode, Value) {
        let mut form = reqwest::multipart::Form::new();
        for (name, value) in fields {
            form = form.text(name.to_string(), value.to_string());
        }
        for (file_name, bytes) in files {
            let part = reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(file_name.to_string());
            form = form.part("attachment", part);
        }
        let res = client
            .post(format!("{}/api/{endpoint}", self.base))
            .header(header::ORIGIN, &self.origin)
            .header("sec-fetch-site", "same-origin")
            .multipart(form)
            .send()
            .await
            .unwrap();
        let status = res.status();
        let text = res.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Signs in; a staff member (whose authenticator `add_user` set up) also passes the
    /// second step with the code their app would show.
    pub async fn sign_in(&self, client: &Client, username: &str, password: &str) -> StatusCode {
        let (status, next) =
            self.call(client, "auth/sign_in", &[("username", username), ("password", password)]).await;
        if status != StatusCode::OK || next != "SecondStep" {
            return status;
        }
        let code = self.next_totp_code(username).await;
        self.call(client, "auth/two_step/verify", &[("code", &code)]).await.0
    }

    /// A code `username`'s authenticator would show, for a 30-second step not yet used (a
    /// code works once; the test clock stands still, so the skew window's steps are used
    /// in turn, and the clock moves on when all three are).
    pub async fn next_totp_code(&self, username: &str) -> String {
        let last_step: i64 = sqlx::query_scalar(
            "SELECT f.last_step FROM totp_factors f JOIN users u ON u.id = f.user_id WHERE u.username = $1",
        )
        .bind(username)
        .fetch_one(&self.state.db.read)
        .await
        .unwrap();
        loop {
            let now_step = self.clock.now_ms() / 1000 / 30;
            if let Some(step) = (now_step - 1..=now_step + 1).find(|s| *s > last_step) {
                return app::auth::two_step::code_at(TEST_TOTP_SECRET, (step * 30) as u64).unwrap();
            }
            self.clock.advance_ms(30_000);
        }
    }

    /// A signed-in client for `username`.
    pub async fn signed_in(&self, username: &str) -> Client {
        let client = self.client();
        assert_eq!(self.sign_in(&client, username, PASSWORD).await, StatusCode::OK, "sign in {username}");
        client
    }

    pub async fn me(&self, client: &Client) -> (StatusCode, Value) {
        self.call(client, "auth/me", &[]).await
    }

    pub async fn add_patient(&self, mrn: &str, given: &str, family: &str, birth_date: &str) -> i64 {
        let p = app::patients::store::NewPatient {
            mrn,
            given_name: given,
            family_name: family,
            birth_date,
            email: Some("patient@example.org"),
            postal_code: None,
            phone: None,
        };
        app::patients::store::insert_patient(&self.state.db, &p, self.clock.now_ms()).await.unwrap()
    }

    pub async fn add_user(&self, username: &str, role: Role, patient_id: Option<i64>, email: &str) -> i64 {
        let hash = self.state.hasher.hash(PASSWORD).await.unwrap();
        let user = store::NewUser {
            username,
            password_hash: &hash,
            email: Some(email),
            display_name: username,
            role,
            patient_id,
            email_confirmed: true,
        };
        let id = store::insert_user(&self.state.db.write, &user, self.clock.now_ms()).await.unwrap();
        if role.is_staff() {
            // Staff must have a second factor: theirs is set up, as it would be after their
            // first sign-in (two_step.rs tests that first sign-in itself).
            app::auth::two_step::enroll_confirmed(&self.state.db, id, TEST_TOTP_SECRET, self.clock.now_ms())
                .await
                .unwrap();
        }
        id
    }

    /// A patient with an account `username` (password PASSWORD).
    /// A clinician with a provider record (Family Medicine) on `patients`' care teams: the
    /// charts they may open without breaking the glass (access::reach).
    pub async fn add_clinician(&self, username: &str, patients: &[i64]) -> i64 {
        let user = self.add_user(username, Role::Clinician, None, &format!("{username}@example.org")).await;
        let provider: i64 = sqlx::query_scalar(
            "INSERT INTO providers (display_name, specialty, department, user_id) \
             VALUES ($1, 'Family medicine', 'Family Medicine', $2) RETURNING id",
        )
        .bind(username)
        .bind(user)
        .fetch_one(&self.state.db.write)
        .await
        .unwrap();
        for patient in patients {
            sqlx::query("INSERT INTO care_team (patient_id, provider_id, role) VALUES ($1, $2, 'Primary care provider')")
                .bind(patient)
                .bind(provider)
                .execute(&self.state.db.write)
                .await
                .unwrap();
        }
        user
    }

    pub async fn add_patient_user(&self, username: &str) -> i64 {
        let pid = self.add_patient(&format!("MRN-{username}"), "Pat", "Ient", "1980-01-01").await;
        self.add_user(username, Role::Patient, Some(pid), &format!("{username}@example.org")).await;
        pid
    }

    pub async fn count(&self, sql: &str) -> i64 {
        use sqlx::Row;
        sqlx::query(sql).fetch_one(&self.state.db.read).await.unwrap().try_get::<i64, _>(0).unwrap()
    }

    /// Runs SQL the app itself would not (a correction by hand, a bulk fix).
    pub async fn execute(&self, sql: &str) {
        sqlx::query(sql).execute(&self.state.db.write).await.unwrap();
    }

    pub async fn audit_count(&self, action: &str) -> i64 {
        use sqlx::Row;
        sqlx::query("SELECT COUNT(*) FROM audit_log WHERE action = $1")
            .bind(action)
            .fetch_one(&self.state.db.read)
            .await
            .unwrap()
            .try_get::<i64, _>(0)
            .unwrap()
    }

    pub async fn cleanup(self) {
        self.state.db.read.close().await;
        self.state.db.write.close().await;
        let _ = std::fs::remove_file(&self.state.config.audit_key_file);
        match self.cleanup {
            Cleanup::SqliteFile(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::PgDatabase { admin_url, name } => {
                use sqlx::{Connection, Executor};
                if let Ok(mut conn) = sqlx::PgConnection::connect(&admin_url).await {
                    let _ =
                        conn.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await;
                }
            }
        }
    }
}

/// The error key of a JSON-encoded `AppError::Invalid` (or the variant name otherwise).
pub fn error_key(body: &Value) -> String {
    if let Some(invalid) = body.get("Invalid") {
        return invalid["problem"].as_str().unwrap_or_default().to_owned();
    }
    match body {
        Value::String(s) => s.clone(),
        Value::Object(map) => map.keys().next().cloned().unwrap_or_default(),
        _ => String::new(),
    }
}

/// Runs each named `async fn name(app: &TestApp)` on SQLite and on PostgreSQL (with
/// `with OPTIONS;` first: on servers started with those `Options`).
#[macro_export]
macro_rules! on_both_databases {
    (with $options:expr; $($name:ident),* $(,)?) => {$(
        mod $name {
            use crate::common::{Backend, TestApp};
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = TestApp::spawn_with(Backend::Sqlite, $options).await.unwrap();
                super::$name(&app).await;
                app.cleanup().await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(app) = TestApp::spawn_with(Backend::Postgres, $options).await else { return };
                super::$name(&app).await;
                app.cleanup().await;
            }
        }
    )*};
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            use crate::common::{Backend, TestApp};
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
                super::$name(&app).await;
                app.cleanup().await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(app) = TestApp::spawn(Backend::Postgres).await else { return };
                super::$name(&app).await;
                app.cleanup().await;
            }
        }
    )*};
}
