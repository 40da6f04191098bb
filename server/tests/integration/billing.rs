//! Billing (issue 17): the Billing Summary lists the guarantor's accounts with balances
//! summed from the ledger and the seed's "Pay Now" rules; View account gathers each visit's
//! charges with what insurance paid and adjusted; a confidential service is named only to
//! the patient it served; another guarantor's account is not found; the ledger refuses rows
//! of the wrong sign; the paperless choice is kept and audited.
use crate::{common::TestApp, proxy_fixture::grant};
use app::{
    access::{Relationship, Section},
    billing::store::{insert_account, insert_entry, insert_service_area, insert_statement, NewEntry},
    proxy::RequestKind,
};
use reqwest::StatusCode;
use serde_json::Value;

on_both_databases!(
    with crate::payments::with_payments();
    the_summary_sums_each_ledger_and_says_why_pay_now_is_missing,
    view_account_gathers_each_visit_and_names_a_confidential_service_only_to_its_patient,
    another_guarantors_account_is_not_found_and_a_proxy_needs_billing,
    the_ledger_refuses_rows_of_the_wrong_sign,
    the_paperless_choice_is_kept_and_audited,
    contact_customer_service_ties_a_billing_thread_to_the_account,
    the_billing_office_finds_an_account_and_posts_adjustments_and_refunds_once,
    a_statement_is_a_pdf_of_the_ledger_through_it_in_billing_and_documents,
    a_payment_plan_is_offered_over_the_minimum_put_in_force_once_and_ended,
    the_billing_office_posts_an_estimate_the_guarantor_finds_on_the_account_and_in_documents
);
on_both_databases!(without_a_processor_a_balance_due_is_not_payable_online);

struct Guarantor {
    patient: i64,
    clinic: i64,
    partner: i64,
}

async fn guarantor(app: &TestApp) -> Guarantor {
    let patient = app.add_patient("MRN-GUAR", "Avery", "Smith", "1980-04-12").await;
    app.add_user("avery", app::auth::Role::Patient, Some(patient), "avery@example.org").await;
    let db = &app.state.db;
    let clinic = insert_service_area(db, "Portico Health", true, None).await.unwrap();
    let partner = insert_service_area(db, "Harbor Urgent Care", false, Some("555-0142")).await.unwrap();
    Guarantor { patient, clinic, partner }
}

fn charge<'a>(patient: i64, description: &'a str, amount_cents: i64) -> NewEntry<'a> {
    NewEntry {
        kind: "charge",
        patient_id: Some(patient),
        service_date: Some("2026-10-01"),
        description,
        procedure_code: Some("99213"),
        amount_cents,
        posted_at: 1,
        ..Default::default()
    }
}

/// Posts rows to an account: each (kind, amount) settles the charge posted first.
async fn ledger(app: &TestApp, account: i64, patient: i64, charged: i64, rows: &[(&str, i64)]) -> i64 {
    let db = &app.state.db;
    let first = insert_entry(db, account, &charge(patient, "Office visit", charged)).await.unwrap();
    for &(kind, amount_cents) in rows {
        let applies_to = kind.starts_with("insurance").then_some(first);
        let entry = NewEntry { kind, applies_to, amount_cents, posted_at: 2, ..Default::default() };
        insert_entry(db, account, &entry).await.unwrap();
    }
    first
}

/// Morgan, an adult child with a grant of `sections` on the guarantor, signed in with the
/// guarantor's chart open.
async fn proxy_on(app: &TestApp, guarantor: i64, sections: &[Section]) -> reqwest::Client {
    let own_chart = app.add_patient("MRN-HELPER", "Morgan", "Smith", "1955-02-02").await;
    let morgan =
        app.add_user("morgan", app::auth::Role::Patient, Some(own_chart), "morgan@example.org").await;
    grant(app, morgan, guarantor, RequestKind::Adult, Relationship::AdultChild, sections).await;
    let client = app.signed_in("morgan").await;
    let (status, _) = app.call(&client, "proxy/switch", &[("patient_id", &guarantor.to_string())]).await;
    assert_eq!(status, StatusCode::OK);
    client
}

fn account<'a>(summary: &'a Value, number: &str) -> &'a Value {
    summary["accounts"].as_array().unwrap().iter().find(|a| a["number"] == number).unwrap_or_else(|| {
        panic!("no account {number} in {summary}");
    })
}

async fn the_summary_sums_each_ledger_and_says_why_pay_now_is_missing(app: &TestApp) {
    let g = guarantor(app).await;
    let db = &app.state.db;
    let due = insert_account(db, "A-DUE", g.patient, &[g.patient], g.clinic, 1).await.unwrap();
    ledger(app, due, g.patient, 24_500, &[("insurance-payment", -14_000), ("insurance-adjustment", -4_500)])
        .await;
    insert_statement(db, due, "2026-11-01", "2026-12-01").await.unwrap();
    insert_entry(
        db,
        due,
        &NewEntry { kind: "patient-payment", amount_cents: -2_500, posted_at: 3, ..Default::default() },
    )
    .await
    .unwrap();
    let zero = insert_account(db, "A-ZERO", g.patient, &[g.patient], g.clinic, 1).await.unwrap();
    ledger(app, zero, g.patient, 10_000, &[("insurance-payment", -8_000), ("patient-payment", -2_000)]).await;
    let credit = insert_account(db, "A-CREDIT", g.patient, &[g.patient], g.clinic, 1).await.unwrap();
    ledger(app, credit, g.patient, 10_000, &[("insurance-payment", -8_000), ("patient-payment", -3_500)])
        .await;
    let partner = insert_account(db, "A-PARTNER", g.patient, &[g.patient], g.partner, 1).await.unwrap();
    ledger(app, partner, g.patient, 18_000, &[("insurance-payment", -9_000)]).await;
    // Someone else's account: never listed.
    let other = app.add_patient("MRN-OTHER", "Other", "Person", "1970-01-01").await;
    let theirs = insert_account(db, "B-OTHER", other, &[other], g.clinic, 1).await.unwrap();
    ledger(app, theirs, other, 5_000, &[]).await;

    let avery = app.signed_in("avery").await;
    let (status, summary) = app.call(&avery, "billing/summary", &[]).await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    assert_eq!(summary["accounts"].as_array().unwrap().len(), 4, "{summary}");
    let due = account(&summary, "A-DUE");
    assert_eq!(due["balance"], 24_500 - 14_000 - 4_500 - 2_500);
    assert_eq!(due["pay_now"], "Offered");
    assert_eq!(due["patients"], serde_json::json!(["Avery"]));
    // The statement's balance is the ledger as it stood then, before the payment.
    assert_eq!(due["last_statement"]["balance"], 24_500 - 14_000 - 4_500);
    assert_eq!(due["last_statement"]["due_on"], "2026-12-01");
    assert_eq!(account(&summary, "A-ZERO")["pay_now"], "NothingDue");
    assert_eq!(account(&summary, "A-ZERO")["balance"], 0);
    assert_eq!(account(&summary, "A-CREDIT")["pay_now"], "Credit");
    assert_eq!(account(&summary, "A-CREDIT")["balance"], -1_500);
    let partner = account(&summary, "A-PARTNER");
    assert_eq!(partner["balance"], 9_000);
    assert_eq!(
        partner["pay_now"],
        serde_json::json!({"ElsewhereOnly": {"area": "Harbor Urgent Care", "phone": "555-0142"}})
    );
    assert!(app.audit_count("chart-read").await >= 1);
}

async fn view_account_gathers_each_visit_and_names_a_confidential_service_only_to_its_patient(app: &TestApp) {
    let g = guarantor(app).await;
    let db = &app.state.db;
    let id = insert_account(db, "A-VIEW", g.patient, &[g.patient], g.clinic, 1).await.unwrap();
    ledger(app, id, g.patient, 20_000, &[("insurance-payment", -15_000), ("insurance-adjustment", -1_000)])
        .await;
    let mut secret = charge(g.patient, "Confidential counselling", 9_000);
    secret.confidential = true;
    secret.service_date = Some("2026-11-15");
    insert_entry(db, id, &secret).await.unwrap();
    insert_entry(
        db,
        id,
        &NewEntry { kind: "patient-payment", amount_cents: -4_000, posted_at: 5, ..Default::default() },
    )
    .await
    .unwrap();

    let avery = app.signed_in("avery").await;
    let (status, detail) = app.call(&avery, "billing/account", &[("account_id", &id.to_string())]).await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    let services = detail["services"].as_array().unwrap();
    assert_eq!(services.len(), 2, "{detail}");
    // Newest service first: the confidential one, named to Avery, the patient it served.
    assert_eq!(services[0]["lines"][0]["description"], "Confidential counselling");
    let office = &services[1];
    assert_eq!(office["lines"][0]["description"], "Office visit");
    assert_eq!(
        (office["charged"].as_i64(), office["insurance_paid"].as_i64()),
        (Some(20_000), Some(-15_000))
    );
    assert_eq!((office["insurance_adjusted"].as_i64(), office["owed"].as_i64()), (Some(-1_000), Some(4_000)));
    assert_eq!(detail["activity"][0]["kind"], "Payment");
    assert_eq!(detail["activity"][0]["amount"], -4_000);
    assert_eq!(detail["summary"]["balance"], 20_000 - 16_000 + 9_000 - 4_000);

    // A proxy with Billing on Avery sees the amount, never what the service was.
    let morgan = proxy_on(app, g.patient, &[Section::Home, Section::Billing]).await;
    let (status, detail) = app.call(&morgan, "billing/account", &[("account_id", &id.to_string())]).await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    let text = detail.to_string();
    assert!(!text.contains("counselling"), "{text}");
    assert_eq!(detail["services"][0]["lines"][0]["description"], Value::Null);
    assert_eq!(detail["services"][0]["lines"][0]["procedure_code"], Value::Null);
    assert_eq!(detail["services"][0]["lines"][0]["amount"], 9_000);
}

async fn another_guarantors_account_is_not_found_and_a_proxy_needs_billing(app: &TestApp) {
    let g = guarantor(app).await;
    let db = &app.state.db;
    let other = app.add_patient("MRN-OTHER", "Other", "Person", "1970-01-01").await;
    let theirs = insert_account(db, "B-OTHER", other, &[other], g.clinic, 1).await.unwrap();
    ledger(app, theirs, other, 5_000, &[]).await;
    let avery = app.signed_in("avery").await;
    for id in [theirs.to_string(), "999999".to_owned()] {
        let (status, body) = app.call(&avery, "billing/account", &[("account_id", &id)]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        let (status, _) =
            app.call(&avery, "billing/paperless", &[("account_id", &id), ("paperless", "true")]).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM billing_accounts WHERE paperless = 1").await, 0);

    // A proxy whose grant lacks Billing gets nothing of it.
    let morgan = proxy_on(app, g.patient, &[Section::Home, Section::Visits]).await;
    let (status, _) = app.call(&morgan, "billing/summary", &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn the_ledger_refuses_rows_of_the_wrong_sign(app: &TestApp) {
    let g = guarantor(app).await;
    let db = &app.state.db;
    let id = insert_account(db, "A-SIGN", g.patient, &[g.patient], g.clinic, 1).await.unwrap();
    let first = ledger(app, id, g.patient, 1_000, &[]).await;
    let stranger = app.add_patient("MRN-STRANGER", "Sol", "Stranger", "1990-01-01").await;
    let wrong = [
        // A patient the account does not cover.
        charge(stranger, "Someone else's visit", 100),
        charge(g.patient, "A negative charge", -100),
        charge(g.patient, "A zero charge", 0),
        NewEntry { kind: "patient-payment", amount_cents: 100, posted_at: 1, ..Default::default() },
        NewEntry { kind: "insurance-payment", amount_cents: -100, posted_at: 1, ..Default::default() },
        NewEntry {
            kind: "insurance-adjustment",
            applies_to: Some(first),
            amount_cents: 100,
            posted_at: 1,
            ..Default::default()
        },
        NewEntry { kind: "refund", amount_cents: -100, posted_at: 1, ..Default::default() },
        NewEntry { kind: "adjustment", amount_cents: 0, posted_at: 1, ..Default::default() },
        NewEntry { kind: "gift", amount_cents: -100, posted_at: 1, ..Default::default() },
        NewEntry { kind: "charge", amount_cents: 100, posted_at: 1, ..Default::default() },
    ];
    for entry in &wrong {
        assert!(insert_entry(db, id, entry).await.is_err(), "{entry:?} was accepted");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM billing_entries").await, 1);
}

async fn the_paperless_choice_is_kept_and_audited(app: &TestApp) {
    let g = guarantor(app).await;
    let id = insert_account(&app.state.db, "A-PAPER", g.patient, &[g.patient], g.clinic, 1).await.unwrap();
    let avery = app.signed_in("avery").await;
    let (status, body) = app
        .call(&avery, "billing/paperless", &[("account_id", &id.to_string()), ("paperless", "true")])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, detail) = app.call(&avery, "billing/account", &[("account_id", &id.to_string())]).await;
    assert_eq!(detail["paperless"], true);
    assert_eq!(app.audit_count("billing-paperless").await, 1);
    let (status, body) = app
        .call(&avery, "billing/paperless", &[("account_id", &id.to_string()), ("paperless", "maybe")])
        .await;
    assert!(status.is_client_error(), "{status} {body}");
    let (_, detail) = app.call(&avery, "billing/account", &[("account_id", &id.to_string())]).await;
    assert_eq!(detail["paperless"], true);
}

async fn without_a_processor_a_balance_due_is_not_payable_online(app: &TestApp) {
    let g = guarantor(app).await;
    let due = insert_account(&app.state.db, "A-DUE", g.patient, &[g.patient], g.clinic, 1).await.unwrap();
    ledger(app, due, g.patient, 5_000, &[]).await;
    let avery = app.signed_in("avery").await;
    let (_, summary) = app.call(&avery, "billing/summary", &[]).await;
    assert_eq!(account(&summary, "A-DUE")["pay_now"], "NotOnline");
}

/// A new message from `client`'s chart, with `extra` fields (e.g. the account).
async fn send_message(
    app: &TestApp,
    client: &reqwest::Client,
    to: &str,
    extra: &[(&str, &str)],
    key: &str,
) -> (StatusCode, Value) {
    let mut fields =
        vec![("to", to), ("subject", "My statement"), ("body", "Why is this due?"), ("key", key)];
    fields.extend_from_slice(extra);
    app.call_multipart(client, "messages/send", &fields, &[]).await
}

async fn contact_customer_service_ties_a_billing_thread_to_the_account(app: &TestApp) {
    let g = guarantor(app).await;
    let db = &app.state.db;
    let due = insert_account(db, "A-DUE", g.patient, &[g.patient], g.clinic, 1).await.unwrap();
    ledger(app, due, g.patient, 12_000, &[("insurance-payment", -7_000)]).await;
    let other = app.add_patient("MRN-OTHER", "Other", "Person", "1970-01-01").await;
    let theirs = insert_account(db, "B-OTHER", other, &[other], g.clinic, 1).await.unwrap();
    let (due_id, theirs_id) = (due.to_string(), theirs.to_string());
    app.add_user("billing.clerk", app::auth::Role::Billing, None, "billing@example.org").await;

    let avery = app.signed_in("avery").await;
    let (status, about) = app.call(&avery, "billing/contact", &[("account_id", &due_id)]).await;
    assert_eq!((status, about["number"].as_str()), (StatusCode::OK, Some("A-DUE")), "{about}");
    // Another guarantor's account, the care team with an account, or a reply naming one:
    // refused, and nothing is sent.
    let refused =
        send_message(app, &avery, "pool-billing", &[("account", &theirs_id)], "test-key-00000001-0000").await;
    assert_eq!(refused.0, StatusCode::NOT_FOUND, "{}", refused.1);
    let refused =
        send_message(app, &avery, "pool-support", &[("account", &due_id)], "test-key-00000002-0000").await;
    assert_eq!(refused.0, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.1);
    assert_eq!(app.count("SELECT COUNT(*) FROM message_threads").await, 0);

    let (status, sent) =
        send_message(app, &avery, "pool-billing", &[("account", &due_id)], "test-key-00000003-0000").await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    let thread = sent["thread_id"].as_i64().unwrap().to_string();
    let (_, view) = app.call(&avery, "messages/thread", &[("id", &thread)]).await;
    assert_eq!(view["billing_account"]["number"], "A-DUE", "{view}");
    let reply = [
        ("thread", thread.as_str()),
        ("body", "More"),
        ("key", "test-key-00000004-0000"),
        ("account", &due_id),
    ];
    let (status, _) = app.call_multipart(&avery, "messages/send", &reply, &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a reply names no account");

    // Billing sees the thread with the account beside it: its amount due and service area.
    let clerk = app.signed_in("billing.clerk").await;
    let (status, staff_view) = app.call(&clerk, "staff/messages/thread", &[("id", &thread)]).await;
    assert_eq!(status, StatusCode::OK, "{staff_view}");
    let account = &staff_view["billing_account"];
    assert_eq!(
        (account["number"].as_str(), account["balance"].as_i64()),
        (Some("A-DUE"), Some(5_000)),
        "{account}"
    );
    assert_eq!(account["service_area"], "Portico Health");

    // A proxy who may read messages but not billing: billing's threads are not theirs (not
    // listed, not found, no reply), nor is billing among the recipients.
    let morgan = proxy_on(app, g.patient, &[Section::Messages]).await;
    let (status, _) = app.call(&morgan, "messages/thread", &[("id", &thread)]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, inbox) = app.call(&morgan, "messages/inbox", &[]).await;
    assert_eq!(inbox["threads"].as_array().map(Vec::len), Some(0), "{inbox}");
    let (_, recipients) = app.call(&morgan, "messages/recipients", &[]).await;
    assert!(!recipients.to_string().contains("pool-billing"), "{recipients}");
    let reply = [("thread", thread.as_str()), ("body", "Hi"), ("key", "test-key-00000006-0000")];
    assert_eq!(app.call_multipart(&morgan, "messages/send", &reply, &[]).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        app.call(&morgan, "billing/contact", &[("account_id", &due_id)]).await.0,
        StatusCode::FORBIDDEN
    );
    let refused =
        send_message(app, &morgan, "pool-billing", &[("account", &due_id)], "test-key-00000005-0000").await;
    assert_eq!(refused.0, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.1);
}

/// Posts to the account as the billing office: (status, error key or "").
async fn office_post(
    app: &TestApp,
    clerk: &reqwest::Client,
    account: i64,
    kind: &str,
    amount: &str,
    reason: &str,
    key: &str,
) -> (StatusCode, String) {
    let account = account.to_string();
    let form = [
        ("account_id", account.as_str()),
        ("kind", kind),
        ("amount", amount),
        ("reason", reason),
        ("key", key),
    ];
    let (status, body) = app.call(clerk, "staff/billing/post", &form).await;
    (status, if status == StatusCode::OK { String::new() } else { crate::common::error_key(&body) })
}

async fn office_balance(app: &TestApp, clerk: &reqwest::Client, account: i64) -> i64 {
    let (status, view) =
        app.call(clerk, "staff/billing/account", &[("account_id", &account.to_string())]).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    view["summary"]["balance"].as_i64().unwrap()
}

async fn the_billing_office_finds_an_account_and_posts_adjustments_and_refunds_once(app: &TestApp) {
    let g = guarantor(app).await;
    let db = &app.state.db;
    let account = insert_account(db, "5000017", g.patient, &[g.patient], g.clinic, 1).await.unwrap();
    ledger(app, account, g.patient, 12_000, &[("insurance-payment", -7_000)]).await;
    let secret = NewEntry { confidential: true, ..charge(g.patient, "HIV-1 RNA test", 1_000) };
    insert_entry(db, account, &secret).await.unwrap();
    app.add_user("billing.clerk", app::auth::Role::Billing, None, "billing@example.org").await;
    let clerk = app.signed_in("billing.clerk").await;

    // Found by the number as printed, or by the guarantor's last name; each shown account
    // is a read of the guarantor's chart.
    for query in ["500-0017", "smith"] {
        let (status, found) = app.call(&clerk, "staff/billing/find", &[("query", query)]).await;
        assert_eq!(status, StatusCode::OK, "{found}");
        assert_eq!(found[0]["number"], "5000017", "{query}: {found}");
        assert_eq!(found[0]["balance"], 6_000);
    }
    let (status, found) = app.call(&clerk, "staff/billing/find", &[("query", "Nobody")]).await;
    assert_eq!((status, found.as_array().map(Vec::len)), (StatusCode::OK, Some(0)));
    let (_, empty) = app.call(&clerk, "staff/billing/find", &[("query", " ")]).await;
    assert_eq!(crate::common::error_key(&empty), "billing.search_required");
    // The whole ledger, the confidential service named (staff see it).
    let (_, view) = app.call(&clerk, "staff/billing/account", &[("account_id", &account.to_string())]).await;
    assert!(view["lines"].to_string().contains("HIV-1 RNA test"), "{view}");
    assert_eq!(office_balance(app, &clerk, account).await, 6_000);

    // Each refusal at its field, nothing posted.
    let key = |n: u32| format!("office-key-{n:08}-0000");
    assert_eq!(
        office_post(app, &clerk, account, "credit", "20.00", "", &key(1)).await.1,
        "billing.reason_required"
    );
    assert_eq!(
        office_post(app, &clerk, account, "credit", "20.00", &"x".repeat(501), &key(1)).await.1,
        "billing.reason_too_long"
    );
    assert_eq!(
        office_post(app, &clerk, account, "gift", "20.00", "Why", &key(1)).await.1,
        "billing.choose_kind"
    );
    assert_eq!(
        office_post(app, &clerk, account, "credit", "0", "Why", &key(1)).await.1,
        "billing.amount_invalid"
    );
    assert_eq!(
        office_post(app, &clerk, account, "refund", "10.00", "Overpaid", &key(1)).await.1,
        "billing.refund_too_large"
    );
    assert_eq!(office_balance(app, &clerk, account).await, 6_000);

    // A courtesy credit, sent twice (a double click): posted once.
    for _ in 0..2 {
        assert_eq!(
            office_post(app, &clerk, account, "credit", "20.00", "Courtesy discount", &key(2)).await.0,
            StatusCode::OK
        );
    }
    assert_eq!(office_balance(app, &clerk, account).await, 4_000);
    // Past zero: a $10.00 credit, refunded; then not a cent more.
    assert_eq!(
        office_post(app, &clerk, account, "credit", "50.00", "Billed in error", &key(3)).await.0,
        StatusCode::OK
    );
    assert_eq!(
        office_post(app, &clerk, account, "refund", "10.01", "Overpaid", &key(4)).await.1,
        "billing.refund_too_large"
    );
    assert_eq!(
        office_post(app, &clerk, account, "refund", "10.00", "Overpaid", &key(4)).await.0,
        StatusCode::OK
    );
    assert_eq!(office_balance(app, &clerk, account).await, 0);
    assert_eq!(
        office_post(app, &clerk, account, "debit", "5.00", "Correction", &key(5)).await.0,
        StatusCode::OK
    );
    assert_eq!(office_balance(app, &clerk, account).await, 500);
    assert_eq!(app.audit_count("billing-posted").await, 4);

    // The guarantor sees each posting on the account; its reason and poster are the office's.
    let avery = app.signed_in("avery").await;
    let (_, detail) = app.call(&avery, "billing/account", &[("account_id", &account.to_string())]).await;
    let activity: Vec<(String, i64)> = detail["activity"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["kind"].as_str().unwrap().to_owned(), a["amount"].as_i64().unwrap()))
        .collect();
    for posted in [
        ("Adjustment".to_owned(), -2_000),
        ("Adjustment".into(), -5_000),
        ("Refund".into(), 1_000),
        ("Adjustment".into(), 500),
    ] {
        assert!(activity.contains(&posted), "{posted:?} not in {activity:?}");
    }
    // Nobody but the billing office.
    app.add_clinician("dr.cole", &[]).await;
    let clinician = app.signed_in("dr.cole").await;
    assert_eq!(
        app.call(&clinician, "staff/billing/find", &[("query", "smith")]).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.call(&avery, "staff/billing/account", &[("account_id", &account.to_string())]).await.0,
        StatusCode::FORBIDDEN
    );
}

/// A document the Documents center lists under `key` as `kind`: its bytes, downloaded there.
async fn from_documents(app: &TestApp, client: &reqwest::Client, key: &str, kind: &str) -> Vec<u8> {
    let (_, list) = app.call(client, "documents/list", &[]).await;
    let entries = list["entries"].as_array().unwrap();
    assert!(entries.iter().any(|e| e["key"] == key && e["kind"] == kind), "{key} not in {list}");
    let res = app.call_raw(client, "documents/download", &[("key", key)]).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.bytes().await.unwrap().to_vec()
}

/// A PDF download: (status, its text as a reader sees it).
async fn pdf(app: &TestApp, client: &reqwest::Client, path_and_query: &str) -> (StatusCode, String) {
    let res = client.get(format!("{}/api/{path_and_query}", app.base)).send().await.unwrap();
    let status = res.status();
    if status != StatusCode::OK {
        return (status, String::new());
    }
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert_eq!(res.headers()["cache-control"], "no-store");
    (status, crate::documents::pdf_text(&res.bytes().await.unwrap()))
}

async fn a_statement_is_a_pdf_of_the_ledger_through_it_in_billing_and_documents(app: &TestApp) {
    let g = guarantor(app).await;
    let db = &app.state.db;
    let account = insert_account(db, "A-STATEMENT", g.patient, &[g.patient], g.clinic, 1).await.unwrap();
    ledger(
        app,
        account,
        g.patient,
        24_500,
        &[("insurance-payment", -14_000), ("insurance-adjustment", -4_500)],
    )
    .await;
    let secret = NewEntry { confidential: true, ..charge(g.patient, "HIV-1 RNA test", 1_000) };
    insert_entry(db, account, &secret).await.unwrap();
    let statement = insert_statement(db, account, "2026-11-01", "2026-12-01").await.unwrap();
    // A payment after the statement: not on it.
    let later =
        NewEntry { kind: "patient-payment", amount_cents: -2_500, posted_at: 3, ..Default::default() };
    insert_entry(db, account, &later).await.unwrap();

    let avery = app.signed_in("avery").await;
    let (status, text) = pdf(app, &avery, &format!("billing/statement?id={statement}")).await;
    assert_eq!(status, StatusCode::OK);
    for expected in [
        "Statement, account A-STATEMENT",
        "Avery Smith",
        "2026-12-01",
        "Amount due: $70.00",
        "Office visit (99213)",
        "HIV-1 RNA test",
        "Your share:",
    ] {
        assert!(text.contains(expected), "{expected} not in {text}");
    }
    assert!(
        !text.contains("-$25.00") && !text.contains("Payments and adjustments"),
        "the later payment is not on it: {text}"
    );
    // The Documents center lists it and gives the same file.
    let listed = from_documents(app, &avery, &format!("statement-{statement}"), "BillingStatement").await;
    assert!(crate::documents::pdf_text(&listed).contains("Amount due: $70.00"));

    // A proxy with Billing: the confidential service is not named (without Billing the
    // statement is refused: the access matrix).
    let morgan = proxy_on(app, g.patient, &[Section::Billing, Section::Documents]).await;
    let (status, text) = pdf(app, &morgan, &format!("billing/statement?id={statement}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text.contains("Confidential service") && !text.contains("HIV"), "{text}");
}

/// Sets up a plan: (status, the error's key or "").
async fn plan_start(
    app: &TestApp,
    client: &reqwest::Client,
    endpoint: &str,
    account: i64,
    monthly: &str,
    day: &str,
) -> (StatusCode, String) {
    let account = account.to_string();
    let (status, body) =
        app.call(client, endpoint, &[("account_id", &account), ("monthly", monthly), ("day", day)]).await;
    (status, if status == StatusCode::OK { String::new() } else { crate::common::error_key(&body) })
}

async fn plan_of(app: &TestApp, client: &reqwest::Client, account: i64) -> Value {
    let (status, detail) = app.call(client, "billing/account", &[("account_id", &account.to_string())]).await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    detail["plan"].clone()
}

async fn a_payment_plan_is_offered_over_the_minimum_put_in_force_once_and_ended(app: &TestApp) {
    let g = guarantor(app).await;
    let db = &app.state.db;
    let big = insert_account(db, "A-PLAN", g.patient, &[g.patient], g.clinic, 1).await.unwrap();
    ledger(app, big, g.patient, 120_000, &[]).await;
    let small = insert_account(db, "A-SMALL", g.patient, &[g.patient], g.clinic, 1).await.unwrap();
    ledger(app, small, g.patient, 15_000, &[]).await;
    let partner = insert_account(db, "A-PARTNER", g.patient, &[g.patient], g.partner, 1).await.unwrap();
    ledger(app, partner, g.patient, 50_000, &[]).await;
    let avery = app.signed_in("avery").await;

    // Over the $200.00 minimum, at the clinic: from $50.00 (24 months) to the balance.
    assert_eq!(
        plan_of(app, &avery, big).await["Offered"],
        serde_json::json!({"min_monthly": 5_000, "max_monthly": 120_000})
    );
    assert_eq!(plan_of(app, &avery, small).await, "NotOffered");
    assert_eq!(plan_of(app, &avery, partner).await, "NotOffered");
    assert_eq!(
        plan_start(app, &avery, "billing/plan_start", small, "50", "15").await.1,
        "billing.plan_not_offered"
    );
    for (monthly, day, problem) in [
        ("49.99", "15", "billing.plan_too_small"),
        ("1200.01", "15", "billing.plan_too_large"),
        ("fifty", "15", "billing.amount_invalid"),
        ("50", "29", "billing.plan_day"),
    ] {
        assert_eq!(
            plan_start(app, &avery, "billing/plan_start", big, monthly, day).await.1,
            problem,
            "{monthly} {day}"
        );
    }
    assert_eq!(plan_start(app, &avery, "billing/plan_start", big, "50", "15").await.0, StatusCode::OK);
    let plan = plan_of(app, &avery, big).await;
    assert_eq!(
        (plan["InForce"]["monthly"].as_i64(), plan["InForce"]["day"].as_i64()),
        (Some(5_000), Some(15)),
        "{plan}"
    );
    assert!(plan["InForce"]["next_due"].as_str().unwrap().ends_with("-15"), "{plan}");
    // Once: a second one (another tab) is refused, the first stands.
    assert_eq!(
        plan_start(app, &avery, "billing/plan_start", big, "75", "1").await.1,
        "billing.plan_in_force"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM billing_plans").await, 1);

    // The billing office sees it, ends it, and sets up another; each change is audited.
    app.add_user("billing.clerk", app::auth::Role::Billing, None, "billing@example.org").await;
    let clerk = app.signed_in("billing.clerk").await;
    let (_, office) = app.call(&clerk, "staff/billing/account", &[("account_id", &big.to_string())]).await;
    assert_eq!(office["plan"]["InForce"]["monthly"], 5_000, "{office}");
    assert_eq!(
        app.call(&clerk, "staff/billing/plan_end", &[("account_id", &big.to_string())]).await.0,
        StatusCode::OK
    );
    assert!(plan_of(app, &avery, big).await.get("Offered").is_some());
    assert_eq!(plan_start(app, &clerk, "staff/billing/plan_start", big, "100", "1").await.0, StatusCode::OK);
    assert_eq!(plan_of(app, &avery, big).await["InForce"]["monthly"], 10_000);
    assert_eq!(app.audit_count("billing-plan-started").await, 2);
    assert_eq!(app.audit_count("billing-plan-ended").await, 1);
    // The guarantor ends it; ending it again changes nothing and logs nothing more.
    for _ in 0..2 {
        assert_eq!(
            app.call(&avery, "billing/plan_end", &[("account_id", &big.to_string())]).await.0,
            StatusCode::OK
        );
    }
    assert_eq!(app.audit_count("billing-plan-ended").await, 2);
}

async fn the_billing_office_posts_an_estimate_the_guarantor_finds_on_the_account_and_in_documents(
    app: &TestApp,
) {
    let g = guarantor(app).await;
    let db = &app.state.db;
    let account = insert_account(db, "A-ESTIMATE", g.patient, &[g.patient], g.clinic, 1).await.unwrap();
    app.add_user("billing.clerk", app::auth::Role::Billing, None, "billing@example.org").await;
    let clerk = app.signed_in("billing.clerk").await;
    let pdf = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n".to_vec();
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    let today = app.clock.today().to_string();
    let tomorrow = (app.clock.today() + time::Duration::days(1)).to_string();
    let id = account.to_string();
    let served = g.patient.to_string();
    let post = |title: &'static str, date: String, file: Vec<u8>| {
        let (id, served) = (id.clone(), served.clone());
        let clerk = clerk.clone();
        async move {
            let fields = [
                ("account_id", id.as_str()),
                ("served", served.as_str()),
                ("title", title),
                ("document_date", date.as_str()),
            ];
            app.call_multipart(&clerk, "staff/billing/estimate", &fields, &[("estimate.pdf", &file)]).await
        }
    };
    let (status, body) = post("", today.clone(), pdf.clone()).await;
    assert_eq!(
        (status, crate::common::error_key(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "documents.title_required".into())
    );
    let (_, body) = post("Knee MRI", tomorrow, pdf.clone()).await;
    assert_eq!(crate::common::error_key(&body), "documents.date_in_future");
    let (_, body) = post("Knee MRI", today.clone(), png).await;
    assert_eq!(crate::common::error_key(&body), "documents.copy_not_pdf");
    let (status, body) = post("Knee MRI", today.clone(), pdf.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(app.audit_count("billing-estimate-posted").await, 1);

    // The guarantor: on the account, in Documents, and the same bytes from both.
    let avery = app.signed_in("avery").await;
    let (_, detail) = app.call(&avery, "billing/account", &[("account_id", &id)]).await;
    let estimate = detail["estimates"][0]["id"].as_i64().unwrap();
    assert_eq!(detail["estimates"][0]["title"], "Knee MRI");
    let res = avery.get(format!("{}/api/billing/estimate?id={estimate}", app.base)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.bytes().await.unwrap().to_vec(), pdf);
    assert_eq!(from_documents(app, &avery, &format!("estimate-{estimate}"), "BillingEstimate").await, pdf);
    // A confidential estimate, and one for a patient the account does not cover.
    let other = app.add_patient("MRN-NOTCOVERED", "Nora", "Other", "1990-01-01").await.to_string();
    let fields = [
        ("account_id", id.as_str()),
        ("served", other.as_str()),
        ("title", "HIV test"),
        ("document_date", today.as_str()),
    ];
    let (_, body) = app.call_multipart(&clerk, "staff/billing/estimate", &fields, &[("e.pdf", &pdf)]).await;
    assert_eq!(crate::common::error_key(&body), "billing.choose_patient");
    let fields = [
        ("account_id", id.as_str()),
        ("served", served.as_str()),
        ("confidential", "on"),
        ("title", "HIV test"),
        ("document_date", today.as_str()),
    ];
    let (status, _) = app.call_multipart(&clerk, "staff/billing/estimate", &fields, &[("e.pdf", &pdf)]).await;
    assert_eq!(status, StatusCode::OK);
    let (_, detail) = app.call(&avery, "billing/account", &[("account_id", &id)]).await;
    assert_eq!(detail["estimates"].as_array().unwrap().len(), 2, "the patient served sees both: {detail}");
    let secret = detail["estimates"].as_array().unwrap().iter().find(|e| e["title"] == "HIV test").unwrap()
        ["id"]
        .as_i64()
        .unwrap();
    // A proxy with Billing and Documents: not on the account, not in Documents, not by id.
    let morgan = proxy_on(app, g.patient, &[Section::Billing, Section::Documents]).await;
    let (_, detail) = app.call(&morgan, "billing/account", &[("account_id", &id)]).await;
    assert!(!detail.to_string().contains("HIV"), "{detail}");
    let (_, list) = app.call(&morgan, "documents/list", &[]).await;
    assert!(!list.to_string().contains("HIV"), "{list}");
    let res = morgan.get(format!("{}/api/billing/estimate?id={secret}", app.base)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = app.call_raw(&morgan, "documents/download", &[("key", &format!("estimate-{secret}"))]).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // Someone else's estimate id: not found.
    app.add_patient_user("stranger").await;
    let stranger = app.signed_in("stranger").await;
    let res = stranger.get(format!("{}/api/billing/estimate?id={estimate}", app.base)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}
