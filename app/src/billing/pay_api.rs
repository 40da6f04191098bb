//! Pay Now: the form's facts, opening a payment at the processor, and what came of it.
//! The amount is computed and checked here (≥ $1, ≤ the balance, Pay Now offered); the
//! browser goes to the processor's checkout; the ledger changes only when the processor
//! says it charged (its webhook, or this side asking it when the browser returns).
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::AccountSummary;
#[cfg(feature = "ssr")]
use super::{
    api::summary_of,
    ledger,
    payments::{gateway, store as payments},
    store, Cents, PayNow,
};
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::{
    access::{self, Section},
    infra::AppState,
    problem::Problem,
};

/// The Pay Now form: the account, and a fresh key for this one form (a double click or a
/// second send of it opens no second payment).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayForm {
    pub summary: AccountSummary,
    pub key: String,
}

/// A payment as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentView {
    pub account_id: i64,
    /// The account number's last 4 digits (all a receipt names).
    pub account_last4: String,
    pub amount: super::Cents,
    pub status: PaymentStatus,
    pub on: String,
    pub balance_now: super::Cents,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PaymentStatus {
    Paid,
    /// Declined, cancelled or expired: nothing was charged.
    NotMade,
    /// The processor has not said yet.
    Waiting,
}

impl PaymentStatus {
    /// A payment's stored status as its page tells it.
    pub fn of(stored: &str) -> PaymentStatus {
        match stored {
            "paid" => PaymentStatus::Paid,
            "open" => PaymentStatus::Waiting,
            _ => PaymentStatus::NotMade,
        }
    }
}

#[server(endpoint = "billing/pay_form")]
pub async fn load_pay_form(account_id: i64) -> Result<PayForm, AppError> {
    let chart = access::require(Section::Billing, "billing.pay_form").await?;
    let summary = summary_of(&chart, account_id).await?;
    Ok(PayForm { summary, key: crate::infra::crypto::random_token(16) })
}

/// Opens the payment and its checkout; the browser is sent to the processor's page.
/// `whole`: "balance" pays the amount due, "other" the typed `amount`.
#[server(endpoint = "billing/pay")]
pub async fn start_payment(
    account_id: i64,
    whole: String,
    amount: String,
    key: String,
) -> Result<String, AppError> {
    let chart = access::require(Section::Billing, "billing.pay").await?;
    let summary = summary_of(&chart, account_id).await?;
    if summary.pay_now != PayNow::Offered {
        return Err(AppError::invalid("amount", Problem::BillingNotPayable));
    }
    let cents = chosen_amount(&whole, &amount, summary.balance)?;
    check_form_key(&key)?;
    let payer = payments::Payer::User(chart.reader_user_id());
    let checkout_url = open_checkout(
        chart.state(),
        Opening { account_id, number: &summary.number, cents, key: &key, payer },
        "billing/payments/",
    )
    .await?;
    chart
        .audit_write(Section::Billing, "payment-started", &format!("account={account_id} cents={cents}"))
        .await?;
    if crate::ui::form::is_form_post() {
        leptos_axum::redirect(&checkout_url);
    }
    Ok(checkout_url)
}

/// A payment of the chart's accounts, after the browser came back from the processor.
/// The return itself proves nothing: the processor is asked, and a charge it reports is
/// recorded by the same once-only path as its webhook.
#[server(endpoint = "billing/payment")]
pub async fn load_payment(payment_id: i64) -> Result<PaymentView, AppError> {
    let chart = access::require(Section::Billing, "billing.payment").await?;
    let found = payments::payment_in_chart(&chart, payment_id).await?.ok_or(AppError::NotFound)?;
    if found.status == "open" {
        if let Some(checkout) = &found.checkout_ref {
            ask_processor(chart.state(), checkout).await?;
        }
    }
    let found = payments::payment_in_chart(&chart, payment_id).await?.ok_or(AppError::NotFound)?;
    let account = store::account(&chart, found.account_id).await?.ok_or(AppError::NotFound)?;
    Ok(PaymentView::of(&found, &account, &chart.state().clock))
}

#[cfg(feature = "ssr")]
impl PaymentView {
    /// A payment as its page shows it: the account's last 4 digits and its balance now.
    pub(super) fn of(
        found: &payments::PaymentInChart,
        account: &store::AccountRow,
        clock: &crate::infra::clock::Clock,
    ) -> PaymentView {
        PaymentView {
            account_id: account.id,
            account_last4: super::last_four(&account.number),
            amount: Cents(found.amount_cents),
            status: PaymentStatus::of(&found.status),
            on: clock.date_of(found.settled_at.unwrap_or(found.started_at)),
            balance_now: Cents(account.balance_cents),
        }
    }
}

/// A Pay Now form's key as the server made it (`crate::infra::crypto::random_token`).
#[cfg(feature = "ssr")]
pub(super) fn check_form_key(key: &str) -> Result<(), AppError> {
    let made_here = (16..=64).contains(&key.len())
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if made_here {
        Ok(())
    } else {
        Err(AppError::invalid("amount", Problem::BadRequest))
    }
}

/// The cents to pay: the balance, or a typed amount between $1 and the balance.
#[cfg(feature = "ssr")]
pub(super) fn chosen_amount(whole: &str, typed: &str, balance: Cents) -> Result<i64, AppError> {
    let cents = match whole {
        "balance" => balance.0,
        _ => ledger::parse_dollars(typed)
            .ok_or_else(|| AppError::invalid("amount", Problem::BillingAmountInvalid))?,
    };
    if cents < ledger::MIN_PAYMENT_CENTS {
        return Err(AppError::invalid("amount", Problem::BillingAmountTooSmall));
    }
    if cents > balance.0 {
        return Err(AppError::invalid("amount", Problem::BillingAmountTooLarge));
    }
    Ok(cents)
}

/// A payment to open: on which account (its number, for the processor's page: the last 4
/// digits only), how much, this form's key, and who pays.
#[cfg(feature = "ssr")]
pub(super) struct Opening<'a> {
    pub account_id: i64,
    pub number: &'a str,
    pub cents: i64,
    pub key: &'a str,
    pub payer: payments::Payer,
}

/// Opens (or finds, for this form's key) the payment and the processor's checkout; the
/// address of the checkout page. The processor sends the browser back to
/// `return_prefix` + the payment's id.
#[cfg(feature = "ssr")]
pub(super) async fn open_checkout(
    state: &AppState,
    o: Opening<'_>,
    return_prefix: &str,
) -> Result<String, AppError> {
    let processor =
        state.config.payments.as_ref().ok_or(AppError::invalid("amount", Problem::BillingNotPayable))?;
    let now = state.clock.now_ms();
    let payment = payments::open_payment(
        &state.db,
        o.account_id,
        o.cents,
        o.key,
        processor.processor.as_str(),
        Some(o.payer),
        now,
    )
    .await
    .map_err(|e| match e {
        // This form's key already opened a payment on another account.
        sqlx::Error::RowNotFound => AppError::invalid("amount", Problem::BadRequest),
        e => e.into(),
    })?;
    // Through our own return hop (`payments::RETURN_PATH`), which moves on to the page.
    let hop = |page: String| {
        let hop = format!("{}?to=/{page}", &crate::billing::payments::RETURN_PATH[1..]);
        state.config.public_url.join(&hop).map_err(|_| AppError::Unavailable)
    };
    let back = hop(format!("{return_prefix}{}", payment.id))?;
    let cancelled = hop(format!("{return_prefix}{}?cancelled", payment.id))?;
    let description = format!("{}: account ending {}", state.config.org.name, super::last_four(o.number));
    let new = gateway::NewCheckout {
        amount_cents: payment.amount_cents,
        reference: &payment.id.to_string(),
        idempotency_key: o.key,
        description: &description,
        success_url: back.as_str(),
        cancel_url: cancelled.as_str(),
    };
    let checkout = gateway::create_checkout(state, &new, now).await?;
    payments::set_checkout(&state.db, payment.id, &checkout.id).await?;
    Ok(checkout.url)
}

/// Asks the processor about a checkout and records a charge it reports (once), or closes
/// the payment of a checkout that expired.
#[cfg(feature = "ssr")]
pub(super) async fn ask_processor(state: &AppState, checkout_ref: &str) -> Result<(), AppError> {
    let db = &state.db;
    let now = state.clock.now_ms();
    match gateway::checkout_state(state, checkout_ref).await? {
        Some(gateway::CheckoutState::Charged { charge_id, amount_cents }) => {
            let recorded = payments::record_charge(db, checkout_ref, &charge_id, amount_cents, now).await?;
            // The charge is booked: a receipt that fails is logged, never the page's error.
            if recorded == payments::Recorded::New {
                if let Err(error) = crate::billing::payments::receipt::send_receipt(state, checkout_ref).await
                {
                    tracing::warn!(?error, "payment receipt not sent");
                }
            }
        }
        Some(gateway::CheckoutState::Expired) => {
            payments::close_unpaid(db, checkout_ref, "expired", now).await?
        }
        Some(gateway::CheckoutState::Open) | None => {}
    }
    Ok(())
}
