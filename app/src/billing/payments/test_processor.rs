//! The built-in test processor (`PORTICO_PAYMENTS=test`): a hosted checkout with test card
//! numbers, and webhooks shaped and signed as Stripe Checkout's. It keeps its own books in
//! its own tables, as a real processor would on its side: a checkout, the charge made on
//! it, and the events waiting for Portico's webhook, sent again until accepted (after a
//! restart too). Never for real money: it takes no card but the three below.
use serde_json::json;

use super::{gateway::NewCheckout, signature, webhook};
use crate::infra::{crypto, AppState, Db};

/// Charged at once.
pub const CARD_SUCCEEDS: &str = "4242424242424242";
/// Declined: nothing charged.
pub const CARD_DECLINED: &str = "4000000000000002";
/// Charged once the cardholder confirms with their bank (a second step).
pub const CARD_NEEDS_AUTHENTICATION: &str = "4000002500003155";

/// Where the processor's checkout page for `checkout_id` is (served by the server crate
/// when `PORTICO_PAYMENTS=test`).
pub fn checkout_path(checkout_id: &str) -> String {
    format!("{CHECKOUT_PREFIX}{checkout_id}")
}

pub const CHECKOUT_PREFIX: &str = "/test-processor/checkout/";

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Checkout {
    pub id: String,
    pub amount_cents: i64,
    pub status: String,
    pub charge_id: Option<String>,
    pub success_url: String,
    pub cancel_url: String,
}

/// Opens a checkout, or returns the one this idempotency key opened.
pub async fn create_checkout(db: &Db, new: &NewCheckout<'_>, now_ms: i64) -> Result<Checkout, sqlx::Error> {
    let id = format!("cs_test_{}", crypto::random_token(18));
    sqlx::query(
        "INSERT INTO test_processor_checkouts (id, amount_cents, reference, idempotency_key, success_url, cancel_url, \
         status, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'open', $7) ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(&id)
    .bind(new.amount_cents)
    .bind(new.reference)
    .bind(new.idempotency_key)
    .bind(new.success_url)
    .bind(new.cancel_url)
    .bind(now_ms)
    .execute(&db.write)
    .await?;
    sqlx::query_as(
        "SELECT id, amount_cents, status, charge_id, success_url, cancel_url FROM test_processor_checkouts \
         WHERE idempotency_key = $1",
    )
    .bind(new.idempotency_key)
    .fetch_one(&db.write)
    .await
}

pub async fn checkout(db: &Db, id: &str) -> Result<Option<Checkout>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, amount_cents, status, charge_id, success_url, cancel_url FROM test_processor_checkouts WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&db.write)
    .await
}

/// What a card did on a checkout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardOutcome {
    Charged {
        charge_id: String,
    },
    Declined,
    NeedsAuthentication,
    /// Not one of the test cards.
    Unknown,
    /// The checkout was paid (or expired) already: nothing charged again.
    NotOpen,
}

/// Pays a checkout with a test card (`authenticated`: the cardholder confirmed the second
/// step). A charge and its event are written in one transaction, as the processor's own
/// books; the event is then sent (`deliver_pending`).
pub async fn pay(
    db: &Db,
    checkout_id: &str,
    card: &str,
    authenticated: bool,
    now_ms: i64,
) -> Result<CardOutcome, sqlx::Error> {
    let card: String = card.chars().filter(char::is_ascii_digit).collect();
    match card.as_str() {
        CARD_SUCCEEDS => {}
        CARD_NEEDS_AUTHENTICATION if authenticated => {}
        CARD_NEEDS_AUTHENTICATION => return Ok(CardOutcome::NeedsAuthentication),
        CARD_DECLINED => return Ok(CardOutcome::Declined),
        _ => return Ok(CardOutcome::Unknown),
    }
    let charge_id = format!("pi_test_{}", crypto::random_token(18));
    let mut tx = db.write.begin().await?;
    let charged = sqlx::query(
        "UPDATE test_processor_checkouts SET status = 'complete', charge_id = $1 WHERE id = $2 AND status = 'open'",
    )
    .bind(&charge_id)
    .bind(checkout_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if charged != 1 {
        return Ok(CardOutcome::NotOpen);
    }
    let amount: i64 = sqlx::query_scalar("SELECT amount_cents FROM test_processor_checkouts WHERE id = $1")
        .bind(checkout_id)
        .fetch_one(&mut *tx)
        .await?;
    let event_id = format!("evt_test_{}", crypto::random_token(18));
    let body = json!({
        "id": event_id,
        "object": "event",
        "type": "checkout.session.completed",
        "data": {"object": {
            "id": checkout_id,
            "object": "checkout.session",
            "payment_status": "paid",
            "amount_total": amount,
            "currency": "usd",
            "payment_intent": charge_id,
        }},
    });
    sqlx::query("INSERT INTO test_processor_events (id, body, created_at) VALUES ($1, $2, $3)")
        .bind(&event_id)
        .bind(body.to_string())
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(CardOutcome::Charged { charge_id })
}

/// Sends every event not yet accepted to Portico's webhook, signed, oldest first; returns
/// how many were accepted. (In the same process, the webhook is called directly with the
/// signed body: the same check and the same recording as over HTTP.)
pub async fn deliver_pending(state: &AppState) -> Result<usize, sqlx::Error> {
    let Some(payments) = state.config.payments.as_ref() else { return Ok(0) };
    let waiting: Vec<(String, String)> = sqlx::query_as(
        "SELECT id, body FROM test_processor_events WHERE delivered_at IS NULL ORDER BY created_at, id",
    )
    .fetch_all(&state.db.write)
    .await?;
    let mut accepted = 0;
    for (id, body) in waiting {
        let now_ms = state.clock.now_ms();
        let header = signature::sign(payments.webhook_secret.as_bytes(), now_ms / 1000, body.as_bytes());
        let delivered = webhook::receive(state, &header, body.as_bytes()).await.is_ok();
        if delivered {
            sqlx::query(
                "UPDATE test_processor_events SET delivered_at = $1, attempts = attempts + 1 WHERE id = $2",
            )
            .bind(now_ms)
            .bind(&id)
            .execute(&state.db.write)
            .await?;
        } else {
            sqlx::query("UPDATE test_processor_events SET attempts = attempts + 1 WHERE id = $1")
                .bind(&id)
                .execute(&state.db.write)
                .await?;
        }
        accepted += delivered as usize;
    }
    Ok(accepted)
}

/// The events the processor has sent or will send, as (id, body): for a crash test that
/// replays them all.
pub async fn all_events(db: &Db) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT id, body FROM test_processor_events ORDER BY created_at, id")
        .fetch_all(&db.write)
        .await
}
