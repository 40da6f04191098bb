//! Pay as Guest: a guarantor account paid from the sign-in page with its number and the
//! guarantor's last name, no Portico account. Every call goes through the guest door
//! (`access::open_guest_account`, `access::guest_payer`): the guest sees the amount due and
//! the service area, pays through the same checkout as Pay Now, and sees the receipts of the
//! payments made in this opening; nothing else of the account (no names, no visits, no
//! ledger, no statements).
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::{
    ledger,
    pay_api::{ask_processor, check_form_key, chosen_amount, open_checkout, Opening},
    payments::store::{payment_of_guest, Payer},
    store,
};
use super::{pay_api::PaymentView, Cents, PayNow};
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::{access, infra::cookies, problem::Problem};

/// The guest's token (HttpOnly, SameSite=Strict), for at most `access::GUEST_VIEW_MINUTES`.
#[cfg(feature = "ssr")]
const GUEST_COOKIE: &str = "portico_guest";

/// What a guest sees of the account they opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuestAccount {
    pub account_last4: String,
    pub service_area: String,
    pub balance: Cents,
    pub pay_now: PayNow,
    /// The clinic's billing phone, for "if this is incorrect".
    pub billing_phone: Option<String>,
    /// A fresh key for this one Pay form.
    pub key: String,
}

/// Opens the account: its number as printed on the statement and the guarantor's last
/// name. A wrong number and a wrong name get the same answer, at the number.
#[server(endpoint = "billing/guest_open")]
pub async fn open_guest(
    #[server(default)] number: String,
    #[server(default)] last_name: String,
) -> Result<(), AppError> {
    let typed_number = number.trim();
    if typed_number.is_empty() {
        return Err(AppError::invalid("number", Problem::GuestNumberRequired));
    }
    let last_name = last_name.trim();
    if last_name.is_empty() {
        return Err(AppError::invalid("last_name", Problem::GuestLastNameRequired));
    }
    let not_found = || AppError::invalid("number", Problem::GuestAccountNotFound);
    let number = access::normalised_account_number(typed_number).ok_or_else(not_found)?;
    if last_name.chars().count() > access::GUEST_LAST_NAME_MAX_CHARS {
        return Err(not_found());
    }
    let opened = access::open_guest_account(&number, last_name).await?;
    cookies::set(GUEST_COOKIE, &opened.token, opened.max_age_secs);
    if crate::ui::form::is_form_post() {
        leptos_axum::redirect("/pay-as-guest/account");
    }
    Ok(())
}

/// The opened account: amount due, service area, whether it can be paid here.
#[server(endpoint = "billing/guest_account")]
pub async fn load_guest_account() -> Result<GuestAccount, AppError> {
    let guest = access::guest_payer(cookies::read(GUEST_COOKIE).as_deref(), "billing.guest_account").await?;
    let row = store::guest_account(&guest).await?.ok_or_else(ended)?;
    let balance = Cents(row.balance_cents);
    let clinic_online = guest.state().config.payments.is_some();
    let area_phone = row.area_phone.as_deref();
    Ok(GuestAccount {
        account_last4: super::last_four(&row.number),
        pay_now: ledger::pay_now(balance, row.online_payments != 0, &row.area, area_phone, clinic_online),
        service_area: row.area,
        balance,
        billing_phone: guest.state().config.org.contacts.billing_phone.clone(),
        key: crate::infra::crypto::random_token(16),
    })
}

/// Pays the whole amount due or another amount (≥ $1, ≤ the amount due), as Pay Now does;
/// the browser goes to the processor's checkout and comes back to the guest's receipt.
#[server(endpoint = "billing/guest_pay")]
pub async fn start_guest_payment(
    #[server(default)] whole: String,
    #[server(default)] amount: String,
    #[server(default)] key: String,
) -> Result<String, AppError> {
    let guest = access::guest_payer(cookies::read(GUEST_COOKIE).as_deref(), "billing.guest_pay").await?;
    let row = store::guest_account(&guest).await?.ok_or_else(ended)?;
    let balance = Cents(row.balance_cents);
    let clinic_online = guest.state().config.payments.is_some();
    let rule = ledger::pay_now(balance, row.online_payments != 0, &row.area, None, clinic_online);
    if rule != PayNow::Offered {
        return Err(AppError::invalid("amount", Problem::BillingNotPayable));
    }
    let cents = chosen_amount(&whole, &amount, balance)?;
    check_form_key(&key)?;
    let payer = Payer::Guest { view_id: guest.view_id() };
    let opening = Opening { account_id: row.id, number: &row.number, cents, key: &key, payer };
    let checkout_url = open_checkout(guest.state(), opening, "pay-as-guest/payments/").await?;
    guest.audit("guest-payment-started").await?;
    if crate::ui::form::is_form_post() {
        leptos_axum::redirect(&checkout_url);
    }
    Ok(checkout_url)
}

/// A payment made in this opening, when the browser came back from the processor (which is
/// asked: the return itself proves nothing).
#[server(endpoint = "billing/guest_payment")]
pub async fn load_guest_payment(payment_id: i64) -> Result<PaymentView, AppError> {
    let guest = access::guest_payer(cookies::read(GUEST_COOKIE).as_deref(), "billing.guest_payment").await?;
    let found = payment_of_guest(&guest, payment_id).await?.ok_or(AppError::NotFound)?;
    if let (Some(checkout), "open") = (&found.checkout_ref, found.status.as_str()) {
        ask_processor(guest.state(), checkout).await?;
    }
    let found = payment_of_guest(&guest, payment_id).await?.ok_or(AppError::NotFound)?;
    let row = store::guest_account(&guest).await?.ok_or_else(ended)?;
    Ok(PaymentView::of(&found, &row, &guest.state().clock))
}

/// "Done": ends the opening in this browser (the number and name open it again).
#[server(endpoint = "billing/guest_close")]
pub async fn close_guest() -> Result<(), AppError> {
    access::close_guest(cookies::read(GUEST_COOKIE).as_deref()).await?;
    cookies::set(GUEST_COOKIE, "", 0);
    if crate::ui::form::is_form_post() {
        leptos_axum::redirect("/signin");
    }
    Ok(())
}

#[cfg(feature = "ssr")]
fn ended() -> AppError {
    AppError::invalid("guest", Problem::GuestEnded)
}
