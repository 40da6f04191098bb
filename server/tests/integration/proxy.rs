//! Proxy access on SQLite and PostgreSQL: minor and adult requests through HIM (approval,
//! denial, every limit), switching charts, a grant ended mid-session, ages from the test
//! clock (13 narrows, 18 ends), confidential items hidden from proxies in every section,
//! proxy messages attributed, and the patient's "who has seen my record".
use crate::{
    common::{error_key, TestApp},
    proxy_fixture::{family, grant, pdf, LEO_MARK, SECRET, SECRET_VALUE, TREND_LOINC},
};
use app::{
    access::{Relationship, Section},
    auth::Role,
    proxy::RequestKind,
};
use reqwest::{header, StatusCode};
use serde_json::Value;

const DAY_MS: i64 = 86_400_000;

on_both_databases!(
    a_minor_request_is_approved_and_opens_the_chart,
    a_denied_request_shows_its_reason,
    every_request_limit_has_its_message,
    an_adult_request_carries_the_signed_form,
    a_grant_ended_mid_session_stops_the_next_request,
    ages_follow_the_clock,
    confidential_items_are_invisible_to_proxies_everywhere,
    a_proxy_message_says_who_sent_it_for_whom,
    each_reader_has_their_own_unread_replies,
    the_patient_sees_who_has_seen_the_record,
    an_adult_patient_narrows_a_grant,
);

fn key(n: u32) -> String {
    format!("proxy-key-{n:08}-0000")
}

async fn minor_request(
    app: &TestApp,
    client: &reqwest::Client,
    name: &str,
    born: &str,
    n: u32,
) -> (StatusCode, Value) {
    app.call_owned(
        client,
        "proxy/request_minor",
        vec![
            ("child_name", name.to_owned()),
            ("birth_date", born.to_owned()),
            ("relationship", "parent".to_owned()),
            ("attest", "on".to_owned()),
            ("key", key(n)),
        ],
    )
    .await
}

/// The patient ids in a client's chart switcher.
async fn charts(app: &TestApp, client: &reqwest::Client) -> Vec<i64> {
    let (status, body) = app.call(client, "proxy/charts", &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["choices"].as_array().unwrap().iter().map(|c| c["patient_id"].as_i64().unwrap()).collect()
}

async fn switch(app: &TestApp, client: &reqwest::Client, patient: i64) -> StatusCode {
    app.call(client, "proxy/switch", &[("patient_id", &patient.to_string())]).await.0
}

async fn a_minor_request_is_approved_and_opens_the_chart(app: &TestApp) {
    let f = family(app).await;
    let jordan = app.signed_in("jordan").await;
    let (status, request) = minor_request(app, &jordan, "Emma Quinn", "2017-06-10", 1).await;
    assert_eq!(status, StatusCode::OK, "{request}");
    assert_eq!(request["status"], "Pending");
    // Four business days from Wednesday 2026-11-25, with Thanksgiving (the 26th) off.
    assert_eq!(request["due_on"], "2026-12-02");
    let id = request["id"].as_i64().unwrap();
    // The same form sent again (a retry) makes no second request.
    let (_, again) = minor_request(app, &jordan, "Emma Quinn", "2017-06-10", 1).await;
    assert_eq!(again["id"].as_i64(), Some(id));
    assert_eq!(app.count("SELECT COUNT(*) FROM proxy_requests").await, 1);
    assert_eq!(charts(app, &jordan).await.len(), 1, "only Jordan's own chart before approval");

    // Only HIM sees the queue and decides.
    let rivera = app.signed_in("dr.rivera").await;
    assert_eq!(app.call(&rivera, "staff/proxy/queue", &[]).await.0, StatusCode::FORBIDDEN);
    let emma = f.emma.to_string();
    let approve = [
        ("id", id.to_string()),
        ("patient_id", emma.clone()),
        ("sections", Section::join(&Section::GRANTABLE)),
    ];
    let approve: Vec<(&str, &str)> = approve.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(app.call(&rivera, "staff/proxy/approve", &approve).await.0, StatusCode::FORBIDDEN);
    assert_eq!(app.call(&jordan, "staff/proxy/approve", &approve).await.0, StatusCode::FORBIDDEN);
    let him = app.signed_in("him.lee").await;
    let (status, queue) = app.call(&him, "staff/proxy/queue", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(queue[0]["patient_name"], "Emma Quinn");
    assert_eq!(queue[0]["due_on"], "2026-12-02");
    let (_, review) = app.call(&him, "staff/proxy/request", &[("id", &id.to_string())]).await;
    assert_eq!(
        review["candidates"][0]["id"].as_i64(),
        Some(f.emma),
        "matched by birth date and name: {review}"
    );
    assert_eq!(review["candidates"].as_array().unwrap().len(), 1);
    let (status, body) = app.call(&him, "staff/proxy/approve", &approve).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Decided once.
    let (status, body) = app.call(&him, "staff/proxy/approve", &approve).await;
    assert_eq!(
        (status, error_key(&body).as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "proxy.already_decided")
    );
    assert_eq!(app.audit_count("proxy-approved").await, 1);

    // Jordan sees the status, and Emma in the switcher; switching opens her chart.
    let (_, sharing) = app.call(&jordan, "proxy/sharing", &[]).await;
    assert_eq!(sharing["requests"][0]["status"], "Approved");
    assert_eq!(sharing["mine"][0]["patient_name"], "Emma Quinn");
    assert!(charts(app, &jordan).await.contains(&f.emma));
    assert_eq!(switch(app, &jordan, f.emma).await, StatusCode::OK);
    let (status, visits) = app.call(&jordan, "visits/list", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(visits["past"].as_array().unwrap().len(), 0, "Emma's (empty) visits, not Jordan's");
    let proxied = app
        .count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE patient_id = {} AND actor_user_id = {} AND as_proxy = 1 AND action = 'chart-read'",
            f.emma, f.jordan_user
        ))
        .await;
    assert_eq!(proxied, 1, "the read is logged on Emma's chart, as a proxy");
    // Switching to a chart without a grant is refused and leaves the session where it was.
    assert_eq!(switch(app, &jordan, f.leo).await, StatusCode::NOT_FOUND);
    let (_, open) = app.call(&jordan, "proxy/charts", &[]).await;
    assert_eq!(open["active"].as_i64(), Some(f.emma));
}

async fn a_denied_request_shows_its_reason(app: &TestApp) {
    family(app).await;
    let jordan = app.signed_in("jordan").await;
    let (_, request) = minor_request(app, &jordan, "Nobody Known", "2019-01-01", 1).await;
    let id = request["id"].as_i64().unwrap().to_string();
    let him = app.signed_in("him.lee").await;
    let (_, review) = app.call(&him, "staff/proxy/request", &[("id", &id)]).await;
    assert_eq!(review["candidates"].as_array().unwrap().len(), 0);
    let (status, body) = app.call(&him, "staff/proxy/deny", &[("id", &id), ("reason", "  ")]).await;
    assert_eq!(
        (status, error_key(&body).as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "proxy.reason_required")
    );
    let long = "x".repeat(501);
    let (_, body) = app.call(&him, "staff/proxy/deny", &[("id", &id), ("reason", &long)]).await;
    assert_eq!(error_key(&body), "proxy.reason_too_long");
    let reason = "No patient with this name and date of birth. Please call Medical Records.";
    assert_eq!(
        app.call(&him, "staff/proxy/deny", &[("id", &id), ("reason", reason)]).await.0,
        StatusCode::OK
    );
    let (_, sharing) = app.call(&jordan, "proxy/sharing", &[]).await;
    assert_eq!(sharing["requests"][0]["status"], "Denied");
    assert_eq!(sharing["requests"][0]["reason"], reason);
    assert_eq!(app.count("SELECT COUNT(*) FROM proxy_grants").await, 0);
    let (_, queue) = app.call(&him, "staff/proxy/queue", &[]).await;
    assert_eq!(queue.as_array().unwrap().len(), 0);
}

async fn every_request_limit_has_its_message(app: &TestApp) {
    family(app).await;
    let jordan = app.signed_in("jordan").await;
    let field = |body: &Value| (body["Invalid"]["field"].as_str().unwrap_or("").to_owned(), error_key(body));
    let cases: [(&str, &str, &str, &str, (&str, &str)); 7] = [
        ("", "2017-06-10", "parent", "on", ("child_name", "proxy.name_required")),
        (&"E".repeat(101), "2017-06-10", "parent", "on", ("child_name", "proxy.name_too_long")),
        ("Emma Quinn", "10/06/2017", "parent", "on", ("birth_date", "proxy.birth_date_invalid")),
        ("Emma Quinn", "2027-01-01", "parent", "on", ("birth_date", "proxy.birth_date_future")),
        ("Emma Quinn", "2008-11-25", "parent", "on", ("birth_date", "proxy.not_a_minor")),
        ("Emma Quinn", "2017-06-10", "caregiver", "on", ("relationship", "proxy.relationship_required")),
        ("Emma Quinn", "2017-06-10", "parent", "", ("attest", "proxy.attest_required")),
    ];
    for (n, (name, born, relationship, attest, expected)) in cases.into_iter().enumerate() {
        let (status, body) = app
            .call(
                &jordan,
                "proxy/request_minor",
                &[
                    ("child_name", name),
                    ("birth_date", born),
                    ("relationship", relationship),
                    ("attest", attest),
                    ("key", &key(n as u32)),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "case {n}: {body}");
        assert_eq!(field(&body), (expected.0.to_owned(), expected.1.to_owned()), "case {n}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM proxy_requests").await, 0, "nothing kept from a refused form");
    // Exactly at the limits: 100 characters, a child 17 years and 364 days old.
    let (status, body) = minor_request(app, &jordan, &"E".repeat(100), "2008-11-26", 20).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Five requests a day; the sixth waits.
    for n in 21..25 {
        assert_eq!(minor_request(app, &jordan, "Emma Quinn", "2017-06-10", n).await.0, StatusCode::OK);
    }
    assert_eq!(
        minor_request(app, &jordan, "Emma Quinn", "2017-06-10", 30).await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
    app.clock.advance_ms(DAY_MS + 1000);
    let jordan = app.signed_in("jordan").await;
    assert_eq!(minor_request(app, &jordan, "Emma Quinn", "2017-06-10", 31).await.0, StatusCode::OK);
    // Staff cannot file a request as a patient.
    let him = app.signed_in("him.lee").await;
    assert_eq!(minor_request(app, &him, "Emma Quinn", "2017-06-10", 40).await.0, StatusCode::FORBIDDEN);
}

async fn an_adult_request_carries_the_signed_form(app: &TestApp) {
    family(app).await;
    let joe = app.add_patient("MRN-JOE", "Joe", "Carter", "1941-02-08").await;
    let sam = app.add_user("sam", Role::Patient, None, "sam@example.org").await;
    let client = app.signed_in("sam").await;
    let fields = |born: &'static str, n: u32| -> Vec<(&'static str, String)> {
        vec![
            ("patient_name", "Joe Carter".into()),
            ("birth_date", born.into()),
            ("relationship", "caregiver".into()),
            ("attest", "on".into()),
            ("key", key(n)),
        ]
    };
    let post = |fields: Vec<(&'static str, String)>, files: Vec<(&'static str, Vec<u8>)>| {
        let client = client.clone();
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let files: Vec<(&str, &[u8])> = files.iter().map(|(k, v)| (*k, v.as_slice())).collect();
            app.call_multipart(&client, "proxy/request_adult", &fields, &files).await
        }
    };
    let (status, body) = post(fields("1941-02-08", 1), vec![]).await;
    assert_eq!(
        (status, error_key(&body).as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "proxy.form_required")
    );
    let svg = b"<svg xmlns='http://www.w3.org/2000/svg'/>".to_vec();
    let (_, body) = post(fields("1941-02-08", 2), vec![("form.pdf", svg)]).await;
    assert_eq!(error_key(&body), "messages.attachment_type");
    let (_, body) = post(fields("1941-02-08", 3), vec![("a.pdf", pdf("a")), ("b.pdf", pdf("b"))]).await;
    assert_eq!(error_key(&body), "messages.too_many_attachments");
    let (_, body) = post(fields("2010-01-01", 4), vec![("form.pdf", pdf("form"))]).await;
    assert_eq!(error_key(&body), "proxy.not_an_adult");
    let mut parent = fields("1941-02-08", 5);
    parent[2].1 = "parent".into();
    let (_, body) = post(parent, vec![("form.pdf", pdf("form"))]).await;
    assert_eq!(error_key(&body), "proxy.relationship_required");
    let mut unattested = fields("1941-02-08", 6);
    unattested[3].1 = String::new();
    let (_, body) = post(unattested, vec![("form.pdf", pdf("form"))]).await;
    assert_eq!(error_key(&body), "proxy.attest_required");
    assert_eq!(app.count("SELECT COUNT(*) FROM proxy_requests").await, 0);
    // A form over 10 MB is refused at the field, before the request exists.
    let (_, body) = post(fields("1941-02-08", 7), vec![("big.pdf", vec![b'%'; 10 * 1024 * 1024 + 1])]).await;
    assert_eq!(error_key(&body), "messages.attachment_too_big");

    let signed = pdf("signed by Joe Carter");
    let (status, request) = post(fields("1941-02-08", 8), vec![("signed.pdf", signed.clone())]).await;
    assert_eq!(status, StatusCode::OK, "{request}");
    assert_eq!(request["kind"], "Adult");
    assert_eq!(request["has_form"], true);
    // "Processed within 24-48 hours (Monday to Friday)": two business days from Wednesday
    // 2026-11-25, Thanksgiving off.
    assert_eq!(request["due_on"], "2026-11-30");
    let id = request["id"].as_i64().unwrap().to_string();
    // Only HIM downloads the form, as an attachment.
    let download = |client: reqwest::Client| {
        let url = format!("{}/api/staff/proxy/form?id={id}", app.base);
        async move { client.get(url).send().await.unwrap() }
    };
    assert_eq!(download(client.clone()).await.status(), StatusCode::FORBIDDEN);
    let him = app.signed_in("him.lee").await;
    let response = download(him.clone()).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    assert!(response.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    assert_eq!(response.bytes().await.unwrap().to_vec(), signed);
    // Approved for messages and medications only, until 1 December (today is 25 November);
    // an end date that is malformed, not after today or over 10 years ahead is refused at
    // its field and the request stays pending.
    let sections = Section::join(&[Section::Messages, Section::Medications]);
    let joe_id = joe.to_string();
    let approve = |ends_on: &'static str| {
        let (him, id, joe_id, sections) = (him.clone(), id.clone(), joe_id.clone(), sections.clone());
        async move {
            let fields =
                [("id", id.as_str()), ("patient_id", &joe_id), ("sections", &sections), ("ends_on", ends_on)];
            app.call(&him, "staff/proxy/approve", &fields).await
        }
    };
    for (ends_on, key) in [
        ("2026-02-30", "proxy.ends_on_invalid"),
        ("2026-11-25", "proxy.ends_on_past"),
        ("2036-11-26", "proxy.ends_on_too_far"),
    ] {
        let (status, body) = approve(ends_on).await;
        assert_eq!((status, error_key(&body).as_str()), (StatusCode::UNPROCESSABLE_ENTITY, key), "{ends_on}");
        assert_eq!(body["Invalid"]["field"], "ends_on", "{body}");
    }
    let (status, body) = approve("2026-12-01").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Sam has no chart of their own: Joe's opens by itself.
    let client = app.signed_in("sam").await;
    let (_, sharing) = app.call(&client, "proxy/sharing", &[]).await;
    assert_eq!(sharing["mine"][0]["ends_on"], "2026-12-01", "{sharing}");
    assert_eq!(charts(app, &client).await, vec![joe]);
    assert_eq!(app.call(&client, "medications/list", &[]).await.0, StatusCode::OK);
    assert_eq!(app.call(&client, "messages/inbox", &[]).await.0, StatusCode::OK);
    assert_eq!(app.call(&client, "results/list", &[]).await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        app.call(&client, "proxy/access_log", &[]).await.0,
        StatusCode::FORBIDDEN,
        "no chart of their own"
    );
    // At midnight going into 1 December the grant runs out: Sam, signed in at 23:55, is
    // refused on the next request after it, and Joe's chart is gone from the switcher.
    const MINUTE_MS: i64 = 60_000;
    app.clock.advance_ms(5 * DAY_MS + (11 * 60 + 55) * MINUTE_MS);
    let client = app.signed_in("sam").await;
    assert_eq!(app.call(&client, "medications/list", &[]).await.0, StatusCode::OK, "30 November 23:55");
    app.clock.advance_ms(10 * MINUTE_MS);
    let (status, body) = app.call(&client, "medications/list", &[]).await;
    assert_eq!((status, error_key(&body).as_str()), (StatusCode::FORBIDDEN, "AccessEnded"));
    assert_eq!(charts(app, &client).await, Vec::<i64>::new());
    let _ = sam;
}

async fn a_grant_ended_mid_session_stops_the_next_request(app: &TestApp) {
    let f = family(app).await;
    // Leo is 15: he may see who has access, not end it.
    let grant_id =
        grant(app, f.jordan_user, f.leo, RequestKind::Minor, Relationship::Parent, &Section::GRANTABLE).await;
    let leo = app.signed_in("leo").await;
    let (_, sharing) = app.call(&leo, "proxy/sharing", &[]).await;
    assert_eq!(sharing["on_my_chart"][0]["proxy_name"], "jordan");
    assert_eq!(sharing["may_change"], false);
    // Granted every section; open today, the teen view (no medication list).
    assert_eq!(sharing["on_my_chart"][0]["sections"].as_array().unwrap().len(), Section::GRANTABLE.len());
    let now = sharing["on_my_chart"][0]["sections_now"].as_array().unwrap();
    assert_eq!(now.len(), Section::GRANTABLE.len() - 1);
    assert!(!now.contains(&Value::from("Medications")));
    assert_eq!(
        app.call(&leo, "proxy/end_grant", &[("id", &grant_id.to_string())]).await.0,
        StatusCode::FORBIDDEN
    );
    // Someone unrelated is told it does not exist.
    app.add_patient_user("avery").await;
    let avery = app.signed_in("avery").await;
    assert_eq!(
        app.call(&avery, "proxy/end_grant", &[("id", &grant_id.to_string())]).await.0,
        StatusCode::NOT_FOUND
    );

    let jordan = app.signed_in("jordan").await;
    assert_eq!(switch(app, &jordan, f.leo).await, StatusCode::OK);
    assert_eq!(app.call(&jordan, "results/list", &[]).await.0, StatusCode::OK);
    // HIM ends it while Jordan is signed in: the next request is refused, and says why.
    let him = app.signed_in("him.lee").await;
    let (status, body) = app
        .call(&him, "staff/proxy/end_grant", &[("id", &grant_id.to_string()), ("reason", "Custody changed")])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app.call(&jordan, "results/list", &[]).await;
    assert_eq!((status, error_key(&body).as_str()), (StatusCode::FORBIDDEN, "AccessEnded"));
    // The switcher drops Leo; the session is back on Jordan's own chart.
    let (_, open) = app.call(&jordan, "proxy/charts", &[]).await;
    assert!(!open.to_string().contains(LEO_MARK), "{open}");
    let (status, list) = app.call(&jordan, "results/list", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!list.to_string().contains(LEO_MARK));
    assert_eq!(switch(app, &jordan, f.leo).await, StatusCode::NOT_FOUND);

    // A proxy may end their own access.
    let emma_grant =
        grant(app, f.jordan_user, f.emma, RequestKind::Minor, Relationship::Parent, &Section::GRANTABLE)
            .await;
    assert_eq!(
        app.call(&jordan, "proxy/end_grant", &[("id", &emma_grant.to_string())]).await.0,
        StatusCode::OK
    );
    assert!(!charts(app, &jordan).await.contains(&f.emma));
    assert_eq!(app.audit_count("proxy-grant-ended").await, 2);
}

async fn ages_follow_the_clock(app: &TestApp) {
    let f = family(app).await;
    // Turns 13 tomorrow, and 18 tomorrow.
    let twelve = app.add_patient("MRN-12", "Twelve", "Quinn", "2013-11-26").await;
    let seventeen = app.add_patient("MRN-17", "Seventeen", "Quinn", "2008-11-26").await;
    grant(app, f.jordan_user, twelve, RequestKind::Minor, Relationship::Parent, &Section::GRANTABLE).await;
    grant(app, f.jordan_user, seventeen, RequestKind::Minor, Relationship::Parent, &Section::GRANTABLE).await;
    let sections = |charts: &Value, id: i64| -> Vec<String> {
        let choice =
            charts["choices"].as_array().unwrap().iter().find(|c| c["patient_id"].as_i64() == Some(id));
        choice
            .map(|c| {
                c["sections"].as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_owned()).collect()
            })
            .unwrap_or_default()
    };
    let jordan = app.signed_in("jordan").await;
    let (_, today) = app.call(&jordan, "proxy/charts", &[]).await;
    assert!(sections(&today, twelve).contains(&"Medications".to_owned()));
    assert!(!sections(&today, seventeen).contains(&"Medications".to_owned()), "17: the teen view");
    assert_eq!(switch(app, &jordan, twelve).await, StatusCode::OK);
    assert_eq!(app.call(&jordan, "medications/list", &[]).await.0, StatusCode::OK);

    app.clock.advance_ms(DAY_MS);
    let jordan = app.signed_in("jordan").await;
    assert_eq!(switch(app, &jordan, twelve).await, StatusCode::OK);
    assert_eq!(app.call(&jordan, "medications/list", &[]).await.0, StatusCode::FORBIDDEN, "13 today");
    assert_eq!(app.call(&jordan, "results/list", &[]).await.0, StatusCode::OK);
    let (_, tomorrow) = app.call(&jordan, "proxy/charts", &[]).await;
    assert!(!sections(&tomorrow, twelve).contains(&"Medications".to_owned()));
    assert!(sections(&tomorrow, seventeen).is_empty(), "18 today: the minor grant has ended");
    assert_eq!(switch(app, &jordan, seventeen).await, StatusCode::NOT_FOUND);
    // With an adult authorization, access goes on past 18.
    grant(
        app,
        f.jordan_user,
        seventeen,
        RequestKind::Adult,
        Relationship::HealthcareAgent,
        &[Section::Visits],
    )
    .await;
    assert_eq!(switch(app, &jordan, seventeen).await, StatusCode::OK);
    assert_eq!(app.call(&jordan, "visits/list", &[]).await.0, StatusCode::OK);
    assert_eq!(app.call(&jordan, "results/list", &[]).await.0, StatusCode::FORBIDDEN);
}

/// Every answer a proxy gets, as one text to search for the secret.
async fn proxy_answers(app: &TestApp, client: &reqwest::Client) -> String {
    let mut all = String::new();
    for endpoint in [
        "home/overview",
        "visits/list",
        "results/list",
        "medications/list",
        "summary/get",
        "reminders/list",
        "messages/inbox",
        "messages/unread",
    ] {
        let (status, body) = app.call(client, endpoint, &[]).await;
        assert_eq!(status, StatusCode::OK, "{endpoint}: {body}");
        all.push_str(&body.to_string());
    }
    let (_, trend) = app.call(client, "results/trend", &[("loinc", TREND_LOINC)]).await;
    all.push_str(&trend.to_string());
    all
}

async fn confidential_items_are_invisible_to_proxies_everywhere(app: &TestApp) {
    let f = family(app).await;
    let caregiver = app.add_patient_user("kim").await;
    let kim_user = app.count("SELECT id FROM users WHERE username = 'kim'").await;
    grant(app, kim_user, f.leo, RequestKind::Adult, Relationship::Caregiver, &Section::GRANTABLE).await;
    let _ = caregiver;
    let leo = app.signed_in("leo").await;
    let everything = proxy_answers(app, &leo).await;
    assert!(
        everything.contains(SECRET) && everything.contains(SECRET_VALUE),
        "Leo sees his own confidential items"
    );
    let (_, home) = app.call(&leo, "home/overview", &[]).await;
    assert_eq!(home["new_result_count"], 2);
    assert_eq!(app.call(&leo, "messages/unread", &[]).await.1, 2);

    let kim = app.signed_in("kim").await;
    assert_eq!(switch(app, &kim, f.leo).await, StatusCode::OK);
    let seen = proxy_answers(app, &kim).await;
    assert!(seen.contains(LEO_MARK), "the proxy sees the normal items");
    assert!(!seen.contains(SECRET), "no confidential item in any list: {seen}");
    assert!(!seen.contains(&format!("{SECRET_VALUE}.0")) && !seen.contains(&format!("\"{SECRET_VALUE}\"")));
    let (_, home) = app.call(&kim, "home/overview", &[]).await;
    assert_eq!(home["new_result_count"], 1, "counts leave it out");
    assert_eq!(app.call(&kim, "messages/unread", &[]).await.1, 1);
    let (_, trend) = app.call(&kim, "results/trend", &[("loinc", TREND_LOINC)]).await;
    assert_eq!(trend["series"][0]["points"].as_array().unwrap().len(), 1, "the graph leaves it out: {trend}");
    let (_, summary) = app.call(&kim, "summary/get", &[]).await;
    assert_eq!(summary["problems"].as_array().unwrap().len(), 1);
    let (_, reminders) = app.call(&kim, "reminders/list", &[]).await;
    assert!(
        !reminders.to_string().contains("Hba1c") && !reminders.to_string().contains("HbA1c"),
        "{reminders}"
    );
    // A visit whose note is confidential is hidden whole: its date, reason, provider and
    // After Visit Summary tell as much as the note.
    let (_, visits) = app.call(&kim, "visits/list", &[]).await;
    let listed = |list: &serde_json::Value| list.as_array().unwrap().iter().any(|v| v["id"] == f.visit);
    assert!(!listed(&visits["past"]) && !listed(&visits["upcoming"]), "{visits}");
    // Looked up by id, each is simply not there.
    for (endpoint, form) in [
        ("results/get", vec![("id", f.secret_result.to_string())]),
        ("messages/thread", vec![("id", f.secret_thread.to_string())]),
        ("visits/document", vec![("id", f.visit.to_string()), ("kind", "Note".into())]),
        (
            "medications/request_renewal",
            vec![
                ("medication_id", f.secret_med.to_string()),
                ("pharmacy", "Main St".into()),
                ("key", key(1)),
            ],
        ),
    ] {
        let (status, body) = app.call_owned(&kim, endpoint, form).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{endpoint}: {body}");
    }
    let secret_download = kim
        .get(format!("{}/api/messages/attachment?id={}", app.base, f.secret_attachment))
        .send()
        .await
        .unwrap();
    assert_eq!(secret_download.status(), StatusCode::NOT_FOUND);
    let normal_download = kim
        .get(format!("{}/api/messages/attachment?id={}", app.base, f.normal_attachment))
        .send()
        .await
        .unwrap();
    assert_eq!(normal_download.status(), StatusCode::OK);
    let (status, body) = app
        .call_multipart(
            &kim,
            "messages/send",
            &[("thread", &f.secret_thread.to_string()), ("body", "Reply"), ("key", &key(2))],
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, _) =
        app.call(&kim, "visits/document", &[("id", &f.visit.to_string()), ("kind", "Summary")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a confidential visit's summary is hidden with it");
    let (status, _) =
        app.call(&leo, "visits/document", &[("id", &f.visit.to_string()), ("kind", "Summary")]).await;
    assert_eq!(status, StatusCode::OK, "Leo reads his own");

    // A renewal asked by the proxy says so in the clinician's queue.
    let renewal =
        [("medication_id", f.normal_med.to_string()), ("pharmacy", "Main St".into()), ("key", key(3))];
    assert_eq!(app.call_owned(&kim, "medications/request_renewal", renewal.to_vec()).await.0, StatusCode::OK);
    let rivera = app.signed_in("dr.rivera").await;
    let (_, queue) = app.call(&rivera, "staff/renewals/queue", &[]).await;
    assert_eq!(queue[0]["requested_by_proxy"], "kim", "{queue}");

    // A clinician marks (and unmarks) through the app; the proxy's view follows.
    let mark = |kind: &'static str, id: i64, on: bool| {
        let rivera = rivera.clone();
        let leo_id = f.leo.to_string();
        async move {
            app.call(
                &rivera,
                "staff/confidential/set",
                &[
                    ("patient_id", leo_id.as_str()),
                    ("kind", kind),
                    ("id", &id.to_string()),
                    ("confidential", if on { "true" } else { "false" }),
                ],
            )
            .await
        }
    };
    let (status, body) = mark("Medication", f.normal_med, true).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, meds) = app.call(&kim, "medications/list", &[]).await;
    assert_eq!(meds.as_array().unwrap().len(), 0);
    assert_eq!(mark("Result", f.secret_result, false).await.0, StatusCode::OK);
    let (_, trend) = app.call(&kim, "results/trend", &[("loinc", TREND_LOINC)]).await;
    assert_eq!(trend["series"][0]["points"].as_array().unwrap().len(), 2, "unmarked: in the graph again");
    // Another chart's item is not found; non-clinicians may not mark.
    assert_eq!(mark("Result", 999_999, true).await.0, StatusCode::NOT_FOUND);
    let him = app.signed_in("him.lee").await;
    let (status, _) = app.call(&him, "staff/confidential/items", &[("patient_id", &f.leo.to_string())]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, items) =
        app.call(&rivera, "staff/confidential/items", &[("patient_id", &f.leo.to_string())]).await;
    assert_eq!(
        items.as_array().unwrap().len(),
        9,
        "2 results, 1 note, 2 problems, 2 medications, 2 threads: {items}"
    );

    // A staff reply tells the proxy by e-mail only in a thread that is not confidential.
    app.add_user("support.sam", Role::Support, None, "support@example.org").await;
    let support = app.signed_in("support.sam").await;
    for (n, thread) in [f.secret_thread, f.normal_thread].into_iter().enumerate() {
        let form = [("id", thread.to_string()), ("body", "Answer".to_owned()), ("key", key(200 + n as u32))];
        let (status, body) = app.call_owned(&support, "staff/messages/reply", form.to_vec()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    app.mail.wait_for("leo@example.org", 2).await;
    let to_kim = app.mail.wait_for("kim@example.org", 1).await;
    assert!(!to_kim.raw.contains(SECRET) && !to_kim.raw.contains(LEO_MARK), "no PHI in the notice");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(app.mail.count_to("kim@example.org"), 1, "the confidential thread's reply told only Leo");
}

async fn a_proxy_message_says_who_sent_it_for_whom(app: &TestApp) {
    let f = family(app).await;
    grant(app, f.jordan_user, f.emma, RequestKind::Minor, Relationship::Parent, &Section::GRANTABLE).await;
    let jordan = app.signed_in("jordan").await;
    assert_eq!(switch(app, &jordan, f.emma).await, StatusCode::OK);
    let (_, recipients) = app.call(&jordan, "messages/recipients", &[]).await;
    let to = recipients[0]["key"].as_str().unwrap().to_owned();
    let (status, sent) = app
        .call_multipart(
            &jordan,
            "messages/send",
            &[("to", &to), ("subject", "Ear pain"), ("body", "Emma has ear pain."), ("key", &key(1))],
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    let thread = sent["thread_id"].as_i64().unwrap().to_string();
    let (_, view) = app.call(&jordan, "messages/thread", &[("id", &thread)]).await;
    assert_eq!(view["messages"][0]["author"], "jordan");
    assert_eq!(view["messages"][0]["sent_for"]["relationship"], "Parent");
    assert_eq!(view["messages"][0]["sent_for"]["patient"], "Emma Quinn");
    let rivera = app.signed_in("dr.rivera").await;
    let (_, staff_view) = app.call(&rivera, "staff/messages/thread", &[("id", &thread)]).await;
    assert_eq!(staff_view["messages"][0]["sent_for"]["patient"], "Emma Quinn");
    let sent_as_proxy = app
        .count(&format!("SELECT COUNT(*) FROM audit_log WHERE action = 'message-sent' AND as_proxy = 1 AND patient_id = {}", f.emma))
        .await;
    assert_eq!(sent_as_proxy, 1);
    // Jordan's own messages are Jordan's.
    assert_eq!(
        switch(app, &jordan, app.count("SELECT patient_id FROM users WHERE username = 'jordan'").await).await,
        StatusCode::OK
    );
    let (_, inbox) = app.call(&jordan, "messages/inbox", &[]).await;
    assert_eq!(inbox["threads"].as_array().unwrap().len(), 0);
}

async fn unread(app: &TestApp, client: &reqwest::Client) -> i64 {
    let (status, body) = app.call(client, "messages/unread", &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body.as_i64().unwrap()
}

async fn each_reader_has_their_own_unread_replies(app: &TestApp) {
    // Leo (15) has two threads with an unread reply, one of them confidential; Jordan and a
    // second parent, Casey, are his proxies.
    let f = family(app).await;
    grant(app, f.jordan_user, f.leo, RequestKind::Minor, Relationship::Parent, &Section::GRANTABLE).await;
    let casey_user = app.add_user("casey", Role::Patient, None, "casey@example.org").await;
    grant(app, casey_user, f.leo, RequestKind::Minor, Relationship::Parent, &Section::GRANTABLE).await;
    let (leo, jordan, casey) =
        (app.signed_in("leo").await, app.signed_in("jordan").await, app.signed_in("casey").await);
    assert_eq!(switch(app, &jordan, f.leo).await, StatusCode::OK);
    assert_eq!((unread(app, &leo).await, unread(app, &jordan).await, unread(app, &casey).await), (2, 1, 1));

    // Jordan opens the reply: read for Jordan alone.
    let thread = f.normal_thread.to_string();
    assert_eq!(app.call(&jordan, "messages/thread", &[("id", &thread)]).await.0, StatusCode::OK);
    assert_eq!((unread(app, &leo).await, unread(app, &jordan).await, unread(app, &casey).await), (2, 0, 1));
    let (_, inbox) = app.call(&leo, "messages/inbox", &[]).await;
    let leo_sees =
        inbox["threads"].as_array().unwrap().iter().find(|t| t["id"] == f.normal_thread).unwrap().clone();
    assert_eq!(leo_sees["unread"], true, "{inbox}");

    // Jordan answers in it: still unread for Leo and Casey, who have not opened the reply.
    let (status, sent) = app
        .call_multipart(
            &jordan,
            "messages/send",
            &[("thread", &thread), ("body", "Thanks."), ("key", &key(1))],
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    assert_eq!((unread(app, &leo).await, unread(app, &jordan).await, unread(app, &casey).await), (2, 0, 1));

    // A new reply (from Support, whose pool the thread is in) is unread for everyone; Leo
    // opening it leaves it unread for both parents.
    app.add_user("support.kim", Role::Support, None, "support@example.org").await;
    let support = app.signed_in("support.kim").await;
    let (status, body) = app
        .call(&support, "staff/messages/reply", &[("id", &thread), ("body", "Good."), ("key", &key(2))])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!((unread(app, &leo).await, unread(app, &jordan).await, unread(app, &casey).await), (2, 1, 1));
    assert_eq!(app.call(&leo, "messages/thread", &[("id", &thread)]).await.0, StatusCode::OK);
    assert_eq!((unread(app, &leo).await, unread(app, &jordan).await, unread(app, &casey).await), (1, 1, 1));
    // Opening it twice keeps one mark per proxy.
    assert_eq!(app.call(&casey, "messages/thread", &[("id", &thread)]).await.0, StatusCode::OK);
    assert_eq!(app.call(&casey, "messages/thread", &[("id", &thread)]).await.0, StatusCode::OK);
    assert_eq!(unread(app, &casey).await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM proxy_thread_reads").await, 2, "Jordan's and Casey's marks");
}

async fn the_patient_sees_who_has_seen_the_record(app: &TestApp) {
    let f = family(app).await;
    grant(app, f.jordan_user, f.leo, RequestKind::Minor, Relationship::Parent, &Section::GRANTABLE).await;
    let jordan = app.signed_in("jordan").await;
    switch(app, &jordan, f.leo).await;
    app.call(&jordan, "results/list", &[]).await;
    let rivera = app.signed_in("dr.rivera").await;
    let (status, _) =
        app.call(&rivera, "staff/confidential/items", &[("patient_id", &f.leo.to_string())]).await;
    assert_eq!(status, StatusCode::OK);
    let leo = app.signed_in("leo").await;
    app.call(&leo, "visits/list", &[]).await;
    let (status, log) = app.call(&leo, "proxy/access_log", &[]).await;
    assert_eq!(status, StatusCode::OK);
    let entries = log.as_array().unwrap();
    let has =
        |who: &Value, section: &str| entries.iter().any(|e| &e["who"] == who && e["section"] == section);
    assert!(has(&serde_json::json!({"Proxy": {"name": "jordan"}}), "Results"), "{log}");
    assert!(has(&serde_json::json!({"Staff": {"name": "dr.rivera", "role": "Clinician"}}), "Home"), "{log}");
    assert!(has(&serde_json::json!("You"), "Visits"), "{log}");
    // Newest first, and paged by sequence.
    let first = entries[0]["seq"].as_i64().unwrap();
    assert!(entries.windows(2).all(|w| w[0]["seq"].as_i64() > w[1]["seq"].as_i64()));
    let (_, older) = app.call(&leo, "proxy/access_log", &[("before", &first.to_string())]).await;
    assert!(older.as_array().unwrap().iter().all(|e| e["seq"].as_i64().unwrap() < first));
    // Jordan's log is of Jordan's own chart, even with Leo's chart open.
    let (_, jordans) = app.call(&jordan, "proxy/access_log", &[]).await;
    assert!(!jordans.to_string().contains("dr.rivera"));
    assert!(jordans.as_array().unwrap().iter().all(|e| e["who"] == "You"), "{jordans}");
}

async fn an_adult_patient_narrows_a_grant(app: &TestApp) {
    let f = family(app).await;
    let joe = app.add_patient("MRN-JOE", "Joe", "Carter", "1941-02-08").await;
    app.add_user("grandpa.joe", Role::Patient, Some(joe), "joe@example.org").await;
    let g = grant(app, f.jordan_user, joe, RequestKind::Adult, Relationship::AdultChild, &Section::GRANTABLE)
        .await;
    let grandpa = app.signed_in("grandpa.joe").await;
    let (_, sharing) = app.call(&grandpa, "proxy/sharing", &[]).await;
    assert_eq!(sharing["may_change"], true);
    let (status, body) =
        app.call(&grandpa, "proxy/set_sections", &[("id", &g.to_string()), ("sections", "")]).await;
    assert_eq!(
        (status, error_key(&body).as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "proxy.sections_required")
    );
    let (status, _) = app
        .call(&grandpa, "proxy/set_sections", &[("id", &g.to_string()), ("sections", "visits,bogus")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = app
        .call(&grandpa, "proxy/set_sections", &[("id", &g.to_string()), ("sections", "visits,medications")])
        .await;
    assert_eq!(status, StatusCode::OK);
    // The grant's page sends a plain form, one checkbox per section (`sections[]`, the
    // brackets percent-encoded as a browser sends them); it lands on Sharing.
    let page = format!("{}/sharing/grants/{g}", app.base);
    let html = grandpa.get(&page).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(r#"name="sections[]" value="medications" checked"#), "{html}");
    let post = |body: String| {
        grandpa
            .post(format!("{}/api/proxy/set_sections", app.base))
            .header(header::ORIGIN, &app.origin)
            .header(header::ACCEPT, "text/html")
            .header(header::REFERER, &page)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    let none_ticked = post(format!("id={g}")).await.unwrap();
    assert_eq!(none_ticked.status(), StatusCode::FOUND);
    let back = none_ticked.headers()[header::LOCATION].to_str().unwrap().to_owned();
    assert!(back.starts_with(&format!("{page}?")) && back.contains("__err="), "{back}");
    let shown = grandpa.get(&back).send().await.unwrap().text().await.unwrap();
    assert!(shown.contains("Choose at least one part of the chart."), "{shown}");
    let ticked = post(format!("id={g}&sections%5B%5D=visits&sections%5B%5D=medications")).await.unwrap();
    assert_eq!(ticked.status(), StatusCode::FOUND);
    assert_eq!(ticked.headers()[header::LOCATION], "/sharing");
    let (_, sharing) = app.call(&grandpa, "proxy/sharing", &[]).await;
    assert_eq!(sharing["on_my_chart"][0]["sections"], serde_json::json!(["Visits", "Medications"]));
    let jordan = app.signed_in("jordan").await;
    assert_eq!(switch(app, &jordan, joe).await, StatusCode::OK);
    assert_eq!(app.call(&jordan, "medications/list", &[]).await.0, StatusCode::OK);
    assert_eq!(app.call(&jordan, "messages/inbox", &[]).await.0, StatusCode::FORBIDDEN);
    // Jordan cannot widen it back.
    let (status, _) =
        app.call(&jordan, "proxy/set_sections", &[("id", &g.to_string()), ("sections", "messages")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Joe ends it.
    assert_eq!(app.call(&grandpa, "proxy/end_grant", &[("id", &g.to_string())]).await.0, StatusCode::OK);
    let (status, body) = app.call(&jordan, "medications/list", &[]).await;
    assert_eq!((status, error_key(&body).as_str()), (StatusCode::FORBIDDEN, "AccessEnded"));
}

/// A 13th birthday narrows a parent's view at midnight *at the clinic* (here Los Angeles,
/// eight hours behind UTC in November), not at midnight UTC.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_13th_birthday_narrows_access_at_the_clinics_midnight() {
    use crate::common::{Backend, Options};
    let options = Options { time_zone: Some("America/Los_Angeles"), ..Default::default() };
    let app = TestApp::spawn_with(Backend::Sqlite, options).await.unwrap();
    // The test clock starts at 2026-11-25 12:00 UTC (04:00 in Los Angeles); she turns 13
    // on 2026-11-26.
    let child = app.add_patient("MRN-BDAY", "Birthday", "Child", "2013-11-26").await;
    let parent_user = app.add_user("parent", Role::Patient, None, "parent@example.org").await;
    grant(&app, parent_user, child, RequestKind::Minor, Relationship::Parent, &Section::GRANTABLE).await;
    let medications_as_parent = || async {
        let client = app.signed_in("parent").await;
        assert_eq!(switch(&app, &client, child).await, StatusCode::OK);
        app.call(&client, "medications/list", &[]).await.0
    };
    let hour = 3_600_000;
    // 2026-11-26 00:30 UTC: the 26th in UTC, still the 25th (16:30) at the clinic.
    app.clock.advance_ms(12 * hour + 30 * 60_000);
    assert_eq!(medications_as_parent().await, StatusCode::OK, "12 years old at the clinic");
    // 07:59 UTC: 23:59 on the 25th at the clinic.
    app.clock.advance_ms(7 * hour + 29 * 60_000);
    assert_eq!(medications_as_parent().await, StatusCode::OK, "a minute before the clinic's midnight");
    // 08:01 UTC: 00:01 on the 26th at the clinic. Every section stays, for a clinic whose
    // policy keeps them; this clinic's (the default's) teen view drops the medication list.
    app.clock.advance_ms(2 * 60_000);
    assert_eq!(medications_as_parent().await, StatusCode::FORBIDDEN, "13 at the clinic");
    app.cleanup().await;
}

/// The default teen policy keeps every section (the seed: "full access … except
/// information that has been restricted"), and Help says what the policy is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_teen_policy_keeps_every_section_and_help_says_so() {
    use crate::common::{Backend, Options};
    let options = Options { teen_proxy_sections: Some(Section::GRANTABLE.to_vec()), ..Default::default() };
    let app = TestApp::spawn_with(Backend::Sqlite, options).await.unwrap();
    let teen = app.add_patient("MRN-TEEN", "Tess", "Young", "2011-01-15").await;
    let parent_user = app.add_user("parent", Role::Patient, None, "parent@example.org").await;
    grant(&app, parent_user, teen, RequestKind::Minor, Relationship::Parent, &Section::GRANTABLE).await;
    let client = app.signed_in("parent").await;
    assert_eq!(switch(&app, &client, teen).await, StatusCode::OK);
    assert_eq!(app.call(&client, "medications/list", &[]).await.0, StatusCode::OK, "15, default policy");
    let (_, charts) = app.call(&client, "proxy/charts", &[]).await;
    assert_eq!(charts["choices"][0]["sections"].as_array().unwrap().len(), Section::GRANTABLE.len());

    let help = app.client().get(format!("{}/help", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(
        help.contains("From 13 to 17, a parent or guardian sees: Home, Visits, Test Results, Medications"),
        "{help}"
    );
    app.cleanup().await;
}
