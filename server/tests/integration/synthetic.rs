//! `portico seed --synthetic`: the same seed gives the same patients, the data reads like a
//! chart (and through the same functions as a real one), patient-written tables untouched.
use crate::common::{TestApp, PASSWORD};
use reqwest::StatusCode;

on_both_databases!(synthetic_patients_are_deterministic_and_readable);

async fn synthetic_patients_are_deterministic_and_readable(app: &TestApp) {
    let counts = portico_server::synthetic::generate(&app.state, 300, 3, 2, PASSWORD).await.unwrap();
    // The figures for seed 3 on the test clock (2026-11-25): the same on every run and on
    // both databases. A change here means the generator (or its random source) changed.
    assert_eq!(
        (
            counts.patients,
            counts.reports,
            counts.observations,
            counts.medications,
            counts.immunizations,
            counts.encounters
        ),
        EXPECTED,
        "{counts:?}"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM patients WHERE mrn LIKE 'S3-%'").await, 300);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM renewal_requests").await,
        0,
        "patient-written tables untouched"
    );
    // A missing reference bound is NULL, never NaN.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM observations WHERE loinc = '2093-3' AND ref_low IS NOT NULL").await,
        0
    );
    assert!(app.count("SELECT COUNT(*) FROM observations WHERE loinc = '2345-7' AND ref_low = 70").await > 0);
    // The same seed again is refused rather than duplicated.
    assert!(portico_server::synthetic::generate(&app.state, 10, 3, 0, PASSWORD).await.is_err());

    // A generated patient signs in and reads their record through the ordinary functions.
    let client = app.signed_in("s3.0").await;
    for endpoint in ["results/list", "visits/list", "summary/get", "reminders/list", "home/overview"] {
        assert_eq!(app.call(&client, endpoint, &[]).await.0, StatusCode::OK, "{endpoint}");
    }
}

const EXPECTED: (usize, usize, usize, usize, usize, usize) = (300, 670, 3163, 140, 3924, 1743);
