//! E-mail notices follow each person's own choices: a result released to a teen's chart is
//! announced to the teen and to the parent whose grant covers results, each unless they
//! turned that kind off; a confidential one to the teen alone; the mail names nothing.

use std::time::Duration;

use crate::common::{TestApp, PASSWORD};
use crate::proxy_fixture::{family, grant};
use app::access::{Relationship, Section};
use app::proxy::RequestKind;
use reqwest::StatusCode;

on_both_databases!(result_notices_follow_each_persons_choices, a_reminder_that_comes_due_is_announced_once);

/// Dr. Rivera enters a released (or, with `hold`, a held) HbA1c for Leo; its report id.
async fn enter_result(app: &TestApp, rivera: &reqwest::Client, hold: &str) -> i64 {
    let form = [("mrn", "MRN-LEO"), ("panel", "4548-4"), ("values[0]", "5.5"), ("hold_reason", hold)];
    let (status, id) = app.call(rivera, "staff/results/enter", &form).await;
    assert_eq!(status, StatusCode::OK, "{id}");
    id.as_i64().unwrap()
}

/// The number of mails `to` has received once the notices of the last step are out.
async fn settled_count(app: &TestApp, to: &str, at_least: usize) -> usize {
    if at_least > 0 {
        app.mail.wait_for(to, at_least).await;
    }
    tokio::time::sleep(Duration::from_millis(400)).await;
    app.mail.count_to(to)
}

async fn result_notices_follow_each_persons_choices(app: &TestApp) {
    let f = family(app).await;
    grant(
        app,
        f.jordan_user,
        f.leo,
        RequestKind::Minor,
        Relationship::Parent,
        &[Section::Home, Section::Results],
    )
    .await;
    let rivera = app.signed_in("dr.rivera").await;
    let jordan = app.signed_in("jordan").await;

    // Both are told, and the mail says nothing of whom or what.
    enter_result(app, &rivera, "").await;
    assert_eq!(settled_count(app, "leo@example.org", 1).await, 1);
    assert_eq!(settled_count(app, "jordan@example.org", 1).await, 1);
    let mail = app.mail.wait_for("jordan@example.org", 1).await;
    assert!(mail.raw.contains("A new test result is available"), "{}", mail.raw);
    for private in ["Leo", "Quinn", "HbA1c", "5.5", "4548-4"] {
        assert!(!mail.raw.contains(private), "{private} in {}", mail.raw);
    }

    // Jordan turns result notices off (as the page's checkboxes send it): his choice only.
    let (status, _) =
        app.call(&jordan, "account/set_notices", &[("on[]", "message"), ("on[]", "renewal")]).await;
    assert_eq!(status, StatusCode::OK);
    let (_, choices) = app.call(&jordan, "account/notices", &[]).await;
    let on: Vec<&str> = choices
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["on"] == true)
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert_eq!(on, ["Message", "Renewal"]);
    enter_result(app, &rivera, "").await;
    assert_eq!(settled_count(app, "leo@example.org", 2).await, 2, "Leo still gets his");
    assert_eq!(settled_count(app, "jordan@example.org", 0).await, 1, "Jordan gets no more");

    // Back on; a held result is announced when it is released, a confidential one to Leo
    // alone.
    let (status, _) =
        app.call(&jordan, "account/set_notices", &[("on", "message,result,renewal,access")]).await;
    assert_eq!(status, StatusCode::OK);
    let held = enter_result(app, &rivera, "Discuss at the visit").await;
    assert_eq!(settled_count(app, "leo@example.org", 0).await, 2, "nothing while it is held");
    app.execute(&format!("UPDATE diagnostic_reports SET confidential = 1 WHERE id = {held}")).await;
    let (status, _) = app.call(&rivera, "staff/results/release", &[("id", &held.to_string())]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(settled_count(app, "leo@example.org", 3).await, 3);
    assert_eq!(
        settled_count(app, "jordan@example.org", 0).await,
        1,
        "never a proxy's for a confidential one"
    );

    // Not signed in: no choices to read or change.
    let stranger = app.client();
    assert_eq!(app.call(&stranger, "account/notices", &[]).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(app.sign_in(&stranger, "leo", PASSWORD).await, StatusCode::OK);
    let (_, leo_choices) = app.call(&stranger, "account/notices", &[]).await;
    assert!(leo_choices.as_array().unwrap().iter().all(|c| c["on"] == true), "defaults on: {leo_choices}");
}

/// The reminder job: a reminder that came due is announced once to the patient and once to
/// a proxy who may see reminders (not to one who may not); an overdue one is not; one that
/// follows from something confidential reaches the patient alone. Each chart read is in
/// the audit log as the system's.
async fn a_reminder_that_comes_due_is_announced_once(app: &TestApp) {
    let patient = app.add_patient("MRN-FLU", "Flo", "Shot", "1980-01-01").await;
    app.add_user("flo", app::auth::Role::Patient, Some(patient), "flo@example.org").await;
    let sees = app.add_patient_user("carer.sees").await;
    let blind = app.add_patient_user("carer.blind").await;
    let user_of = |pid: i64| async move {
        sqlx::query_scalar::<_, i64>("SELECT id FROM users WHERE patient_id = $1")
            .bind(pid)
            .fetch_one(&app.state.db.read)
            .await
            .unwrap()
    };
    let (sees, blind) = (user_of(sees).await, user_of(blind).await);
    grant(
        app,
        sees,
        patient,
        RequestKind::Adult,
        Relationship::Caregiver,
        &[Section::Home, Section::Reminders],
    )
    .await;
    grant(app, blind, patient, RequestKind::Adult, Relationship::Caregiver, &[Section::Home]).await;
    // Last year's flu shot (due again 2026-11-01, 24 days before the test clock's today);
    // no cholesterol test ever (overdue for years: not announced).
    app.execute(&format!(
        "INSERT INTO immunizations (patient_id, cvx, name, given_on) VALUES ({patient}, '150', 'Influenza', '2025-11-01')"
    ))
    .await;

    // Flo reads Spanish (Personal information); the carer's mail is in English.
    app.execute(&format!("UPDATE patients SET language = 'es-MX' WHERE id = {patient}")).await;

    let sent = app::notices::reminders_due::run_once(&app.state).await.unwrap();
    assert!(sent >= 2, "{sent}");
    assert_eq!(settled_count(app, "flo@example.org", 1).await, 1);
    assert_eq!(settled_count(app, "carer.sees@example.org", 1).await, 1);
    assert_eq!(settled_count(app, "carer.blind@example.org", 0).await, 0, "reminders not granted");
    let mail = app.mail.wait_for("flo@example.org", 1).await;
    assert!(mail.raw.contains("Vence un recordatorio de salud en Portico."), "{}", mail.raw);
    let carers = app.mail.wait_for("carer.sees@example.org", 1).await;
    assert!(carers.raw.contains("A health reminder is due in Portico."), "{}", carers.raw);
    for private in ["Flo", "Influenza", "flu", "Cholesterol"] {
        assert!(!mail.raw.contains(private) && !carers.raw.contains(private), "{private} in a mail");
    }
    let job_reads: i64 = app
        .count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'chart-read' AND actor_user_id IS NULL \
             AND patient_id = {patient} AND detail = 'reminders.due-notice'"
        ))
        .await;
    assert_eq!(job_reads, 2, "read as the patient sees it and as a proxy does");

    // Once: the next look sends nothing.
    assert_eq!(app::notices::reminders_due::run_once(&app.state).await.unwrap(), 0);
    assert_eq!(settled_count(app, "flo@example.org", 0).await, 1);

    // A confidential diabetes diagnosis makes an HbA1c due: Flo is told, the carer is not.
    app.execute(&format!(
        "INSERT INTO problems (patient_id, code, name, status, confidential) \
         VALUES ({patient}, 'E11.9', 'Type 2 diabetes', 'active', 1)"
    ))
    .await;
    app::notices::reminders_due::run_once(&app.state).await.unwrap();
    assert_eq!(settled_count(app, "flo@example.org", 2).await, 2);
    assert_eq!(settled_count(app, "carer.sees@example.org", 0).await, 1, "never from something confidential");

    // Turned off, no more (a new flu shot's due date would be next year; a new kind today).
    let flo = app.signed_in("flo").await;
    let (status, _) = app.call(&flo, "account/set_notices", &[("on[]", "message")]).await;
    assert_eq!(status, StatusCode::OK);
    app.execute(&format!("UPDATE problems SET confidential = 0 WHERE patient_id = {patient}")).await;
    app.execute(&format!("DELETE FROM reminder_notices WHERE patient_id = {patient}")).await;
    app::notices::reminders_due::run_once(&app.state).await.unwrap();
    assert_eq!(settled_count(app, "flo@example.org", 0).await, 2, "Flo turned them off");
    assert_eq!(settled_count(app, "carer.sees@example.org", 2).await, 2, "the carer's own choice");
}
