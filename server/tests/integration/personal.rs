//! Personal information (issue 14, part 2), on both databases: the patient's own chart
//! only, every field checked at its own field, codes from the USCDI value sets only,
//! "choose not to answer" alone, saved and audited, the language remembered.
use crate::common::{error_key, TestApp};
use reqwest::StatusCode;
use serde_json::Value;

on_both_databases!(
    personal_information_is_saved_checked_and_the_patients_own,
    staff_who_find_charts_correct_personal_information,
    a_legal_name_is_corrected_by_medical_records,
);

async fn staff_who_find_charts_correct_personal_information(app: &TestApp) {
    let pat = app.add_patient_user("pat").await;
    app.add_user("support.sam", app::auth::Role::Support, None, "support@example.org").await;
    app.add_user("billing.kim", app::auth::Role::Billing, None, "billing@example.org").await;
    let support = app.signed_in("support.sam").await;
    let id = pat.to_string();
    let (s, info) = app.call(&support, "staff/personal/load", &[("patient_id", &id)]).await;
    assert_eq!((s, info["legal_name"].as_str()), (StatusCode::OK, Some("Pat Ient")), "{info}");
    let mut correction = form(&[("phone", "503-555-0142")]);
    correction.push(("patient_id", &id));
    let (s, b) = app.call(&support, "staff/personal/save", &correction).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let patient = app.signed_in("pat").await;
    assert_eq!(app.call(&patient, "personal/load", &[]).await.1["phone"], "5035550142");
    let on_chart = format!(
        "SELECT COUNT(*) FROM audit_log WHERE patient_id = {pat} AND action = 'personal-info-corrected'"
    );
    assert_eq!(app.count(&on_chart).await, 1);
    // Billing does not find charts: refused. A patient cannot use the staff door.
    let billing = app.signed_in("billing.kim").await;
    assert_eq!(
        app.call(&billing, "staff/personal/load", &[("patient_id", &id)]).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.call(&patient, "staff/personal/load", &[("patient_id", &id)]).await.0,
        StatusCode::FORBIDDEN
    );
}

fn form<'a>(changes: &[(&'static str, &'a str)]) -> Vec<(&'static str, &'a str)> {
    let mut form = vec![
        ("preferred_name", "Pat"),
        ("address_line", "12 Elm Street, Apt 3"),
        ("city", "Portland"),
        ("region", "OR"),
        ("postal_code", "97201"),
        ("phone", "(503) 555-0101"),
        ("emergency_name", "Lee Ient"),
        ("emergency_relationship", "Sister"),
        ("emergency_phone", "503 555 0199"),
        ("language", "es"),
        ("races", "2028-9,2106-3"),
        ("ethnicity", "2186-5"),
        ("sexual_orientation", "ASKU"),
        ("gender_identity", "33791000087105"),
        ("pronouns", "LA29520-6"),
    ];
    for (name, value) in changes {
        form.iter_mut().find(|(n, _)| n == name).expect("a field").1 = value;
    }
    form
}

async fn personal_information_is_saved_checked_and_the_patients_own(app: &TestApp) {
    app.add_patient_user("pat").await;
    let client = app.signed_in("pat").await;
    let (s, before) = app.call(&client, "personal/load", &[]).await;
    assert_eq!(s, StatusCode::OK, "{before}");
    assert_eq!(before["legal_name"], "Pat Ient");
    assert_eq!(before["races"], serde_json::json!([]));

    let field = |b: &Value| (b["Invalid"]["field"].as_str().unwrap_or("").to_owned(), error_key(b));
    let long = "x".repeat(101);
    let cases: Vec<(Vec<(&str, &str)>, &str, &str)> = vec![
        (form(&[("city", &long)]), "city", "personal.too_long"),
        (form(&[("phone", "555")]), "phone", "sign_up.phone_invalid"),
        (form(&[("emergency_phone", "call me")]), "emergency_phone", "sign_up.phone_invalid"),
        (form(&[("postal_code", "9#")]), "postal_code", "sign_up.postal_code_invalid"),
        (form(&[("language", "klingon")]), "language", "personal.bad_choice"),
        (form(&[("races", "2106-3,9999-9")]), "races", "personal.bad_choice"),
        (form(&[("races", "2106-3,ASKU")]), "races", "personal.decline_alone"),
        (form(&[("ethnicity", "2106-3")]), "ethnicity", "personal.bad_choice"),
        (form(&[("gender_identity", "UNK")]), "gender_identity", "personal.bad_choice"),
    ];
    for (f, at, key) in cases {
        let (s, b) = app.call(&client, "personal/save", &f).await;
        assert_eq!(
            (s, field(&b)),
            (StatusCode::UNPROCESSABLE_ENTITY, (at.to_owned(), key.to_owned())),
            "{at}"
        );
    }
    assert_eq!(app.call(&client, "personal/load", &[]).await.1, before, "nothing saved by a refused form");

    let res = app.call_raw(&client, "personal/save", &form(&[])).await;
    assert_eq!(res.status(), StatusCode::OK);
    let cookies: Vec<&str> =
        res.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).collect();
    assert!(cookies.iter().any(|c| c.starts_with("portico_lang=es")), "{cookies:?}");
    let (_, after) = app.call(&client, "personal/load", &[]).await;
    assert_eq!(after["phone"], "5035550101");
    assert_eq!(after["races"], serde_json::json!(["2028-9", "2106-3"]));
    assert_eq!(after["sexual_orientation"], "ASKU");
    assert_eq!(after["pronouns"], "LA29520-6");
    assert_eq!(after["legal_name"], "Pat Ient", "the legal name is not the patient's to change");
    assert_eq!(app.audit_count("personal-info-updated").await, 1);
    // The page, rendered on the server (a plain form, no wasm), shows what was saved: a
    // form sent again as it is shown keeps it.
    let page =
        client.get(format!("{}/account/personal", app.base)).send().await.unwrap().text().await.unwrap();
    for shown in ["value=\"12 Elm Street, Apt 3\"", "value=\"5035550101\"", "value=\"2028-9\" checked"] {
        assert!(page.contains(shown), "{shown} not in the page");
    }
    // Emptied, an answer is not asked rather than declined.
    app.call(&client, "personal/save", &form(&[("sexual_orientation", ""), ("races", "")])).await;
    let (_, emptied) = app.call(&client, "personal/load", &[]).await;
    assert_eq!(
        (emptied["sexual_orientation"].as_str(), emptied["races"].clone()),
        (Some(""), serde_json::json!([]))
    );

    // An account without a chart of its own has no personal information here.
    app.add_user("carer", app::auth::Role::Patient, None, "carer@example.org").await;
    let carer = app.signed_in("carer").await;
    assert_eq!(app.call(&carer, "personal/load", &[]).await.0, StatusCode::FORBIDDEN);
    assert_eq!(app.call(&carer, "personal/save", &form(&[])).await.0, StatusCode::FORBIDDEN);
}

async fn a_legal_name_is_corrected_by_medical_records(app: &TestApp) {
    let pat = app.add_patient_user("pat").await;
    app.add_user("him.lee", app::auth::Role::Him, None, "him@example.org").await;
    app.add_user("support.sam", app::auth::Role::Support, None, "support@example.org").await;
    let patient = app.signed_in("pat").await;
    let ask = |given: &'static str, birth: &'static str| {
        vec![
            ("given_name", given),
            ("family_name", "Ient-Lowe"),
            ("birth_date", birth),
            ("note", "Married in June"),
        ]
    };
    let (_, b) = app.call(&patient, "personal/request_correction", &ask(" ", "1980-01-01")).await;
    assert_eq!(error_key(&b), "sign_up.name_required");
    let (_, b) = app.call(&patient, "personal/request_correction", &ask("Pat", "2999-01-01")).await;
    assert_eq!(error_key(&b), "sign_up.birth_date_invalid");
    let (s, b) = app.call(&patient, "personal/request_correction", &ask("Pat", "1980-01-01")).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (_, b) = app.call(&patient, "personal/request_correction", &ask("Patricia", "1980-01-01")).await;
    assert_eq!(error_key(&b), "correction.pending", "one waiting at a time");

    // HIM alone sees the queue and decides; a denial needs a reason.
    let support = app.signed_in("support.sam").await;
    assert_eq!(app.call(&support, "staff/corrections/queue", &[]).await.0, StatusCode::FORBIDDEN);
    let him = app.signed_in("him.lee").await;
    let (s, queue) = app.call(&him, "staff/corrections/queue", &[]).await;
    assert_eq!(s, StatusCode::OK, "{queue}");
    let id = queue[0]["id"].as_i64().unwrap().to_string();
    assert_eq!(queue[0]["current_name"], "Pat Ient");
    let (_, b) = app.call(&him, "staff/corrections/decide", &[("id", &id), ("approve", "false")]).await;
    assert_eq!(error_key(&b), "proxy.reason_required");
    let (s, b) = app.call(&him, "staff/corrections/decide", &[("id", &id), ("approve", "true")]).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (_, b) = app
        .call(&him, "staff/corrections/decide", &[("id", &id), ("approve", "false"), ("reason", "x")])
        .await;
    assert_eq!(error_key(&b), "proxy.already_decided");
    assert_eq!(app.call(&patient, "personal/load", &[]).await.1["legal_name"], "Pat Ient-Lowe");
    assert_eq!(app.me(&patient).await.1["display_name"], "Pat Ient-Lowe");
    let (_, mine) = app.call(&patient, "personal/corrections", &[]).await;
    assert_eq!(mine[0]["status"], "Approved");
    let corrected =
        format!("SELECT COUNT(*) FROM audit_log WHERE patient_id = {pat} AND action = 'identity-corrected'");
    assert_eq!(app.count(&corrected).await, 1);

    // A denial says why.
    app.call(&patient, "personal/request_correction", &ask("Patty", "1980-01-01")).await;
    let (_, queue) = app.call(&him, "staff/corrections/queue", &[]).await;
    let id = queue[0]["id"].as_i64().unwrap().to_string();
    let form =
        [("id", id.as_str()), ("approve", "false"), ("reason", "Please bring the marriage certificate")];
    assert_eq!(app.call(&him, "staff/corrections/decide", &form).await.0, StatusCode::OK);
    let (_, mine) = app.call(&patient, "personal/corrections", &[]).await;
    assert_eq!(
        (mine[0]["status"].as_str(), mine[0]["reason"].as_str()),
        (Some("Denied"), Some("Please bring the marriage certificate"))
    );
}
