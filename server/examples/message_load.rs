//! Messaging under load, for scripts/bench-messages.sh. Two measures:
//! `--send`: N signed-in patients each send new messages back to back (closed loop) for S
//!   seconds; prints the committed messages per second and the latency percentiles.
//! `--inbox USER`: 200 sequential inbox listings of one patient; prints the percentiles.
//! Only ever aimed at a Portico on this machine (loopback).
use std::{
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use reqwest::Client;

#[path = "shared/mod.rs"]
mod shared;
use shared::{arg, call, report, timed};

async fn signed_in(base: &str, username: &str, password: &str) -> Client {
    let http = Client::builder().cookie_store(true).build().unwrap();
    let (status, ..) =
        call(&http, base, "auth/sign_in", &[("username", username), ("password", password)]).await;
    assert_eq!(status, 200, "sign in {username}");
    http
}

/// One multipart send; (status, round trip ms, server ms).
async fn send(http: &Client, base: &str, key: String) -> (u16, f64, f64) {
    let form = reqwest::multipart::Form::new()
        .text("to", "pool-support")
        .text("subject", "Load test")
        .text("body", "A message of ordinary length, about a hundred characters, as patients write them.")
        .text("key", key);
    let request = http.post(format!("{base}/api/messages/send")).header("origin", base).multipart(form);
    let (status, total, server, _) = timed(request).await;
    (status, total, server)
}

#[tokio::main]
async fn main() {
    let base = arg("--base", "http://127.0.0.1:3300");
    assert!(base.starts_with("http://127.") || base.starts_with("http://localhost"), "loopback only");
    let password = arg("--password", "Portico-Demo-2026!");

    if std::env::args().any(|a| a == "--inbox") {
        let user = arg("--inbox", "s1.0");
        let http = signed_in(&base, &user, &password).await;
        let (_, _, _, body) = call(&http, &base, "messages/inbox", &[]).await;
        let inbox: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
        let threads = inbox["threads"].as_array().map_or(0, Vec::len);
        let (mut total, mut server) = (Vec::new(), Vec::new());
        let started = Instant::now();
        for _ in 0..200 {
            let (status, t, s, body) = call(&http, &base, "messages/inbox", &[]).await;
            assert_eq!(status, 200, "{body}");
            total.push(t);
            server.push(s);
        }
        println!("== inbox of {threads} threads, 200 sequential listings");
        report("messages/inbox", total, server, 0, started.elapsed().as_secs_f64());
        return;
    }

    let prefix = arg("--users", "s1.");
    let accounts: usize = arg("--accounts", "50").parse().unwrap();
    let seconds: f64 = arg("--seconds", "20").parse().unwrap();
    let mut clients = Vec::new();
    for i in 0..accounts {
        clients.push(signed_in(&base, &format!("{prefix}{i}"), &password).await);
    }
    println!("== {accounts} patients sending back to back for {seconds} s");
    let errors = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(seconds);
    let tasks: Vec<_> = clients
        .into_iter()
        .enumerate()
        .map(|(i, http)| {
            let (base, errors) = (base.clone(), errors.clone());
            tokio::spawn(async move {
                let (mut total, mut server) = (Vec::new(), Vec::new());
                let mut n = 0;
                while Instant::now() < deadline {
                    let (status, t, s) = send(&http, &base, format!("load-{i:04}-{n:08}-key")).await;
                    n += 1;
                    if status == 200 {
                        total.push(t);
                        server.push(s);
                    } else {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
                (total, server)
            })
        })
        .collect();
    let (mut total, mut server) = (Vec::new(), Vec::new());
    for task in tasks {
        let (t, s) = task.await.unwrap();
        total.extend(t);
        server.extend(s);
    }
    report("messages/send", total, server, errors.load(Ordering::Relaxed), started.elapsed().as_secs_f64());
}
