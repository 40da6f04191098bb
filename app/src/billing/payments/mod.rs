//! Online payments: Portico never sees a card number. A payment is opened for an amount
//! and an idempotency key (`store::open_payment`), the processor's hosted checkout takes the
//! card, and the processor's signed webhook says what it charged (`webhook::receive`). Each
//! charge becomes one ledger row, keyed by the processor's id for it: a webhook replayed,
//! delivered out of order or after a crash changes nothing twice.
//!
//! The processor is one of two behind `gateway::PaymentGateway`: Stripe Checkout, or the
//! built-in test processor (`test_processor`), whose events are shaped and signed as
//! Stripe's are, so the webhook side is the same for both.
//! (Server only: the browser never takes part but through the processor's page.)
pub mod gateway;
pub mod receipt;
pub mod signature;
pub mod store;
pub mod test_processor;
pub mod webhook;
