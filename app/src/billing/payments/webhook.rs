//! The processor's webhook: the only way a charge reaches the ledger. Its door is the
//! signature (`signature::verify` under the configured secret); nothing in the event is
//! trusted before it passes. Events are Stripe Checkout's: a session completed (or its
//! delayed payment succeeded) with `payment_status: paid` records the amount the processor
//! charged, keyed by its payment id; a failed or expired session closes the payment unpaid.
use serde::Deserialize;

use super::{
    signature::{self, SignatureError},
    store::{self, Recorded},
};
use crate::infra::AppState;

/// Why an event was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookError {
    /// Payments are not configured: there is no webhook.
    Off,
    Signature(SignatureError),
    /// Signed, but not an event we can read.
    Unreadable,
    Database,
}

/// What an accepted event did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Charge(Recorded),
    ClosedUnpaid,
    /// An event type we do not act on (answered 200 so the processor stops sending it).
    Ignored,
}

/// Only the type is read first: an event of a type we ignore is answered 200 whatever its
/// shape (else the processor would send it again for days).
#[derive(Debug, Deserialize)]
struct Event {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    data: serde_json::Value,
}

#[derive(Debug, Deserialize)]
struct Session {
    id: String,
    #[serde(default)]
    payment_status: Option<String>,
    #[serde(default)]
    amount_total: Option<i64>,
    #[serde(default)]
    payment_intent: Option<String>,
}

/// Checks and applies one event. `signature_header` is the `Stripe-Signature` header.
pub async fn receive(state: &AppState, signature_header: &str, body: &[u8]) -> Result<Outcome, WebhookError> {
    let payments = state.config.payments.as_ref().ok_or(WebhookError::Off)?;
    let now_ms = state.clock.now_ms();
    signature::verify(payments.webhook_secret.as_bytes(), signature_header, body, now_ms / 1000)
        .map_err(WebhookError::Signature)?;
    let event: Event = serde_json::from_slice(body).map_err(|_| WebhookError::Unreadable)?;
    const HANDLED: [&str; 4] = [
        "checkout.session.completed",
        "checkout.session.async_payment_succeeded",
        "checkout.session.async_payment_failed",
        "checkout.session.expired",
    ];
    if !HANDLED.contains(&event.kind.as_str()) {
        return Ok(Outcome::Ignored);
    }
    let session: Session =
        serde_json::from_value(event.data["object"].clone()).map_err(|_| WebhookError::Unreadable)?;
    let db = &state.db;
    let outcome = match event.kind.as_str() {
        "checkout.session.completed" | "checkout.session.async_payment_succeeded" => {
            match (session.payment_status.as_deref(), session.amount_total, session.payment_intent.as_deref())
            {
                (Some("paid"), Some(amount), Some(charge)) if amount > 0 => {
                    let recorded = store::record_charge(db, &session.id, charge, amount, now_ms).await;
                    Outcome::Charge(recorded.map_err(|_| WebhookError::Database)?)
                }
                // Completed but not yet paid (a delayed method: the success event follows),
                // or nothing to pay.
                (Some("unpaid" | "no_payment_required"), _, _) => Outcome::Ignored,
                _ => return Err(WebhookError::Unreadable),
            }
        }
        "checkout.session.async_payment_failed" | "checkout.session.expired" => {
            let status = if event.kind.ends_with("expired") { "expired" } else { "failed" };
            store::close_unpaid(db, &session.id, status, now_ms).await.map_err(|_| WebhookError::Database)?;
            Outcome::ClosedUnpaid
        }
        _ => Outcome::Ignored,
    };
    match outcome {
        Outcome::Charge(Recorded::UnknownCheckout) => {
            tracing::warn!(checkout = %session.id, "a paid checkout that is not ours");
        }
        // Recorded now, and only now: the receipt goes out once.
        Outcome::Charge(Recorded::New) => {
            if let Err(error) = super::receipt::send_receipt(state, &session.id).await {
                tracing::warn!(?error, "payment receipt not sent");
            }
        }
        _ => {}
    }
    Ok(outcome)
}
