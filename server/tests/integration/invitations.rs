//! Caregiver accounts by invitation (issue 14, part 4), on both databases: an adult
//! patient invites someone; the e-mailed link (no names in the mail) opens a page that
//! makes an account with no chart of its own, or is accepted by an existing account; the
//! grant appears in the switcher; the link works once and for 14 days; every field has its
//! message; a minor, a proxy and a stranger cannot invite.
use crate::common::{error_key, TestApp};
use reqwest::StatusCode;
use serde_json::Value;

on_both_databases!(
    an_invited_caregiver_makes_an_account_and_sees_the_chart,
    an_existing_account_accepts_and_the_link_works_once,
    invitations_are_checked_and_limited,
    him_invites_the_holder_of_a_paper_authorization,
    a_patient_withdraws_an_invitation_and_its_link_stops,
);

async fn a_patient_withdraws_an_invitation_and_its_link_stops(app: &TestApp) {
    app.add_patient_user("joe").await;
    app.add_patient_user("other").await;
    let joe = app.signed_in("joe").await;
    let form = invite_form("Sam", "sam@example.org", "caregiver", "home");
    assert_eq!(app.call(&joe, "invitations/send", &form).await.0, StatusCode::OK);
    let token = token_mailed(app, "sam@example.org", 1).await;
    let (s, waiting) = app.call(&joe, "invitations/waiting", &[]).await;
    assert_eq!((s, waiting.as_array().map(Vec::len)), (StatusCode::OK, Some(1)), "{waiting}");
    assert_eq!(waiting[0]["email"], "sam@example.org");
    let id = waiting[0]["id"].as_i64().unwrap().to_string();
    // Not another patient's to withdraw.
    let other = app.signed_in("other").await;
    assert_eq!(app.call(&other, "invitations/withdraw", &[("id", &id)]).await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.call(&joe, "invitations/withdraw", &[("id", &id)]).await.0, StatusCode::OK);
    assert_eq!(
        app.call(&app.client(), "invitations/load", &[("token", &token)]).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.call(&joe, "invitations/waiting", &[]).await.1, serde_json::json!([]));
    assert_eq!(app.call(&joe, "invitations/withdraw", &[("id", &id)]).await.0, StatusCode::NOT_FOUND, "once");
    assert_eq!(app.audit_count("invitation-withdrawn").await, 1);
}

async fn him_invites_the_holder_of_a_paper_authorization(app: &TestApp) {
    let child = app.add_patient("K1", "Kid", "Young", "2019-04-01").await;
    app.add_user("him.lee", app::auth::Role::Him, None, "him@example.org").await;
    app.add_user("support.sam", app::auth::Role::Support, None, "support@example.org").await;
    let him = app.signed_in("him.lee").await;
    let id = child.to_string();
    let form = |relationship: &'static str| {
        vec![
            ("patient_id", id.clone()),
            ("name", "Gale Guardian".to_owned()),
            ("email", "gale@example.org".to_owned()),
            ("relationship", relationship.to_owned()),
            ("sections", "home,visits".to_owned()),
        ]
    };
    let as_refs =
        |f: &Vec<(&'static str, String)>| f.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>();
    // A child's chart: a parent or a legal guardian only.
    let (_, b) = app.call_owned(&him, "staff/invitations/send", as_refs(&form("spouse"))).await;
    assert_eq!(error_key(&b), "proxy.relationship_required");
    let support = app.signed_in("support.sam").await;
    assert_eq!(
        app.call_owned(&support, "staff/invitations/send", as_refs(&form("legal-guardian"))).await.0,
        StatusCode::FORBIDDEN
    );
    let (s, b) = app.call_owned(&him, "staff/invitations/send", as_refs(&form("legal-guardian"))).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let token = token_mailed(app, "gale@example.org", 1).await;
    let gale = app.client();
    let account = [
        ("token", token.as_str()),
        ("username", "gale"),
        ("password", NEW_PASSWORD),
        ("password_confirm", NEW_PASSWORD),
    ];
    // A guardian's invitation no longer applies once the child is 18: an adult decides.
    let birth: String = sqlx::query_scalar("SELECT birth_date FROM patients WHERE id = $1")
        .bind(child)
        .fetch_one(&app.state.db.read)
        .await
        .unwrap();
    app.execute(&format!("UPDATE patients SET birth_date = '2000-01-01' WHERE id = {child}")).await;
    let (s, b) = app.call(&gale, "invitations/create_account", &account).await;
    assert_eq!((s, error_key(&b).as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "invitation.gone"));
    assert_eq!(app.call(&gale, "invitations/load", &[("token", &token)]).await.0, StatusCode::NOT_FOUND);
    app.execute(&format!("UPDATE patients SET birth_date = '{birth}' WHERE id = {child}")).await;
    assert_eq!(app.call(&gale, "invitations/create_account", &account).await.0, StatusCode::OK);
    assert_eq!(chart_ids(app, &gale).await, vec![child]);
    let kind: String = sqlx::query_scalar("SELECT kind FROM proxy_grants WHERE patient_id = $1")
        .bind(child)
        .fetch_one(&app.state.db.read)
        .await
        .unwrap();
    assert_eq!(kind, "minor", "a guardian's grant on a child's chart");
}

const NEW_PASSWORD: &str = "amber lighthouse violin 63";

fn invite_form<'a>(
    name: &'a str,
    email: &'a str,
    relationship: &'a str,
    sections: &'a str,
) -> Vec<(&'static str, &'a str)> {
    vec![
        ("name", name),
        ("email", email),
        ("relationship", relationship),
        ("sections", sections),
        ("ends_on", ""),
    ]
}

/// The token in the newest invitation mail to `to` (the `n`-th mail there).
async fn token_mailed(app: &TestApp, to: &str, n: usize) -> String {
    let mail = app.mail.wait_for(to, n).await;
    let raw = mail.raw.replace("=\r\n", "").replace("=3D", "=");
    let at = raw.find("token=").expect("a link") + "token=".len();
    raw[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
}

async fn chart_ids(app: &TestApp, client: &reqwest::Client) -> Vec<i64> {
    let (status, body) = app.call(client, "proxy/charts", &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["choices"].as_array().unwrap().iter().map(|c| c["patient_id"].as_i64().unwrap()).collect()
}

async fn an_invited_caregiver_makes_an_account_and_sees_the_chart(app: &TestApp) {
    let joe = app.add_patient_user("joe").await;
    let client = app.signed_in("joe").await;
    let form = invite_form("Sam Carter", "Sam@Example.org", "caregiver", "messages,medications");
    let (s, b) = app.call(&client, "invitations/send", &form).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let mail = app.mail.wait_for("sam@example.org", 1).await;
    assert!(!mail.raw.contains("Pat") && !mail.raw.contains("Ient"), "no name in the mail: {}", mail.raw);
    let token = token_mailed(app, "sam@example.org", 1).await;

    let sam = app.client();
    let (s, view) = app.call(&sam, "invitations/load", &[("token", &token)]).await;
    assert_eq!(s, StatusCode::OK, "{view}");
    assert_eq!(app.audit_count("invitation-opened").await, 1, "the chart's name was read");
    assert_eq!(view["chart_name"], "Pat Ient");
    assert_eq!(view["invited_name"], "Sam Carter");
    let mut sections: Vec<&str> =
        view["sections"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
    sections.sort();
    assert_eq!(sections, ["Medications", "Messages"]);
    assert_eq!(view["signed_in_as"], Value::Null);
    assert_eq!(
        app.call(&sam, "invitations/load", &[("token", "not-a-token")]).await.0,
        StatusCode::NOT_FOUND
    );

    let account = |password: &'static str| {
        vec![
            ("token", token.as_str()),
            ("username", "sam"),
            ("password", password),
            ("password_confirm", password),
        ]
    };
    let (_, b) = app.call(&sam, "invitations/create_account", &account("password1234")).await;
    assert_eq!(error_key(&b), "password.too_weak");
    let (s, b) = app.call(&sam, "invitations/create_account", &account(NEW_PASSWORD)).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (_, me) = app.me(&sam).await;
    assert_eq!(me["username"], "sam");
    assert_eq!(chart_ids(app, &sam).await, vec![joe], "the chart is in the switcher, and no own chart");
    let (_, status) = app.call(&sam, "account/email_status", &[]).await;
    assert_eq!(
        (status["email"].as_str(), status["confirmed"].as_bool()),
        (Some("sam@example.org"), Some(true))
    );
    // Used: the link does nothing more.
    let (s, b) = app.call(&app.client(), "invitations/create_account", &account(NEW_PASSWORD)).await;
    assert_eq!((s, error_key(&b)), (StatusCode::UNPROCESSABLE_ENTITY, "invitation.gone".into()));
    assert_eq!(app.audit_count("invitation-sent").await, 1);
    assert_eq!(app.audit_count("invitation-accepted").await, 1);
}

async fn an_existing_account_accepts_and_the_link_works_once(app: &TestApp) {
    let joe = app.add_patient_user("joe").await;
    let dana = app.add_patient_user("dana").await;
    let joe_client = app.signed_in("joe").await;
    let form = invite_form("Dana", "dana@example.org", "adult-child", "home,visits");
    assert_eq!(app.call(&joe_client, "invitations/send", &form).await.0, StatusCode::OK);
    let token = token_mailed(app, "dana@example.org", 1).await;
    let dana_client = app.signed_in("dana").await;
    let (_, view) = app.call(&dana_client, "invitations/load", &[("token", &token)]).await;
    assert_eq!(view["signed_in_as"], "dana");
    // The patient cannot accept an invitation to their own chart.
    let (_, b) = app.call(&joe_client, "invitations/accept", &[("token", &token)]).await;
    assert_eq!(error_key(&b), "proxy.own_chart");
    let (s, b) = app.call(&dana_client, "invitations/accept", &[("token", &token)]).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let mut charts = chart_ids(app, &dana_client).await;
    charts.sort();
    let mut expected = vec![joe, dana];
    expected.sort();
    assert_eq!(charts, expected);
    let (_, b) = app.call(&dana_client, "invitations/accept", &[("token", &token)]).await;
    assert_eq!(error_key(&b), "invitation.gone");
    // Past 14 days a link is gone.
    assert_eq!(
        app.call(&joe_client, "invitations/send", &invite_form("Lee", "lee@example.org", "spouse", "home"))
            .await
            .0,
        StatusCode::OK
    );
    let late = token_mailed(app, "lee@example.org", 1).await;
    app.clock.advance_ms(14 * 24 * 3_600_000 + 1);
    assert_eq!(
        app.call(&app.client(), "invitations/load", &[("token", &late)]).await.0,
        StatusCode::NOT_FOUND
    );
}

async fn invitations_are_checked_and_limited(app: &TestApp) {
    app.add_patient_user("joe").await;
    let client = app.signed_in("joe").await;
    let field = |b: &Value| (b["Invalid"]["field"].as_str().unwrap_or("").to_owned(), error_key(b));
    let long = "x".repeat(101);
    let cases: [(Vec<(&str, &str)>, &str, &str); 6] = [
        (invite_form(" ", "a@example.org", "caregiver", "home"), "name", "proxy.name_required"),
        (invite_form(&long, "a@example.org", "caregiver", "home"), "name", "proxy.name_too_long"),
        (invite_form("Ann", "a@", "caregiver", "home"), "email", "email.invalid"),
        (
            invite_form("Ann", "a@example.org", "parent", "home"),
            "relationship",
            "proxy.relationship_required",
        ),
        (invite_form("Ann", "a@example.org", "caregiver", ""), "sections", "proxy.sections_required"),
        (
            vec![
                ("name", "Ann"),
                ("email", "a@example.org"),
                ("relationship", "caregiver"),
                ("sections", "home"),
                ("ends_on", "2020-01-01"),
            ],
            "ends_on",
            "proxy.ends_on_past",
        ),
    ];
    for (form, at, key) in cases {
        let (s, b) = app.call(&client, "invitations/send", &form).await;
        assert_eq!(
            (s, field(&b)),
            (StatusCode::UNPROCESSABLE_ENTITY, (at.to_owned(), key.to_owned())),
            "{form:?}"
        );
    }
    for n in 0..5 {
        let email = format!("friend{n}@example.org");
        let form = invite_form("Friend", &email, "caregiver", "home");
        assert_eq!(app.call(&client, "invitations/send", &form).await.0, StatusCode::OK);
    }
    let form = invite_form("Friend", "friend9@example.org", "caregiver", "home");
    assert_eq!(app.call(&client, "invitations/send", &form).await.0, StatusCode::TOO_MANY_REQUESTS);
    // A teen (15) may not invite anyone; nor may an account without a chart.
    let teen = app.add_patient("T1", "Tee", "Nager", "2011-01-01").await;
    app.add_user("teen", app::auth::Role::Patient, Some(teen), "teen@example.org").await;
    let teen_client = app.signed_in("teen").await;
    let form = invite_form("Friend", "f@example.org", "caregiver", "home");
    assert_eq!(app.call(&teen_client, "invitations/send", &form).await.0, StatusCode::FORBIDDEN);
    // Nor see or withdraw the invitations on their chart (HIM's, for a guardian).
    assert_eq!(app.call(&teen_client, "invitations/waiting", &[]).await.0, StatusCode::FORBIDDEN);
    assert_eq!(app.call(&teen_client, "invitations/withdraw", &[("id", "1")]).await.0, StatusCode::FORBIDDEN);
    app.add_user("nochart", app::auth::Role::Patient, None, "nochart@example.org").await;
    let nochart = app.signed_in("nochart").await;
    assert_eq!(app.call(&nochart, "invitations/send", &form).await.0, StatusCode::FORBIDDEN);
    assert_eq!(app.call(&app.client(), "invitations/send", &form).await.0, StatusCode::UNAUTHORIZED);
}
