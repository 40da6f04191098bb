//! Staff readers (issue 12, part 2): a clinician reaches the patients they care for, any
//! other chart only by breaking the glass (a reason, audited, for that session, on HIM's
//! review list); billing and support get no clinical function; every staff view of a
//! patient leaves a row on that patient's chart.
use reqwest::StatusCode;

use crate::common::{error_key, TestApp};
use app::{auth::Role, dates::DAY_MS, results::catalog::HBA1C};

on_both_databases!(
    a_clinician_reaches_only_their_patients_unless_they_break_the_glass,
    staff_views_leave_a_row_on_each_chart_shown
);

const REQUIRED: &str = "access.break_glass_required";

async fn held_result(app: &TestApp, patient: i64) -> i64 {
    let at = app.clock.now_ms();
    app::results::store::insert_report(
        &app.state.db,
        &app::results::store::NewReport {
            patient_id: patient,
            panel: &HBA1C,
            values: &[6.1],
            ordered_by: None,
            collected_at: at,
            resulted_at: at,
            released_at: None,
            held_reason: Some("Call first"),
            held_by: None,
            reviewed: None,
            seen_at: None,
            encounter_id: None,
        },
    )
    .await
    .unwrap()
}

async fn visit(app: &TestApp, patient: i64, department: &str, days_ago: i64) {
    sqlx::query(
        "INSERT INTO encounters (patient_id, department, kind, status, start_at, reason) \
         VALUES ($1, $2, 'Office visit', 'finished', $3, 'Check-up')",
    )
    .bind(patient)
    .bind(department)
    .bind(app.clock.now_ms() - days_ago * DAY_MS)
    .execute(&app.state.db.write)
    .await
    .unwrap();
}

async fn a_clinician_reaches_only_their_patients_unless_they_break_the_glass(app: &TestApp) {
    let avery = app.add_patient_user("avery").await;
    let blake = app.add_patient("MRN-blake", "Blake", "Jones", "1990-07-04").await;
    app.add_clinician("dr.rivera", &[avery]).await;
    let avery_result = held_result(app, avery).await;
    let blake_result = held_result(app, blake).await;
    let rivera = app.signed_in("dr.rivera").await;
    let items = |patient: i64| {
        let rivera = rivera.clone();
        async move { app.call(&rivera, "staff/confidential/items", &[("patient_id", &patient.to_string())]).await }
    };

    // Avery is on Dr. Rivera's care team; Blake is not.
    assert_eq!(items(avery).await.0, StatusCode::OK);
    let (status, body) = items(blake).await;
    assert_eq!((status, error_key(&body).as_str()), (StatusCode::UNPROCESSABLE_ENTITY, REQUIRED));
    let (_, queue) = app.call(&rivera, "staff/results/queue", &[]).await;
    let ids: Vec<i64> = queue.as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [avery_result], "the queue holds only the clinician's patients");
    let (_, body) = app.call(&rivera, "staff/results/release", &[("id", &blake_result.to_string())]).await;
    assert_eq!(error_key(&body), REQUIRED);

    // A visit with the department makes a relationship for 24 months.
    visit(app, blake, "Family Medicine", 740).await;
    assert_eq!(error_key(&items(blake).await.1), REQUIRED, "25 months ago is too long");
    visit(app, blake, "Cardiology", 30).await;
    assert_eq!(error_key(&items(blake).await.1), REQUIRED, "another department's visit");
    let casey = app.add_patient("MRN-casey", "Casey", "Nguyen", "2010-05-20").await;
    visit(app, casey, "Family Medicine", 700).await;
    assert_eq!(items(casey).await.0, StatusCode::OK, "a visit with the department 23 months ago");

    // Breaking the glass: a reason from the list, or "other" with a note; each refused at its field.
    let glass = |fields: Vec<(&'static str, String)>| {
        let rivera = rivera.clone();
        async move { app.call_owned(&rivera, "staff/break_glass", fields).await }
    };
    let blake_id = || ("patient_id", blake.to_string());
    let (_, body) = glass(vec![blake_id(), ("reason", "curiosity".into())]).await;
    assert_eq!(error_key(&body), "break_glass.reason_required");
    let (_, body) = glass(vec![blake_id(), ("reason", "other".into())]).await;
    assert_eq!(error_key(&body), "break_glass.note_required");
    let (_, body) = glass(vec![blake_id(), ("reason", "other".into()), ("note", "x".repeat(501))]).await;
    assert_eq!(error_key(&body), "break_glass.note_too_long");
    let (_, body) = glass(vec![("mrn", "MRN-nobody".into()), ("reason", "emergency".into())]).await;
    assert_eq!(error_key(&body), "results.no_patient");
    assert_eq!(app.count("SELECT COUNT(*) FROM break_glass").await, 0, "nothing recorded from bad input");
    let (status, body) = glass(vec![("mrn", "MRN-blake".into()), ("reason", "emergency".into())]).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Open for this session: the chart, the queue, the action.
    assert_eq!(items(blake).await.0, StatusCode::OK);
    let (_, queue) = app.call(&rivera, "staff/results/queue", &[]).await;
    assert_eq!(queue.as_array().unwrap().len(), 2);
    assert_eq!(
        app.call(&rivera, "staff/results/release", &[("id", &blake_result.to_string())]).await.0,
        StatusCode::OK
    );
    let marked = app
        .count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'break-the-glass' AND patient_id = {blake} \
             AND detail = 'reason=emergency'"
        ))
        .await;
    assert_eq!(marked, 1, "audited on Blake's chart, as such");

    // A new session starts without it.
    let again = app.signed_in("dr.rivera").await;
    let (_, body) = app.call(&again, "staff/confidential/items", &[("patient_id", &blake.to_string())]).await;
    assert_eq!(error_key(&body), REQUIRED);

    // HIM reviews the list; the review is audited too.
    app.add_user("him.lee", Role::Him, None, "him@example.org").await;
    let him = app.signed_in("him.lee").await;
    assert_eq!(app.call(&rivera, "staff/break_glass/list", &[]).await.0, StatusCode::FORBIDDEN);
    let (status, list) = app.call(&him, "staff/break_glass/list", &[]).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list[0]["patient"], "Jones, Blake");
    assert_eq!(list[0]["reason"], "Emergency");
    assert_eq!(list[0]["reviewed_by"], serde_json::Value::Null);
    let id = list[0]["id"].to_string();
    assert_eq!(app.call(&him, "staff/break_glass/reviewed", &[("id", &id)]).await.0, StatusCode::OK);
    let (_, list) = app.call(&him, "staff/break_glass/list", &[]).await;
    assert_eq!(list[0]["reviewed_by"], "him.lee");
    assert_eq!(app.audit_count("break-the-glass-reviewed").await, 1);

    // Billing and support keep their own work, not the clinical functions.
    for (who, role) in [("billing.kim", Role::Billing), ("support.sam", Role::Support)] {
        app.add_user(who, role, None, &format!("{who}@example.org")).await;
        let staff = app.signed_in(who).await;
        for (endpoint, form) in [
            ("staff/results/queue", vec![]),
            ("staff/renewals/queue", vec![]),
            ("staff/confidential/items", vec![("patient_id", avery.to_string())]),
            ("staff/results/release", vec![("id", avery_result.to_string())]),
            ("staff/break_glass", vec![("patient_id", avery.to_string()), ("reason", "emergency".into())]),
            ("staff/break_glass/list", vec![]),
        ] {
            assert_eq!(
                app.call_owned(&staff, endpoint, form).await.0,
                StatusCode::FORBIDDEN,
                "{who} {endpoint}"
            );
        }
    }
}

async fn staff_views_leave_a_row_on_each_chart_shown(app: &TestApp) {
    let avery = app.add_patient_user("avery").await;
    let blake = app.add_patient_user("blake").await;
    app.add_clinician("dr.rivera", &[avery, blake]).await;
    held_result(app, avery).await;
    held_result(app, blake).await;
    held_result(app, blake).await;
    let rivera = app.signed_in("dr.rivera").await;
    let reads = |patient: i64| async move {
        let sql = format!(
            "SELECT COUNT(*) FROM audit_log a JOIN users u ON u.id = a.actor_user_id WHERE u.username = 'dr.rivera' \
             AND a.action = 'chart-read' AND a.patient_id = {patient} AND a.detail = 'staff.results.queue'"
        );
        app.count(&sql).await
    };
    let (_, queue) = app.call(&rivera, "staff/results/queue", &[]).await;
    assert_eq!(queue.as_array().unwrap().len(), 3);
    assert_eq!((reads(avery).await, reads(blake).await), (1, 1), "one row per patient per view, not per row");

    // The patient sees it, by name and role.
    let client = app.signed_in("blake").await;
    let (_, log) = app.call(&client, "proxy/access_log", &[]).await;
    let by_rivera = log.as_array().unwrap().iter().any(|e| e["who"]["Staff"]["name"] == "dr.rivera");
    assert!(by_rivera, "{log}");

    // The staff patient search logs each patient it shows.
    let (_, found) = app.call(&rivera, "staff/find_patients", &[("query", "Ient")]).await;
    assert_eq!(found.as_array().unwrap().len(), 2);
    let searched = app
        .count("SELECT COUNT(DISTINCT patient_id) FROM audit_log WHERE detail = 'staff.patient_search'")
        .await;
    assert_eq!(searched, 2);
}
