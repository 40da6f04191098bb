//! An unknown username and a wrong password must cost the server the same work, or the time
//! of the answer tells an attacker which usernames exist.
//!
//! Not by the clock: on a loaded two-core machine the same code measured gaps from -6% to
//! 13% between runs of a debug build. This test checks the cause instead: the steps each
//! path takes — every SQL statement the request runs (sqlx's `sqlx::query` events) and each
//! argon2 verification with the shape of the hash it verifies (algorithm, memory, passes,
//! salt and output lengths) — must be the same: in the same order on PostgreSQL, as the same
//! multiset on SQLite (see `in_comparable_order` for why). `make measure` reports
//! the wall-clock gap of the release build (server/examples/signin_timing.rs).
//!
//! Its own test binary: the recorder is the process's global tracing subscriber.
mod common;

use std::sync::{Arc, Mutex};

use app::infra::passwords::STEPS_TARGET;
use common::{pg_admin_url, Backend, TestApp};
use reqwest::StatusCode;
use tracing::{
    field::{Field, Visit},
    Event, Subscriber,
};
use tracing_subscriber::{layer::Context, prelude::*, Layer};

/// Every step event, as one line of text, in the order they happened.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<String>>>);

impl Recorder {
    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

/// The fields that say what a step did; timings and row counts are left out.
#[derive(Default)]
struct StepText {
    summary: String,
    statement: String,
    step: String,
    shape: String,
}

impl Visit for StepText {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "summary" => self.summary = value.to_owned(),
            "db.statement" => self.statement = value.trim().to_owned(),
            "step" => self.step = value.to_owned(),
            _ => {}
        }
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        match field.name() {
            "shape" => self.shape = format!("{value:?}"),
            "summary" | "db.statement" | "step" => self.record_str(field, &format!("{value:?}")),
            _ => {}
        }
    }
}

impl<S: Subscriber> Layer<S> for Recorder {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let target = event.metadata().target();
        if target != "sqlx::query" && target != STEPS_TARGET {
            return;
        }
        let mut text = StepText::default();
        event.record(&mut text);
        let line = if target == STEPS_TARGET {
            format!("{} {}", text.step, text.shape)
        } else if text.statement.is_empty() {
            text.summary
        } else {
            text.statement
        };
        // Connection set-up (PRAGMAs when the pool opens a connection) is not request work.
        if !line.starts_with("PRAGMA") {
            self.0.lock().unwrap().push(line);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_user_and_wrong_password_run_the_same_steps() {
    let recorder = Recorder::default();
    tracing_subscriber::registry().with(recorder.clone()).init();
    same_steps(Backend::Sqlite, &recorder).await;
    if pg_admin_url().is_some() {
        same_steps(Backend::Postgres, &recorder).await;
    }
}

async fn same_steps(backend: Backend, recorder: &Recorder) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    app.add_patient_user("known").await;
    app.add_patient_user("other").await;
    let client = app.client();
    // A browser with a device cookie (auth::device) trusted for another account: its
    // guesses take the cookie's lookup first, the same for every username.
    let with_cookie = app.client();
    assert_eq!(app.sign_in(&with_cookie, "other", common::PASSWORD).await, StatusCode::OK);
    for browser in [&client, &with_cookie] {
        same_steps_from(&app, browser, recorder, backend).await;
    }
    app.cleanup().await;
}

async fn same_steps_from(app: &TestApp, client: &reqwest::Client, recorder: &Recorder, backend: Backend) {
    let steps_of = |username: String| {
        let (app, client, recorder) = (app, client, recorder);
        async move {
            recorder.take();
            let status = app.sign_in(client, &username, "not the right password").await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{username}");
            recorder.take()
        }
    };
    // Warm the pools first, so that no path is the one that happened to open a connection.
    for i in 0..2 {
        steps_of("known".into()).await;
        steps_of(format!("warm{i}")).await;
    }
    for i in 0..3 {
        let wrong_password = in_comparable_order(backend, steps_of("known".into()).await);
        let unknown_user = in_comparable_order(backend, steps_of(format!("ghost{i}")).await);
        let overlong_name = in_comparable_order(backend, steps_of("x".repeat(300 + i)).await);
        assert_eq!(wrong_password, unknown_user, "{backend:?}: a wrong password and an unknown user differ");
        assert_eq!(wrong_password, overlong_name, "{backend:?}: an over-long username takes another path");
        // Guard against a recorder that sees nothing: the steps that cost time must be there.
        let count = |prefix: &str| unknown_user.iter().filter(|s| s.starts_with(prefix)).count();
        assert_eq!(
            count("argon2-verify argon2id v19 m=19456 t=2 p=1 salt=22 out=32"),
            1,
            "{unknown_user:#?}"
        );
        assert_eq!(count("argon2-verify"), 1, "{unknown_user:#?}");
        assert_eq!(count("INSERT INTO auth_failures"), 2, "{unknown_user:#?}");
        assert_eq!(count("INSERT INTO audit_log"), 1, "{unknown_user:#?}");
        assert!(
            count("SELECT COUNT(*) AS n, MIN(at) AS oldest FROM auth_failures") == 2,
            "{unknown_user:#?}"
        );
    }
}

/// PostgreSQL's driver reports a statement on the request's own task as it finishes, so its
/// events come in the request's order and are compared in that order. SQLite's driver runs
/// each statement on the connection's worker thread and reports it there, after it has
/// already handed the rows back: the request may have gone on to its next step (the argon2
/// verification on another thread, or a statement on the other pool) before the report
/// arrives. Seen in CI: "SELECT … FROM users" and "argon2-verify" swapped places in one run
/// of the same path. On SQLite the steps are therefore compared as a multiset (sorted): an
/// extra, a missing or a different step still fails the test, a late report does not.
fn in_comparable_order(backend: Backend, mut steps: Vec<String>) -> Vec<String> {
    if matches!(backend, Backend::Sqlite) {
        steps.sort();
    }
    steps
}
