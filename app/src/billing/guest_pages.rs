//! Pay as Guest's pages, with no account: `/pay-as-guest` (the account number and the
//! guarantor's last name), `/pay-as-guest/account` (amount due, service area, the amount
//! to pay) and `/pay-as-guest/payments/:id` (the receipt). Plain forms: no wasm needed.
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{
    guest_api::{
        load_guest_account, load_guest_payment, CloseGuest, GuestAccount, OpenGuest, StartGuestPayment,
    },
    pages::PayNowRule,
    pay_api::PaymentView,
    pay_pages::{AmountFields, PaymentResult},
    PayNow,
};
use crate::{
    i18n::*,
    ui::{
        errors::{field_error, form_error, url_result},
        form::{FormMessage, TextField},
        loaded::Loaded,
    },
};

const OPEN_PATH: &str = <OpenGuest as server_fn::ServerFn>::PATH;
const PAY_PATH: &str = <StartGuestPayment as server_fn::ServerFn>::PATH;
const CLOSE_PATH: &str = <CloseGuest as server_fn::ServerFn>::PATH;

#[component]
pub fn GuestStartPage() -> impl IntoView {
    let i18n = use_i18n();
    let result = url_result::<OpenGuest, ()>();
    view! {
        <section class="card narrow">
            <h1>{t!(i18n, billing.guest_title)}</h1>
            <p>{t!(i18n, billing.guest_intro)}</p>
            <form method="post" action=OPEN_PATH class="stack">
                <FormMessage message=form_error(result, &["number", "last_name"]) />
                <TextField name="number" autocomplete="off" inputmode="numeric" maxlength=30 error=field_error(result, "number")>
                    {t!(i18n, billing.guest_number)}
                </TextField>
                <TextField name="last_name" autocomplete="family-name" maxlength=100 error=field_error(result, "last_name")>
                    {t!(i18n, billing.guest_last_name)}
                </TextField>
                <button type="submit" class="primary">{t!(i18n, billing.guest_continue)}</button>
            </form>
            <p><a href="/signin">{t!(i18n, common.back_to_sign_in)}</a></p>
        </section>
    }
}

#[component]
pub fn GuestAccountPage() -> impl IntoView {
    let account = Resource::new(|| (), |_| load_guest_account());
    view! {
        <section class="card narrow">
            <Loaded resource=account render=|a: GuestAccount| view! { <GuestAccountView a /> } />
            <GuestDone />
        </section>
    }
}

#[component]
fn GuestAccountView(a: GuestAccount) -> impl IntoView {
    let i18n = use_i18n();
    let result = url_result::<StartGuestPayment, String>();
    let title = t_string!(i18n, billing.guest_account_title, last4 = a.account_last4.clone()).to_string();
    let pay = match a.pay_now {
        PayNow::Offered => view! {
            <form method="post" action=PAY_PATH class="stack" aria-labelledby="guest-title">
                <FormMessage message=form_error(result, &["amount"]) />
                <AmountFields balance=a.balance key=a.key error=field_error(result, "amount") />
            </form>
        }
        .into_any(),
        rule => {
            view! { <PayNowRule pay_now=rule balance=a.balance billing_phone=a.billing_phone /> }.into_any()
        }
    };
    view! {
        <h1 id="guest-title">{title}</h1>
        <dl class="facts">
            <dt>{t!(i18n, billing.service_area)}</dt><dd>{a.service_area}</dd>
            <dt>{t!(i18n, billing.amount_due)}</dt><dd class="amount">{a.balance.display()}</dd>
        </dl>
        {pay}
    }
}

#[component]
pub fn GuestPaymentPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<i64>().ok());
    let payment = Resource::new(id, |id| async move {
        match id {
            Some(id) => load_guest_payment(id).await,
            None => Err(crate::error::AppError::NotFound),
        }
    });
    let cancelled = use_query_map().read_untracked().get("cancelled").is_some();
    view! {
        <section class="card narrow">
            <Loaded resource=payment render=move |p: PaymentView| view! { <PaymentResult p cancelled /> } />
            <p><a href="/pay-as-guest/account">{t!(i18n, billing.guest_back)}</a></p>
            <GuestDone />
        </section>
    }
}

/// "Done": the guest's opening ends in this browser.
#[component]
fn GuestDone() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <form method="post" action=CLOSE_PATH class="actions">
            <button type="submit" class="secondary">{t!(i18n, billing.guest_done)}</button>
        </form>
        <p><a href="/pay-as-guest">{t!(i18n, billing.guest_again)}</a></p>
    }
}
