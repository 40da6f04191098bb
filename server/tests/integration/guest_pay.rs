//! Pay as Guest (issue 17): an account opened from the sign-in page with its number and the
//! guarantor's last name shows the amount due and the service area, nothing else; it pays
//! through the processor and shows its receipt; a wrong number and a wrong name get the
//! same answer; wrong tries close a number for a day and a network for an hour; the
//! guarantor sees each opening in "Who has seen my record".
use crate::common::{error_key, TestApp};
use app::billing::{
    payments::test_processor::{CARD_DECLINED, CARD_SUCCEEDS},
    store::{insert_account, insert_entry, insert_service_area, NewEntry},
};
use reqwest::{Client, StatusCode};
use serde_json::Value;

on_both_databases!(
    with crate::payments::with_payments();
    a_guest_sees_only_what_is_due_pays_and_gets_a_receipt,
    a_wrong_number_and_a_wrong_name_get_one_answer_and_are_throttled,
    a_guest_pays_only_what_pay_now_allows
);

/// Pat Payer's accounts: 7000123 ($100.00 due at the clinic) and 7000456 ($40.00 due at a
/// partner location that bills on its own).
async fn accounts(app: &TestApp) -> (i64, i64) {
    let db = &app.state.db;
    let patient = app.add_patient("MRN-GUEST", "Pat", "Payer", "1975-05-05").await;
    app.add_user("pat", app::auth::Role::Patient, Some(patient), "pat@example.org").await;
    let clinic = insert_service_area(db, "Clinic", true, None).await.unwrap();
    let partner = insert_service_area(db, "Harbor Urgent Care", false, Some("555-0142")).await.unwrap();
    let mut made = Vec::new();
    for (number, area, due) in [("7000123", clinic, 10_000), ("7000456", partner, 4_000)] {
        let account = insert_account(db, number, patient, &[patient], area, 1).await.unwrap();
        let charge = NewEntry {
            kind: "charge",
            patient_id: Some(patient),
            service_date: Some("2026-10-01"),
            description: "Office visit",
            procedure_code: Some("99214"),
            amount_cents: due,
            posted_at: 1,
            ..Default::default()
        };
        insert_entry(db, account, &charge).await.unwrap();
        made.push(account);
    }
    (made[0], made[1])
}

/// Opens an account as a guest: (status, the error's key or "").
async fn open(app: &TestApp, guest: &Client, number: &str, last_name: &str) -> (StatusCode, String) {
    let (status, body) =
        app.call(guest, "billing/guest_open", &[("number", number), ("last_name", last_name)]).await;
    (status, if status == StatusCode::OK { String::new() } else { error_key(&body) })
}

async fn guest_account(app: &TestApp, guest: &Client) -> (StatusCode, Value) {
    app.call(guest, "billing/guest_account", &[]).await
}

/// Pays `amount` through the guest's form and the processor's page with `card`; the path
/// the processor sends the browser back to, or None when the card was refused.
async fn pay(app: &TestApp, guest: &Client, amount: &str, card: &'static str) -> Option<String> {
    let (_, account) = guest_account(app, guest).await;
    let key = account["key"].as_str().unwrap().to_owned();
    let form = [("whole", "other"), ("amount", amount), ("key", &key)];
    let (status, checkout) = app.call(guest, "billing/guest_pay", &form).await;
    assert_eq!(status, StatusCode::OK, "{checkout}");
    let checkout = checkout.as_str().unwrap().to_owned();
    let paid = app
        .client()
        .post(format!("{}{checkout}", app.base))
        .header("origin", &app.origin)
        .form(&[("card", card)])
        .send()
        .await
        .unwrap();
    paid.status().is_redirection().then(|| paid.headers()["location"].to_str().unwrap().to_owned())
}

async fn a_guest_sees_only_what_is_due_pays_and_gets_a_receipt(app: &TestApp) {
    accounts(app).await;
    let guest = app.client();
    // The number as printed (dashes, spaces), the name in any case.
    assert_eq!(open(app, &guest, " 700-0123 ", "  PAYER ").await.0, StatusCode::OK);
    let (status, account) = guest_account(app, &guest).await;
    assert_eq!(status, StatusCode::OK, "{account}");
    assert_eq!(account["balance"], 10_000);
    assert_eq!(account["service_area"], "Clinic");
    assert_eq!(account["account_last4"], "0123");
    assert_eq!(account["pay_now"], "Offered");
    // Nothing else of the account: no names, no full number, no services.
    let text = account.to_string();
    for private in ["Pat", "Payer", "7000123", "Office visit", "99214", "MRN"] {
        assert!(!text.contains(private), "{private} in {text}");
    }

    // A declined card changes nothing; a good one pays, and the receipt is the guest's.
    assert_eq!(pay(app, &guest, "30.00", CARD_DECLINED).await, None);
    let back = pay(app, &guest, "25.50", CARD_SUCCEEDS).await.expect("paid");
    let payment_id = back.rsplit('/').next().unwrap().to_owned();
    assert!(back.ends_with(&format!("/pay-as-guest/payments/{payment_id}")), "{back}");
    let (status, receipt) = app.call(&guest, "billing/guest_payment", &[("payment_id", &payment_id)]).await;
    assert_eq!(status, StatusCode::OK, "{receipt}");
    assert_eq!((receipt["status"].as_str(), receipt["amount"].as_i64()), (Some("Paid"), Some(2_550)));
    assert_eq!(receipt["balance_now"], 10_000 - 2_550);
    assert_eq!(guest_account(app, &guest).await.1["balance"], 7_450);
    // No receipt e-mail: the guest has no address here, and the guarantor did not pay.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(app.mail.count_to("pat@example.org"), 0);

    // Another opening of the same account does not see this one's payment.
    let other = app.client();
    assert_eq!(open(app, &other, "7000123", "Payer").await.0, StatusCode::OK);
    let (status, _) = app.call(&other, "billing/guest_payment", &[("payment_id", &payment_id)]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // "Done" ends the opening; so do 20 minutes.
    assert!(app.call_raw(&guest, "billing/guest_close", &[]).await.status().is_success());
    assert_eq!(error_key(&guest_account(app, &guest).await.1), "billing.guest_ended");
    app.clock.advance_ms(21 * 60_000);
    assert_eq!(error_key(&guest_account(app, &other).await.1), "billing.guest_ended");

    // The guarantor sees each opening, read and payment, as a guest's.
    let pat = app.signed_in("pat").await;
    let (_, log) = app.call(&pat, "proxy/access_log", &[]).await;
    let by_guest: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["who"] == "GuestPayer")
        .filter_map(|e| e["action"].as_str())
        .collect();
    for action in ["guest-billing-opened", "guest-billing-read", "guest-payment-started"] {
        assert!(by_guest.contains(&action), "{action} not in {by_guest:?}");
    }
    assert_eq!(app.audit_count("guest-billing-opened").await, 2);
}

async fn a_wrong_number_and_a_wrong_name_get_one_answer_and_are_throttled(app: &TestApp) {
    accounts(app).await;
    let guest = app.client();
    let wrong_name =
        app.call(&guest, "billing/guest_open", &[("number", "7000123"), ("last_name", "Smith")]).await;
    let wrong_number =
        app.call(&guest, "billing/guest_open", &[("number", "7000999"), ("last_name", "Payer")]).await;
    assert_eq!(wrong_name, wrong_number, "one answer for both");
    assert_eq!(
        (wrong_name.0, error_key(&wrong_name.1)),
        (StatusCode::UNPROCESSABLE_ENTITY, "billing.guest_not_found".into())
    );
    // Empty fields and a number that is not one are told at their field, and count nothing.
    assert_eq!(open(app, &guest, "", "Payer").await.1, "billing.guest_number_required");
    assert_eq!(open(app, &guest, "7000123", " ").await.1, "billing.guest_last_name_required");
    assert_eq!(open(app, &guest, "70001x3", "Payer").await.1, "billing.guest_not_found");
    assert_eq!(open(app, &guest, &"7".repeat(21), "Payer").await.1, "billing.guest_not_found");
    assert_eq!(open(app, &guest, "7000123", &"P".repeat(101)).await.1, "billing.guest_not_found");
    assert_eq!(app.audit_count("guest-billing-failed").await, 1, "a wrong name on a real number is logged");

    // Four more wrong names on 7000123 (five in all): the number opens nothing for a day,
    // not even with the right name.
    for name in ["Payne", "Paler", "Parker", "Page"] {
        assert_eq!(open(app, &guest, "7000123", name).await.1, "billing.guest_not_found");
    }
    assert_eq!(open(app, &app.client(), "7000123", "Payer").await.0, StatusCode::TOO_MANY_REQUESTS);

    // This network has failed 6 times (and the refused try counts): 3 more wrong numbers
    // reach its 10, and then nothing opens from it for an hour, whatever the account.
    for number in ["7000001", "7000002", "7000003"] {
        assert_eq!(open(app, &guest, number, "Payer").await.1, "billing.guest_not_found");
    }
    assert_eq!(open(app, &guest, "7000456", "Payer").await.0, StatusCode::TOO_MANY_REQUESTS);
    app.clock.advance_ms(61 * 60_000);
    assert_eq!(open(app, &guest, "7000456", "Payer").await.0, StatusCode::OK);
    assert_eq!(open(app, &guest, "7000123", "Payer").await.0, StatusCode::TOO_MANY_REQUESTS, "for a day");
    app.clock.advance_ms(24 * 60 * 60_000);
    assert_eq!(open(app, &guest, "7000123", "Payer").await.0, StatusCode::OK);
}

async fn a_guest_pays_only_what_pay_now_allows(app: &TestApp) {
    accounts(app).await;
    let guest = app.client();
    assert_eq!(open(app, &guest, "7000123", "Payer").await.0, StatusCode::OK);
    let key = guest_account(app, &guest).await.1["key"].as_str().unwrap().to_owned();
    for (amount, problem) in [
        ("0.50", "billing.amount_too_small"),
        ("100.01", "billing.amount_too_large"),
        ("1e3", "billing.amount_invalid"),
    ] {
        let (status, body) = app
            .call(&guest, "billing/guest_pay", &[("whole", "other"), ("amount", amount), ("key", &key)])
            .await;
        assert_eq!(
            (status, error_key(&body)),
            (StatusCode::UNPROCESSABLE_ENTITY, problem.into()),
            "{amount}"
        );
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM billing_payments").await, 0);

    // The partner location's account: its own phone, and no payment here.
    let partner = app.client();
    assert_eq!(open(app, &partner, "7000456", "Payer").await.0, StatusCode::OK);
    let (_, account) = guest_account(app, &partner).await;
    assert_eq!(account["pay_now"]["ElsewhereOnly"]["phone"], "555-0142", "{account}");
    let key = account["key"].as_str().unwrap().to_owned();
    let (status, body) =
        app.call(&partner, "billing/guest_pay", &[("whole", "balance"), ("key", &key)]).await;
    assert_eq!((status, error_key(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "billing.not_payable".into()));
    assert_eq!(app.count("SELECT COUNT(*) FROM billing_payments").await, 0);
}
