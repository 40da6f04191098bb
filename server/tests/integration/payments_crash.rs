//! Every cent exactly once, through crashes (issue 17): 20 guarantors each pay 5 times
//! through Pay Now and the test processor's page while the server is killed with SIGKILL
//! (twice) and restarted. The processor keeps its own books (the charge, then the event it
//! must deliver), so a kill can fall between its charge and Portico's webhook; after the
//! restart its pending events are delivered again, and then every event is replayed once
//! more, as a processor retrying for days would. Afterwards the ledger holds exactly the
//! processor's charges: one row per charge, of its amount, none missing, none twice.
use std::{
    process::Child,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    time::Duration,
};

use reqwest::{redirect::Policy, Client, StatusCode};

use crate::{
    common::PASSWORD,
    messaging_crash::{assert_sqlite_intact, drop_postgres, free_port, postgres_run, wait_healthy, Run},
};

const GUARANTORS: usize = 20;
const PAYMENTS_EACH: usize = 5;
/// Kill the server after this many charges, and again after twice as many.
const KILL_AFTER: usize = 30;
const SECRET: &str = "whsec_crash_test_secret";

fn serve(run: &Run) -> Child {
    let addr = format!("127.0.0.1:{}", run.port);
    run.portico(&["serve", "--addr", &addr, "--site-root", "target/site"])
        .env("PORTICO_PAYMENTS", "test")
        .env("PORTICO_PAYMENTS_WEBHOOK_SECRET", SECRET)
        .spawn()
        .expect("start portico")
}

#[derive(Default)]
struct Tally {
    /// Checkouts the processor's page answered "charged" (sent the browser back).
    charged: AtomicUsize,
    /// Attempts cut short because the server was gone.
    interrupted: AtomicUsize,
}

/// Sends a request until the server answers it (a kill cuts some short; a restart is
/// "busy" for a moment); fails the test after a minute of refusals.
async fn answered(request: impl Fn() -> reqwest::RequestBuilder, tally: &Tally) -> reqwest::Response {
    for _ in 0..1_200 {
        match request().send().await {
            Ok(res) if res.status() != StatusCode::SERVICE_UNAVAILABLE => return res,
            Ok(_) | Err(_) => {
                tally.interrupted.fetch_add(1, Ordering::Relaxed);
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server never answered");
}

async fn sign_in(http: &Client, base: &str, username: &str, tally: &Tally) {
    for _ in 0..600 {
        let res = answered(
            || {
                http.post(format!("{base}/api/auth/sign_in"))
                    .form(&[("username", username), ("password", PASSWORD)])
            },
            tally,
        )
        .await;
        if res.status() == StatusCode::OK {
            return;
        }
        // Busy hashing after a restart: told to retry, as a browser would be.
        assert!(res.headers().contains_key("retry-after"), "sign in {username}: {}", res.status());
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    panic!("{username} could not sign in");
}

/// A server function's JSON answer, resent until one arrives whole (the same form: its
/// key makes a resend harmless).
async fn call(
    http: &Client,
    base: &str,
    user: &str,
    endpoint: &str,
    form: &[(&str, String)],
    tally: &Tally,
) -> serde_json::Value {
    loop {
        let res = answered(|| http.post(format!("{base}/api/{endpoint}")).form(form), tally).await;
        let status = res.status();
        assert_eq!(status, StatusCode::OK, "{endpoint} for {user}: {}", res.text().await.unwrap_or_default());
        match res.json().await {
            Ok(value) => return value,
            // The answer was cut off by a kill.
            Err(_) => {
                tally.interrupted.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

/// One guarantor: five payments of a few dollars, each from its own Pay Now form (its own
/// key, resent until answered), each paid on the processor's page with a good card (resent
/// until it sends the browser back), then the return page asked once.
async fn guarantor(base: String, user: String, tally: Arc<Tally>) {
    let http = Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    sign_in(&http, &base, &user, &tally).await;
    let summary = call(&http, &base, &user, "billing/summary", &[], &tally).await;
    let account = summary["accounts"][0]["id"].as_i64().expect("an account").to_string();
    for n in 0..PAYMENTS_EACH {
        let key = format!("crash-pay-{}-{n}-000000", user.replace('.', "-"));
        let amount = format!("{}.{:02}", 1 + n, 7 * n);
        let form = [
            ("account_id", account.clone()),
            ("whole", "other".to_owned()),
            ("amount", amount),
            ("key", key),
        ];
        let checkout = call(&http, &base, &user, "billing/pay", &form, &tally).await;
        let checkout = checkout.as_str().expect("the checkout's address").to_owned();
        let paid =
            answered(|| http.post(format!("{base}{checkout}")).form(&[("card", "4242424242424242")]), &tally)
                .await;
        // Charged (or charged before a kill lost the answer, and found so): sent back.
        assert!(paid.status().is_redirection(), "{checkout}: {}", paid.status());
        let back = paid.headers()["location"].to_str().unwrap().to_owned();
        tally.charged.fetch_add(1, Ordering::Relaxed);
        // The return page asks the processor too (racing its webhook); its answer may be
        // lost to a kill: the webhook is the path that must not be.
        let payment_id = back.rsplit('/').next().unwrap_or_default().to_owned();
        let _ =
            http.post(format!("{base}/api/billing/payment")).form(&[("payment_id", payment_id)]).send().await;
    }
}

/// Migrates, makes the guarantors (synthetic patients with accounts) each an account of
/// $1,000.00 due, serves, runs them with `kills` SIGKILLs, and afterwards delivers every
/// event again.
async fn pay_under_fire(run: &Run, kills: usize) -> Arc<Tally> {
    assert!(run.portico(&["migrate"]).status().unwrap().success());
    let count = GUARANTORS.to_string();
    let seeded = run.portico(&["seed", "--synthetic", &count, "--seed", "9", "--accounts", &count]).status();
    assert!(seeded.unwrap().success());
    open_accounts(&run.database_url).await;
    let mut server = serve(run);
    wait_healthy(&run.base()).await;

    let tally = Arc::new(Tally::default());
    let payers: Vec<_> = (0..GUARANTORS)
        .map(|i| tokio::spawn(guarantor(run.base(), format!("s9.{i}"), tally.clone())))
        .collect();
    for round in 1..=kills {
        while tally.charged.load(Ordering::Relaxed) < KILL_AFTER * round
            && !payers.iter().all(|p| p.is_finished())
        {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        server.kill().unwrap(); // SIGKILL: mid-request, between a charge and its webhook.
        server.wait().unwrap();
        server = serve(run);
        wait_healthy(&run.base()).await;
    }
    for payer in futures::future::join_all(payers).await {
        payer.unwrap();
    }
    // The processor's pending events go out again (its retry loop), then all of them once
    // more over HTTP, signed, as a processor retrying would.
    let pool = sqlx::AnyPool::connect(&run.database_url).await.unwrap();
    for _ in 0..200 {
        let waiting: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM test_processor_events WHERE delivered_at IS NULL")
                .fetch_one(&pool)
                .await
                .unwrap();
        if waiting == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let events: Vec<(String,)> =
        sqlx::query_as("SELECT body FROM test_processor_events").fetch_all(&pool).await.unwrap();
    let http = Client::new();
    for (body,) in &events {
        let at = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
        let header = app::billing::payments::signature::sign(SECRET.as_bytes(), at, body.as_bytes());
        let res = http
            .post(format!("{}/api/payments/webhook", run.base()))
            .header("stripe-signature", header)
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{body}");
    }
    pool.close().await;
    server.kill().unwrap();
    server.wait().unwrap();
    tally
}

/// A clinic's service area and, for each synthetic guarantor, one account of $1,000.00 due.
async fn open_accounts(database_url: &str) {
    let pool = sqlx::AnyPool::connect(database_url).await.unwrap();
    let area: i64 = sqlx::query_scalar(
        "INSERT INTO billing_service_areas (name, online_payments, billing_phone) VALUES ('Clinic', 1, NULL) RETURNING id",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let guarantors: Vec<(i64,)> =
        sqlx::query_as("SELECT patient_id FROM users WHERE username LIKE 's9.%' AND patient_id IS NOT NULL")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(guarantors.len(), GUARANTORS);
    for (n, (patient,)) in guarantors.iter().enumerate() {
        let account: i64 = sqlx::query_scalar(
            "INSERT INTO billing_accounts (number, guarantor_id, service_area_id, created_at) VALUES ($1, $2, $3, 1) RETURNING id",
        )
        .bind(format!("90{n:05}"))
        .bind(patient)
        .bind(area)
        .fetch_one(&pool)
        .await
        .unwrap();
        sqlx::query("INSERT INTO billing_account_patients (account_id, patient_id) VALUES ($1, $2)")
            .bind(account)
            .bind(patient)
            .execute(&pool)
            .await
            .unwrap();
        sqlx::query(
            "INSERT INTO billing_entries (account_id, kind, patient_id, service_date, description, amount_cents, posted_at) \
             VALUES ($1, 'charge', $2, '2026-10-01', 'Office visit', 100000, 1)",
        )
        .bind(account)
        .bind(patient)
        .execute(&pool)
        .await
        .unwrap();
    }
    pool.close().await;
}

/// The ledger is the processor's charges: each once, of its amount; each paid payment has
/// its row; every guarantor's five payments were charged.
async fn check_ledger_is_the_processors(database_url: &str) {
    let pool = sqlx::AnyPool::connect(database_url).await.unwrap();
    let mut charged: Vec<(String, i64)> = sqlx::query_as(
        "SELECT charge_id, amount_cents FROM test_processor_checkouts WHERE charge_id IS NOT NULL ORDER BY charge_id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let mut recorded: Vec<(String, i64)> = sqlx::query_as(
        "SELECT processor_charge, -amount_cents FROM billing_entries WHERE kind = 'patient-payment' ORDER BY processor_charge",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    charged.sort();
    recorded.sort();
    assert_eq!(charged.len(), GUARANTORS * PAYMENTS_EACH, "each form charged once");
    assert_eq!(recorded, charged, "the ledger is exactly the processor's charges");
    let unpaid: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM billing_payments p JOIN test_processor_checkouts c ON c.id = p.checkout_ref \
         WHERE c.charge_id IS NOT NULL AND p.status <> 'paid'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(unpaid, 0, "every charged payment is marked paid");
    pool.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_records_every_charge_once_through_sigkill() {
    sqlx::any::install_default_drivers();
    let dir = std::env::temp_dir().join(format!("portico-pay-crash-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("crash.db");
    let run = Run { database_url: format!("sqlite://{}", db.display()), port: free_port(), dir: dir.clone() };
    let tally = pay_under_fire(&run, 2).await;
    let interrupted = tally.interrupted.load(Ordering::Relaxed);
    eprintln!(
        "payments crash test: {} charged, {interrupted} attempts cut short by 2 kills",
        tally.charged.load(Ordering::Relaxed)
    );
    assert!(interrupted > 0, "the kills cut requests short");
    check_ledger_is_the_processors(&run.database_url).await;
    assert_sqlite_intact(&run.database_url).await;
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_records_every_charge_once_through_sigkill() {
    sqlx::any::install_default_drivers();
    let Some((run, conn, name)) = postgres_run("portico_pay_crash").await else { return };
    pay_under_fire(&run, 2).await;
    check_ledger_is_the_processors(&run.database_url).await;
    drop_postgres(conn, &name, &run).await;
}
