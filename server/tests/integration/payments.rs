//! Every cent exactly once (issue 17): a charge reaches the ledger only through the
//! processor's signed webhook, once however often (and in whatever order) its events come;
//! one Pay Now form opens one payment and one checkout; a declined card charges nothing;
//! two tabs that both pay leave two payments, each a charge the processor made.
use crate::common::{Options, TestApp};
use app::{
    billing::{
        payments::{
            gateway::NewCheckout,
            signature,
            store::{open_payment, set_checkout},
            test_processor::{self, CardOutcome, CARD_DECLINED, CARD_NEEDS_AUTHENTICATION, CARD_SUCCEEDS},
        },
        store::{insert_account, insert_entry, insert_service_area, NewEntry},
    },
    infra::config::{Payments, Processor},
};
use reqwest::StatusCode;

const SECRET: &str = "whsec_integration_test_secret";

pub fn with_payments() -> Options {
    Options {
        payments: Some(Payments { processor: Processor::Test, webhook_secret: SECRET.into() }),
        ..Default::default()
    }
}

on_both_databases!(
    with super::with_payments();
    a_charge_is_recorded_once_however_often_its_event_comes,
    one_form_opens_one_payment_and_one_checkout_is_charged_once,
    a_declined_card_charges_nothing_and_late_events_never_undo_a_charge,
    two_tabs_that_both_pay_leave_the_processors_two_charges
);
on_both_databases!(without_payments_there_is_no_webhook);

/// An account of `due` cents for a new patient; (account id, patient id).
async fn account_with(app: &TestApp, due: i64) -> i64 {
    let db = &app.state.db;
    let patient = app.add_patient("MRN-PAYER", "Pat", "Payer", "1975-05-05").await;
    app.add_user("pat", app::auth::Role::Patient, Some(patient), "pat@example.org").await;
    let area = insert_service_area(db, "Clinic", true, None).await.unwrap();
    let account = insert_account(db, "P-000123", patient, &[patient], area, 1).await.unwrap();
    let charge = NewEntry {
        kind: "charge",
        patient_id: Some(patient),
        service_date: Some("2026-10-01"),
        description: "Office visit",
        amount_cents: due,
        posted_at: 1,
        ..Default::default()
    };
    insert_entry(db, account, &charge).await.unwrap();
    account
}

/// Opens a payment and its checkout the way Pay Now will; the checkout's id.
async fn checkout_for(app: &TestApp, account: i64, amount: i64, key: &str) -> String {
    let db = &app.state.db;
    let now = app.clock.now_ms();
    let payment = open_payment(db, account, amount, key, "test", None, now).await.unwrap();
    let new = NewCheckout {
        amount_cents: payment.amount_cents,
        reference: &payment.id.to_string(),
        idempotency_key: key,
        description: "Payment on account ending 0123",
        success_url: "http://portico.test/billing/paid",
        cancel_url: "http://portico.test/billing/cancelled",
    };
    let checkout = test_processor::create_checkout(db, &new, now).await.unwrap();
    set_checkout(db, payment.id, &checkout.id).await.unwrap();
    checkout.id
}

async fn balance(app: &TestApp) -> i64 {
    app.count("SELECT CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM billing_entries").await
}

async fn payments_in_ledger(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) FROM billing_entries WHERE kind = 'patient-payment'").await
}

/// Posts `body` to the webhook over HTTP, signed with `secret` at `at_secs`.
async fn post_event(app: &TestApp, body: &str, secret: &str, at_secs: i64) -> StatusCode {
    let header = signature::sign(secret.as_bytes(), at_secs, body.as_bytes());
    reqwest::Client::new()
        .post(format!("{}/api/payments/webhook", app.base))
        .header("stripe-signature", header)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
        .status()
}

fn now_secs(app: &TestApp) -> i64 {
    app.clock.now_ms() / 1000
}

async fn a_charge_is_recorded_once_however_often_its_event_comes(app: &TestApp) {
    let account = account_with(app, 10_000).await;
    let checkout = checkout_for(app, account, 4_000, "form-key-1").await;
    let db = &app.state.db;
    let paid = test_processor::pay(db, &checkout, CARD_SUCCEEDS, false, app.clock.now_ms()).await.unwrap();
    assert!(matches!(paid, CardOutcome::Charged { .. }), "{paid:?}");
    // Nothing is in the ledger until the processor's event arrives.
    assert_eq!(balance(app).await, 10_000);
    assert_eq!(test_processor::deliver_pending(&app.state).await.unwrap(), 1);
    assert_eq!(balance(app).await, 6_000);
    assert_eq!(app.count("SELECT COUNT(*) FROM billing_payments WHERE status = 'paid'").await, 1);

    // The same event again, over HTTP, three times: accepted, and nothing changes.
    let events = test_processor::all_events(db).await.unwrap();
    assert_eq!(events.len(), 1);
    let body = &events[0].1;
    for _ in 0..3 {
        assert_eq!(post_event(app, body, SECRET, now_secs(app)).await, StatusCode::OK);
    }
    assert_eq!(payments_in_ledger(app).await, 1);
    assert_eq!(balance(app).await, 6_000);

    // A changed amount under the old signature, another secret, an old signature, none:
    // refused, and nothing recorded.
    let tampered = body.replace("4000", "400").replace("pi_test_", "pi_test_x");
    let header = signature::sign(SECRET.as_bytes(), now_secs(app), body.as_bytes());
    let refused = reqwest::Client::new()
        .post(format!("{}/api/payments/webhook", app.base))
        .header("stripe-signature", header)
        .body(tampered.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        post_event(app, &tampered, "whsec_someone_else", now_secs(app)).await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(post_event(app, &tampered, SECRET, now_secs(app) - 301).await, StatusCode::BAD_REQUEST);
    let unsigned = reqwest::Client::new()
        .post(format!("{}/api/payments/webhook", app.base))
        .body(tampered)
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), StatusCode::BAD_REQUEST);
    assert_eq!(payments_in_ledger(app).await, 1);
    assert_eq!(balance(app).await, 6_000);
    // Signed but not an event: refused, not a server error.
    assert_eq!(post_event(app, "not json", SECRET, now_secs(app)).await, StatusCode::BAD_REQUEST);
    // An event of a type we do not act on is accepted whatever its shape (else the
    // processor would send it again for days); so is a checkout with nothing to pay.
    let other = r#"{"id":"evt_x","type":"charge.refunded","data":{"object":{"id":5}}}"#;
    assert_eq!(post_event(app, other, SECRET, now_secs(app)).await, StatusCode::OK);
    let free = r#"{"id":"evt_y","type":"checkout.session.completed","data":{"object":{"id":"cs_unknown","payment_status":"no_payment_required","amount_total":0}}}"#;
    assert_eq!(post_event(app, free, SECRET, now_secs(app)).await, StatusCode::OK);
    assert_eq!(payments_in_ledger(app).await, 1);
}

async fn one_form_opens_one_payment_and_one_checkout_is_charged_once(app: &TestApp) {
    let account = account_with(app, 10_000).await;
    let db = &app.state.db;
    let now = app.clock.now_ms();
    // A double click: the same form's key twice (even naming another amount) is one payment.
    let first = open_payment(db, account, 2_500, "form-key-2", "test", None, now).await.unwrap();
    let again = open_payment(db, account, 9_900, "form-key-2", "test", None, now).await.unwrap();
    assert_eq!(first, again);
    assert_eq!(app.count("SELECT COUNT(*) FROM billing_payments").await, 1);
    let one = checkout_for(app, account, 2_500, "form-key-2").await;
    let two = checkout_for(app, account, 2_500, "form-key-2").await;
    assert_eq!(one, two);
    // The checkout paid twice (a second submit of the processor's page): charged once.
    let paid = test_processor::pay(db, &one, CARD_SUCCEEDS, false, now).await.unwrap();
    assert!(matches!(paid, CardOutcome::Charged { .. }));
    assert_eq!(test_processor::pay(db, &one, CARD_SUCCEEDS, false, now).await.unwrap(), CardOutcome::NotOpen);
    test_processor::deliver_pending(&app.state).await.unwrap();
    assert_eq!(payments_in_ledger(app).await, 1);
    assert_eq!(balance(app).await, 7_500);
    // The processor naming that same charge for another checkout: refused, and the other
    // payment is not marked paid.
    let charge: String =
        sqlx::query_scalar("SELECT processor_charge FROM billing_entries WHERE processor_charge IS NOT NULL")
            .fetch_one(&db.read)
            .await
            .unwrap();
    let other = checkout_for(app, account, 1_000, "form-key-6").await;
    assert!(app::billing::payments::store::record_charge(db, &other, &charge, 1_000, now).await.is_err());
    assert_eq!(app.count("SELECT COUNT(*) FROM billing_payments WHERE status = 'paid'").await, 1);
    assert_eq!(balance(app).await, 7_500);
    // A payment under $1 is refused by the database itself.
    assert!(open_payment(db, account, 99, "form-key-3", "test", None, now).await.is_err());
}

async fn a_declined_card_charges_nothing_and_late_events_never_undo_a_charge(app: &TestApp) {
    let account = account_with(app, 10_000).await;
    let db = &app.state.db;
    let now = app.clock.now_ms();
    let checkout = checkout_for(app, account, 3_000, "form-key-4").await;
    assert_eq!(
        test_processor::pay(db, &checkout, CARD_DECLINED, false, now).await.unwrap(),
        CardOutcome::Declined
    );
    assert_eq!(
        test_processor::pay(db, &checkout, "1234 5678 9012 3456", false, now).await.unwrap(),
        CardOutcome::Unknown
    );
    assert_eq!(
        test_processor::pay(db, &checkout, CARD_NEEDS_AUTHENTICATION, false, now).await.unwrap(),
        CardOutcome::NeedsAuthentication
    );
    assert_eq!(test_processor::deliver_pending(&app.state).await.unwrap(), 0);
    assert_eq!(balance(app).await, 10_000);

    // Confirmed with the bank: charged. Then, out of order, the session's "expired" event
    // arrives after its "completed" one: the charge stands.
    let paid = test_processor::pay(db, &checkout, CARD_NEEDS_AUTHENTICATION, true, now).await.unwrap();
    assert!(matches!(paid, CardOutcome::Charged { .. }));
    test_processor::deliver_pending(&app.state).await.unwrap();
    let expired = serde_json::json!({
        "id": "evt_late", "type": "checkout.session.expired",
        "data": {"object": {"id": checkout, "object": "checkout.session", "payment_status": "unpaid"}},
    })
    .to_string();
    assert_eq!(post_event(app, &expired, SECRET, now_secs(app)).await, StatusCode::OK);
    assert_eq!(app.count("SELECT COUNT(*) FROM billing_payments WHERE status = 'paid'").await, 1);
    assert_eq!(balance(app).await, 7_000);

    // An expired checkout that was never paid closes its payment; the balance stays.
    let other = checkout_for(app, account, 1_000, "form-key-5").await;
    let expired = expired.replace(&checkout, &other);
    assert_eq!(post_event(app, &expired, SECRET, now_secs(app)).await, StatusCode::OK);
    assert_eq!(app.count("SELECT COUNT(*) FROM billing_payments WHERE status = 'expired'").await, 1);
    assert_eq!(balance(app).await, 7_000);
}

async fn two_tabs_that_both_pay_leave_the_processors_two_charges(app: &TestApp) {
    let account = account_with(app, 10_000).await;
    let db = &app.state.db;
    let now = app.clock.now_ms();
    // Two tabs, two forms, both paid at once.
    let (one, two) =
        (checkout_for(app, account, 6_000, "tab-1").await, checkout_for(app, account, 6_000, "tab-2").await);
    let (a, b) = tokio::join!(
        test_processor::pay(db, &one, CARD_SUCCEEDS, false, now),
        test_processor::pay(db, &two, CARD_SUCCEEDS, false, now)
    );
    assert!(matches!(a.unwrap(), CardOutcome::Charged { .. }));
    assert!(matches!(b.unwrap(), CardOutcome::Charged { .. }));
    // Delivered twice over, concurrently: the ledger holds exactly the processor's charges.
    let (x, y) = tokio::join!(
        test_processor::deliver_pending(&app.state),
        test_processor::deliver_pending(&app.state)
    );
    x.unwrap();
    y.unwrap();
    for (_, body) in test_processor::all_events(db).await.unwrap() {
        assert_eq!(post_event(app, &body, SECRET, now_secs(app)).await, StatusCode::OK);
    }
    let charged = app
        .count(
            "SELECT CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM test_processor_checkouts WHERE charge_id IS NOT NULL",
        )
        .await;
    let recorded = app
        .count("SELECT CAST(COALESCE(-SUM(amount_cents), 0) AS BIGINT) FROM billing_entries WHERE kind = 'patient-payment'")
        .await;
    assert_eq!((charged, recorded), (12_000, 12_000));
    assert_eq!(payments_in_ledger(app).await, 2);
    // Paid more than was due: a credit the billing office refunds.
    assert_eq!(balance(app).await, -2_000);
}

async fn without_payments_there_is_no_webhook(app: &TestApp) {
    assert_eq!(post_event(app, "{}", SECRET, now_secs(app)).await, StatusCode::NOT_FOUND);
}

on_both_databases!(
    with super::with_payments();
    pay_now_goes_through_the_processors_page_and_comes_back_to_a_receipt,
    pay_now_checks_the_amount_at_its_field
);

/// The form's facts for an account: (its key, its balance).
async fn pay_form(app: &TestApp, client: &reqwest::Client, account: i64) -> (String, i64) {
    let (status, form) = app.call(client, "billing/pay_form", &[("account_id", &account.to_string())]).await;
    assert_eq!(status, StatusCode::OK, "{form}");
    (form["key"].as_str().unwrap().to_owned(), form["summary"]["balance"].as_i64().unwrap())
}

async fn pay_now_goes_through_the_processors_page_and_comes_back_to_a_receipt(app: &TestApp) {
    let account = account_with(app, 10_000).await;
    let pat = app.signed_in("pat").await;
    let (key, due) = pay_form(app, &pat, account).await;
    assert_eq!(due, 10_000);
    let form = [
        ("account_id", account.to_string()),
        ("whole", "other".into()),
        ("amount", "25.50".into()),
        ("key", key.clone()),
    ];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, checkout) = app.call(&pat, "billing/pay", &form).await;
    assert_eq!(status, StatusCode::OK, "{checkout}");
    let checkout = checkout.as_str().unwrap().to_owned();
    assert!(checkout.starts_with("/test-processor/checkout/cs_test_"), "{checkout}");
    // The same form sent again (a double click): the same checkout.
    let (_, again) = app.call(&pat, "billing/pay", &form).await;
    assert_eq!(again.as_str(), Some(checkout.as_str()));

    // The processor's page: a declined card charges nothing, then a good one is charged
    // and the browser is sent back to Portico.
    let browser = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let page = browser.get(format!("{}{checkout}", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("$25.50"), "{page}");
    let submit = |card: &'static str| {
        browser
            .post(format!("{}{checkout}", app.base))
            .header("origin", &app.origin)
            .form(&[("card", card)])
            .send()
    };
    let declined = submit(CARD_DECLINED).await.unwrap();
    assert_eq!(declined.status(), StatusCode::OK);
    assert!(declined.text().await.unwrap().contains("Your card was declined"));
    assert_eq!(balance(app).await, 10_000);
    let paid = submit(CARD_SUCCEEDS).await.unwrap();
    assert!(paid.status().is_redirection(), "{}", paid.status());
    let back = paid.headers()["location"].to_str().unwrap().to_owned();
    let payment_id = back.rsplit('/').next().unwrap().to_owned();
    assert!(back.ends_with(&format!("/billing/payments/{payment_id}")), "{back}");

    let (status, receipt) = app.call(&pat, "billing/payment", &[("payment_id", &payment_id)]).await;
    assert_eq!(status, StatusCode::OK, "{receipt}");
    assert_eq!(receipt["status"], "Paid");
    assert_eq!(receipt["amount"], 2_550);
    assert_eq!(receipt["balance_now"], 10_000 - 2_550);
    assert_eq!(receipt["account_last4"], "0123");
    // One receipt e-mail, with the amount, the last 4 and the date, and nothing else.
    let mail = app.mail.wait_for("pat@example.org", 1).await;
    assert!(mail.raw.contains("$25.50") && mail.raw.contains("0123"), "{}", mail.raw);
    for private in ["P-000123", "Pat", "Payer", "Office visit", "$74.50"] {
        assert!(!mail.raw.contains(private), "{private} in {}", mail.raw);
    }
    // The processor's event arriving again sends no second receipt.
    for (_, body) in test_processor::all_events(&app.state.db).await.unwrap() {
        assert_eq!(post_event(app, &body, SECRET, now_secs(app)).await, StatusCode::OK);
    }
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert_eq!(app.mail.count_to("pat@example.org"), 1);
    assert_eq!(payments_in_ledger(app).await, 1);
    // Each send of the form is audited (two here), one payment made.
    assert_eq!(app.audit_count("payment-started").await, 2);
    assert_eq!(app.count("SELECT COUNT(*) FROM billing_payments").await, 1);

    // Someone else's payment id: not found.
    app.add_patient_user("stranger").await;
    let stranger = app.signed_in("stranger").await;
    let (status, _) = app.call(&stranger, "billing/payment", &[("payment_id", &payment_id)]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn pay_now_checks_the_amount_at_its_field(app: &TestApp) {
    let account = account_with(app, 10_000).await;
    let pat = app.signed_in("pat").await;
    let (key, _) = pay_form(app, &pat, account).await;
    for (amount, problem) in [
        ("0.99", "billing.amount_too_small"),
        ("100.01", "billing.amount_too_large"),
        ("12.345", "billing.amount_invalid"),
        ("ten dollars", "billing.amount_invalid"),
        ("-5", "billing.amount_invalid"),
    ] {
        let form = [
            ("account_id", account.to_string()),
            ("whole", "other".into()),
            ("amount", amount.into()),
            ("key", key.clone()),
        ];
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (status, body) = app.call(&pat, "billing/pay", &form).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{amount}: {body}");
        assert_eq!(crate::common::error_key(&body), problem, "{amount}: {body}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM billing_payments").await, 0);
    // A good amount opens one payment; the same form's key sent for another account of the
    // same guarantor is refused at the form, not answered 503.
    let form = [
        ("account_id", account.to_string()),
        ("whole", "balance".into()),
        ("amount", String::new()),
        ("key", key.clone()),
    ];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(app.call(&pat, "billing/pay", &form).await.0, StatusCode::OK);
    let db = &app.state.db;
    let patient: i64 = sqlx::query_scalar("SELECT guarantor_id FROM billing_accounts WHERE id = $1")
        .bind(account)
        .fetch_one(&db.read)
        .await
        .unwrap();
    let area: i64 =
        sqlx::query_scalar("SELECT MIN(id) FROM billing_service_areas").fetch_one(&db.read).await.unwrap();
    let second = insert_account(db, "P-000456", patient, &[patient], area, 1).await.unwrap();
    insert_entry(
        db,
        second,
        &NewEntry {
            kind: "charge",
            patient_id: Some(patient),
            service_date: Some("2026-10-02"),
            amount_cents: 5_000,
            posted_at: 1,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let form = [
        ("account_id", second.to_string()),
        ("whole", "balance".into()),
        ("amount", String::new()),
        ("key", key),
    ];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, body) = app.call(&pat, "billing/pay", &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(app.count("SELECT COUNT(*) FROM billing_payments").await, 1);
}
