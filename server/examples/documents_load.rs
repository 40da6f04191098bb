//! The document center's PDFs, for scripts/bench-documents.sh: the copy of a whole record
//! HIM makes (the demo patient's, and a synthetic patient's with 10,000 results), its
//! download, and a two-visit record, each timed on both sides (the server's own time from
//! its Server-Timing header). Only ever aimed at a Portico on this machine (loopback).
use reqwest::Client;

#[path = "shared/mod.rs"]
mod shared;
use shared::{arg, call, percentile};

/// Every part of the record, as the request form sends them.
const ALL_PARTS: [&str; 6] = ["problems", "allergies", "medications", "immunizations", "visits", "results"];

async fn signed_in(base: &str, username: &str, password: &str) -> Client {
    let http = Client::builder().cookie_store(true).build().unwrap();
    let (status, _, _, body) =
        call(&http, base, "auth/sign_in", &[("username", username), ("password", password)]).await;
    assert_eq!(status, 200, "sign in {username}: {body}");
    http
}

/// HIM signs in with the demo's authenticator secret (the seed's), as a phone would.
async fn him(base: &str, password: &str) -> Client {
    let http = signed_in(base, "him.lee", password).await;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let code = app::auth::two_step::code_at(portico_server::seed::DEMO_TOTP_SECRET, now).unwrap();
    let (status, _, _, body) = call(&http, base, "auth/two_step/verify", &[("code", &code)]).await;
    assert_eq!(status, 200, "second step: {body}");
    http
}

/// Asks for a copy of everything, has HIM make it, downloads it: (server ms to make it,
/// server ms to download it, bytes).
async fn one_copy(base: &str, patient: &Client, him: &Client) -> (f64, f64, usize) {
    let parts: Vec<(&str, &str)> = ALL_PARTS.iter().map(|p| ("parts[]", *p)).collect();
    let (status, _, _, body) = call(patient, base, "documents/request_copy", &parts).await;
    assert_eq!(status, 200, "request: {body}");
    let (_, _, _, queue) = call(him, base, "staff/records/queue", &[]).await;
    let queue: serde_json::Value = serde_json::from_str(&queue).unwrap();
    let id = queue[0]["id"].to_string();
    let (status, _, make_ms, body) = call(him, base, "staff/records/fulfil", &[("id", &id)]).await;
    assert_eq!(status, 200, "fulfil: {body}");
    let key = format!("request-{id}");
    let (status, _, fetch_ms, body) = call(patient, base, "documents/download", &[("key", &key)]).await;
    assert_eq!(status, 200, "download");
    (make_ms, fetch_ms, body.len())
}

#[tokio::main]
async fn main() {
    let base = arg("--base", "http://127.0.0.1:3300");
    assert!(base.starts_with("http://127.") || base.starts_with("http://localhost"), "loopback only");
    let password = arg("--password", "Portico-Demo-2026!");
    let big = arg("--big", "s1.0");
    let runs: usize = arg("--runs", "5").parse().unwrap();
    let him = him(&base, &password).await;

    for (label, username) in [("demo patient (avery)", "avery"), ("10,000 results", big.as_str())] {
        let patient = signed_in(&base, username, &password).await;
        let (mut make, mut fetch, mut size) = (Vec::new(), Vec::new(), 0);
        for _ in 0..runs {
            let (m, f, s) = one_copy(&base, &patient, &him).await;
            make.push(m);
            fetch.push(f);
            size = s;
        }
        make.sort_by(f64::total_cmp);
        fetch.sort_by(f64::total_cmp);
        println!(
            "  whole record, {label:<22} made by HIM: server p50 {:.1} ms (max {:.1}) | downloaded: server p50 {:.1} ms | {} KB, {runs} runs",
            percentile(&make, 50.0),
            make.last().unwrap(),
            percentile(&fetch, 50.0),
            size / 1024,
        );
    }

    // Two of Avery's visits as one record, as the Documents page sends them.
    let avery = signed_in(&base, "avery", &password).await;
    let (_, _, _, list) = call(&avery, &base, "documents/list", &[("shelf", "visit-records")]).await;
    let list: serde_json::Value = serde_json::from_str(&list).unwrap();
    let ids: Vec<String> = list["entries"].as_array().unwrap()[..2]
        .iter()
        .map(|e| e["key"].as_str().unwrap().trim_start_matches("visit-").to_owned())
        .collect();
    let form: Vec<(&str, &str)> = ids.iter().map(|id| ("visits[]", id.as_str())).collect();
    let mut server = Vec::new();
    for _ in 0..20 {
        let (status, _, ms, _) = call(&avery, &base, "documents/visit_records", &form).await;
        assert_eq!(status, 200);
        server.push(ms);
    }
    server.sort_by(f64::total_cmp);
    println!(
        "  two visits as one record (avery): server p50 {:.1} ms, max {:.1} ms, 20 runs",
        percentile(&server, 50.0),
        server.last().unwrap()
    );
}
