//! Nothing is lost: 200 messages from 50 concurrent patients while the server is killed
//! with SIGKILL (twice) and restarted. Every message that got a success answer is there
//! afterwards, exactly once; retries with the same key never make a second; SQLite's
//! integrity check passes. The same sends on PostgreSQL, without the kill.
use std::{
    process::{Child, Command, Stdio},
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

use reqwest::{Client, StatusCode};
use sqlx::Row;

use crate::common::{pg_admin_url, PASSWORD};

const PATIENTS: usize = 50;
const MESSAGES_EACH: usize = 4;
/// Kill the server after this many acknowledged messages, and again after twice as many.
const KILL_AFTER: usize = 50;

/// A real `portico` process on a database of its own (the crash tests of payments too).
pub(crate) struct Run {
    pub(crate) database_url: String,
    pub(crate) port: u16,
    pub(crate) dir: std::path::PathBuf,
}

impl Run {
    pub(crate) fn portico(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_portico"));
        command
            .args(args)
            .env("PORTICO_DATABASE_URL", &self.database_url)
            .env("PORTICO_MAIL_DIR", self.dir.join("outbox"))
            .env("PORTICO_AUDIT_KEY_FILE", self.dir.join("audit.key"))
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        command
    }

    pub(crate) fn serve(&self) -> Child {
        let addr = format!("127.0.0.1:{}", self.port);
        self.portico(&["serve", "--addr", &addr, "--site-root", "target/site"])
            .spawn()
            .expect("start portico")
    }

    pub(crate) fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub(crate) async fn wait_healthy(base: &str) {
    let http = Client::new();
    for _ in 0..300 {
        if let Ok(res) = http.get(format!("{base}/healthz")).send().await {
            if res.status() == StatusCode::OK {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("portico did not come up");
}

#[derive(Default)]
struct Tally {
    /// (idempotency key, message id) of every send answered with success.
    acked: Mutex<Vec<(String, i64)>>,
    /// Attempts that failed because the server was gone (refused, reset, cut short).
    interrupted: AtomicUsize,
}

/// One patient's client: signs in, then sends its messages one after another, each
/// retried with the same key until the server answers it.
async fn patient(base: String, username: String, tally: Arc<Tally>) {
    let http = Client::builder().cookie_store(true).timeout(Duration::from_secs(10)).build().unwrap();
    sign_in(&http, &base, &username, &tally).await;
    for n in 0..MESSAGES_EACH {
        let key = format!("crash-{}-{n}-0000000000", username.replace('.', "-"));
        for attempt in 0.. {
            assert!(attempt < 600, "{key}: no answer after 600 attempts");
            let form = reqwest::multipart::Form::new()
                .text("to", "pool-support")
                .text("subject", format!("Message {n}"))
                .text("body", format!("Message {n} from {username}"))
                .text("key", key.clone());
            match http.post(format!("{base}/api/messages/send")).multipart(form).send().await {
                Ok(res) if res.status() == StatusCode::OK => match res.json::<serde_json::Value>().await {
                    Ok(sent) => {
                        let id = sent["message_id"].as_i64().expect("a message id");
                        tally.acked.lock().unwrap().push((key.clone(), id));
                        break;
                    }
                    // The answer was cut off by the kill: not acknowledged, so retried.
                    Err(_) => {
                        tally.interrupted.fetch_add(1, Ordering::Relaxed);
                    }
                },
                Ok(res) if res.status() == StatusCode::UNAUTHORIZED => {
                    sign_in(&http, &base, &username, &tally).await
                }
                Ok(res) => {
                    panic!("{key}: unexpected {}: {}", res.status(), res.text().await.unwrap_or_default())
                }
                Err(_) => {
                    tally.interrupted.fetch_add(1, Ordering::Relaxed);
                }
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

async fn sign_in(http: &Client, base: &str, username: &str, tally: &Tally) {
    for _ in 0..600 {
        let res = http
            .post(format!("{base}/api/auth/sign_in"))
            .form(&[("username", username), ("password", PASSWORD)])
            .send()
            .await;
        match res {
            Ok(res) if res.status() == StatusCode::OK => return,
            // Many senders sign in at once after each restart: past the hashing queue the
            // server says "busy, retry in a second", as a browser would be told.
            Ok(res)
                if res.status() == StatusCode::SERVICE_UNAVAILABLE
                    && res.headers().contains_key("retry-after") =>
            {
                tokio::time::sleep(Duration::from_millis(500)).await;
                continue;
            }
            Ok(res) => panic!("sign in {username}: {}", res.status()),
            Err(_) => {
                tally.interrupted.fetch_add(1, Ordering::Relaxed);
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{username} could not sign in");
}

/// Migrates, makes 50 patients with accounts, serves, and runs the clients; with `kills`,
/// SIGKILLs and restarts the server that many times while they send.
async fn send_under_fire(run: &Run, kills: usize) -> Arc<Tally> {
    let status = run.portico(&["migrate"]).status().unwrap();
    assert!(status.success());
    let accounts = PATIENTS.to_string();
    let status = run
        .portico(&["seed", "--synthetic", &accounts, "--seed", "8", "--accounts", &accounts])
        .status()
        .unwrap();
    assert!(status.success());
    let mut server = run.serve();
    wait_healthy(&run.base()).await;

    let tally = Arc::new(Tally::default());
    let clients: Vec<_> =
        (0..PATIENTS).map(|i| tokio::spawn(patient(run.base(), format!("s8.{i}"), tally.clone()))).collect();
    for round in 1..=kills {
        // (A client that failed ends early: stop waiting then, and let it report below.)
        while tally.acked.lock().unwrap().len() < KILL_AFTER * round
            && !clients.iter().all(|c| c.is_finished())
        {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        server.kill().unwrap(); // SIGKILL: no shutdown, no flush, mid-request.
        server.wait().unwrap();
        server = run.serve();
        wait_healthy(&run.base()).await;
    }
    let finished = futures::future::join_all(clients).await;
    server.kill().unwrap();
    server.wait().unwrap();
    for client in finished {
        client.unwrap();
    }
    tally
}

/// Every acknowledged message is there once, with the id the client was given; no key twice.
async fn check_nothing_lost(database_url: &str, tally: &Tally) {
    let pool = sqlx::AnyPool::connect(database_url).await.unwrap();
    let acked = tally.acked.lock().unwrap().clone();
    assert_eq!(acked.len(), PATIENTS * MESSAGES_EACH, "every client finished");
    for (key, id) in &acked {
        let rows = sqlx::query("SELECT id FROM messages WHERE idempotency_key = $1")
            .bind(key)
            .fetch_all(&pool)
            .await
            .unwrap();
        let ids: Vec<i64> = rows.iter().map(|r| r.try_get("id").unwrap()).collect();
        assert_eq!(ids, [*id], "{key}");
    }
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages").fetch_one(&pool).await.unwrap();
    assert_eq!(total as usize, PATIENTS * MESSAGES_EACH, "none twice, none extra");
    let threads: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM message_threads").fetch_one(&pool).await.unwrap();
    assert_eq!(threads as usize, PATIENTS * MESSAGES_EACH, "each new message made one thread");
    pool.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_keeps_every_acknowledged_message_through_sigkill() {
    sqlx::any::install_default_drivers();
    let dir = std::env::temp_dir().join(format!("portico-crash-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("crash.db");
    let run = Run { database_url: format!("sqlite://{}", db.display()), port: free_port(), dir: dir.clone() };
    let tally = send_under_fire(&run, 2).await;
    let interrupted = tally.interrupted.load(Ordering::Relaxed);
    eprintln!(
        "crash test: {} acknowledged, {interrupted} attempts cut short by 2 kills",
        tally.acked.lock().unwrap().len()
    );
    assert!(interrupted > 0, "the kills cut requests short");
    check_nothing_lost(&run.database_url, &tally).await;
    assert_sqlite_intact(&run.database_url).await;
    std::fs::remove_dir_all(&dir).ok();
}

/// SQLite's own check that the file survived the kills whole.
pub(crate) async fn assert_sqlite_intact(database_url: &str) {
    let pool = sqlx::AnyPool::connect(database_url).await.unwrap();
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&pool).await.unwrap();
    assert_eq!(integrity, "ok");
    pool.close().await;
}

/// A crash run on a PostgreSQL database of its own (`prefix` and this process's id), and
/// the admin connection that drops it afterwards; None when no PostgreSQL is configured.
pub(crate) async fn postgres_run(prefix: &str) -> Option<(Run, sqlx::PgConnection, String)> {
    let admin = pg_admin_url()?;
    let name = format!("{prefix}_{}", std::process::id());
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin).await.unwrap();
    sqlx::Executor::execute(&mut conn, format!("CREATE DATABASE {name}").as_str()).await.unwrap();
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
    let dir = std::env::temp_dir().join(format!("{prefix}-{}", std::process::id()));
    let run = Run { database_url: format!("{base}/{name}"), port: free_port(), dir };
    Some((run, conn, name))
}

pub(crate) async fn drop_postgres(mut conn: sqlx::PgConnection, name: &str, run: &Run) {
    sqlx::Executor::execute(&mut conn, format!("DROP DATABASE {name} WITH (FORCE)").as_str()).await.unwrap();
    std::fs::remove_dir_all(&run.dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_keeps_every_message_of_concurrent_senders() {
    sqlx::any::install_default_drivers();
    let Some((run, conn, name)) = postgres_run("portico_crash").await else { return };
    let tally = send_under_fire(&run, 0).await;
    check_nothing_lost(&run.database_url, &tally).await;
    drop_postgres(conn, &name, &run).await;
}
