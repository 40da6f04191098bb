//! Pay Now (the whole amount due or another amount, then the processor's own page) and the
//! page the browser comes back to: a receipt, "not made", or "being confirmed". Plain
//! forms and links: they work before (and without) the wasm.
use leptos::prelude::*;
use leptos_router::{
    components::A,
    hooks::{use_params_map, use_query_map},
};

use super::{
    pages::PayNowRule,
    pay_api::{load_pay_form, load_payment, PayForm, PaymentStatus, PaymentView, StartPayment},
    Cents, PayNow,
};
use crate::{
    i18n::*,
    ui::{
        errors::{field_error, form_error, url_result},
        form::{FormMessage, TextField},
        loaded::Loaded,
        when::When,
    },
};

const START_PAYMENT_PATH: &str = <StartPayment as server_fn::ServerFn>::PATH;

#[component]
pub fn PayPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<i64>().ok());
    let form = Resource::new(id, |id| async move {
        match id {
            Some(id) => load_pay_form(id).await,
            None => Err(crate::error::AppError::NotFound),
        }
    });
    view! {
        <p><A href="/billing">{t!(i18n, billing.back)}</A></p>
        <Loaded resource=form render=|f: PayForm| view! { <PayFormView f /> } />
    }
}

#[component]
fn PayFormView(f: PayForm) -> impl IntoView {
    let i18n = use_i18n();
    let result = url_result::<StartPayment, String>();
    let title = t_string!(i18n, billing.pay_title, number = f.summary.number.clone()).to_string();
    if f.summary.pay_now != PayNow::Offered {
        return view! {
            <h1>{title}</h1>
            <PayNowRule pay_now=f.summary.pay_now.clone() balance=f.summary.balance billing_phone=None />
        }
        .into_any();
    }
    view! {
        <h1 id="pay-title">{title}</h1>
        <form method="post" action=START_PAYMENT_PATH class="card" aria-labelledby="pay-title">
            <FormMessage message=form_error(result, &["amount"]) />
            <input type="hidden" name="account_id" value=f.summary.id.to_string() />
            <AmountFields balance=f.summary.balance key=f.key.clone() error=field_error(result, "amount") />
        </form>
    }
    .into_any()
}

/// The amount to pay (the whole amount due, or another), the form's key and its button:
/// the Pay Now form's body, for a guarantor and for a guest.
#[component]
pub(super) fn AmountFields(balance: Cents, key: String, error: Signal<Option<String>>) -> impl IntoView {
    let i18n = use_i18n();
    let whole = t_string!(i18n, billing.pay_whole, amount = balance.display()).to_string();
    view! {
        <input type="hidden" name="key" value=key />
        <fieldset>
            <legend>{t!(i18n, billing.pay_legend)}</legend>
            <label class="check" for="pay-whole">
                <input type="radio" id="pay-whole" name="whole" value="balance" checked=true />
                {whole}
            </label>
            <label class="check" for="pay-other">
                <input type="radio" id="pay-other" name="whole" value="other" />
                {t!(i18n, billing.pay_other)}
            </label>
        </fieldset>
        <TextField name="amount" id="pay-amount" inputmode="decimal" required=false maxlength=16 error=error>
            {t!(i18n, billing.pay_amount)}
        </TextField>
        <p class="hint">{t!(i18n, billing.pay_card_note)}</p>
        <button type="submit" class="primary">{t!(i18n, billing.pay_continue)}</button>
    }
}

#[component]
pub fn PaymentPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<i64>().ok());
    let payment = Resource::new(id, |id| async move {
        match id {
            Some(id) => load_payment(id).await,
            None => Err(crate::error::AppError::NotFound),
        }
    });
    let cancelled = use_query_map().read_untracked().get("cancelled").is_some();
    view! {
        <Loaded resource=payment render=move |p: PaymentView| {
            let i18n = use_i18n();
            let account_href = format!("/billing/accounts/{}", p.account_id);
            view! {
                <PaymentResult p cancelled />
                <p><A href=account_href>{t!(i18n, billing.view_account)}</A></p>
            }
        } />
    }
}

/// What came of a payment: the receipt, "not made" (declined or cancelled), or "being
/// confirmed".
#[component]
pub(super) fn PaymentResult(p: PaymentView, cancelled: bool) -> impl IntoView {
    let i18n = use_i18n();
    let status = match (p.status, cancelled) {
        (PaymentStatus::Waiting, true) => PaymentStatus::NotMade,
        (status, _) => status,
    };
    let body = match status {
        PaymentStatus::Paid => view! {
            <h1>{t!(i18n, billing.receipt_title)}</h1>
            <div class="card" role="status"><dl class="facts">
                <dt>{t!(i18n, billing.receipt_amount)}</dt><dd>{p.amount.display()}</dd>
                <dt>{t!(i18n, billing.receipt_account)}</dt><dd>{format!("••••{}", p.account_last4)}</dd>
                <dt>{t!(i18n, billing.receipt_date)}</dt><dd><When iso=p.on.clone() /></dd>
                <dt>{t!(i18n, billing.receipt_balance)}</dt><dd>{p.balance_now.display()}</dd>
            </dl></div>
        }
        .into_any(),
        PaymentStatus::NotMade => view! {
            <h1>{t!(i18n, billing.receipt_title_not_made)}</h1>
            <p class="notice" role="status">{t!(i18n, billing.receipt_not_made)}</p>
        }
        .into_any(),
        PaymentStatus::Waiting => view! {
            <h1>{t!(i18n, billing.receipt_title_waiting)}</h1>
            <p class="notice" role="status">{t!(i18n, billing.receipt_waiting)}</p>
            <p><a href="">{t!(i18n, billing.receipt_check_again)}</a></p>
        }
        .into_any(),
    };
    body
}
