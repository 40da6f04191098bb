//! The audit log the app cannot rewrite (issue 12, part 3): a keyed chain that `verify`
//! walks, an anchored head that catches a removed tail, the `portico audit` commands, and on
//! PostgreSQL a runtime role the database itself refuses to let near the log.
use std::process::Command;

use app::infra::audit::{self, Head, Verdict};
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::common::TestApp;

on_both_databases!(
    a_row_rewritten_with_an_unkeyed_hash_is_caught,
    a_removed_tail_is_caught_by_the_anchor,
    concurrent_appends_share_commits_and_keep_one_chain,
    an_append_that_cannot_commit_fails,
    a_read_whose_audit_row_cannot_commit_is_not_answered
);

/// A caller is answered Ok only once its row is committed: when the database cannot take
/// the write, the caller gets the error.
async fn an_append_that_cannot_commit_fails(app: &TestApp) {
    let db = &app.state.db;
    db.write.close().await;
    let event = audit::AuditEvent { action: "test.lost", detail: "x", ..Default::default() };
    assert!(audit::append(db, 1_700_000_000_000, event).await.is_err());
}

/// No chart read is answered before its audit row is committed: when the commit fails, the
/// read is not answered. Here a row planted at the next sequence number makes the writer's
/// insert fail (the rest of the app still works), and Home answers 503 with no chart in it.
async fn a_read_whose_audit_row_cannot_commit_is_not_answered(app: &TestApp) {
    let avery = app.add_patient_user("avery").await;
    let client = app.signed_in("avery").await;
    let (status, home) = app.call(&client, "home/overview", &[]).await;
    assert_eq!(status, reqwest::StatusCode::OK, "{home}");
    assert!(home.get("upcoming").is_some(), "{home}");

    let head = audit::head(&app.state.db).await.unwrap();
    sqlx::query(
        "INSERT INTO audit_log (seq, at, action, detail, prev_hash, hash) VALUES ($1, 0, 'test.planted', '', '', '')",
    )
    .bind(head.seq + 1)
    .execute(&app.state.db.write)
    .await
    .unwrap();
    let reads_before = chart_reads_of(app, avery).await;
    let (status, answer) = app.call(&client, "home/overview", &[]).await;
    assert_eq!(status, reqwest::StatusCode::SERVICE_UNAVAILABLE, "{answer}");
    assert!(answer.get("upcoming").is_none(), "no chart in a withheld answer: {answer}");
    assert_eq!(chart_reads_of(app, avery).await, reads_before, "the failed commit left no row");
}

async fn chart_reads_of(app: &TestApp, patient_id: i64) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'chart-read' AND patient_id = $1")
        .bind(patient_id)
        .fetch_one(&app.state.db.read)
        .await
        .unwrap()
}

/// Group commit: 300 callers appending at once (each of three rows, as a staff queue
/// does) are committed in a few transactions, not 300; the chain stays one unbroken
/// sequence, and each caller's rows stay together and in its order.
async fn concurrent_appends_share_commits_and_keep_one_chain(app: &TestApp) {
    let db = &app.state.db;
    let (rows_before, commits_before) = (count_rows(app).await, db.audit.commits());
    let callers = (0..300).map(|caller| async move {
        let details = [format!("{caller}.a"), format!("{caller}.b"), format!("{caller}.c")];
        let events: Vec<_> = details
            .iter()
            .map(|detail| audit::AuditEvent { action: "test.group", detail, ..Default::default() })
            .collect();
        audit::append_all(db, 1_700_000_000_000, &events).await
    });
    // Queued far faster than a commit takes: most of the 300 wait for the same commit.
    for outcome in futures::future::join_all(callers).await {
        outcome.expect("append");
    }
    let commits = db.audit.commits() - commits_before;
    assert!(commits <= 10, "300 concurrent appends took {commits} commits");
    assert_eq!(count_rows(app).await, rows_before + 900);
    assert!(matches!(audit::verify(db, None).await.unwrap(), Verdict::Intact { .. }));

    let details: Vec<String> =
        sqlx::query_scalar("SELECT detail FROM audit_log WHERE action = 'test.group' ORDER BY seq")
            .fetch_all(&db.read)
            .await
            .unwrap();
    for caller_rows in details.chunks(3) {
        let caller = caller_rows[0].trim_end_matches(".a");
        assert_eq!(caller_rows, [format!("{caller}.a"), format!("{caller}.b"), format!("{caller}.c")]);
    }
}

async fn count_rows(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_log").fetch_one(&app.state.db.read).await.unwrap()
}

/// Some events: sign-ins, a failed one, sign-outs.
async fn some_events(app: &TestApp, who: &str) {
    app.add_patient_user(who).await;
    let client = app.signed_in(who).await;
    app.sign_in(&app.client(), who, "not the password at all").await;
    app.call(&client, "auth/sign_out", &[]).await;
}

/// What someone with write access to the database but not the key can do: switch off the
/// append-only trigger (they own the tables on SQLite; on PostgreSQL, as the owner).
async fn disable_append_only(app: &TestApp) {
    match app.state.db.kind {
        app::infra::db::DbKind::Sqlite => {
            app.execute("DROP TRIGGER audit_log_no_update").await;
            app.execute("DROP TRIGGER audit_log_no_delete").await;
        }
        app::infra::db::DbKind::Postgres => {
            app.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only").await;
        }
    }
}

/// The chain as it was before the key: SHA-256 over the same fields.
fn unkeyed_hash(prev: &str, row: &sqlx::any::AnyRow) -> String {
    let text = |c: &str| row.try_get::<Option<String>, _>(c).unwrap().unwrap_or_default();
    let number =
        |c: &str| row.try_get::<Option<i64>, _>(c).unwrap().map(|v| v.to_string()).unwrap_or_default();
    let fields = [
        prev.to_owned(),
        number("seq"),
        number("at"),
        number("actor_user_id"),
        text("action"),
        number("patient_id"),
        text("section"),
        number("as_proxy"),
        text("client_addr"),
        text("detail"),
    ];
    let mut h = Sha256::new();
    for field in fields {
        h.update(field.as_bytes());
        h.update([0x1f]);
    }
    hex::encode(h.finalize())
}

async fn a_row_rewritten_with_an_unkeyed_hash_is_caught(app: &TestApp) {
    some_events(app, "chained").await;
    let Verdict::Intact { rows, .. } = audit::verify(&app.state.db, None).await.unwrap() else {
        panic!("a fresh chain verifies");
    };
    assert!(rows >= 3, "the events are in the log: {rows}");

    // Rewrite the second row's detail, then recompute every later link with an unkeyed hash
    // and move the head: the chain is consistent again, for anyone without the key.
    disable_append_only(app).await;
    app.execute("UPDATE audit_log SET detail = 'nothing to see' WHERE seq = 2").await;
    let db = &app.state.db;
    let all = sqlx::query("SELECT * FROM audit_log ORDER BY seq").fetch_all(&db.read).await.unwrap();
    let mut prev = audit::GENESIS_HASH.to_owned();
    for row in &all {
        let seq: i64 = row.try_get("seq").unwrap();
        let hash = unkeyed_hash(&prev, row);
        sqlx::query("UPDATE audit_log SET prev_hash = $1, hash = $2 WHERE seq = $3")
            .bind(&prev)
            .bind(&hash)
            .bind(seq)
            .execute(&db.write)
            .await
            .unwrap();
        prev = hash;
    }
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1").bind(&prev).execute(&db.write).await.unwrap();

    let verdict = audit::verify(db, None).await.unwrap();
    assert_eq!(verdict, Verdict::Broken { seq: 1, reason: "the row was changed (its MAC does not match)" });
}

async fn a_removed_tail_is_caught_by_the_anchor(app: &TestApp) {
    some_events(app, "tail").await;
    let db = &app.state.db;
    let kept = audit::head(db).await.unwrap();
    some_events(app, "tail2").await;
    let anchor = audit::head(db).await.unwrap();
    assert!(anchor.seq > kept.seq + 2);
    assert!(matches!(audit::verify(db, Some(&anchor)).await.unwrap(), Verdict::Intact { .. }));

    // Remove everything after `kept` and roll the head back to it: every remaining link
    // still checks, so only a head kept elsewhere shows the loss.
    disable_append_only(app).await;
    sqlx::query("DELETE FROM audit_log WHERE seq > $1").bind(kept.seq).execute(&db.write).await.unwrap();
    sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
        .bind(kept.seq)
        .bind(&kept.hash)
        .execute(&db.write)
        .await
        .unwrap();
    assert!(matches!(audit::verify(db, None).await.unwrap(), Verdict::Intact { .. }), "undetectable alone");
    assert_eq!(
        audit::verify(db, Some(&anchor)).await.unwrap(),
        Verdict::Broken { seq: kept.seq + 1, reason: "rows up to the anchored head were removed" }
    );
    // A head that was never in this chain is refused too.
    let forged = Head { seq: 1, hash: "ab".repeat(32) };
    assert!(matches!(audit::verify(db, Some(&forged)).await.unwrap(), Verdict::Broken { seq: 1, .. }));
}

fn portico(app: &TestApp, args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_portico"))
        .args(args)
        .env("PORTICO_DATABASE_URL", &app.state.config.database_url)
        .env("PORTICO_AUDIT_KEY_FILE", &app.state.config.audit_key_file)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run portico");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_commands_print_the_head_and_fail_on_a_broken_chain() {
    let app = TestApp::spawn(crate::common::Backend::Sqlite).await.unwrap();
    some_events(&app, "cli").await;
    let (ok, head) = portico(&app, &["audit", "head"]);
    assert!(ok, "{head}");
    let head = Head::parse(head.trim()).expect("SEQ:HASH");
    let (ok, out) = portico(&app, &["audit", "verify", "--anchor", &head.to_string()]);
    assert!(ok && out.contains("audit chain intact"), "{out}");
    let (ok, out) = portico(&app, &["audit", "verify", "--anchor", "nonsense"]);
    assert!(!ok && out.contains("SEQ:HASH"), "{out}");

    disable_append_only(&app).await;
    app.execute("UPDATE audit_log SET action = 'sign-in' WHERE seq = 3").await;
    let (ok, out) = portico(&app, &["audit", "verify"]);
    assert!(!ok, "a non-zero exit: {out}");
    assert!(out.contains("audit chain broken at row 3"), "{out}");

    // Without the key the chain can be neither extended nor checked: the server refuses to
    // start with a new key under an existing chain, and leaves no key file behind.
    let elsewhere = std::env::temp_dir().join(format!("portico-no-key-{}", std::process::id()));
    let out = Command::new(env!("CARGO_BIN_EXE_portico"))
        .args(["audit", "head"])
        .env("PORTICO_DATABASE_URL", &app.state.config.database_url)
        .env("PORTICO_AUDIT_KEY_FILE", &elsewhere)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && text.contains("restore the key file"), "{text}");
    assert!(!elsewhere.exists());
    app.cleanup().await;
}

/// The runtime role (`scripts/postgres.sh` makes `portico_app`) after `portico migrate`'s
/// grants: the app works, and the database refuses every way to rewrite the log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_the_runtime_role_may_only_append_to_the_audit_log() {
    use sqlx::{Connection, Executor};
    let Some(app) = TestApp::spawn(crate::common::Backend::Postgres).await else { return };
    some_events(&app, "roles").await;
    app.state.db.grant_runtime_role("portico_app").await.expect("grant");
    let owner_url = app.state.config.database_url.clone();
    let (_, database) = owner_url.rsplit_once('/').unwrap();
    let runtime_url = format!("postgres://portico_app:portico_app@127.0.0.1:5432/{database}");

    // The app's own work, as the runtime role: an audit append and an ordinary update.
    let key = app::infra::audit::AuditKey::load(&app.state.config.audit_key_file).unwrap();
    let runtime = app::infra::Db::connect(&runtime_url, key).await.expect("connect as portico_app");
    assert!(runtime.is_migrated().await, "the runtime role can see the schema is current");
    let event = audit::AuditEvent { action: "role-check", detail: "", ..Default::default() };
    audit::append(&runtime, 1, event).await.expect("the runtime role appends");
    sqlx::query("UPDATE sessions SET last_seen_at = last_seen_at").execute(&runtime.write).await.unwrap();
    assert!(matches!(audit::verify(&runtime, None).await.unwrap(), Verdict::Intact { .. }));

    let mut conn = sqlx::PgConnection::connect(&runtime_url).await.unwrap();
    for refused in [
        "UPDATE audit_log SET detail = 'x'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
        "DROP TABLE audit_log",
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only",
        "DROP TRIGGER audit_log_append_only ON audit_log",
        "DROP FUNCTION audit_log_refuse_change() CASCADE",
        "CREATE TABLE shadow (id BIGINT)",
        "DELETE FROM _sqlx_migrations",
    ] {
        let error = conn.execute(refused).await.expect_err(refused);
        let code = error.as_database_error().and_then(|e| e.code()).unwrap_or_default().to_string();
        // 42501: insufficient privilege (not the trigger's own refusal, which the owner gets).
        assert_eq!(code, "42501", "{refused}: {error}");
    }
    conn.close().await.unwrap();
    runtime.read.close().await;
    app.cleanup().await;
}
