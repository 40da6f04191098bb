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

/// Where the processor sends the browser back: `RETURN_PATH?to=<page>`. The hop is a page of
/// ours that moves on to `<page>` itself, so the move starts on our own site and the
/// session's SameSite=Strict cookie goes with it (a browser holds it back on the
/// processor's cross-site redirect).
pub const RETURN_PATH: &str = "/payments/return";

/// The page a return may go on to: a payment's page, for the guarantor's side or a guest,
/// optionally "cancelled"; nothing else (no open redirect).
pub fn return_target(to: &str) -> Option<&str> {
    let (path, query) = to.split_once('?').unwrap_or((to, ""));
    let id =
        path.strip_prefix("/billing/payments/").or_else(|| path.strip_prefix("/pay-as-guest/payments/"))?;
    let ok = !id.is_empty() && id.len() <= 18 && id.bytes().all(|b| b.is_ascii_digit());
    (ok && (query.is_empty() || query == "cancelled")).then_some(to)
}

#[cfg(test)]
mod tests {
    use super::return_target;

    #[test]
    fn a_return_goes_on_to_a_payment_page_only() {
        assert_eq!(return_target("/billing/payments/12"), Some("/billing/payments/12"));
        assert_eq!(
            return_target("/pay-as-guest/payments/7?cancelled"),
            Some("/pay-as-guest/payments/7?cancelled")
        );
        for refused in [
            "https://evil.example/billing/payments/1",
            "//evil.example",
            "/billing/payments/",
            "/billing/payments/1/x",
            "/billing/payments/1?next=/x",
            "/messages/1",
            "",
        ] {
            assert_eq!(return_target(refused), None, "{refused}");
        }
    }
}
