//! The health record over HTTP, on SQLite and PostgreSQL: results (list, detail, trend,
//! held results, review), visits and their documents, medications and renewals,
//! reminders on the test clock, and the one authorization rule across charts.
use crate::common::{error_key, TestApp};
use app::{
    auth::Role,
    dates::DAY_MS,
    medications::store::{insert_medication, NewMedication},
    results::{
        catalog::{Panel, BASIC_METABOLIC_PANEL, HBA1C, LIPID_PANEL},
        store::{insert_report, NewReport},
    },
    summary::store::insert_problem,
    visits::store::{insert_encounter, NewEncounter},
};
use reqwest::{header, StatusCode};
use serde_json::Value;

/// A released (or, with a reason, held) result for `patient`, collected `days_ago`.
async fn result(
    app: &TestApp,
    patient: i64,
    panel: &Panel,
    values: &[f64],
    days_ago: i64,
    hold: Option<&str>,
) -> i64 {
    let at = app.clock.now_ms() - days_ago * DAY_MS;
    insert_report(
        &app.state.db,
        &NewReport {
            patient_id: patient,
            panel,
            values,
            ordered_by: None,
            collected_at: at,
            resulted_at: at,
            released_at: hold.is_none().then_some(at),
            held_reason: hold,
            held_by: None,
            reviewed: None,
            seen_at: None,
            encounter_id: None,
        },
    )
    .await
    .unwrap()
}

async fn medication(app: &TestApp, patient: i64, end_date: Option<&str>) -> i64 {
    insert_medication(
        &app.state.db,
        &NewMedication {
            patient_id: patient,
            rxnorm: "860975",
            name: "Metformin",
            dose: "500 mg tablet",
            sig: "Take 1 tablet twice a day",
            prescriber_id: None,
            start_date: "2024-01-01",
            end_date,
            refills_remaining: 1,
        },
    )
    .await
    .unwrap()
}

async fn visit(app: &TestApp, patient: i64, days_from_now: i64, status: &str, avs: Option<&str>) -> i64 {
    insert_encounter(
        &app.state.db,
        &NewEncounter {
            patient_id: patient,
            provider_id: None,
            department: "Clinic",
            kind: "Office visit",
            class_code: "AMB",
            status,
            start_at: app.clock.now_ms() + days_from_now * DAY_MS,
            minutes: 30,
            reason: "Check-up",
            avs_text: avs,
            note_text: None,
        },
    )
    .await
    .unwrap()
}

async fn chart_reads(app: &TestApp, patient: i64) -> i64 {
    app.count(&format!(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'chart-read' AND patient_id = {patient}"
    ))
    .await
}

on_both_databases!(
    results_list_detail_and_trend_stay_within_the_chart,
    held_results_are_invisible_until_released,
    opening_a_result_clears_its_new_mark_and_review_clears_the_notice,
    trend_keeps_units_apart_and_refuses_bad_codes,
    a_stored_trend_follows_every_change_to_the_values,
    every_chart_function_refuses_another_patients_ids_and_logs_it,
    staff_result_functions_are_for_clinicians_only,
    clinicians_enter_results_with_field_errors,
    visits_are_split_upcoming_and_past_with_documents,
    renewal_request_approve_deny_lifecycle,
    renewal_requests_are_idempotent_and_bounded,
    a_renewal_sent_from_its_page_lands_on_medications_or_back_with_the_error,
    reminders_follow_the_record_and_the_clock,
    home_counts_new_results_and_due_reminders,
    home_reads_the_same_cards_on_both_paths,
    health_summary_lists_current_items_of_the_chart,
    the_results_list_is_read_from_an_index_not_sorted,
);

async fn results_list_detail_and_trend_stay_within_the_chart(app: &TestApp) {
    let avery = app.add_patient_user("avery").await;
    let other = app.add_patient_user("blake").await;
    let mine = result(app, avery, &HBA1C, &[6.1], 200, None).await;
    result(app, avery, &HBA1C, &[7.2], 10, None).await;
    let theirs = result(app, other, &HBA1C, &[5.0], 5, None).await;
    let client = app.signed_in("avery").await;

    let before = chart_reads(app, avery).await;
    let (status, list) = app.call(&client, "results/list", &[]).await;
    assert_eq!(status, StatusCode::OK);
    let ids: Vec<i64> = list.as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect();
    assert_eq!(ids.len(), 2, "only Avery's results: {list}");
    assert!(!ids.contains(&theirs));
    // Newest first; 7.2 % is above 5.6 %.
    assert_eq!(list[0]["abnormal"], true);
    assert_eq!(chart_reads(app, avery).await, before + 1);

    let (status, detail) = app.call(&client, "results/get", &[("id", &mine.to_string())]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(detail["components"][0]["loinc"], "4548-4");
    assert_eq!(detail["components"][0]["value"], "6.1");
    assert_eq!(detail["components"][0]["unit"], "%");
    assert_eq!(detail["components"][0]["range"], "4–5.6");
    assert_eq!(detail["components"][0]["flag"], "High");
    assert_eq!(detail["components"][0]["has_trend"], true);
    assert_eq!(detail["from_hospital_or_emergency"], false, "no visit recorded");

    // A test done in the Emergency Department (or during a hospital stay) says the
    // ordering provider may not call; one from an office visit does not.
    for (class, expected) in [("EMER", true), ("IMP", true), ("AMB", false)] {
        let visit = insert_encounter(
            &app.state.db,
            &NewEncounter {
                patient_id: avery,
                provider_id: None,
                department: "Emergency Department",
                kind: "Emergency visit",
                class_code: class,
                status: "finished",
                start_at: app.clock.now_ms() - 3 * DAY_MS,
                minutes: 240,
                reason: "Seen",
                avs_text: None,
                note_text: None,
            },
        )
        .await
        .unwrap();
        let report = result(app, avery, &HBA1C, &[6.0], 3, None).await;
        app.execute(&format!("UPDATE diagnostic_reports SET encounter_id = {visit} WHERE id = {report}"))
            .await;
        let (_, detail) = app.call(&client, "results/get", &[("id", &report.to_string())]).await;
        assert_eq!(detail["from_hospital_or_emergency"], expected, "{class}");
    }

    let (status, trend) = app.call(&client, "results/trend", &[("loinc", "4548-4")]).await;
    assert_eq!(status, StatusCode::OK);
    let points = trend["series"][0]["points"].as_array().unwrap();
    assert_eq!(points.len(), 5, "Avery's five, and Blake's value is not in Avery's graph");
    assert!(points[0]["at_ms"].as_i64() < points[1]["at_ms"].as_i64());
}

async fn held_results_are_invisible_until_released(app: &TestApp) {
    let avery = app.add_patient_user("avery").await;
    app.add_clinician("dr.rivera", &[avery]).await;
    result(app, avery, &LIPID_PANEL, &[190.0, 140.0, 45.0, 110.0], 30, None).await;
    let held =
        result(app, avery, &LIPID_PANEL, &[260.0, 300.0, 30.0, 170.0], 1, Some("Discuss by phone first"))
            .await;
    let patient = app.signed_in("avery").await;

    let (_, list) = app.call(&patient, "results/list", &[]).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(
        app.call(&patient, "results/get", &[("id", &held.to_string())]).await.0,
        StatusCode::NOT_FOUND
    );
    let (_, trend) = app.call(&patient, "results/trend", &[("loinc", "2093-3")]).await;
    assert_eq!(trend["series"][0]["points"].as_array().unwrap().len(), 1, "no held value in the graph");
    let (_, home) = app.call(&patient, "home/overview", &[]).await;
    assert_eq!(home["new_result_count"], 1);

    let clinician = app.signed_in("dr.rivera").await;
    let (_, queue) = app.call(&clinician, "staff/results/queue", &[]).await;
    let row = queue.as_array().unwrap().iter().find(|r| r["id"] == held).expect("held result in the queue");
    assert_eq!(row["held_reason"], "Discuss by phone first");
    assert_eq!(
        app.call(&clinician, "staff/results/release", &[("id", &held.to_string())]).await.0,
        StatusCode::OK
    );
    assert_eq!(app.audit_count("result-released").await, 1);

    let (_, list) = app.call(&patient, "results/list", &[]).await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(app.call(&patient, "results/get", &[("id", &held.to_string())]).await.0, StatusCode::OK);
}

async fn opening_a_result_clears_its_new_mark_and_review_clears_the_notice(app: &TestApp) {
    let avery = app.add_patient_user("avery").await;
    app.add_clinician("dr.rivera", &[avery]).await;
    let id = result(app, avery, &HBA1C, &[5.4], 2, None).await;
    let patient = app.signed_in("avery").await;
    let (_, list) = app.call(&patient, "results/list", &[]).await;
    assert_eq!(list[0]["is_new"], true);
    let (_, detail) = app.call(&patient, "results/get", &[("id", &id.to_string())]).await;
    assert_eq!(detail["awaiting_review"], true);
    let (_, list) = app.call(&patient, "results/list", &[]).await;
    assert_eq!(list[0]["is_new"], false);

    let clinician = app.signed_in("dr.rivera").await;
    assert_eq!(
        app.call(&clinician, "staff/results/review", &[("id", &id.to_string())]).await.0,
        StatusCode::OK
    );
    let (_, detail) = app.call(&patient, "results/get", &[("id", &id.to_string())]).await;
    assert_eq!(detail["awaiting_review"], false);
    let (_, queue) = app.call(&clinician, "staff/results/queue", &[]).await;
    assert!(queue.as_array().unwrap().is_empty(), "reviewed and released: off the queue");
}

async fn trend_keeps_units_apart_and_refuses_bad_codes(app: &TestApp) {
    let avery = app.add_patient_user("avery").await;
    result(app, avery, &BASIC_METABOLIC_PANEL, &[95.0, 12.0, 0.9, 140.0, 4.0, 100.0, 25.0, 9.5], 100, None)
        .await;
    // The same analyte reported by an outside lab in mmol/L.
    let report = result(
        app,
        avery,
        &BASIC_METABOLIC_PANEL,
        &[96.0, 12.0, 0.9, 140.0, 4.0, 100.0, 25.0, 9.5],
        50,
        None,
    )
    .await;
    sqlx::query("UPDATE observations SET value_num = 5.3, unit = 'mmol/L', ref_low = 3.9, ref_high = 5.5 WHERE report_id = $1 AND loinc = '2345-7'")
        .bind(report)
        .execute(&app.state.db.write)
        .await
        .unwrap();
    let client = app.signed_in("avery").await;
    let (status, trend) = app.call(&client, "results/trend", &[("loinc", "2345-7")]).await;
    assert_eq!(status, StatusCode::OK);
    let units: Vec<&str> =
        trend["series"].as_array().unwrap().iter().map(|s| s["unit"].as_str().unwrap()).collect();
    assert_eq!(units, ["mg/dL", "mmol/L"], "one series per unit, never one axis");

    for bad in ["", "2345", "2345-7' OR 1=1 --", &"9".repeat(40)] {
        let (status, body) = app.call(&client, "results/trend", &[("loinc", bad)]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(error_key(&body), "results.bad_code");
    }
    assert_eq!(app.call(&client, "results/trend", &[("loinc", "4548-4")]).await.0, StatusCode::NOT_FOUND);
}

async fn hba1c_values(app: &TestApp, client: &reqwest::Client) -> Vec<f64> {
    let (status, trend) = app.call(client, "results/trend", &[("loinc", "4548-4")]).await;
    assert_eq!(status, StatusCode::OK, "{trend}");
    trend["series"][0]["points"].as_array().unwrap().iter().map(|p| p["value"].as_f64().unwrap()).collect()
}

/// The graph reads a stored series (result_series) while the patient's results_version still
/// matches; every kind of change must make it rebuild, including SQL the app never runs.
async fn a_stored_trend_follows_every_change_to_the_values(app: &TestApp) {
    let avery = app.add_patient_user("avery").await;
    let first = result(app, avery, &HBA1C, &[5.4], 300, None).await;
    let client = app.signed_in("avery").await;
    assert_eq!(hba1c_values(app, &client).await, [5.4]);
    let stored = "SELECT COUNT(*) FROM result_series s JOIN patients p ON p.id = s.patient_id \
                  AND p.results_version = s.version";
    assert_eq!(app.count(stored).await, 1, "the first view stores the series");
    // Opening the result changes nothing the graph shows: the stored series stays current.
    app.call(&client, "results/get", &[("id", &first.to_string())]).await;
    assert_eq!(app.count(stored).await, 1, "opening a result keeps the stored series");

    let held = result(app, avery, &HBA1C, &[6.1], 200, Some("Call first")).await;
    assert_eq!(hba1c_values(app, &client).await, [5.4], "a held value stays out");
    result(app, avery, &HBA1C, &[5.9], 100, None).await;
    assert_eq!(hba1c_values(app, &client).await, [5.4, 5.9], "a new value appears");

    app.execute(&format!("UPDATE diagnostic_reports SET released_at = collected_at WHERE id = {held}")).await;
    assert_eq!(hba1c_values(app, &client).await, [5.4, 6.1, 5.9], "a release appears");
    app.execute(&format!("UPDATE observations SET value_num = 5.5 WHERE report_id = {first}")).await;
    assert_eq!(hba1c_values(app, &client).await, [5.5, 6.1, 5.9], "a corrected value appears");
    app.execute(&format!("UPDATE diagnostic_reports SET released_at = NULL WHERE id = {held}")).await;
    assert_eq!(hba1c_values(app, &client).await, [5.5, 5.9], "a withdrawn release disappears");
    app.execute(&format!("DELETE FROM observations WHERE report_id = {first}")).await;
    assert_eq!(hba1c_values(app, &client).await, [5.9], "a deleted value disappears");
    app.execute("DELETE FROM observations").await;
    assert_eq!(
        app.call(&client, "results/trend", &[("loinc", "4548-4")]).await.0,
        StatusCode::NOT_FOUND,
        "no value left: no graph, even with a series stored"
    );
}

async fn every_chart_function_refuses_another_patients_ids_and_logs_it(app: &TestApp) {
    let avery = app.add_patient_user("avery").await;
    let blake = app.add_patient_user("blake").await;
    let their_result = result(app, blake, &HBA1C, &[6.0], 3, None).await;
    let their_visit = visit(app, blake, -10, "finished", Some("Blake's summary")).await;
    let their_med = medication(app, blake, None).await;
    let _ = avery;
    let client = app.signed_in("avery").await;

    let before = chart_reads(app, avery).await;
    let attempts: Vec<(&str, Vec<(&str, String)>)> = vec![
        ("results/get", vec![("id", their_result.to_string())]),
        ("visits/document", vec![("id", their_visit.to_string()), ("kind", "Summary".into())]),
        (
            "medications/request_renewal",
            vec![
                ("medication_id", their_med.to_string()),
                ("pharmacy", "CVS".into()),
                ("key", "k-0123456789abcdef".into()),
            ],
        ),
    ];
    for (endpoint, form) in &attempts {
        let (status, body) = app.call_owned(&client, endpoint, form.clone()).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{endpoint}: {body}");
    }
    // Each refused attempt left a trace on the chart that was asked for (Avery's own:
    // the other chart's ids were never read).
    assert_eq!(chart_reads(app, avery).await, before + attempts.len() as i64);
    assert_eq!(chart_reads(app, blake).await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM renewal_requests").await, 0);
    // The lists hold nothing of Blake's.
    let (_, visits) = app.call(&client, "visits/list", &[]).await;
    assert!(!visits.to_string().contains("Blake's summary"));
    let (_, meds) = app.call(&client, "medications/list", &[]).await;
    assert!(meds.as_array().unwrap().is_empty());

    // Staff and signed-out callers get no chart at all.
    app.add_user("dr.rivera", Role::Clinician, None, "rivera@example.org").await;
    let clinician = app.signed_in("dr.rivera").await;
    assert_eq!(app.call(&clinician, "results/list", &[]).await.0, StatusCode::FORBIDDEN);
    assert_eq!(app.call(&app.client(), "results/list", &[]).await.0, StatusCode::UNAUTHORIZED);
}

async fn staff_result_functions_are_for_clinicians_only(app: &TestApp) {
    let avery = app.add_patient_user("avery").await;
    let id = result(app, avery, &HBA1C, &[6.0], 1, Some("hold")).await;
    app.add_user("him.lee", Role::Him, None, "him@example.org").await;
    for who in ["avery", "him.lee"] {
        let client = app.signed_in(who).await;
        for (endpoint, form) in [
            ("staff/results/queue", vec![]),
            ("staff/results/release", vec![("id", id.to_string())]),
            ("staff/results/review", vec![("id", id.to_string())]),
            ("staff/renewals/queue", vec![]),
            ("staff/renewals/decide", vec![("id", "1".to_owned()), ("approve", "true".to_owned())]),
        ] {
            assert_eq!(
                app.call_owned(&client, endpoint, form).await.0,
                StatusCode::FORBIDDEN,
                "{who} {endpoint}"
            );
        }
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM diagnostic_reports WHERE released_at IS NOT NULL").await, 0);
}

async fn clinicians_enter_results_with_field_errors(app: &TestApp) {
    let avery = app.add_patient_user("avery").await;
    app.add_clinician("dr.rivera", &[avery]).await;
    let clinician = app.signed_in("dr.rivera").await;
    let enter = |mrn: &str, values: &[&str], hold: &str| {
        let mut form =
            vec![("mrn", mrn.to_owned()), ("panel", "57698-3".to_owned()), ("hold_reason", hold.to_owned())];
        for (i, v) in values.iter().enumerate() {
            form.push((["values[0]", "values[1]", "values[2]", "values[3]"][i], v.to_string()));
        }
        form
    };
    let (status, body) =
        app.call_owned(&clinician, "staff/results/enter", enter("nope", &["1", "2", "3", "4"], "")).await;
    assert_eq!((status, error_key(&body).as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "results.no_patient"));
    let (status, body) = app
        .call_owned(&clinician, "staff/results/enter", enter("MRN-avery", &["180", "x", "40", "1"], ""))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["Invalid"]["field"], "values[1]");
    let (_, body) =
        app.call_owned(&clinician, "staff/results/enter", enter("MRN-avery", &["180", "1", "40"], "")).await;
    assert_eq!(error_key(&body), "results.bad_values");
    let (_, body) = app
        .call_owned(
            &clinician,
            "staff/results/enter",
            enter("MRN-avery", &["1", "2", "3", "4"], &"r".repeat(501)),
        )
        .await;
    assert_eq!(error_key(&body), "results.reason_too_long");
    assert_eq!(app.count("SELECT COUNT(*) FROM diagnostic_reports").await, 0, "nothing saved from bad input");

    let (status, _) = app
        .call_owned(&clinician, "staff/results/enter", enter("MRN-avery", &["180", "120", "50", "105"], ""))
        .await;
    assert_eq!(status, StatusCode::OK);
    // The released values' graphs are rebuilt in the background, ready before anyone looks.
    let current = "SELECT COUNT(*) FROM result_series s JOIN patients p ON p.id = s.patient_id \
                   AND p.results_version = s.version";
    let mut ready = 0;
    for _ in 0..100 {
        ready = app.count(current).await;
        if ready == 8 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    // One per analyte of the lipid panel and audience (the patient's, and a proxy's without
    // confidential values).
    assert_eq!(ready, 8, "two stored series per analyte of the lipid panel");
    let (status, _) = app
        .call_owned(
            &clinician,
            "staff/results/enter",
            enter("MRN-avery", &["280", "400", "30", "190"], "Call first"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let patient = app.signed_in("avery").await;
    let (_, list) = app.call(&patient, "results/list", &[]).await;
    assert_eq!(list.as_array().unwrap().len(), 1, "the held one stays hidden");
    let _ = avery;
    assert_eq!(app.audit_count("result-entered-held").await, 1);
    assert_eq!(app.audit_count("result-entered-released").await, 1);
}

async fn visits_are_split_upcoming_and_past_with_documents(app: &TestApp) {
    let avery = app.add_patient_user("avery").await;
    let past = visit(app, avery, -30, "finished", Some("Drink water.\n\nWalk daily.")).await;
    let bare = visit(app, avery, -60, "finished", None).await;
    visit(app, avery, 7, "planned", None).await;
    visit(app, avery, 3, "planned", None).await;
    let client = app.signed_in("avery").await;
    let (status, v) = app.call(&client, "visits/list", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["upcoming"].as_array().unwrap().len(), 2);
    assert!(v["upcoming"][0]["starts"].as_str() < v["upcoming"][1]["starts"].as_str(), "soonest first");
    assert_eq!(v["past"][0]["id"], past);
    assert_eq!(v["past"][0]["has_summary"], true);
    assert_eq!(v["past"][1]["has_summary"], false);

    let (status, doc) =
        app.call(&client, "visits/document", &[("id", &past.to_string()), ("kind", "Summary")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["text"], "Drink water.\n\nWalk daily.");
    let (status, _) =
        app.call(&client, "visits/document", &[("id", &bare.to_string()), ("kind", "Summary")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) =
        app.call(&client, "visits/document", &[("id", &past.to_string()), ("kind", "Note")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A planned visit becomes past when the clock passes it.
    app.clock.advance_ms(10 * DAY_MS);
    let client = app.signed_in("avery").await; // the old session idled out meanwhile
    let (_, v) = app.call(&client, "visits/list", &[]).await;
    assert_eq!(v["upcoming"].as_array().unwrap().len(), 0);
}

fn renewal_form(med: i64, pharmacy: &str, comment: &str, key: &str) -> Vec<(&'static str, String)> {
    vec![
        ("medication_id", med.to_string()),
        ("pharmacy", pharmacy.to_owned()),
        ("comment", comment.to_owned()),
        ("key", key.to_owned()),
    ]
}

async fn renewal_request_approve_deny_lifecycle(app: &TestApp) {
    let avery = app.add_patient_user("avery").await;
    let med = medication(app, avery, None).await;
    app.add_clinician("dr.rivera", &[avery]).await;
    let patient = app.signed_in("avery").await;
    let clinician = app.signed_in("dr.rivera").await;

    let (status, renewal) = app
        .call_owned(
            &patient,
            "medications/request_renewal",
            renewal_form(med, "CVS Main St", "Running low", "key-aaaaaaaaaaaaaaaa"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{renewal}");
    assert_eq!(renewal["status"], "Pending");
    // One pending request per medication.
    let (status, body) = app
        .call_owned(
            &patient,
            "medications/request_renewal",
            renewal_form(med, "CVS", "", "key-bbbbbbbbbbbbbbbb"),
        )
        .await;
    assert_eq!(
        (status, error_key(&body).as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "renewal.already_pending")
    );

    let (_, queue) = app.call(&clinician, "staff/renewals/queue", &[]).await;
    assert_eq!(queue[0]["comment"], "Running low");
    let id = queue[0]["id"].as_i64().unwrap().to_string();
    let (status, body) = app
        .call(&clinician, "staff/renewals/decide", &[("id", &id), ("approve", "true"), ("refills", "12")])
        .await;
    assert_eq!(
        (status, error_key(&body).as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "renewal.bad_refills")
    );
    assert_eq!(
        app.call(&clinician, "staff/renewals/decide", &[("id", &id), ("approve", "true"), ("refills", "5")])
            .await
            .0,
        StatusCode::OK
    );
    // Decided once only.
    assert_eq!(
        app.call(&clinician, "staff/renewals/decide", &[("id", &id), ("approve", "false"), ("reason", "x")])
            .await
            .0,
        StatusCode::NOT_FOUND
    );

    let (_, meds) = app.call(&patient, "medications/list", &[]).await;
    assert_eq!(meds[0]["renewal"]["status"]["Approved"]["refills"], 5);
    assert_eq!(meds[0]["refills_remaining"], 5);

    // A new request, denied: a reason is required and shown to the patient.
    app.call_owned(
        &patient,
        "medications/request_renewal",
        renewal_form(med, "CVS", "", "key-cccccccccccccccc"),
    )
    .await;
    let (_, queue) = app.call(&clinician, "staff/renewals/queue", &[]).await;
    let id = queue[0]["id"].as_i64().unwrap().to_string();
    let (status, body) = app
        .call(&clinician, "staff/renewals/decide", &[("id", &id), ("approve", "false"), ("reason", "  ")])
        .await;
    assert_eq!(
        (status, error_key(&body).as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "renewal.reason_required")
    );
    app.call(
        &clinician,
        "staff/renewals/decide",
        &[("id", &id), ("approve", "false"), ("reason", "Please book a visit first")],
    )
    .await;
    let (_, meds) = app.call(&patient, "medications/list", &[]).await;
    assert_eq!(meds[0]["renewal"]["status"]["Denied"]["reason"], "Please book a visit first");
    assert_eq!(app.audit_count("renewal-requested").await, 2);
    assert_eq!(app.audit_count("renewal-approved").await, 1);
    assert_eq!(app.audit_count("renewal-denied").await, 1);
}

async fn renewal_requests_are_idempotent_and_bounded(app: &TestApp) {
    let avery = app.add_patient_user("avery").await;
    let med = medication(app, avery, None).await;
    let ended = medication(app, avery, Some("2020-01-01")).await;
    let patient = app.signed_in("avery").await;
    let key = "key-dddddddddddddddd";

    type Case = (Vec<(&'static str, String)>, &'static str, &'static str); // (form, field, message key)
    let cases: [Case; 5] = [
        (renewal_form(med, "  ", "", key), "pharmacy", "renewal.pharmacy_required"),
        (renewal_form(med, &"p".repeat(121), "", key), "pharmacy", "renewal.pharmacy_too_long"),
        (renewal_form(med, "CVS", &"c".repeat(1001), key), "comment", "renewal.comment_too_long"),
        (renewal_form(med, "CVS", "", "short"), "form", "error.bad_request"),
        (renewal_form(med, "CVS", "", "key with spaces and more"), "form", "error.bad_request"),
    ];
    for (form, field, message) in cases {
        let (status, body) = app.call_owned(&patient, "medications/request_renewal", form).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{message}");
        assert_eq!((body["Invalid"]["field"].as_str(), error_key(&body).as_str()), (Some(field), message));
    }
    // At the limits exactly: accepted.
    let (status, _) = app
        .call_owned(
            &patient,
            "medications/request_renewal",
            renewal_form(med, &"p".repeat(120), &"c".repeat(1000), key),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // The same key again (a retry, a double click): the same request, not a second one.
    let sends = (0..4)
        .map(|_| app.call_owned(&patient, "medications/request_renewal", renewal_form(med, "CVS", "", key)));
    for (status, _) in futures::future::join_all(sends).await {
        assert_eq!(status, StatusCode::OK);
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM renewal_requests").await, 1);
    // A medication that has ended cannot be renewed from here.
    let (status, _) = app
        .call_owned(
            &patient,
            "medications/request_renewal",
            renewal_form(ended, "CVS", "", "key-eeeeeeeeeeeeeeee"),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn reminders_follow_the_record_and_the_clock(app: &TestApp) {
    let avery = app.add_patient_user("avery").await;
    insert_problem(&app.state.db, avery, "E11.9", "Type 2 diabetes", Some("2024-01-01"), "active")
        .await
        .unwrap();
    result(app, avery, &HBA1C, &[6.8], 10, None).await;
    let status_of = |list: &Value, kind: &str| -> String {
        let r = list
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["kind"] == kind)
            .unwrap_or_else(|| panic!("{kind}: {list}"));
        r["status"].as_object().unwrap().keys().next().unwrap().clone()
    };
    // A fresh session for each look: the clock jumps past the idle limit.
    let (_, list) = app.call(&app.signed_in("avery").await, "reminders/list", &[]).await;
    assert_eq!(status_of(&list, "HbA1c"), "Done");
    assert_eq!(status_of(&list, "FluVaccine"), "Overdue", "never had one");

    app.clock.advance_ms(180 * DAY_MS);
    let (_, list) = app.call(&app.signed_in("avery").await, "reminders/list", &[]).await;
    assert_eq!(status_of(&list, "HbA1c"), "Due", "182 days after the last test");
    app.clock.advance_ms(40 * DAY_MS);
    let (_, list) = app.call(&app.signed_in("avery").await, "reminders/list", &[]).await;
    assert_eq!(status_of(&list, "HbA1c"), "Overdue");
    result(app, avery, &HBA1C, &[6.5], 1, Some("held")).await;
    let (_, list) = app.call(&app.signed_in("avery").await, "reminders/list", &[]).await;
    assert_eq!(status_of(&list, "HbA1c"), "Overdue", "a held result does not count");
}

async fn home_counts_new_results_and_due_reminders(app: &TestApp) {
    let avery = app.add_patient_user("avery").await;
    result(app, avery, &HBA1C, &[5.2], 3, None).await;
    result(app, avery, &HBA1C, &[5.3], 400, None).await;
    visit(app, avery, 5, "planned", None).await;
    let client = app.signed_in("avery").await;
    let (status, home) = app.call(&client, "home/overview", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(home["new_result_count"], 2);
    assert_eq!(home["upcoming"].as_array().unwrap().len(), 1);
    assert!(home["reminders"].as_array().unwrap().iter().all(|r| r["status"].get("Done").is_none()));

    // More than Home lists: the count is of all new results, the list the newest few.
    for days_ago in 10..16 {
        result(app, avery, &HBA1C, &[5.4], days_ago, None).await;
    }
    for days_ahead in 6..10 {
        visit(app, avery, days_ahead, "planned", None).await;
    }
    let (_, home) = app.call(&client, "home/overview", &[]).await;
    assert_eq!(home["new_result_count"], 8);
    let listed = home["new_results"].as_array().unwrap();
    assert_eq!(listed.len(), app::home::api::NEW_RESULTS_ON_HOME);
    let dates: Vec<&str> = listed.iter().map(|r| r["collected_on"].as_str().unwrap()).collect();
    assert!(dates.windows(2).all(|pair| pair[0] >= pair[1]), "newest first: {dates:?}");
    let upcoming = home["upcoming"].as_array().unwrap();
    assert_eq!(upcoming.len(), app::home::api::UPCOMING_ON_HOME, "the next few visits");
    let starts: Vec<&str> = upcoming.iter().map(|v| v["starts"].as_str().unwrap()).collect();
    assert!(starts.windows(2).all(|pair| pair[0] <= pair[1]), "soonest first: {starts:?}");
    // Home's reminders are the reminders page's that need action (the same facts).
    let (_, page) = app.call(&client, "reminders/list", &[]).await;
    let needing_action: Vec<&serde_json::Value> =
        page.as_array().unwrap().iter().filter(|r| r["status"].get("Done").is_none()).collect();
    let on_home: Vec<&serde_json::Value> = home["reminders"].as_array().unwrap().iter().collect();
    assert!(!on_home.is_empty(), "Avery has reminders that need action: {home}");
    assert_eq!(on_home, needing_action);

    // A proxy whose grant has Home and Visits only: the visits card, nothing of results
    // (not even their count) and no reminders (Avery's are overdue).
    use app::access::{Relationship, Section};
    use app::proxy::RequestKind;
    app.add_patient_user("kim").await;
    let kim_user = app.count("SELECT id FROM users WHERE username = 'kim'").await;
    let sections = [Section::Home, Section::Visits];
    crate::proxy_fixture::grant(app, kim_user, avery, RequestKind::Adult, Relationship::Caregiver, &sections)
        .await;
    let kim = app.signed_in("kim").await;
    let (status, _) = app.call(&kim, "proxy/switch", &[("patient_id", &avery.to_string())]).await;
    assert_eq!(status, StatusCode::OK);
    let (status, home) = app.call(&kim, "home/overview", &[]).await;
    assert_eq!(status, StatusCode::OK, "{home}");
    assert_eq!(home["upcoming"].as_array().unwrap().len(), app::home::api::UPCOMING_ON_HOME);
    assert_eq!(home["new_result_count"], 0, "{home}");
    assert_eq!(home["new_results"].as_array().unwrap().len(), 0, "{home}");
    assert_eq!(home["reminders"].as_array().unwrap().len(), 0, "{home}");
}

/// Home reads its cards in one stacked statement on PostgreSQL and a statement per card on
/// SQLite (`home::store`). Both are run here on each database, for the patient and for a
/// proxy's view, with every combination of cards, and must give the same answer: a filter
/// tightened in one copy only fails this test.
async fn home_reads_the_same_cards_on_both_paths(app: &TestApp) {
    use app::{
        access::{open_for_job, Section, Visibility},
        home::store::{card_by_card, stacked, Wanted},
    };
    let avery = app.add_patient_user("avery").await;
    for days_ago in [2, 9, 400] {
        result(app, avery, &HBA1C, &[5.4], days_ago, None).await;
    }
    let secret = result(app, avery, &HBA1C, &[9.1], 1, None).await;
    result(app, avery, &HBA1C, &[5.0], 4, Some("Discuss by phone first")).await;
    for days_ahead in [3, 6, 8, 12] {
        visit(app, avery, days_ahead, "planned", Some("Bring your meter.")).await;
    }
    visit(app, avery, -3, "finished", None).await;
    app.execute(&format!("UPDATE diagnostic_reports SET confidential = 1 WHERE id = {secret}")).await;
    app.execute(&format!(
        "UPDATE encounters SET note_confidential = 1 WHERE patient_id = {avery} AND start_at = \
         (SELECT MIN(start_at) FROM encounters WHERE patient_id = {avery} AND status = 'planned')"
    ))
    .await;
    let mut compared = 0;
    for visibility in [Visibility::Everything, Visibility::NotConfidential] {
        let chart = open_for_job(&app.state, avery, visibility, Section::Home, "test").await.unwrap();
        for mask in 0..8 {
            let wanted = Wanted { visits: mask & 1 != 0, results: mask & 2 != 0, reminders: mask & 4 != 0 };
            let one = stacked(&chart, wanted, 3, 2).await.unwrap();
            let each = card_by_card(&chart, wanted, 3, 2).await.unwrap();
            assert_eq!(one, each, "{visibility:?} {wanted:?}");
            compared += usize::from(!one.upcoming.is_empty() && !one.new_results.is_empty());
        }
    }
    // Not vacuous: both cards held rows (and the proxy saw fewer of them).
    assert_eq!(compared, 4);
    let patient =
        open_for_job(&app.state, avery, Visibility::Everything, Section::Home, "test").await.unwrap();
    let proxy =
        open_for_job(&app.state, avery, Visibility::NotConfidential, Section::Home, "test").await.unwrap();
    let all = Wanted { visits: true, results: true, reminders: true };
    let (mine, theirs) =
        (stacked(&patient, all, 3, 2).await.unwrap(), stacked(&proxy, all, 3, 2).await.unwrap());
    assert_eq!((mine.new_result_count, theirs.new_result_count), (4, 3), "the held result is no one's");
    assert_eq!(mine.upcoming.len(), 3);
    assert_ne!(mine.upcoming[0].id, theirs.upcoming[0].id, "the confidential visit is not the proxy's first");
}

async fn health_summary_lists_current_items_of_the_chart(app: &TestApp) {
    use app::summary::store::{insert_allergy, insert_immunization};
    let avery = app.add_patient_user("avery").await;
    let blake = app.add_patient_user("blake").await;
    medication(app, avery, None).await;
    medication(app, avery, Some("2020-01-01")).await; // ended: not current
    insert_allergy(&app.state.db, avery, ("Penicillin", "7980", "rxnorm", "Hives", "moderate", "2024-01-01"))
        .await
        .unwrap();
    insert_allergy(&app.state.db, blake, ("Latex", "1", "snomed", "Rash", "mild", "2024-01-01"))
        .await
        .unwrap();
    insert_immunization(&app.state.db, avery, "03", "MMR", "1985-03-12").await.unwrap();
    insert_immunization(&app.state.db, avery, "115", "Tdap", "2016-08-10").await.unwrap();
    insert_problem(&app.state.db, avery, "I10", "Essential hypertension", Some("2023-01-01"), "active")
        .await
        .unwrap();
    insert_problem(&app.state.db, avery, "J20.9", "Acute bronchitis", None, "resolved").await.unwrap();
    let client = app.signed_in("avery").await;
    let (status, s) = app.call(&client, "summary/get", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(s["medications"].as_array().unwrap().len(), 1, "only current medications");
    assert_eq!(s["allergies"].as_array().unwrap().len(), 1, "only Avery's allergies");
    assert_eq!(s["allergies"][0]["substance"], "Penicillin");
    assert_eq!(s["immunizations"][0]["name"], "Tdap", "newest first");
    assert_eq!(s["problems"].as_array().unwrap().len(), 1, "only active health issues");
    assert_eq!(s["problems"][0]["code"], "I10");
}

/// The renewal page's form is a plain post (no wasm): sent, the browser lands on
/// Medications; refused, it goes back to the page it came from with the error in the URL
/// (which the page shows at the field), and nothing is stored.
async fn a_renewal_sent_from_its_page_lands_on_medications_or_back_with_the_error(app: &TestApp) {
    let avery = app.add_patient_user("avery").await;
    let med = medication(app, avery, None).await;
    let patient = app.signed_in("avery").await;
    let page = format!("{}/medications/{med}/renew", app.base);
    let html = patient.get(&page).send().await.unwrap();
    assert_eq!(html.status(), StatusCode::OK);
    let html = html.text().await.unwrap();
    assert!(html.contains(r#"action="/api/medications/request_renewal""#), "{html}");
    assert!(html.contains(r#"method="post""#), "{html}");
    // Another chart's medication, or none: the same 404 page.
    let missing = patient.get(format!("{}/medications/{}/renew", app.base, med + 1000)).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let post = |pharmacy: &'static str| {
        patient
            .post(format!("{}/api/medications/request_renewal", app.base))
            .header(header::ORIGIN, &app.origin)
            .header(header::ACCEPT, "text/html")
            .header(header::REFERER, &page)
            .form(&renewal_form(med, pharmacy, "", "key-eeeeeeeeeeeeeeee"))
            .send()
    };

    let refused = post("   ").await.unwrap();
    assert_eq!(refused.status(), StatusCode::FOUND);
    let back = refused.headers()[header::LOCATION].to_str().unwrap().to_owned();
    assert!(back.starts_with(&format!("{page}?")), "{back}");
    assert!(back.contains("__path=") && back.contains("__err="), "{back}");
    assert_eq!(app.count("SELECT COUNT(*) FROM renewal_requests").await, 0);
    let shown = patient.get(&back).send().await.unwrap().text().await.unwrap();
    assert!(shown.contains("aria-invalid=\"true\""), "the pharmacy field is marked: {shown}");

    let sent = post("CVS Main St").await.unwrap();
    assert_eq!(sent.status(), StatusCode::FOUND);
    assert_eq!(sent.headers()[header::LOCATION], "/medications");
    assert_eq!(app.count("SELECT COUNT(*) FROM renewal_requests").await, 1);
    // The same form sent again (a second click) is the same request.
    let again = post("CVS Main St").await.unwrap();
    assert_eq!(again.status(), StatusCode::FOUND);
    assert_eq!(app.count("SELECT COUNT(*) FROM renewal_requests").await, 1);
}

on_both_databases!(
    with crate::common::Options {
        contacts: Some(app::site::Contacts {
            departments: app::site::Contacts::parse_departments("Clinic=+1 555 0110").unwrap(),
            ..Default::default()
        }),
        ..Default::default()
    };
    a_visit_carries_its_departments_phone,
);

/// A visit shows its department's phone when one is configured (PORTICO_DEPARTMENT_PHONES),
/// and none for a department without one.
async fn a_visit_carries_its_departments_phone(app: &TestApp) {
    let avery = app.add_patient_user("avery").await;
    visit(app, avery, -30, "finished", None).await;
    app.execute(&format!(
        "UPDATE encounters SET department = 'Radiology' WHERE patient_id = {avery} AND id = \
         (SELECT MAX(id) FROM encounters WHERE patient_id = {avery})"
    ))
    .await;
    visit(app, avery, -10, "finished", None).await;
    let client = app.signed_in("avery").await;
    let (_, v) = app.call(&client, "visits/list", &[]).await;
    assert_eq!(v["past"][0]["department"], "Clinic");
    assert_eq!(v["past"][0]["department_phone"], "+1 555 0110");
    assert_eq!(v["past"][1]["department"], "Radiology");
    assert_eq!(v["past"][1]["department_phone"], serde_json::Value::Null);
}

/// The results list runs on the request's own thread on SQLite (`infra::sqlite_inline`), so
/// its cost must not grow with the chart: SQLite reads it newest first from an index and
/// stops at the limit, rather than sorting every report of the chart ("USE TEMP B-TREE FOR
/// ORDER BY"). PostgreSQL chooses its plan by the table's size, so only SQLite is held to it.
async fn the_results_list_is_read_from_an_index_not_sorted(app: &TestApp) {
    if app.state.db.kind != app::infra::db::DbKind::Sqlite {
        return;
    }
    let plan: Vec<(i64, i64, i64, String)> =
        sqlx::query_as(&format!("EXPLAIN QUERY PLAN {}", app::results::store::LIST_SQL))
            .bind(1_i64)
            .bind(200_i64)
            .bind(1_i64)
            .fetch_all(&app.state.db.read)
            .await
            .unwrap();
    let steps: Vec<&str> = plan.iter().map(|(.., detail)| detail.as_str()).collect();
    assert!(steps.iter().any(|s| s.contains("diagnostic_reports_patient_collected")), "{steps:?}");
    assert!(!steps.iter().any(|s| s.contains("TEMP B-TREE")), "{steps:?}");
}
