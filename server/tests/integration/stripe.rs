//! The Stripe Checkout adapter (issue 17) against a stand-in for Stripe's REST API on a
//! local port (the real one is not reachable from the tests): Pay Now creates a Checkout
//! Session with the secret key, the amount in cents, the form's idempotency key and the
//! return addresses, and sends the browser to the session's url; the return page asks
//! Stripe for the session and books a paid one once; Stripe's signed webhook for the same
//! session changes nothing more; Stripe unreachable is "try again", with nothing charged.
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use axum::{
    extract::{Path, State},
    http::{HeaderMap, StatusCode as AxumStatus},
    routing::{get, post},
    Form, Json, Router,
};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{Options, TestApp};
use app::{
    billing::{
        payments::signature,
        store::{insert_account, insert_entry, insert_service_area, NewEntry},
    },
    infra::config::{Payments, Processor},
};

const SECRET_KEY: &str = "sk_test_portico_integration";
const WEBHOOK_SECRET: &str = "whsec_stripe_integration";

/// Stripe's side, as far as Portico uses it: sessions by id, and by idempotency key.
#[derive(Default)]
struct Stand {
    sessions: HashMap<String, Value>,
    by_key: HashMap<String, String>,
    /// Every session creation's form, as Stripe received it.
    created: Vec<HashMap<String, String>>,
    /// Answer every call with a 500 (Stripe having a bad day).
    failing: bool,
}

type Shared = Arc<Mutex<Stand>>;

fn authorised(headers: &HeaderMap) -> bool {
    use base64::Engine as _;
    let expected =
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{SECRET_KEY}:")));
    headers.get("authorization").and_then(|v| v.to_str().ok()) == Some(expected.as_str())
}

async fn create_session(
    State(stand): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Json<Value>, AxumStatus> {
    let mut stand = stand.lock().unwrap();
    if stand.failing {
        return Err(AxumStatus::INTERNAL_SERVER_ERROR);
    }
    if !authorised(&headers) {
        return Err(AxumStatus::UNAUTHORIZED);
    }
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).ok_or(AxumStatus::BAD_REQUEST)?;
    stand.created.push(form.clone());
    if let Some(id) = stand.by_key.get(key) {
        return Ok(Json(stand.sessions[id].clone()));
    }
    let id = format!("cs_test_stand{}", stand.sessions.len() + 1);
    let amount: i64 =
        form["line_items[0][price_data][unit_amount]"].parse().map_err(|_| AxumStatus::BAD_REQUEST)?;
    let session = json!({
        "id": id, "object": "checkout.session", "url": format!("https://checkout.stripe.test/c/pay/{id}"),
        "status": "open", "payment_status": "unpaid", "amount_total": amount, "payment_intent": null,
        "client_reference_id": form["client_reference_id"],
    });
    stand.sessions.insert(id.clone(), session.clone());
    stand.by_key.insert(key.to_owned(), id);
    Ok(Json(session))
}

async fn read_session(
    State(stand): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, AxumStatus> {
    let stand = stand.lock().unwrap();
    if stand.failing {
        return Err(AxumStatus::INTERNAL_SERVER_ERROR);
    }
    if !authorised(&headers) {
        return Err(AxumStatus::UNAUTHORIZED);
    }
    stand.sessions.get(&id).cloned().map(Json).ok_or(AxumStatus::NOT_FOUND)
}

/// Stripe's API on a local port; its base address.
async fn stripe_stand_in(stand: Shared) -> String {
    let router = Router::new()
        .route("/v1/checkout/sessions", post(create_session))
        .route("/v1/checkout/sessions/{id}", get(read_session))
        .with_state(stand);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    base
}

/// The guarantor pays at Stripe: the session is complete, with a payment intent.
fn pay_at_stripe(stand: &Shared, id: &str) -> Value {
    let mut stand = stand.lock().unwrap();
    let session = stand.sessions.get_mut(id).unwrap();
    session["status"] = json!("complete");
    session["payment_status"] = json!("paid");
    session["payment_intent"] = json!(format!("pi_{id}"));
    session.clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stripe_checkout_opens_a_session_and_books_a_paid_one_once() {
    let stand: Shared = Arc::default();
    let base = stripe_stand_in(stand.clone()).await;
    let options = Options {
        payments: Some(Payments {
            processor: Processor::Stripe { api_base: base.parse().unwrap(), secret_key: SECRET_KEY.into() },
            webhook_secret: WEBHOOK_SECRET.into(),
        }),
        ..Default::default()
    };
    let app = TestApp::spawn_with(crate::common::Backend::Sqlite, options).await.unwrap();
    let db = &app.state.db;
    let patient = app.add_patient("MRN-STRIPE", "Pat", "Payer", "1975-05-05").await;
    app.add_user("pat", app::auth::Role::Patient, Some(patient), "pat@example.org").await;
    let area = insert_service_area(db, "Clinic", true, None).await.unwrap();
    let account = insert_account(db, "8000123", patient, &[patient], area, 1).await.unwrap();
    let charge = NewEntry {
        kind: "charge",
        patient_id: Some(patient),
        service_date: Some("2026-10-01"),
        description: "Office visit",
        amount_cents: 10_000,
        posted_at: 1,
        ..Default::default()
    };
    insert_entry(db, account, &charge).await.unwrap();
    let pat = app.signed_in("pat").await;
    let (_, form) = app.call(&pat, "billing/pay_form", &[("account_id", &account.to_string())]).await;
    let key = form["key"].as_str().unwrap().to_owned();
    let pay = [
        ("account_id", account.to_string()),
        ("whole", "other".into()),
        ("amount", "25.50".into()),
        ("key", key),
    ];
    let pay: Vec<(&str, &str)> = pay.iter().map(|(k, v)| (*k, v.as_str())).collect();

    // Stripe down: "try again", nothing charged, no checkout.
    stand.lock().unwrap().failing = true;
    assert_eq!(app.call(&pat, "billing/pay", &pay).await.0, StatusCode::SERVICE_UNAVAILABLE);
    stand.lock().unwrap().failing = false;

    // The session: the secret key, the amount in cents, the form's key, the return
    // addresses, and nothing but the account's last 4 digits for Stripe's page.
    let (status, url) = app.call(&pat, "billing/pay", &pay).await;
    assert_eq!(status, StatusCode::OK, "{url}");
    assert_eq!(url, "https://checkout.stripe.test/c/pay/cs_test_stand1");
    let (_, again) = app.call(&pat, "billing/pay", &pay).await;
    assert_eq!(again, url, "the same form: the same session");
    let sent = stand.lock().unwrap().created.last().cloned().unwrap();
    assert_eq!(sent["mode"], "payment");
    assert_eq!(sent["line_items[0][price_data][unit_amount]"], "2550");
    assert_eq!(sent["line_items[0][price_data][currency]"], "usd");
    let name = &sent["line_items[0][price_data][product_data][name]"];
    assert!(
        name.ends_with("account ending 0123") && !name.contains("8000123") && !name.contains("Pat"),
        "{name}"
    );
    let payment_id = sent["client_reference_id"].clone();
    assert!(sent["success_url"].ends_with(&format!("/billing/payments/{payment_id}")), "{sent:?}");
    assert!(sent["cancel_url"].ends_with(&format!("/billing/payments/{payment_id}?cancelled")), "{sent:?}");

    // Back before paying: nothing booked. Paid at Stripe: the return page asks and books it.
    let (_, waiting) = app.call(&pat, "billing/payment", &[("payment_id", &payment_id)]).await;
    assert_eq!(waiting["status"], "Waiting");
    let paid = pay_at_stripe(&stand, "cs_test_stand1");
    let (_, receipt) = app.call(&pat, "billing/payment", &[("payment_id", &payment_id)]).await;
    assert_eq!(
        (receipt["status"].as_str(), receipt["balance_now"].as_i64()),
        (Some("Paid"), Some(7_450)),
        "{receipt}"
    );

    // Stripe's webhook for the same session, signed: accepted, nothing booked twice.
    let event = json!({"id": "evt_stand1", "type": "checkout.session.completed", "data": {"object": paid}})
        .to_string();
    let at = app.clock.now_ms() / 1000;
    let res = reqwest::Client::new()
        .post(format!("{}/api/payments/webhook", app.base))
        .header("stripe-signature", signature::sign(WEBHOOK_SECRET.as_bytes(), at, event.as_bytes()))
        .body(event)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(app.count("SELECT COUNT(*) FROM billing_entries WHERE kind = 'patient-payment'").await, 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM billing_entries WHERE processor_charge = 'pi_cs_test_stand1'").await,
        1
    );
    // No test processor pages with Stripe.
    let page = reqwest::get(format!("{}/test-processor/checkout/cs_test_stand1", app.base)).await.unwrap();
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    app.cleanup().await;
}

/// The processor's return lands on our hop page, which moves on (by itself, so the session's
/// SameSite=Strict cookie goes along) to a payment's page only: never an open redirect.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_return_hop_moves_on_to_a_payment_page_only() {
    let app = TestApp::spawn(crate::common::Backend::Sqlite).await.unwrap();
    let get = |to: &str| reqwest::get(format!("{}/payments/return?to={to}", app.base));
    let page = get("/billing/payments/12").await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()["cache-control"], "no-store");
    assert!(page.text().await.unwrap().contains("content=\"0;url=/billing/payments/12\""));
    let cancelled = get("/pay-as-guest/payments/3?cancelled").await.unwrap().text().await.unwrap();
    assert!(cancelled.contains("url=/pay-as-guest/payments/3?cancelled"), "{cancelled}");
    for elsewhere in [
        "https://evil.example/",
        "//evil.example/billing/payments/1",
        "/messages/1",
        "/billing/payments/1%22%3E",
    ] {
        assert_eq!(get(elsewhere).await.unwrap().status(), StatusCode::NOT_FOUND, "{elsewhere}");
    }
    app.cleanup().await;
}
