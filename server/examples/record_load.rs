//! The health record under load, for scripts/bench-record.sh: signs in N patient accounts,
//! then sends results/list and results/trend at a fixed rate (open loop: a slow answer does
//! not slow the sender) and prints latency percentiles, with the server's own time from
//! the Server-Timing header. Only ever aimed at a Portico on this machine (loopback).
use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use reqwest::Client;

#[path = "shared/mod.rs"]
mod shared;
use shared::{arg, call, report};

struct Patient {
    http: Client,
    trend_loinc: Option<String>,
}

async fn sign_in(base: &str, username: &str, password: &str) -> Patient {
    let http = Client::builder().cookie_store(true).pool_max_idle_per_host(4).build().unwrap();
    let (status, ..) =
        call(&http, base, "auth/sign_in", &[("username", username), ("password", password)]).await;
    assert_eq!(status, 200, "sign in {username}");
    // The first result's first analyte with a trend, if any.
    let (_, _, _, list) = call(&http, base, "results/list", &[]).await;
    let list: serde_json::Value = serde_json::from_str(&list).unwrap_or_default();
    let mut trend_loinc = None;
    if let Some(first) = list.as_array().and_then(|l| l.first()) {
        let id = first["id"].to_string();
        let (_, _, _, detail) = call(&http, base, "results/get", &[("id", &id)]).await;
        let detail: serde_json::Value = serde_json::from_str(&detail).unwrap_or_default();
        trend_loinc = detail["components"]
            .as_array()
            .and_then(|c| c.iter().find(|c| c["has_trend"] == true))
            .and_then(|c| c["loinc"].as_str())
            .map(str::to_owned);
    }
    Patient { http, trend_loinc }
}

#[tokio::main]
async fn main() {
    let base = arg("--base", "http://127.0.0.1:3300");
    assert!(base.starts_with("http://127.") || base.starts_with("http://localhost"), "loopback only");
    let password = arg("--password", "Portico-Demo-2026!");
    let prefix = arg("--users", "s1.");
    let accounts: usize = arg("--accounts", "50").parse().unwrap();
    let rate: f64 = arg("--rate", "500").parse().unwrap();
    let seconds: f64 = arg("--seconds", "20").parse().unwrap();
    let big: Option<String> = std::env::args().any(|a| a == "--big").then(|| arg("--big", ""));

    if let Some(username) = big {
        // One patient with 10,000 values of one analyte: the graph's server time.
        let p = sign_in(&base, &username, &password).await;
        // The values were just written, so the first view builds the stored series.
        let (status, t, s, body) = call(&p.http, &base, "results/trend", &[("loinc", "4548-4")]).await;
        assert_eq!(status, 200, "{body}");
        println!("== first view after the values changed (builds the stored series): round trip {t:.2} ms, server {s:.2} ms");
        let (mut total, mut server) = (Vec::new(), Vec::new());
        let started = Instant::now();
        for _ in 0..200 {
            let (status, t, s, body) = call(&p.http, &base, "results/trend", &[("loinc", "4548-4")]).await;
            assert_eq!(status, 200, "{body}");
            total.push(t);
            server.push(s);
        }
        let points = body_points(&p.http, &base).await;
        println!("== trend of one analyte with {points} values, 200 sequential views (stored series)");
        report("results/trend", total, server, 0, started.elapsed().as_secs_f64());
        return;
    }

    let mut patients = Vec::new();
    for i in 0..accounts {
        patients.push(sign_in(&base, &format!("{prefix}{i}"), &password).await);
    }
    let patients = Arc::new(patients);
    let with_trend = patients.iter().filter(|p| p.trend_loinc.is_some()).count();
    println!(
        "== {accounts} patients signed in ({with_trend} with a trend to graph); {rate}/s for {seconds} s"
    );

    let interval = Duration::from_secs_f64(1.0 / rate);
    let total_requests = (rate * seconds) as usize;
    let started = Instant::now();
    let mut handles = Vec::with_capacity(total_requests);
    for n in 0..total_requests {
        // Open loop: request n leaves at n × interval, whatever happened before.
        let due = started + interval * n as u32;
        tokio::time::sleep_until(due.into()).await;
        let (patients, base) = (patients.clone(), base.clone());
        handles.push(tokio::spawn(async move {
            // Half lists (every patient), half trends (the patients who have one).
            let graphing: Vec<&Patient> = patients.iter().filter(|p| p.trend_loinc.is_some()).collect();
            if n % 2 == 1 && !graphing.is_empty() {
                let p = graphing[(n / 2) % graphing.len()];
                let loinc = p.trend_loinc.as_deref().unwrap_or_default();
                ("trend", call(&p.http, &base, "results/trend", &[("loinc", loinc)]).await)
            } else {
                let p = &patients[(n / 2) % patients.len()];
                ("list", call(&p.http, &base, "results/list", &[]).await)
            }
        }));
    }
    let (mut lists, mut trends) = ((Vec::new(), Vec::new(), 0), (Vec::new(), Vec::new(), 0));
    for h in handles {
        let (kind, (status, t, s, _)) = h.await.unwrap();
        let bucket = if kind == "list" { &mut lists } else { &mut trends };
        bucket.0.push(t);
        bucket.1.push(s);
        if status != 200 {
            bucket.2 += 1;
        }
    }
    let wall = started.elapsed().as_secs_f64();
    report("results/list", lists.0, lists.1, lists.2, wall);
    report("results/trend", trends.0, trends.1, trends.2, wall);
}

async fn body_points(http: &Client, base: &str) -> usize {
    let (_, _, _, body) = call(http, base, "results/trend", &[("loinc", "4548-4")]).await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    v["series"]
        .as_array()
        .map(|s| s.iter().map(|u| u["points"].as_array().map_or(0, |p| p.len())).sum())
        .unwrap_or(0)
}
