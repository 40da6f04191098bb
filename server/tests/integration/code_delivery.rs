//! Issue 15, item 5: an activation code staff issued can be sent to the patient, as an
//! enrollment link e-mailed to the address on the chart or as a printed letter (PDF),
//! besides being read out. Both carry the code just issued, only while it is the chart's
//! open code; the mail names the organisation and nothing of the patient's care.
use crate::common::*;
use app::auth::Role;
use reqwest::{header, StatusCode};

on_both_databases!(
    an_emailed_link_carries_the_code_and_enrolls_once,
    the_letter_is_a_pdf_with_the_code_and_the_steps,
    only_the_open_code_of_that_chart_can_be_sent,
    a_chart_without_an_address_and_a_flood_of_mails_are_refused,
);

/// A front-desk user signed in, and a new code for `patient`: (client, code, body).
async fn desk_issues(app: &TestApp, patient: i64) -> (reqwest::Client, String, serde_json::Value) {
    app.add_user("front.desk", Role::Support, None, "fd@example.org").await;
    let desk = app.signed_in("front.desk").await;
    let (status, body) =
        app.call(&desk, "staff/issue_activation_code", &[("patient_id", &patient.to_string())]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let code = body["code"].as_str().unwrap().to_owned();
    (desk, code, body)
}

async fn an_emailed_link_carries_the_code_and_enrolls_once(app: &TestApp) {
    let pid = app.add_patient("D1", "Robin", "Hale", "1990-02-03").await;
    let (desk, code, issued) = desk_issues(app, pid).await;
    assert_eq!(issued["email_hint"], "p•••@example.org");
    let (status, body) = app
        .call(&desk, "staff/email_enrollment_link", &[("patient_id", &pid.to_string()), ("code", &code)])
        .await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, Some("p•••@example.org")));
    assert_eq!(app.audit_count("activation-link-emailed").await, 1);

    let mail = app.mail.wait_for("patient@example.org", 1).await;
    let raw = mail.raw.replace("=\r\n", "").replace("=3D", "=");
    let link_at = raw.find("/enroll?code=").expect("a link to the enrollment page");
    let in_link: String = raw[link_at + "/enroll?code=".len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    assert_eq!(in_link, code);
    // Nothing of the patient in the mail: not the name, not the birth date, no department.
    for private in ["Robin", "Hale", "1990-02-03", "Feb 3, 1990"] {
        assert!(!raw.contains(private), "{private} in the mail: {raw}");
    }

    // The link's page fills the code in; the date of birth is still asked.
    let page = app.client().get(format!("{}/enroll?code={code}", app.base)).send().await.unwrap();
    let html = page.text().await.unwrap();
    assert!(html.contains(&format!("value=\"{code}\"")), "the code is filled in");
    assert!(html.contains("name=\"birth_date\""));

    // The code enrolls once, whichever way it came.
    let enroll = |username: &'static str| {
        let code = code.clone();
        async move {
            app.call(
                &app.client(),
                "auth/enroll",
                &[
                    ("code", code.as_str()),
                    ("birth_date", "1990-02-03"),
                    ("username", username),
                    ("email", "robin@example.org"),
                    ("password", PASSWORD),
                    ("password_confirm", PASSWORD),
                ],
            )
            .await
        }
    };
    assert_eq!(enroll("robin.hale").await.0, StatusCode::OK);
    let (status, body) = enroll("robin.again").await;
    assert_eq!((status, error_key(&body).as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "activation.used"));
}

async fn the_letter_is_a_pdf_with_the_code_and_the_steps(app: &TestApp) {
    let pid = app.add_patient("D2", "Ana", "Núñez", "1985-07-09").await;
    app.execute(&format!("UPDATE patients SET language = 'es' WHERE id = {pid}")).await;
    let (desk, code, _) = desk_issues(app, pid).await;
    // The browser's own form post (it asks for a page), as the print button sends it.
    let response = desk
        .post(format!("{}/api/staff/activation_letter", app.base))
        .header(header::ORIGIN, &app.origin)
        .header(header::ACCEPT, "text/html")
        .header(header::REFERER, format!("{}/staff/activation-codes", app.base))
        .form(&[("patient_id", pid.to_string()), ("code", code.clone())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert_eq!(headers[header::CONTENT_TYPE], "application/pdf");
    assert_eq!(headers[header::CONTENT_DISPOSITION], "attachment; filename=\"activation-letter.pdf\"");
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    assert!(headers.get(header::LOCATION).is_none(), "no leftover redirect beside the file");
    let pdf = response.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    // As a reader extracts it (the fonts are embedded with their ToUnicode maps).
    let text = crate::documents::pdf_text(&pdf);
    assert!(text.contains(&code), "the code, printed: {text}");
    // In the patient's language, with the steps and the name as written.
    assert!(text.contains("Núñez"), "{text}");
    assert!(text.contains("Para registrarse:"));
    assert!(text.contains("/enroll"), "the enrollment address");
    assert_eq!(app.audit_count("activation-letter-printed").await, 1);

    // Ten letters a day per chart; the eleventh is refused.
    let form = [("patient_id", pid.to_string()), ("code", code.clone())];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    for n in 2..=10 {
        let (status, body) = app.call(&desk, "staff/activation_letter", &form).await;
        assert_eq!(status, StatusCode::OK, "letter {n}: {body}");
    }
    assert_eq!(app.call(&desk, "staff/activation_letter", &form).await.0, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(app.audit_count("activation-letter-printed").await, 10);
}

async fn only_the_open_code_of_that_chart_can_be_sent(app: &TestApp) {
    let pid = app.add_patient("D3", "Lee", "Park", "1979-05-05").await;
    let other = app.add_patient("D4", "Kim", "Park", "1981-06-06").await;
    let (desk, first, _) = desk_issues(app, pid).await;
    let send = |patient: i64, code: String| {
        let desk = desk.clone();
        async move {
            let (s, b) = app
                .call(
                    &desk,
                    "staff/email_enrollment_link",
                    &[("patient_id", &patient.to_string()), ("code", &code)],
                )
                .await;
            (s, error_key(&b))
        }
    };
    // A code of another chart, a made-up one, and text that is no code at all.
    assert_eq!(send(other, first.clone()).await.1, "activation.no_match");
    assert_eq!(send(pid, "ABCDE-FGHJK-MNPQR".into()).await.1, "activation.no_match");
    assert_eq!(send(pid, "not a code".into()).await.1, "activation.format");
    // A new code replaces the first: the first can no longer be sent or printed.
    let (s, b) = app.call(&desk, "staff/issue_activation_code", &[("patient_id", &pid.to_string())]).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(send(pid, first.clone()).await.1, "activation.replaced");
    let (s, b) = app
        .call(&desk, "staff/activation_letter", &[("patient_id", &pid.to_string()), ("code", &first)])
        .await;
    assert_eq!((s, error_key(&b).as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "activation.replaced"));
    // Past its 45 days, the open code is expired.
    let latest = app.call(&desk, "staff/issue_activation_code", &[("patient_id", &pid.to_string())]).await.1
        ["code"]
        .as_str()
        .unwrap()
        .to_owned();
    app.clock.advance_ms(46 * 24 * 60 * 60 * 1000);
    let desk = app.signed_in("front.desk").await;
    let (s, b) = app
        .call(&desk, "staff/email_enrollment_link", &[("patient_id", &pid.to_string()), ("code", &latest)])
        .await;
    assert_eq!((s, error_key(&b).as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "activation.expired"));
    // Patients cannot send codes at all.
    app.add_patient_user("lee.park").await;
    let patient = app.signed_in("lee.park").await;
    let (s, _) = app
        .call(&patient, "staff/email_enrollment_link", &[("patient_id", &pid.to_string()), ("code", &latest)])
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(app.mail.count_to("patient@example.org"), 0);
}

async fn a_chart_without_an_address_and_a_flood_of_mails_are_refused(app: &TestApp) {
    let pid = app.add_patient("D5", "Sam", "Reed", "1975-03-03").await;
    app.execute(&format!("UPDATE patients SET email = NULL WHERE id = {pid}")).await;
    let (desk, code, issued) = desk_issues(app, pid).await;
    assert!(issued["email_hint"].is_null());
    let (s, b) = app
        .call(&desk, "staff/email_enrollment_link", &[("patient_id", &pid.to_string()), ("code", &code)])
        .await;
    assert_eq!((s, error_key(&b).as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "patient.no_email"));

    // Three enrollment mails a day per chart; the fourth is refused and nothing is sent.
    app.execute(&format!("UPDATE patients SET email = 'sam@example.org' WHERE id = {pid}")).await;
    for n in 1..=3 {
        let (s, b) = app
            .call(&desk, "staff/email_enrollment_link", &[("patient_id", &pid.to_string()), ("code", &code)])
            .await;
        assert_eq!(s, StatusCode::OK, "mail {n}: {b}");
    }
    let (s, _) = app
        .call(&desk, "staff/email_enrollment_link", &[("patient_id", &pid.to_string()), ("code", &code)])
        .await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    app.mail.wait_for("sam@example.org", 3).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(app.mail.count_to("sam@example.org"), 3);
}
