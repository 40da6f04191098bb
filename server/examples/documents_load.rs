//! The document center's PDFs, for scripts/bench-documents.sh: the whole-record archive of
//! a synthetic patient with 10,000 results (made in the background, then downloaded in its
//! stored pieces) with the server's peak memory around it, the copy of a whole record HIM
//! makes (the demo patient's, and the large one), its download, and a two-visit record,
//! each timed on both sides (the server's own time from its Server-Timing header). Only
//! ever aimed at a Portico on this machine (loopback).
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

/// The server's peak resident memory so far (VmHWM), when its pid is known.
fn peak_mb(pid: &str) -> String {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kb = status.lines().find_map(|l| l.strip_prefix("VmHWM:")).and_then(|v| v.split_whitespace().next());
    kb.and_then(|kb| kb.parse::<f64>().ok()).map_or("unknown".into(), |kb| format!("{:.0} MB", kb / 1024.0))
}

/// "Download my whole record" for this patient: asked for, made in the background (polled
/// every 50 ms), downloaded. Prints its times and size.
async fn whole_record_archive(base: &str, patient: &Client, label: &str) {
    let started = std::time::Instant::now();
    let (status, _, _, body) = call(patient, base, "documents/export_start", &[]).await;
    assert_eq!(status, 200, "export: {body}");
    let id = loop {
        let (_, _, _, view) = call(patient, base, "documents/export_status", &[]).await;
        let view: serde_json::Value = serde_json::from_str(&view).unwrap();
        if let Some(id) = view["status"]["Ready"]["id"].as_i64() {
            break id;
        }
        assert!(view["status"].get("Working").is_some(), "the archive failed: {view}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    let made_s = started.elapsed().as_secs_f64();
    let fetch = std::time::Instant::now();
    let res = patient
        .post(format!("{base}/api/documents/export_download"))
        .header("origin", base)
        .form(&[("id", id.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.unwrap();
    println!(
        "  whole-record archive, {label}: made in {made_s:.2} s (background) | downloaded in {:.0} ms | {} KB",
        fetch.elapsed().as_secs_f64() * 1e3,
        bytes.len() / 1024
    );
}

#[tokio::main]
async fn main() {
    let base = arg("--base", "http://127.0.0.1:3300");
    assert!(base.starts_with("http://127.") || base.starts_with("http://localhost"), "loopback only");
    let password = arg("--password", "Portico-Demo-2026!");
    let big = arg("--big", "s1.0");
    let runs: usize = arg("--runs", "5").parse().unwrap();
    let pid = arg("--pid", "");
    let him = him(&base, &password).await;

    // First, so that its peak memory is its own.
    let large = signed_in(&base, &big, &password).await;
    whole_record_archive(&base, &large, "10,000 results").await;
    println!("  server peak memory after the archive: {}", peak_mb(&pid));
    let avery = signed_in(&base, "avery", &password).await;
    whole_record_archive(&base, &avery, "demo patient (avery)").await;

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

    println!("  server peak memory after the copies: {}", peak_mb(&pid));

    // Two of Avery's visits as one record, as the Documents page sends them.
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
