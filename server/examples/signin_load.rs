//! Sign-in under load, for `make measure` (scripts/measure.sh): N concurrent clients
//! sign in repeatedly while one more polls /healthz; prints p50/p99 of both.
//! Only ever aimed at a Portico on this machine (loopback); bounded in count and time.
use std::time::{Duration, Instant};

#[path = "shared/mod.rs"]
mod shared;
use shared::arg;

/// The p-th percentile of sorted durations, in milliseconds.
fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let ms: Vec<f64> = sorted.iter().map(|d| d.as_secs_f64() * 1e3).collect();
    shared::percentile(&ms, p)
}

#[tokio::main]
async fn main() {
    let base = arg("--base", "http://127.0.0.1:3200");
    assert!(base.starts_with("http://127.") || base.starts_with("http://localhost"), "loopback only");
    let clients: usize = arg("--clients", "20").parse().unwrap();
    let per_client: usize = arg("--requests", "10").parse().unwrap();
    let username = arg("--username", "avery");
    let password = arg("--password", "Portico-Demo-2026!");

    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let health = {
        let (base, stop) = (base.clone(), stop.clone());
        tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut times = Vec::new();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) && times.len() < 100_000 {
                let t = Instant::now();
                let ok = http.get(format!("{base}/healthz")).send().await.map(|r| r.status().is_success());
                assert!(matches!(ok, Ok(true)), "/healthz failed during the flood");
                times.push(t.elapsed());
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            times
        })
    };

    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (base, username, password) = (base.clone(), username.clone(), password.clone());
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            for _ in 0..per_client {
                let http = reqwest::Client::builder().cookie_store(true).build().unwrap();
                let t = Instant::now();
                let res = http
                    .post(format!("{base}/api/auth/sign_in"))
                    .header("origin", base.as_str())
                    .form(&[("username", username.as_str()), ("password", password.as_str())])
                    .send()
                    .await
                    .unwrap();
                assert!(res.status().is_success(), "sign-in failed: {}", res.status());
                times.push(t.elapsed());
            }
            times
        }));
    }
    let mut signins = Vec::new();
    for t in tasks {
        signins.extend(t.await.unwrap());
    }
    let wall = started.elapsed();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut healthz = health.await.unwrap();
    signins.sort();
    healthz.sort();
    println!(
        "sign-in: {} requests from {clients} concurrent clients in {:.1} s ({:.1}/s): p50 {:.0} ms, p99 {:.0} ms",
        signins.len(),
        wall.as_secs_f64(),
        signins.len() as f64 / wall.as_secs_f64(),
        percentile(&signins, 50.0),
        percentile(&signins, 99.0)
    );
    println!(
        "/healthz during the flood: {} requests, p50 {:.1} ms, p99 {:.1} ms",
        healthz.len(),
        percentile(&healthz, 50.0),
        percentile(&healthz, 99.0)
    );
}
