//! Sign-up without an activation code (issue 14, part 1) and e-mail confirmation codes,
//! on both databases: a matching adult who answers the chart's three questions gets an
//! account; no match, a wrong answer, a chart that has an account or was asked about too
//! often all get one answer; every field has its message; the limits hold; and an address
//! gets no reset code or notice until its code was typed.
use std::collections::HashSet;

use crate::common::{error_key, TestApp, PASSWORD};
use app::{
    medications::store::{insert_medication, NewMedication},
    patients::store::{add_to_care_team, insert_provider, NewProvider},
    summary::store::insert_immunization,
    visits::store::{insert_encounter, NewEncounter},
};
use reqwest::StatusCode;
use serde_json::Value;

on_both_databases!(
    a_matching_adult_who_answers_right_gets_an_account_that_confirms_its_email,
    no_match_wrong_answers_and_enrolled_charts_get_one_answer,
    three_wrong_answers_close_online_sign_up_for_the_chart,
    each_field_has_its_message_and_the_limits_hold,
    an_unconfirmed_address_gets_no_reset_code_until_its_code_is_typed,
    changing_the_email_needs_the_password_and_a_code_to_the_new_address,
);

const NEW_PASSWORD: &str = "copper meadow lantern 58";

/// Riley's chart: two visits in 2025 (March, October) with one provider, two medications,
/// one vaccine; and another chart whose names are the decoys.
struct Chart {
    patient_id: i64,
    months: HashSet<String>,
    providers: HashSet<String>,
    medications: HashSet<String>,
    vaccines: HashSet<String>,
}

async fn riley(app: &TestApp) -> Chart {
    let db = &app.state.db;
    let patient_id = app.add_patient("S1", "Riley", "Chen", "1979-11-02").await;
    app.execute(&format!(
        "UPDATE patients SET postal_code = '97206', phone = '5035550142' WHERE id = {patient_id}"
    ))
    .await;
    let provider = |name: &'static str, npi: &'static str| NewProvider {
        display_name: name,
        specialty: "Family Medicine",
        department: "Clinic",
        npi: Some(npi),
        user_id: None,
    };
    let martinez = insert_provider(db, &provider("Dr. Sofia Martinez", "1")).await.unwrap();
    for (name, npi) in [("Dr. Ben Okafor", "2"), ("Dr. Hana Sato", "3"), ("Dr. Alex Rivera", "4")] {
        insert_provider(db, &provider(name, npi)).await.unwrap();
    }
    add_to_care_team(db, patient_id, martinez, "Primary care provider").await.unwrap();
    for day in ["2025-03-14", "2025-10-02"] {
        let date = app::dates::parse_date(day).unwrap();
        let visit = NewEncounter {
            patient_id,
            provider_id: Some(martinez),
            department: "Clinic",
            kind: "Office visit",
            class_code: "AMB",
            status: "finished",
            start_at: app.state.clock.start_of_day(date) + 10 * 3_600_000,
            minutes: 30,
            reason: "Check-up",
            avs_text: None,
            note_text: None,
        };
        insert_encounter(db, &visit).await.unwrap();
    }
    let other = app.add_patient("S2", "Dana", "Other", "1970-01-01").await;
    let meds = [(patient_id, "Levothyroxine"), (patient_id, "Albuterol")]
        .into_iter()
        .chain(["Metformin", "Lisinopril", "Atorvastatin"].map(|m| (other, m)));
    for (pid, name) in meds {
        let m = NewMedication {
            patient_id: pid,
            rxnorm: "1",
            name,
            dose: "1 tablet",
            sig: "Daily",
            prescriber_id: None,
            start_date: "2025-01-01",
            end_date: None,
            refills_remaining: 0,
        };
        insert_medication(db, &m).await.unwrap();
    }
    insert_immunization(db, patient_id, "88", "Influenza", "2025-10-02").await.unwrap();
    for name in ["Tdap", "MMR", "Hepatitis B"] {
        insert_immunization(db, other, "0", name, "2020-01-01").await.unwrap();
    }
    let set = |items: &[&str]| items.iter().map(|s| s.to_string()).collect();
    Chart {
        patient_id,
        months: set(&["3", "10"]),
        providers: set(&["Dr. Sofia Martinez"]),
        medications: set(&["Levothyroxine", "Albuterol"]),
        vaccines: set(&["Influenza"]),
    }
}

fn applicant<'a>(postal_code: &'a str, phone: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![
        ("given_name", "riley"),
        ("family_name", " Chen "),
        ("birth_date", "1979-11-02"),
        ("postal_code", postal_code),
        ("phone", phone),
        ("email", "Riley@Example.org"),
    ]
}

async fn start(app: &TestApp, client: &reqwest::Client, form: &[(&str, &str)]) -> (StatusCode, Value) {
    app.call(client, "signup/start", form).await
}

/// The index of the chart's own answer in each question (the first choice when none is:
/// a decoy quiz).
fn right_answers(chart: &Chart, quiz: &Value) -> Vec<String> {
    let questions = quiz["questions"].as_array().expect("questions");
    assert_eq!(questions.len(), 3, "{quiz}");
    questions
        .iter()
        .map(|q| {
            let choices: Vec<&str> =
                q["choices"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
            assert_eq!(choices.len(), 4, "{q}");
            let theirs = match &q["kind"] {
                Value::Object(kind) if kind.contains_key("VisitMonth") => &chart.months,
                Value::String(kind) if kind == "Provider" => &chart.providers,
                Value::String(kind) if kind == "Medication" => &chart.medications,
                Value::String(kind) if kind == "Immunization" => &chart.vaccines,
                other => panic!("unknown question {other}"),
            };
            let at = choices.iter().position(|c| theirs.contains(*c)).unwrap_or(0);
            at.to_string()
        })
        .collect()
}

async fn answer(
    app: &TestApp,
    client: &reqwest::Client,
    token: &str,
    answers: &[String],
) -> (StatusCode, Value) {
    let form =
        [("token", token), ("answer_0", &answers[0]), ("answer_1", &answers[1]), ("answer_2", &answers[2])];
    app.call(client, "signup/answer", &form).await
}

fn code_in(raw: &str) -> String {
    let at = raw.find("page: ").expect("code line") + "page: ".len();
    raw[at..at + app::auth::email_code::EMAIL_CODE_DIGITS].to_owned()
}

async fn a_matching_adult_who_answers_right_gets_an_account_that_confirms_its_email(app: &TestApp) {
    let chart = riley(app).await;
    let client = app.client();
    // The phone alone matches (the postal code is another).
    let begun = std::time::Instant::now();
    let (status, quiz) = start(app, &client, &applicant("10001", "(503) 555-0142")).await;
    assert_eq!(status, StatusCode::OK, "{quiz}");
    assert!(begun.elapsed().as_millis() >= 400, "answered sooner than the floor");
    let token = quiz["token"].as_str().unwrap();
    let answers = right_answers(&chart, &quiz);
    let (status, verified) = answer(app, &client, token, &answers).await;
    assert_eq!(status, StatusCode::OK, "{verified}");
    assert_eq!(verified["given_name"], "Riley", "the chart's spelling, once verified");

    // A weak password and a taken username are refused at their fields; the token holds.
    app.add_patient_user("taken").await;
    let account = |username: &'static str, password: &'static str| {
        vec![("token", token), ("username", username), ("password", password), ("password_confirm", password)]
    };
    let (s, b) = app.call(&client, "signup/account", &account("riley", "password1234")).await;
    assert_eq!((s, error_key(&b)), (StatusCode::UNPROCESSABLE_ENTITY, "password.too_weak".into()));
    let (s, b) = app.call(&client, "signup/account", &account("taken", NEW_PASSWORD)).await;
    assert_eq!(error_key(&b), "username.taken", "{s}");
    let (s, b) = app.call(&client, "signup/account", &account("riley.c", NEW_PASSWORD)).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (_, me) = app.me(&client).await;
    assert_eq!(me["username"], "riley.c");
    assert_eq!(me["chart_name"], "Riley Chen");
    // Used: the token makes no second account.
    let (s, b) = app.call(&client, "signup/account", &account("riley.d", NEW_PASSWORD)).await;
    assert_eq!((s, error_key(&b)), (StatusCode::UNPROCESSABLE_ENTITY, "sign_up.expired".into()));

    // The address is not confirmed until the mailed code is typed.
    let (_, status) = app.call(&client, "account/email_status", &[]).await;
    assert_eq!(
        (status["email"].as_str(), status["confirmed"].as_bool()),
        (Some("riley@example.org"), Some(false))
    );
    let mail = app.mail.wait_for("riley@example.org", 1).await;
    assert!(!mail.raw.contains("Riley") && !mail.raw.contains("Chen"), "no names in the mail: {}", mail.raw);
    let (s, b) = app.call(&client, "account/confirm_email", &[("code", "00000000")]).await;
    assert_eq!((s, error_key(&b)), (StatusCode::UNPROCESSABLE_ENTITY, "email.code_wrong".into()));
    let (s, b) = app.call(&client, "account/confirm_email", &[("code", &code_in(&mail.raw))]).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (_, status) = app.call(&client, "account/email_status", &[]).await;
    assert_eq!(status["confirmed"], true);
    let on_chart = |action: &str| {
        format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = '{action}' AND patient_id = {}",
            chart.patient_id
        )
    };
    // The address on the chart (not the one typed) is told an account was made.
    let told = app.mail.wait_for("patient@example.org", 1).await;
    assert!(told.raw.contains("was just created for you"), "{}", told.raw);
    for action in ["identity-quiz", "identity-verified", "sign-up"] {
        assert_eq!(app.count(&on_chart(action)).await, 1, "{action}");
    }
}

async fn no_match_wrong_answers_and_enrolled_charts_get_one_answer(app: &TestApp) {
    let chart = riley(app).await;
    let client = app.client();
    let not_verified = (StatusCode::UNPROCESSABLE_ENTITY, "sign_up.not_verified".to_string());

    // Neither the postal code nor the phone is the chart's: the same questions as for the
    // real Riley (they depend on the name and birth date only), and no way through.
    let (status, quiz) = start(app, &client, &applicant("10001", "2125550100")).await;
    assert_eq!(status, StatusCode::OK, "{quiz}");
    let token = quiz["token"].as_str().unwrap().to_owned();
    let (s, b) = answer(app, &client, &token, &right_answers(&chart, &quiz)).await;
    assert_eq!((s, error_key(&b)), not_verified);
    let (_, again) = start(app, &client, &applicant("97206", "2125550100")).await;
    assert_eq!(again["questions"], quiz["questions"], "the same questions at every try");
    assert_ne!(again["token"], quiz["token"]);
    // Nobody of that name and birth date: decoys, the same at each try too.
    let mut stranger = applicant("10001", "2125550100");
    stranger[0].1 = "Robin";
    let (_, decoys) = start(app, &client, &stranger).await;
    let (_, decoys_again) = start(app, &client, &stranger).await;
    assert_eq!(decoys["questions"], decoys_again["questions"]);
    assert_ne!(decoys["questions"], quiz["questions"]);

    // The chart matched, one answer wrong: the same answer; and no second try.
    let (_, quiz) = start(app, &client, &applicant("97206", "2125550100")).await;
    let token = quiz["token"].as_str().unwrap().to_owned();
    let mut answers = right_answers(&chart, &quiz);
    answers[1] = ((answers[1].parse::<usize>().unwrap() + 1) % 4).to_string();
    assert_eq!(error_key(&answer(app, &client, &token, &answers).await.1), not_verified.1);
    let right = right_answers(&chart, &quiz);
    assert_eq!(error_key(&answer(app, &client, &token, &right).await.1), not_verified.1, "one try");
    let form = [
        ("token", token.as_str()),
        ("username", "sneaky"),
        ("password", NEW_PASSWORD),
        ("password_confirm", NEW_PASSWORD),
    ];
    assert_eq!(error_key(&app.call(&client, "signup/account", &form).await.1), "sign_up.expired");
    // A question left unanswered is asked again, at its field, and costs no try.
    let (_, quiz) = start(app, &client, &applicant("97206", "2125550100")).await;
    let token = quiz["token"].as_str().unwrap().to_owned();
    let partial = [("token", token.as_str()), ("answer_0", "1"), ("answer_2", "1")];
    let (s, b) = app.call(&client, "signup/answer", &partial).await;
    assert_eq!(
        (s, b["Invalid"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("answer_1")),
        "{b}"
    );

    // The chart gets an account; the next applicant who matches it (the next day: three
    // tries a day), even knowing every answer, is told the same, and the account's owner
    // is told someone tried.
    app.clock.advance_ms(25 * 3_600_000);
    app.add_user("riley.owner", app::auth::Role::Patient, Some(chart.patient_id), "owner@example.org").await;
    let (_, quiz) = start(app, &client, &applicant("97206", "2125550100")).await;
    let token = quiz["token"].as_str().unwrap().to_owned();
    let (s, b) = answer(app, &client, &token, &right_answers(&chart, &quiz)).await;
    assert_eq!((s, error_key(&b)), not_verified);
    let mail = app.mail.wait_for("owner@example.org", 1).await;
    assert!(mail.raw.contains("tried to sign up") && mail.raw.contains("+1 555 0199"), "{}", mail.raw);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE patient_id IS NOT NULL").await,
        1,
        "no new account"
    );
}

async fn each_field_has_its_message_and_the_limits_hold(app: &TestApp) {
    let chart = riley(app).await;
    let client = app.client();
    let field = |body: &Value| (body["Invalid"]["field"].as_str().unwrap_or("").to_owned(), error_key(body));
    let cases: [(&str, &str, &str, &str); 8] = [
        ("given_name", "  ", "given_name", "sign_up.name_required"),
        ("family_name", &"x".repeat(101), "family_name", "sign_up.name_too_long"),
        ("birth_date", "1979-13-40", "birth_date", "sign_up.birth_date_invalid"),
        ("birth_date", "2099-01-01", "birth_date", "sign_up.birth_date_invalid"),
        ("birth_date", "2010-01-01", "birth_date", "sign_up.under_18"),
        ("postal_code", "9#", "postal_code", "sign_up.postal_code_invalid"),
        ("phone", "555-01", "phone", "sign_up.phone_invalid"),
        ("email", "riley@", "email", "email.invalid"),
    ];
    for (name, value, at, key) in cases {
        let mut form = applicant("97206", "5035550142");
        form.iter_mut().find(|(n, _)| *n == name).unwrap().1 = value;
        let (s, b) = start(app, &client, &form).await;
        assert_eq!(
            (s, field(&b)),
            (StatusCode::UNPROCESSABLE_ENTITY, (at.to_owned(), key.to_owned())),
            "{name}={value}"
        );
    }
    // None of those counted. Three quizzes about one chart a day; the fourth is a decoy
    // that the right answers do not pass.
    for n in 0..4 {
        let (s, quiz) = start(app, &client, &applicant("97206", "5035550142")).await;
        assert_eq!(s, StatusCode::OK, "{quiz}");
        if n == 3 {
            let token = quiz["token"].as_str().unwrap();
            let (s, b) = answer(app, &client, token, &right_answers(&chart, &quiz)).await;
            assert_eq!((s, error_key(&b)), (StatusCode::UNPROCESSABLE_ENTITY, "sign_up.not_verified".into()));
        }
    }
    // Every start showed the chart's questions (audited), one was refused as the fourth.
    assert_eq!(app.audit_count("identity-quiz").await, 4);
    assert_eq!(app.audit_count("sign-up-refused").await, 1);
    // Ten starts an hour from one network, whatever they name.
    for _ in 4..10 {
        assert_eq!(start(app, &client, &applicant("10001", "2125550100")).await.0, StatusCode::OK);
    }
    let (s, _) = start(app, &client, &applicant("10001", "2125550100")).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
}

async fn three_wrong_answers_close_online_sign_up_for_the_chart(app: &TestApp) {
    let chart = riley(app).await;
    let client = app.client();
    for _ in 0..3 {
        let (_, quiz) = start(app, &client, &applicant("97206", "5035550142")).await;
        let mut answers = right_answers(&chart, &quiz);
        answers[0] = ((answers[0].parse::<usize>().unwrap() + 1) % 4).to_string();
        let token = quiz["token"].as_str().unwrap();
        assert_eq!(error_key(&answer(app, &client, token, &answers).await.1), "sign_up.not_verified");
    }
    // A day later the daily limit is past, but the chart's online sign-up stays closed.
    app.clock.advance_ms(25 * 3_600_000);
    let (_, quiz) = start(app, &client, &applicant("97206", "5035550142")).await;
    let token = quiz["token"].as_str().unwrap();
    let (s, b) = answer(app, &client, token, &right_answers(&chart, &quiz)).await;
    assert_eq!((s, error_key(&b)), (StatusCode::UNPROCESSABLE_ENTITY, "sign_up.not_verified".into()));
    assert_eq!(app.audit_count("identity-failed").await, 3);
    let locked = "SELECT COUNT(*) FROM audit_log WHERE action = 'sign-up-refused' AND detail LIKE '%locked%'";
    assert_eq!(app.count(locked).await, 1);
}

/// A patient whose address is not confirmed yet, signed in; the code mail already sent.
async fn unconfirmed(app: &TestApp, username: &str, email: &str) -> reqwest::Client {
    let pid = app.add_patient(&format!("U-{username}"), "Uma", "Tested", "1980-01-01").await;
    let id = app.add_user(username, app::auth::Role::Patient, Some(pid), email).await;
    app.execute(&format!("UPDATE users SET email_confirmed_at = NULL WHERE id = {id}")).await;
    let client = app.signed_in(username).await;
    let (s, b) = app.call(&client, "account/resend_email_code", &[]).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    client
}

async fn an_unconfirmed_address_gets_no_reset_code_until_its_code_is_typed(app: &TestApp) {
    let client = unconfirmed(app, "uma", "uma@example.org").await;
    let first = app.mail.wait_for("uma@example.org", 1).await;
    // Forgot password: the same answer as ever, and no code is made or sent.
    assert_eq!(app.call(&app.client(), "auth/request_reset", &[("who", "uma")]).await.0, StatusCode::OK);
    // Five wrong codes end the code; a new one works.
    for _ in 0..5 {
        let (_, b) = app.call(&client, "account/confirm_email", &[("code", "12345678")]).await;
        assert_eq!(error_key(&b), "email.code_wrong");
    }
    let (_, b) = app.call(&client, "account/confirm_email", &[("code", &code_in(&first.raw))]).await;
    assert_eq!(error_key(&b), "email.code_none");
    assert_eq!(app.call(&client, "account/resend_email_code", &[]).await.0, StatusCode::OK);
    let second = app.mail.wait_for("uma@example.org", 2).await;
    let (s, b) = app.call(&client, "account/confirm_email", &[("code", &code_in(&second.raw))]).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    // Now a reset is mailed: the queue is in order, so the earlier request was done first.
    assert_eq!(app.call(&app.client(), "auth/request_reset", &[("who", "uma")]).await.0, StatusCode::OK);
    let reset = app.mail.wait_for("uma@example.org", 3).await;
    assert!(reset.raw.contains("Your code is"), "{}", reset.raw);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM password_resets").await,
        1,
        "none for the unconfirmed address"
    );
    // Confirmed: nothing left to send.
    let (_, b) = app.call(&client, "account/resend_email_code", &[]).await;
    assert_eq!(error_key(&b), "email.code_none");
    // Five code mails an hour per account.
    let other = unconfirmed(app, "uma.two", "uma2@example.org").await;
    for _ in 1..5 {
        assert_eq!(app.call(&other, "account/resend_email_code", &[]).await.0, StatusCode::OK);
    }
    assert_eq!(app.call(&other, "account/resend_email_code", &[]).await.0, StatusCode::TOO_MANY_REQUESTS);
}

async fn changing_the_email_needs_the_password_and_a_code_to_the_new_address(app: &TestApp) {
    app.add_patient_user("casey").await;
    let client = app.signed_in("casey").await;
    let change = |email: &'static str, password: &'static str| {
        vec![("new_email", email), ("current_password", password)]
    };
    let (s, b) =
        app.call(&client, "account/change_email", &change("casey.new@example.org", "wrong password")).await;
    assert_eq!((s, error_key(&b)), (StatusCode::UNPROCESSABLE_ENTITY, "password.current_wrong".into()));
    let (_, b) = app.call(&client, "account/change_email", &change("casey@example.org", PASSWORD)).await;
    assert_eq!(error_key(&b), "email.unchanged");
    let (_, b) = app.call(&client, "account/change_email", &change("not-an-address", PASSWORD)).await;
    assert_eq!(error_key(&b), "email.invalid");
    let (s, b) = app.call(&client, "account/change_email", &change("Casey.New@Example.org", PASSWORD)).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    // The address stays until the code is typed.
    let (_, status) = app.call(&client, "account/email_status", &[]).await;
    assert_eq!(status["email"], "casey@example.org");
    assert_eq!(status["pending"], "casey.new@example.org");
    let mail = app.mail.wait_for("casey.new@example.org", 1).await;
    let (s, b) = app.call(&client, "account/confirm_email", &[("code", &code_in(&mail.raw))]).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (_, status) = app.call(&client, "account/email_status", &[]).await;
    assert_eq!(
        (status["email"].as_str(), status["confirmed"].as_bool()),
        (Some("casey.new@example.org"), Some(true))
    );
    let told = app.mail.wait_for("casey@example.org", 1).await;
    assert!(told.raw.contains("was just changed") && !told.raw.contains("casey.new"), "{}", told.raw);
    assert_eq!(app.audit_count("email-confirmed").await, 1);
}
