//! The processor behind Pay Now, as one trait: open a hosted checkout for an amount (once
//! per idempotency key) and ask what came of it. Two implementations: the built-in test
//! processor (`PORTICO_PAYMENTS=test`) and Stripe Checkout (`PORTICO_PAYMENTS=stripe`,
//! its REST API with the clinic's secret key). What a processor charged reaches the ledger
//! only through `store::record_charge`: from its signed webhook (`webhook`), or from asking
//! it when the browser comes back (`checkout_state`), never from the browser's word.
use std::future::Future;

use serde::Deserialize;

use super::test_processor;
use crate::infra::{config::Processor, AppState, Db};

/// A checkout to open.
pub struct NewCheckout<'a> {
    pub amount_cents: i64,
    /// Portico's payment id: the processor keeps it with the checkout.
    pub reference: &'a str,
    /// One key per Pay Now form: the processor opens one checkout for it, however often asked.
    pub idempotency_key: &'a str,
    /// What the guarantor sees at the processor ("Payment on account ending 0017"): no PHI.
    pub description: &'a str,
    pub success_url: &'a str,
    pub cancel_url: &'a str,
}

/// A checkout opened: the processor's id for it and where to send the browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenedCheckout {
    pub id: String,
    pub url: String,
}

/// What the processor says of a checkout now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckoutState {
    /// Charged: the processor's id for the charge, and the amount it took.
    Charged { charge_id: String, amount_cents: i64 },
    /// Ended without a charge (expired).
    Expired,
    /// Not paid yet.
    Open,
}

#[derive(Debug)]
pub enum GatewayError {
    /// The processor could not be reached, or answered with an error.
    Unavailable(String),
    Database(sqlx::Error),
}

impl From<sqlx::Error> for GatewayError {
    fn from(e: sqlx::Error) -> Self {
        GatewayError::Database(e)
    }
}

impl From<GatewayError> for crate::error::AppError {
    fn from(e: GatewayError) -> Self {
        match e {
            GatewayError::Unavailable(why) => {
                tracing::warn!(%why, "payment processor unavailable");
                crate::error::AppError::Unavailable
            }
            GatewayError::Database(e) => e.into(),
        }
    }
}

pub trait PaymentGateway {
    /// Opens a hosted checkout (or finds the one this idempotency key opened).
    fn create_checkout(
        &self,
        new: &NewCheckout<'_>,
        now_ms: i64,
    ) -> impl Future<Output = Result<OpenedCheckout, GatewayError>> + Send;

    /// What the processor says of a checkout; None for one it does not know.
    fn checkout_state(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<CheckoutState>, GatewayError>> + Send;
}

/// The built-in test processor, whose books are tables of this database.
pub struct TestGateway<'a> {
    pub db: &'a Db,
}

impl PaymentGateway for TestGateway<'_> {
    async fn create_checkout(
        &self,
        new: &NewCheckout<'_>,
        now_ms: i64,
    ) -> Result<OpenedCheckout, GatewayError> {
        let checkout = test_processor::create_checkout(self.db, new, now_ms).await?;
        Ok(OpenedCheckout { url: test_processor::checkout_path(&checkout.id), id: checkout.id })
    }

    async fn checkout_state(&self, id: &str) -> Result<Option<CheckoutState>, GatewayError> {
        Ok(test_processor::checkout(self.db, id).await?.map(|c| match (c.status.as_str(), c.charge_id) {
            ("complete", Some(charge_id)) => {
                CheckoutState::Charged { charge_id, amount_cents: c.amount_cents }
            }
            ("expired", _) => CheckoutState::Expired,
            _ => CheckoutState::Open,
        }))
    }
}

/// Stripe Checkout, through Stripe's REST API (`api_base`, https://api.stripe.com unless
/// configured otherwise) with the clinic's secret key.
pub struct StripeGateway<'a> {
    pub api_base: &'a url::Url,
    pub secret_key: &'a str,
}

/// How long Portico waits for Stripe before telling the guarantor to try again.
const STRIPE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);

/// A Checkout Session as Stripe returns it (the fields Portico reads).
#[derive(Debug, Deserialize)]
struct StripeSession {
    id: String,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    payment_status: Option<String>,
    #[serde(default)]
    amount_total: Option<i64>,
    #[serde(default)]
    payment_intent: Option<String>,
}

impl StripeGateway<'_> {
    fn client() -> Result<reqwest::Client, GatewayError> {
        reqwest::Client::builder()
            .timeout(STRIPE_TIMEOUT)
            .build()
            .map_err(|e| GatewayError::Unavailable(e.to_string()))
    }

    fn endpoint(&self, path: &str) -> Result<url::Url, GatewayError> {
        self.api_base.join(path).map_err(|e| GatewayError::Unavailable(e.to_string()))
    }

    async fn session(response: reqwest::Response) -> Result<StripeSession, GatewayError> {
        let status = response.status();
        if !status.is_success() {
            let body = response.text().await.unwrap_or_default();
            return Err(GatewayError::Unavailable(format!("Stripe answered {status}: {body:.300}")));
        }
        response.json().await.map_err(|e| GatewayError::Unavailable(format!("Stripe's answer: {e}")))
    }
}

impl PaymentGateway for StripeGateway<'_> {
    async fn create_checkout(
        &self,
        new: &NewCheckout<'_>,
        _now_ms: i64,
    ) -> Result<OpenedCheckout, GatewayError> {
        let amount = new.amount_cents.to_string();
        let form = [
            ("mode", "payment"),
            ("success_url", new.success_url),
            ("cancel_url", new.cancel_url),
            ("client_reference_id", new.reference),
            ("metadata[portico_payment]", new.reference),
            ("payment_intent_data[metadata][portico_payment]", new.reference),
            ("line_items[0][quantity]", "1"),
            ("line_items[0][price_data][currency]", "usd"),
            ("line_items[0][price_data][unit_amount]", &amount),
            ("line_items[0][price_data][product_data][name]", new.description),
        ];
        let response = Self::client()?
            .post(self.endpoint("v1/checkout/sessions")?)
            .basic_auth(self.secret_key, None::<&str>)
            .header("Idempotency-Key", new.idempotency_key)
            .form(&form)
            .send()
            .await
            .map_err(|e| GatewayError::Unavailable(e.to_string()))?;
        let session = Self::session(response).await?;
        let url = session.url.ok_or_else(|| GatewayError::Unavailable("a session without its url".into()))?;
        Ok(OpenedCheckout { id: session.id, url })
    }

    async fn checkout_state(&self, id: &str) -> Result<Option<CheckoutState>, GatewayError> {
        // Stripe's ids are letters, digits and underscores: anything else is not one of its.
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Ok(None);
        }
        let response = Self::client()?
            .get(self.endpoint(&format!("v1/checkout/sessions/{id}"))?)
            .basic_auth(self.secret_key, None::<&str>)
            .send()
            .await
            .map_err(|e| GatewayError::Unavailable(e.to_string()))?;
        if response.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let session = Self::session(response).await?;
        Ok(Some(match (session.payment_status.as_deref(), session.payment_intent, session.amount_total) {
            // As the webhook: a paid session of no amount is not a charge.
            (Some("paid"), Some(charge_id), Some(amount_cents)) if amount_cents > 0 => {
                CheckoutState::Charged { charge_id, amount_cents }
            }
            _ if session.status.as_deref() == Some("expired") => CheckoutState::Expired,
            _ => CheckoutState::Open,
        }))
    }
}

/// Opens a checkout with the configured processor.
pub async fn create_checkout(
    state: &AppState,
    new: &NewCheckout<'_>,
    now_ms: i64,
) -> Result<OpenedCheckout, GatewayError> {
    match processor(state)? {
        Processor::Test => TestGateway { db: &state.db }.create_checkout(new, now_ms).await,
        Processor::Stripe { api_base, secret_key } => {
            StripeGateway { api_base, secret_key }.create_checkout(new, now_ms).await
        }
    }
}

/// Asks the configured processor about a checkout.
pub async fn checkout_state(state: &AppState, id: &str) -> Result<Option<CheckoutState>, GatewayError> {
    match processor(state)? {
        Processor::Test => TestGateway { db: &state.db }.checkout_state(id).await,
        Processor::Stripe { api_base, secret_key } => {
            StripeGateway { api_base, secret_key }.checkout_state(id).await
        }
    }
}

fn processor(state: &AppState) -> Result<&Processor, GatewayError> {
    state
        .config
        .payments
        .as_ref()
        .map(|p| &p.processor)
        .ok_or_else(|| GatewayError::Unavailable("no processor is configured".into()))
}
