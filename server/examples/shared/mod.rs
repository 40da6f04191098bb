//! What the load examples share: arguments, a server-function call timed on both sides
//! (the server's own time from its Server-Timing header), and percentiles.
#![allow(dead_code)] // each example uses its own subset
use std::time::Instant;

use reqwest::Client;

pub fn arg(name: &str, default: &str) -> String {
    let args: Vec<String> = std::env::args().collect();
    args.windows(2).find(|w| w[0] == name).map(|w| w[1].clone()).unwrap_or_else(|| default.to_owned())
}

pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((p / 100.0) * (sorted.len() - 1) as f64).round() as usize]
}

/// "app;dur=1.23": the server's time for this request.
pub fn server_ms(res: &reqwest::Response) -> f64 {
    res.headers()
        .get("server-timing")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split("dur=").nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(f64::NAN)
}

/// A server-function call with a form body; see `timed`.
pub async fn call(
    http: &Client,
    base: &str,
    endpoint: &str,
    form: &[(&str, &str)],
) -> (u16, f64, f64, String) {
    timed(http.post(format!("{base}/api/{endpoint}")).header("origin", base).form(form)).await
}

/// Sends a request and reads the whole answer: (status, round trip ms, server ms, body).
pub async fn timed(request: reqwest::RequestBuilder) -> (u16, f64, f64, String) {
    let t = Instant::now();
    let res = request.send().await.expect("request");
    let status = res.status().as_u16();
    let server_ms = server_ms(&res);
    let body = res.text().await.unwrap_or_default();
    (status, t.elapsed().as_secs_f64() * 1e3, server_ms, body)
}

pub fn report(label: &str, mut total: Vec<f64>, mut server: Vec<f64>, errors: usize, wall: f64) {
    total.sort_by(f64::total_cmp);
    server.retain(|v| v.is_finite());
    server.sort_by(f64::total_cmp);
    println!(
        "  {label:<14} {:>6} requests in {wall:.1} s ({:.0}/s), {errors} errors | round trip p50 {:.2} ms p99 {:.2} ms max {:.1} ms | server p50 {:.2} ms p99 {:.2} ms",
        total.len(),
        total.len() as f64 / wall,
        percentile(&total, 50.0),
        percentile(&total, 99.0),
        total.last().copied().unwrap_or(f64::NAN),
        percentile(&server, 50.0),
        percentile(&server, 99.0),
    );
}
