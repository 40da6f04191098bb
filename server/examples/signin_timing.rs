//! The wall-clock side of "an unknown username costs what a wrong password costs", for
//! `make measure` (scripts/measure.sh): a report, not a pass/fail. The test suite checks the
//! cause (server/tests/signin_steps.rs: both paths run the same steps); this measures what an
//! attacker would, on the release build, many times, one request at a time.
//!
//! Wrong passwords for known accounts (`s<seed>.<i>`, made by `portico seed --synthetic N
//! --seed S --accounts K`) alternate with unknown usernames. The sign-in limits (20 failures
//! per account, 100 per client address, an hour) would otherwise answer 429 part-way: the
//! known accounts are cycled, and each request names a different documentation address
//! (192.0.2.0/24, RFC 5737) in X-Forwarded-For, which the server under measurement trusts
//! (PORTICO_TRUST_FORWARDED_FOR). Only ever aimed at a Portico on this machine (loopback).
use std::time::Instant;

#[path = "shared/mod.rs"]
mod shared;
use shared::{arg, percentile};

/// One wrong-password sign-in: (round trip ms, server ms from Server-Timing).
async fn failed_sign_in(http: &reqwest::Client, base: &str, username: &str, address: &str) -> (f64, f64) {
    let started = Instant::now();
    let res = http
        .post(format!("{base}/api/auth/sign_in"))
        .header("origin", base)
        .header("x-forwarded-for", address)
        .form(&[("username", username), ("password", "not the right password")])
        .send()
        .await
        .expect("sign-in request");
    let server_ms = shared::server_ms(&res);
    assert_eq!(res.status().as_u16(), 422, "expected a refused sign-in for {username}");
    let _ = res.bytes().await;
    (started.elapsed().as_secs_f64() * 1e3, server_ms)
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    percentile(values, 50.0)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let base = arg("--base", "http://127.0.0.1:3200");
    assert!(base.starts_with("http://127.") || base.starts_with("http://localhost"), "loopback only");
    let samples: usize = arg("--samples", "200").parse().expect("--samples N");
    let seed = arg("--seed", "7");
    let accounts: usize = arg("--accounts", "20").parse().expect("--accounts K");
    // Each account takes samples / accounts failures: keep it under the limit of 20.
    assert!(samples.div_ceil(accounts) < 20, "more --accounts needed for {samples} samples");
    let http = reqwest::Client::new();

    let (mut known_rt, mut known_srv, mut unknown_rt, mut unknown_srv) = (vec![], vec![], vec![], vec![]);
    for i in 0..samples {
        let known = format!("s{seed}.{}", i % accounts);
        let unknown = format!("s{seed}.ghost{i}");
        // Two addresses per round, each used once: no address nears its limit.
        let (a, b) = (format!("192.0.2.{}", (2 * i) % 250 + 1), format!("192.0.2.{}", (2 * i + 1) % 250 + 1));
        // Alternate which goes first, so a warm cache or a drifting load favours neither.
        let (k, u) = if i % 2 == 0 {
            let k = failed_sign_in(&http, &base, &known, &a).await;
            (k, failed_sign_in(&http, &base, &unknown, &b).await)
        } else {
            let u = failed_sign_in(&http, &base, &unknown, &b).await;
            (failed_sign_in(&http, &base, &known, &a).await, u)
        };
        known_rt.push(k.0);
        known_srv.push(k.1);
        unknown_rt.push(u.0);
        unknown_srv.push(u.1);
    }
    for (label, known, unknown) in
        [("round trip", &mut known_rt, &mut unknown_rt), ("server time", &mut known_srv, &mut unknown_srv)]
    {
        let (k, u) = (median(known), median(unknown));
        println!(
            "sign-in timing, {label}: {samples} pairs, median wrong password {k:.2} ms, unknown user {u:.2} ms, \
             gap {:+.2}% of the median (p10–p90: {:.1}–{:.1} ms and {:.1}–{:.1} ms)",
            (u - k) / k.max(u) * 100.0,
            percentile(known, 10.0),
            percentile(known, 90.0),
            percentile(unknown, 10.0),
            percentile(unknown, 90.0),
        );
    }
}
