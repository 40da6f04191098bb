//! An unknown username and a wrong password must take the same time (within 10%), or
//! timing would tell an attacker which usernames exist. Alone in its own test binary so
//! other tests do not share the CPU while it measures.
mod common;

use std::time::{Duration, Instant};

use common::{Backend, TestApp};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_user_and_wrong_password_take_the_same_time() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    app.add_patient_user("known").await;
    let client = app.client();
    let (mut known, mut unknown) = (Vec::new(), Vec::new());
    // Interleaved, so drift in machine load affects both sides alike.
    for i in 0..9 {
        for (user, into) in [("known", &mut known), (&*format!("ghost{i}"), &mut unknown)] {
            let started = Instant::now();
            let status = app.sign_in(&client, user, "not the right password").await;
            into.push(started.elapsed());
            assert_eq!(status, reqwest::StatusCode::UNPROCESSABLE_ENTITY);
        }
    }
    let (k, u) = (median(known).as_secs_f64(), median(unknown).as_secs_f64());
    let gap = (k - u).abs() / k.max(u);
    eprintln!(
        "median wrong-password {:.1} ms, unknown-user {:.1} ms, gap {:.1}%",
        k * 1e3,
        u * 1e3,
        gap * 100.0
    );
    assert!(gap <= 0.10, "timing gap {:.1}% exceeds 10%", gap * 100.0);
    app.cleanup().await;
}
