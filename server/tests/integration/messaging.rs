//! Messaging over HTTP, on SQLite and PostgreSQL: sending (new thread, reply, attachments,
//! the reply date), staff inboxes per pool, read state per side, the notice e-mail without
//! PHI, idempotent sends, every limit with its message, and the authorization rule across
//! charts and pools.
use crate::common::{error_key, TestApp};
use app::{auth::Role, messages};
use reqwest::{header, StatusCode};
use serde_json::Value;

/// A tiny real PNG (1×1), a JPEG header and a PDF header: types are read from the bytes.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\x0f\0\x01\x01\x01\0\x18\xdd\x8d\xb0\0\0\0\0IEND\xaeB`\x82";
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

struct Clinic {
    rivera: i64,
    elsewhere: i64,
}

/// Avery, whose care team has Dr. Rivera (Family Medicine, user dr.rivera); Dr. Stone of
/// Cardiology (user dr.stone) has never seen Avery; a billing clerk and an HIM clerk.
async fn clinic(app: &TestApp) -> Clinic {
    let avery = app.add_patient_user("avery").await;
    let rivera_user = app.add_user("dr.rivera", Role::Clinician, None, "rivera@example.org").await;
    let stone_user = app.add_user("dr.stone", Role::Clinician, None, "stone@example.org").await;
    app.add_user("billing.clerk", Role::Billing, None, "billing@example.org").await;
    app.add_user("records.clerk", Role::Him, None, "him@example.org").await;
    app.add_user("admin", Role::Admin, None, "admin@example.org").await;
    let rivera = provider(app, "Dr. Alex Rivera, MD", "Family Medicine", rivera_user).await;
    let elsewhere = provider(app, "Dr. Sam Stone, MD", "Cardiology", stone_user).await;
    app.execute(&format!(
        "INSERT INTO care_team (patient_id, provider_id, role) VALUES ({avery}, {rivera}, 'Primary care provider')"
    ))
    .await;
    Clinic { rivera, elsewhere }
}

async fn provider(app: &TestApp, name: &str, department: &str, user_id: i64) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO providers (display_name, specialty, department, user_id) VALUES ($1, $2, $2, $3) RETURNING id",
    )
    .bind(name)
    .bind(department)
    .bind(user_id)
    .fetch_one(&app.state.db.write)
    .await
    .unwrap()
}

fn key(n: u32) -> String {
    format!("test-key-{n:08}-0000")
}

/// A new message from `client`'s chart; returns the answer.
async fn send(
    app: &TestApp,
    client: &reqwest::Client,
    to: &str,
    subject: &str,
    body: &str,
    k: u32,
) -> (StatusCode, Value) {
    let k = key(k);
    app.call_multipart(
        client,
        "messages/send",
        &[("to", to), ("subject", subject), ("body", body), ("key", &k)],
        &[],
    )
    .await
}

on_both_databases!(
    with crate::common::Options {
        promises: Some(app::site::Promises {
            support: Some("Technical support answers within 2 business days.".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    a_customer_service_promise_is_the_clinics_own,
);

/// A pool's promise is what the clinic configured, said as written, for a new message and
/// for a reply in its thread; a pool without one promises nothing.
async fn a_customer_service_promise_is_the_clinics_own(app: &TestApp) {
    clinic(app).await;
    let avery = app.signed_in("avery").await;
    let (status, sent) =
        send(app, &avery, "pool-support", "Sign-in trouble", "The app logs me out.", 1).await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    assert_eq!(sent["promise"]["Configured"], "Technical support answers within 2 business days.");
    let thread = sent["thread_id"].to_string();
    let k = key(2);
    let (_, reply) = app
        .call_multipart(
            &avery,
            "messages/send",
            &[("thread", &thread), ("body", "Still happens."), ("key", &k)],
            &[],
        )
        .await;
    assert_eq!(reply["promise"]["Configured"], "Technical support answers within 2 business days.");
    let (_, records) = send(app, &avery, "pool-records", "A copy", "Of my record, please.", 3).await;
    assert_eq!(records["promise"], "Nothing");
}

on_both_databases!(
    a_patient_writes_and_the_care_team_answers,
    staff_see_only_their_pools,
    sending_is_idempotent,
    every_limit_has_its_message,
    messages_never_cross_charts_and_every_read_is_logged,
    sent_messages_cannot_be_changed,
);

async fn a_patient_writes_and_the_care_team_answers(app: &TestApp) {
    let c = clinic(app).await;
    let avery = app.signed_in("avery").await;

    let (status, recipients) = app.call(&avery, "messages/recipients", &[]).await;
    assert_eq!(status, StatusCode::OK);
    let keys: Vec<&str> = recipients.as_array().unwrap().iter().map(|r| r["key"].as_str().unwrap()).collect();
    let rivera_key = format!("provider-{}", c.rivera);
    assert_eq!(keys, [rivera_key.as_str(), "pool-billing", "pool-support", "pool-records"], "not Dr. Stone");

    let k = key(1);
    let (status, sent) = app
        .call_multipart(
            &avery,
            "messages/send",
            &[
                ("to", &rivera_key),
                ("subject", "Rash on my arm"),
                ("body", "It itches since Monday."),
                ("key", &k),
            ],
            &[("rash.png", PNG), ("letter.pdf", PDF)],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    // Wednesday 2026-11-25; Thursday is Thanksgiving (configured): Friday, Monday, Tuesday.
    // A guide, in the seed's words ("generally"), not a promise.
    assert_eq!(sent["promise"]["CareTeam"]["around"], "2026-12-01");
    let thread = sent["thread_id"].as_i64().unwrap().to_string();
    assert_eq!(app.audit_count("message-sent").await, 1);

    // The clinician's inbox has it, unread on their side.
    let rivera = app.signed_in("dr.rivera").await;
    let (_, inbox) = app.call(&rivera, "staff/messages/inbox", &[("view", "open")]).await;
    assert_eq!(inbox[0]["subject"], "Rash on my arm");
    assert_eq!(inbox[0]["unread"], true);
    let (_, mine) = app.call(&rivera, "staff/messages/inbox", &[("view", "mine")]).await;
    assert_eq!(mine.as_array().unwrap().len(), 1, "written to Dr. Rivera: in their own inbox");
    let (status, view) = app.call(&rivera, "staff/messages/thread", &[("id", &thread)]).await;
    assert_eq!(status, StatusCode::OK);
    let files = view["messages"][0]["attachments"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0]["name"], "rash.png");
    assert_eq!(files[0]["media_type"], "image/png");
    assert_eq!(files[1]["media_type"], "application/pdf");

    // Downloads: the bytes as sent, never inline, never cached, under a name we chose.
    let file_id = files[0]["id"].as_i64().unwrap().to_string();
    for (client, endpoint) in [(&rivera, "staff/messages/attachment"), (&avery, "messages/attachment")] {
        let res = client.get(format!("{}/api/{endpoint}?id={file_id}", app.base)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{endpoint}");
        let h = res.headers().clone();
        assert_eq!(h[header::CONTENT_TYPE], "image/png");
        assert_eq!(h[header::CONTENT_DISPOSITION], format!("attachment; filename=\"portico-{file_id}.png\""));
        assert_eq!(h[header::CACHE_CONTROL], "no-store");
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(res.bytes().await.unwrap().as_ref(), PNG);
    }

    // Claim and answer: the patient is told by e-mail, with nothing of the message in it.
    assert_eq!(app.call(&rivera, "staff/messages/claim", &[("id", &thread)]).await.0, StatusCode::OK);
    let (status, _) = app
        .call(
            &rivera,
            "staff/messages/reply",
            &[("id", &thread), ("body", "Try the cream twice a day."), ("key", &key(2))],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let mail = app.mail.wait_for("avery@example.org", 1).await;
    assert!(mail.raw.contains("You have a new message in Portico"));
    for phi in ["Rash", "rash", "cream", "itches", "Rivera", "Pat"] {
        assert!(!mail.raw.contains(phi), "the notice must not carry {phi:?}");
    }

    // Avery: one unread thread, until it is opened. The page that opens it renders the
    // menu's count in the same request: that thread is not counted there.
    assert_eq!(app.call(&avery, "messages/unread", &[]).await.1, 1);
    assert_eq!(app.call(&avery, "messages/unread", &[("opening", &thread)]).await.1, 0);
    assert_eq!(app.call(&avery, "messages/unread", &[("opening", "999999")]).await.1, 1);
    let (_, inbox) = app.call(&avery, "messages/inbox", &[]).await;
    assert_eq!(inbox["threads"][0]["unread"], true);
    assert_eq!(inbox["threads"][0]["with"], "Dr. Alex Rivera, MD");
    let (_, view) = app.call(&avery, "messages/thread", &[("id", &thread)]).await;
    assert_eq!(view["messages"].as_array().unwrap().len(), 2);
    assert_eq!(view["messages"][1]["body"], "Try the cream twice a day.");
    assert_eq!(view["messages"][1]["from_patient"], false);
    assert_eq!(app.call(&avery, "messages/unread", &[]).await.1, 0);

    // "Please schedule an appointment", with its reason; then done; a reply reopens it.
    let (status, _) = app
        .call(&rivera, "staff/messages/reply", &[("id", &thread), ("schedule", "images"), ("key", &key(3))])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.call(&rivera, "staff/messages/done", &[("id", &thread)]).await.0, StatusCode::OK);
    let (_, view) = app.call(&avery, "messages/thread", &[("id", &thread)]).await;
    assert_eq!(view["messages"][2]["schedule_reason"], "Images");
    assert_eq!(view["summary"]["done"], true);
    let k = key(4);
    let (status, _) = app
        .call_multipart(
            &avery,
            "messages/send",
            &[("thread", &thread), ("body", "I will book a visit."), ("key", &k)],
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, open) = app.call(&rivera, "staff/messages/inbox", &[("view", "open")]).await;
    assert_eq!(open[0]["unread"], true, "reopened, with a new message");
    assert_eq!(open[0]["claimed_by"], "dr.rivera");
}

async fn staff_see_only_their_pools(app: &TestApp) {
    let c = clinic(app).await;
    let avery = app.signed_in("avery").await;
    let (_, care) = send(app, &avery, &format!("provider-{}", c.rivera), "Refill question", "Hello", 1).await;
    let (_, bill) = send(app, &avery, "pool-billing", "My bill", "Why two charges?", 2).await;
    assert_eq!(bill["promise"], "Nothing", "no promise for billing unless the clinic makes one");
    let (care, bill) = (care["thread_id"].to_string(), bill["thread_id"].to_string());

    let billing = app.signed_in("billing.clerk").await;
    let (_, inbox) = app.call(&billing, "staff/messages/inbox", &[("view", "open")]).await;
    let subjects: Vec<&str> =
        inbox.as_array().unwrap().iter().map(|t| t["subject"].as_str().unwrap()).collect();
    assert_eq!(subjects, ["My bill"]);
    assert_eq!(inbox[0]["with"], "Pat Ient (MRN-avery)");
    for endpoint in ["staff/messages/thread", "staff/messages/claim", "staff/messages/done"] {
        assert_eq!(
            app.call(&billing, endpoint, &[("id", &care)]).await.0,
            StatusCode::NOT_FOUND,
            "{endpoint}"
        );
    }
    let (status, _) =
        app.call(&billing, "staff/messages/reply", &[("id", &care), ("body", "x"), ("key", &key(9))]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Another department's clinician, the records desk: neither thread. Admin and patients:
    // no staff inbox at all.
    for who in ["dr.stone", "records.clerk"] {
        let client = app.signed_in(who).await;
        let (_, inbox) = app.call(&client, "staff/messages/inbox", &[("view", "open")]).await;
        assert_eq!(inbox.as_array().unwrap().len(), 0, "{who}");
        for id in [&care, &bill] {
            assert_eq!(
                app.call(&client, "staff/messages/thread", &[("id", id)]).await.0,
                StatusCode::NOT_FOUND
            );
        }
    }
    for who in [app.signed_in("admin").await, avery] {
        assert_eq!(
            app.call(&who, "staff/messages/inbox", &[("view", "open")]).await.0,
            StatusCode::FORBIDDEN
        );
    }
}

async fn sending_is_idempotent(app: &TestApp) {
    let c = clinic(app).await;
    let avery = app.signed_in("avery").await;
    let to = format!("provider-{}", c.rivera);
    let first = send(app, &avery, &to, "Question", "Same words", 7).await;
    let again = send(app, &avery, &to, "Question", "Same words", 7).await;
    assert_eq!(first.0, StatusCode::OK);
    assert_eq!(first.1, again.1, "a retry answers with the same message");
    // Eight at once with one key (a double click, a flaky network): one message.
    let sends = (0..8).map(|_| send(app, &avery, &to, "Burst", "Once", 8));
    let answers = futures::future::join_all(sends).await;
    assert!(answers.iter().all(|(status, _)| *status == StatusCode::OK), "{answers:?}");
    assert!(answers.windows(2).all(|w| w[0].1["message_id"] == w[1].1["message_id"]));
    assert_eq!(app.count("SELECT COUNT(*) FROM messages").await, 2);
    assert_eq!(app.count("SELECT COUNT(*) FROM message_threads").await, 2);
}

async fn every_limit_has_its_message(app: &TestApp) {
    let c = clinic(app).await;
    let avery = app.signed_in("avery").await;
    let to = format!("provider-{}", c.rivera);
    let refused = |(status, body): (StatusCode, Value), field: &str, key: &str| {
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {body}");
        assert_eq!(body["Invalid"]["field"], field);
        assert_eq!(error_key(&body), key);
    };
    let long_subject = "s".repeat(messages::SUBJECT_MAX_CHARS + 1);
    let long_body = "b".repeat(messages::BODY_MAX_CHARS + 1);
    refused(send(app, &avery, "", "Hi", "Hello", 1).await, "to", "messages.to_required");
    refused(send(app, &avery, "provider-999999", "Hi", "Hello", 1).await, "to", "messages.to_required");
    refused(
        send(app, &avery, &format!("provider-{}", c.elsewhere), "Hi", "Hello", 1).await,
        "to",
        "messages.to_required",
    );
    refused(send(app, &avery, &to, "  ", "Hello", 1).await, "subject", "messages.subject_required");
    refused(send(app, &avery, &to, &long_subject, "Hello", 1).await, "subject", "messages.subject_too_long");
    refused(send(app, &avery, &to, "Hi", " ", 1).await, "body", "messages.body_required");
    refused(send(app, &avery, &to, "Hi", &long_body, 1).await, "body", "messages.body_too_long");
    // Exactly at the limits is fine.
    let at_limit = send(app, &avery, &to, &long_subject[1..], &long_body[1..], 2).await;
    assert_eq!(at_limit.0, StatusCode::OK, "{}", at_limit.1);

    let post = |files: Vec<(&'static str, Vec<u8>)>, k: &'static str| post_files(app, &avery, &to, files, k);
    let png = PNG.to_vec();
    refused(
        post(vec![("a.png", png.clone()); 4], "four").await,
        "attachments",
        "messages.too_many_attachments",
    );
    let mut big = PDF.to_vec();
    big.resize(messages::ATTACHMENT_MAX_BYTES + 1, b' ');
    refused(post(vec![("big.pdf", big.clone())], "big").await, "attachments", "messages.attachment_too_big");
    big.truncate(messages::ATTACHMENT_MAX_BYTES);
    let (status, body) = post(vec![("ten.pdf", big)], "ten").await;
    assert_eq!(status, StatusCode::OK, "exactly 10 MB is accepted: {body}");
    for (name, bytes) in [
        ("photo.png", b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec()),
        ("page.pdf", b"<html><body>hi</body></html>".to_vec()),
        ("tool.jpg", b"MZ\x90\x00\x03\x00\x00\x00".to_vec()),
    ] {
        refused(post(vec![(name, bytes)], "disguised").await, "attachments", "messages.attachment_type");
    }
    let three = post(vec![("a.png", png.clone()), ("b.png", png.clone()), ("c.png", png)], "three").await;
    assert_eq!(three.0, StatusCode::OK, "three is the limit: {}", three.1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM message_attachments").await,
        4,
        "nothing kept from refused forms"
    );

    // The hourly rate: SENDS_PER_HOUR messages from the patient's side, then 429 with
    // the wait; an hour later it is open again. (Three were sent above.)
    for n in 3..messages::SENDS_PER_HOUR as u32 {
        assert_eq!(send(app, &avery, &to, "Hi", "Hello", 100 + n).await.0, StatusCode::OK);
    }
    let (status, body) = send(app, &avery, &to, "Hi", "Hello", 200).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(body["TooManyAttempts"]["retry_after_secs"].as_u64().unwrap() <= 3600);
    app.clock.advance_ms(3_600_000);
    let avery = app.signed_in("avery").await;
    assert_eq!(send(app, &avery, &to, "Hi", "Hello", 201).await.0, StatusCode::OK);
}

fn key_str(name: &str) -> String {
    format!("{name:-<16}-limits")
}

async fn post_files(
    app: &TestApp,
    client: &reqwest::Client,
    to: &str,
    files: Vec<(&'static str, Vec<u8>)>,
    k: &str,
) -> (StatusCode, Value) {
    let k = key_str(k);
    let fields = [("to", to), ("subject", "Files"), ("body", "See attached"), ("key", k.as_str())];
    let files: Vec<(&str, &[u8])> = files.iter().map(|(name, bytes)| (*name, bytes.as_slice())).collect();
    app.call_multipart(client, "messages/send", &fields, &files).await
}

async fn messages_never_cross_charts_and_every_read_is_logged(app: &TestApp) {
    let c = clinic(app).await;
    let blake = app.add_patient_user("blake").await;
    app.execute(&format!(
        "INSERT INTO care_team (patient_id, provider_id, role) VALUES ({blake}, {}, 'Primary care provider')",
        c.rivera
    ))
    .await;
    let blake_client = app.signed_in("blake").await;
    let k = key(1);
    let (_, sent) = app
        .call_multipart(
            &blake_client,
            "messages/send",
            &[
                ("to", &format!("provider-{}", c.rivera)),
                ("subject", "Private"),
                ("body", "Blake's words"),
                ("key", &k),
            ],
            &[("x.png", PNG)],
        )
        .await;
    let thread = sent["thread_id"].to_string();
    let file: i64 = app.count("SELECT MIN(id) FROM message_attachments").await;

    let avery = app.signed_in("avery").await;
    let before = app.audit_count("chart-read").await;
    assert_eq!(app.call(&avery, "messages/thread", &[("id", &thread)]).await.0, StatusCode::NOT_FOUND);
    let res = avery.get(format!("{}/api/messages/attachment?id={file}", app.base)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let k = key(2);
    let (status, _) = app
        .call_multipart(&avery, "messages/send", &[("thread", &thread), ("body", "Sneaky"), ("key", &k)], &[])
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, inbox) = app.call(&avery, "messages/inbox", &[]).await;
    assert_eq!(inbox["threads"].as_array().unwrap().len(), 0);
    // Every attempt was logged as a read of Avery's own chart, never of Blake's.
    assert_eq!(app.audit_count("chart-read").await - before, 4);
    let logged_on_blake = app
        .count(&format!(
            "SELECT COUNT(*) FROM audit_log a JOIN users u ON u.id = a.actor_user_id \
             WHERE u.username = 'avery' AND a.patient_id = {blake}"
        ))
        .await;
    assert_eq!(logged_on_blake, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM messages").await, 1, "nothing was added to Blake's thread");
    // Staff reads are logged against the patient.
    let rivera = app.signed_in("dr.rivera").await;
    app.call(&rivera, "staff/messages/thread", &[("id", &thread)]).await;
    let staff_reads = app
        .count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'chart-read' AND patient_id = {blake} AND section = 'messages'"
        ))
        .await;
    assert!(staff_reads >= 2, "Blake's own reads and Dr. Rivera's");
}

async fn sent_messages_cannot_be_changed(app: &TestApp) {
    let c = clinic(app).await;
    let avery = app.signed_in("avery").await;
    let k = key(1);
    app.call_multipart(
        &avery,
        "messages/send",
        &[("to", &format!("provider-{}", c.rivera)), ("subject", "Keep"), ("body", "Original"), ("key", &k)],
        &[("a.pdf", PDF)],
    )
    .await;
    for sql in [
        "UPDATE messages SET body = 'Edited'",
        "DELETE FROM messages",
        "UPDATE message_attachments SET original_name = 'x'",
        "DELETE FROM message_attachments",
    ] {
        let refused = sqlx::query(sql).execute(&app.state.db.write).await;
        assert!(refused.is_err(), "{sql} must be refused");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM messages WHERE body = 'Original'").await, 1);
}
