//! A family for the proxy tests: Leo (15, his own account `leo`) whose chart holds one
//! item of each kind in two versions, a normal one (text with `LEO_MARK`) and one marked
//! confidential (text with `SECRET`); Emma (9, no account); Jordan, their parent; Dr.
//! Rivera on both care teams; an HIM clerk. Every id a test needs is returned.
use app::{
    access::{Relationship, Section},
    auth::Role,
    messages::{
        store::{send, Outcome, Outgoing},
        upload::Upload,
        Pool,
    },
    proxy::{
        store::{insert_grant, NewGrant},
        RequestKind,
    },
};

use crate::common::TestApp;

/// In every confidential item of Leo's chart: no one but Leo and staff may ever see it.
pub const SECRET: &str = "ZZSECRET";
/// In Leo's name and every normal item: no one without access may see it.
pub const LEO_MARK: &str = "LEOMARK";
/// The analyte with a normal and a confidential value (the graph test).
pub const TREND_LOINC: &str = "2093-3";
pub const SECRET_VALUE: &str = "777";

pub struct Family {
    pub leo: i64,
    pub emma: i64,
    pub jordan_user: i64,
    pub secret_result: i64,
    pub visit: i64,
    pub normal_med: i64,
    pub secret_med: i64,
    pub normal_thread: i64,
    pub secret_thread: i64,
    pub normal_attachment: i64,
    pub secret_attachment: i64,
    /// Documents on file (the document center): one plain, one confidential.
    pub normal_document: i64,
    pub secret_document: i64,
    /// A guarantor account of Leo's with a plain charge and a confidential one.
    pub account: i64,
}

pub fn png() -> Vec<u8> {
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\x0f\0\x01\x01\x01\0\x18\xdd\x8d\xb0\0\0\0\0IEND\xaeB`\x82".to_vec()
}

pub fn pdf(text: &str) -> Vec<u8> {
    format!("%PDF-1.4\n% {text}\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
        .into_bytes()
}

pub async fn family(app: &TestApp) -> Family {
    let leo = app.add_patient("MRN-LEO", LEO_MARK, "Quinn", "2011-03-02").await;
    let leo_user = app.add_user("leo", Role::Patient, Some(leo), "leo@example.org").await;
    let emma = app.add_patient("MRN-EMMA", "Emma", "Quinn", "2017-06-10").await;
    let jordan = app.add_patient("MRN-JORDAN", "Jordan", "Quinn", "1985-09-14").await;
    let jordan_user = app.add_user("jordan", Role::Patient, Some(jordan), "jordan@example.org").await;
    let rivera_user = app.add_user("dr.rivera", Role::Clinician, None, "rivera@example.org").await;
    app.add_user("him.lee", Role::Him, None, "him@example.org").await;
    let rivera: i64 = sqlx::query_scalar(
        "INSERT INTO providers (display_name, specialty, department, user_id) \
         VALUES ('Dr. Alex Rivera, MD', 'Family Medicine', 'Family Medicine', $1) RETURNING id",
    )
    .bind(rivera_user)
    .fetch_one(&app.state.db.write)
    .await
    .unwrap();
    for patient in [leo, emma] {
        app.execute(&format!(
            "INSERT INTO care_team (patient_id, provider_id, role) VALUES ({patient}, {rivera}, 'Primary care provider')"
        ))
        .await;
    }
    let now = app.clock.now_ms();
    let day = 86_400_000;
    let report = |name: &str, value: f64, confidential: i64, at: i64| {
        let name = name.to_owned();
        async move {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO diagnostic_reports (patient_id, code, name, collected_at, resulted_at, released_at, confidential) \
                 VALUES ($1, '57698-3', $2, $3, $3, $3, $4) RETURNING id",
            )
            .bind(leo)
            .bind(&name)
            .bind(at)
            .bind(confidential)
            .fetch_one(&app.state.db.write)
            .await
            .unwrap();
            sqlx::query(
                "INSERT INTO observations (report_id, patient_id, loinc, name, value_num, unit, effective_at) \
                 VALUES ($1, $2, $3, 'Cholesterol, total', $4, 'mg/dL', $5)",
            )
            .bind(id)
            .bind(leo)
            .bind(TREND_LOINC)
            .bind(value)
            .bind(at)
            .execute(&app.state.db.write)
            .await
            .unwrap();
            id
        }
    };
    report(&format!("{LEO_MARK} lipid panel"), 150.0, 0, now - 20 * day).await;
    let secret_result = report(&format!("{SECRET} test"), 777.0, 1, now - 10 * day).await;
    let visit: i64 = sqlx::query_scalar(
        "INSERT INTO encounters (patient_id, provider_id, department, kind, status, start_at, reason, avs_text, note_text, note_confidential) \
         VALUES ($1, $2, 'Family Medicine', 'Office visit', 'finished', $3, 'Check-up', $4, $5, 1) RETURNING id",
    )
    .bind(leo)
    .bind(rivera)
    .bind(now - 30 * day)
    .bind(format!("{LEO_MARK} visit summary"))
    .bind(format!("{SECRET} progress note"))
    .fetch_one(&app.state.db.write)
    .await
    .unwrap();
    for (code, name, confidential) in
        [("J45.909", format!("{LEO_MARK} asthma"), 0), ("E11.9", format!("{SECRET} diabetes"), 1)]
    {
        sqlx::query("INSERT INTO problems (patient_id, code, name, status, confidential) VALUES ($1, $2, $3, 'active', $4)")
            .bind(leo)
            .bind(code)
            .bind(name)
            .bind(confidential)
            .execute(&app.state.db.write)
            .await
            .unwrap();
    }
    let med = |name: String, confidential: i64| async move {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO medications (patient_id, rxnorm, name, dose, sig, start_date, refills_remaining, confidential) \
             VALUES ($1, '1', $2, '1 tablet', 'Once a day', '2026-01-01', 2, $3) RETURNING id",
        )
        .bind(leo)
        .bind(name)
        .bind(confidential)
        .fetch_one(&app.state.db.write)
        .await
        .unwrap()
    };
    let normal_med = med(format!("{LEO_MARK} inhaler"), 0).await;
    let secret_med = med(format!("{SECRET} pill"), 1).await;
    let (normal_thread, normal_attachment) =
        thread(app, leo, leo_user, rivera_user, &format!("{LEO_MARK} question"), png()).await;
    let (secret_thread, secret_attachment) =
        thread(app, leo, leo_user, rivera_user, &format!("{SECRET} question"), pdf(SECRET)).await;
    app.execute(&format!("UPDATE message_threads SET confidential = 1 WHERE id = {secret_thread}")).await;
    let document = |title: String, confidential: bool| {
        let content = pdf(&title);
        async move {
            let new = app::documents::store::NewDocument {
                patient_id: leo,
                kind: "letter",
                title: &title,
                document_date: "2026-01-05",
                source: "Family Medicine",
                confidential,
                media_type: "application/pdf",
                content: &content,
                posted_by: None,
                posted_at: now,
            };
            app::documents::store::insert_document(&app.state.db, &new).await.unwrap()
        }
    };
    let normal_document = document(format!("{LEO_MARK} letter"), false).await;
    let secret_document = document(format!("{SECRET} letter"), true).await;
    let account = billing_account(app, leo, now).await;
    Family {
        leo,
        emma,
        jordan_user,
        secret_result,
        visit,
        normal_med,
        secret_med,
        normal_thread,
        secret_thread,
        normal_attachment,
        secret_attachment,
        normal_document,
        secret_document,
        account,
    }
}

/// Leo's guarantor account: a visit's charge and a confidential test's, each partly paid by
/// insurance.
async fn billing_account(app: &TestApp, leo: i64, now: i64) -> i64 {
    use app::billing::store::{insert_account, insert_entry, insert_service_area, NewEntry};
    let db = &app.state.db;
    let area = insert_service_area(db, "Clinic billing", true, None).await.unwrap();
    let account = insert_account(db, "MATRIX-ACCOUNT", leo, &[leo], area, now).await.unwrap();
    for (description, confidential) in
        [(format!("{LEO_MARK} visit"), false), (format!("{SECRET} test"), true)]
    {
        let charge = NewEntry {
            kind: "charge",
            patient_id: Some(leo),
            service_date: Some("2026-01-05"),
            description: &description,
            procedure_code: Some("99213"),
            confidential,
            amount_cents: 10_000,
            posted_at: now,
            ..Default::default()
        };
        let charge = insert_entry(db, account, &charge).await.unwrap();
        let paid = NewEntry {
            kind: "insurance-payment",
            applies_to: Some(charge),
            amount_cents: -6_000,
            posted_at: now,
            ..Default::default()
        };
        insert_entry(db, account, &paid).await.unwrap();
    }
    // Its statement (the only one in the fixture: id 1).
    app::billing::store::insert_statement(db, account, "2026-11-01", "2026-12-01").await.unwrap();
    account
}

/// A thread on Leo's chart with one attachment and an unread staff reply.
async fn thread(
    app: &TestApp,
    leo: i64,
    leo_user: i64,
    rivera_user: i64,
    subject: &str,
    file: Vec<u8>,
) -> (i64, i64) {
    let route = (Pool::Support, None, None);
    let media_type = if file.starts_with(b"%PDF") { "application/pdf" } else { "image/png" };
    let files = [Upload { name: format!("{subject}.file"), media_type, bytes: file }];
    let mut thread_id = None;
    for (n, from_patient) in [true, false].into_iter().enumerate() {
        let outcome = send(
            &app.state.db,
            &Outgoing {
                patient_id: leo,
                author_id: if from_patient { leo_user } else { rivera_user },
                from_patient,
                proxy_relationship: None,
                new_thread: thread_id.is_none().then_some((&route, subject)),
                billing_account_id: None,
                thread_id,
                body: &format!("{subject} body"),
                schedule_reason: None,
                files: if from_patient { &files } else { &[] },
                idempotency_key: &app::input::IdempotencyKey::parse(&format!(
                    "fixture-{}-{n}-idempotency-key",
                    subject.len() + n
                ))
                .unwrap(),
                now: app.clock.now_ms() - 86_400_000,
                hourly_limit: i64::MAX,
            },
        )
        .await
        .unwrap();
        let Outcome::Sent { thread_id: id, .. } = outcome else { panic!("not sent: {outcome:?}") };
        thread_id = Some(id);
    }
    let thread_id = thread_id.unwrap();
    let attachment = app
        .count(&format!(
            "SELECT a.id FROM message_attachments a JOIN messages m ON m.id = a.message_id WHERE m.thread_id = {thread_id}"
        ))
        .await;
    (thread_id, attachment)
}

/// A grant made by HIM (outside the request flow).
pub async fn grant(
    app: &TestApp,
    proxy_user: i64,
    patient: i64,
    kind: RequestKind,
    relationship: Relationship,
    sections: &[Section],
) -> i64 {
    let now = app.clock.now_ms();
    insert_grant(
        &app.state.db.write,
        &NewGrant {
            proxy_user_id: proxy_user,
            patient_id: patient,
            kind,
            relationship,
            sections,
            starts_at: now - 1000,
            ends_at: None,
            approved_by: None,
            now,
        },
    )
    .await
    .unwrap()
}
