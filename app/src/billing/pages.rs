//! Billing Summary (every guarantor account, with why "Pay Now" is or is not there) and
//! View account (each visit's charges, insurance and what is owed; payments; statements;
//! the paperless choice). Server-rendered: nothing here needs the wasm.
use leptos::prelude::*;
use leptos_router::{
    components::A,
    hooks::{use_params_map, use_query_map},
};

use super::{
    api::{load_account, load_billing_summary, ChoosePaperless},
    AccountActivity, AccountDetail, AccountSummary, ActivityKind, BillingSummary, Cents, PayNow,
    ServiceGroup,
};
use crate::{
    i18n::*,
    ui::{
        errors::{form_error, url_result},
        form::FormMessage,
        loaded::Loaded,
        when::When,
    },
};

const PAPERLESS_PATH: &str = <ChoosePaperless as server_fn::ServerFn>::PATH;

#[component]
pub fn BillingSummaryPage() -> impl IntoView {
    let i18n = use_i18n();
    let summary = Resource::new(|| (), |_| load_billing_summary());
    view! {
        <h1>{t!(i18n, billing.title)}</h1>
        <p>{t!(i18n, billing.intro)}</p>
        <Loaded resource=summary render=|s: BillingSummary| view! { <Accounts s /> } />
    }
}

#[component]
fn Accounts(s: BillingSummary) -> impl IntoView {
    let i18n = use_i18n();
    if s.accounts.is_empty() {
        return view! { <p class="empty">{t!(i18n, billing.no_accounts)}</p> }.into_any();
    }
    let phone = s.billing_phone.clone();
    let can_message = s.can_message;
    view! {
        <ul class="cards billing-accounts">
            {s.accounts.into_iter().map(|a| {
                let phone = phone.clone();
                let view_href = format!("/billing/accounts/{}", a.id);
                let number = a.number.clone();
                view! {
                    <li class="card">
                        <AccountFacts a=a.clone() heading=true />
                        <PayNowRule pay_now=a.pay_now.clone() balance=a.balance billing_phone=phone />
                        <PayNowLink pay_now=a.pay_now.clone() account_id=a.id number=a.number.clone() />
                        <p><A href=view_href>{t!(i18n, billing.view_account)}<span class="visually-hidden">{format!(" {number}")}</span></A></p>
                        <ContactLink shown=can_message account_id=a.id number=a.number.clone() />
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// The account's number, service area, patients, amount due and last statement.
#[component]
pub(crate) fn AccountFacts(a: AccountSummary, heading: bool) -> impl IntoView {
    let i18n = use_i18n();
    let title = t_string!(i18n, billing.account_number, number = a.number.clone()).to_string();
    view! {
        {if heading { view! { <h2>{title}</h2> }.into_any() } else { view! { <h1>{title}</h1> }.into_any() }}
        <dl class="facts">
            <dt>{t!(i18n, billing.service_area)}</dt><dd>{a.service_area.clone()}</dd>
            <dt>{t!(i18n, billing.guarantor)}</dt><dd>{a.guarantor.clone()}</dd>
            <dt>{t!(i18n, billing.patients)}</dt><dd>{a.patients.join(", ")}</dd>
            <dt>{t!(i18n, billing.amount_due)}</dt><dd class="amount"><strong>{amount_due(i18n, a.balance)}</strong></dd>
            {a.last_statement.clone().map(|s| view! {
                <dt>{t!(i18n, billing.last_statement)}</dt>
                <dd><When iso=s.issued_on.clone() />" · "{s.balance.display()}" · "
                    {t!(i18n, billing.due)}" "<When iso=s.due_on.clone() /></dd>
            })}
        </dl>
    }
}

/// "$120.00", or "$0.00", or a credit as "$15.00 credit" (a credit is money owed back).
fn amount_due(i18n: leptos_i18n::I18nContext<Locale>, balance: Cents) -> String {
    if balance.0 < 0 {
        t_string!(i18n, billing.credit_amount, amount = Cents(-balance.0).display()).to_string()
    } else {
        balance.display()
    }
}

/// Why there is no "Pay Now" on an account, in the seed's words: nothing due, a credit, or
/// a location that bills on its own (with its phone). An account with a balance due at the
/// clinic's own billing gets the button once online payment is set up.
#[component]
pub(super) fn PayNowRule(pay_now: PayNow, balance: Cents, billing_phone: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let if_wrong = move |phone: Option<String>| match phone {
        Some(phone) => t_string!(i18n, billing.if_wrong_call, phone = phone).to_string(),
        None => t_string!(i18n, billing.if_wrong_message).to_string(),
    };
    match pay_now {
        PayNow::Offered => None,
        PayNow::BelowMinimum => Some(view! {
            <p class="pay-rule">{match billing_phone.clone() {
                Some(phone) => t_string!(i18n, billing.below_minimum_call, phone = phone).to_string(),
                None => t_string!(i18n, billing.below_minimum).to_string(),
            }}</p>
        }.into_any()),
        PayNow::NotOnline => Some(view! {
            <p class="pay-rule">{match billing_phone {
                Some(phone) => t_string!(i18n, billing.not_online_call, phone = phone).to_string(),
                None => t_string!(i18n, billing.not_online).to_string(),
            }}</p>
        }.into_any()),
        PayNow::NothingDue => Some(view! {
            <p class="pay-rule">{t!(i18n, billing.nothing_due)}" "{if_wrong(billing_phone)}</p>
        }.into_any()),
        PayNow::Credit => Some(view! {
            <p class="pay-rule">{t_string!(i18n, billing.credit, amount = Cents(-balance.0).display()).to_string()}" "{if_wrong(billing_phone)}</p>
        }.into_any()),
        PayNow::ElsewhereOnly { area, phone } => Some(view! {
            <p class="pay-rule">{match phone {
                Some(phone) => t_string!(i18n, billing.elsewhere_call, area = area, phone = phone).to_string(),
                None => t_string!(i18n, billing.elsewhere, area = area).to_string(),
            }}</p>
        }.into_any()),
    }
}

/// "Contact customer service": a message to billing about this account (where the reader
/// may write from this chart).
#[component]
fn ContactLink(shown: bool, account_id: i64, number: String) -> impl IntoView {
    let i18n = use_i18n();
    shown.then(|| {
        let href = format!("/messages/new?account={account_id}");
        view! {
            <p><A href=href>{t!(i18n, billing.contact)}<span class="visually-hidden">{format!(" {number}")}</span></A></p>
        }
    })
}

/// "Pay Now", where the seed's rules allow it.
#[component]
fn PayNowLink(pay_now: PayNow, account_id: i64, number: String) -> impl IntoView {
    let i18n = use_i18n();
    (pay_now == PayNow::Offered).then(|| {
        let href = format!("/billing/accounts/{account_id}/pay");
        view! {
            <p><a class="button primary" href=href>{t!(i18n, billing.pay_now)}<span class="visually-hidden">{format!(" {number}")}</span></a></p>
        }
    })
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<i64>().ok());
    let detail = Resource::new(id, |id| async move {
        match id {
            Some(id) => load_account(id).await,
            None => Err(crate::error::AppError::NotFound),
        }
    });
    view! {
        <p><A href="/billing">{t!(i18n, billing.back)}</A></p>
        <Loaded resource=detail render=|d: AccountDetail| view! { <AccountView d /> } />
    }
}

#[component]
fn AccountView(d: AccountDetail) -> impl IntoView {
    let i18n = use_i18n();
    let account_id = d.summary.id;
    view! {
        <AccountFacts a=d.summary.clone() heading=false />
        <PayNowRule pay_now=d.summary.pay_now.clone() balance=d.summary.balance billing_phone=d.billing_phone.clone() />
        <PayNowLink pay_now=d.summary.pay_now.clone() account_id number=d.summary.number.clone() />
        <ContactLink shown=d.can_message account_id number=d.summary.number.clone() />
        <section aria-labelledby="services-title">
            <h2 id="services-title">{t!(i18n, billing.services)}</h2>
            {if d.services.is_empty() {
                view! { <p class="empty">{t!(i18n, billing.no_services)}</p> }.into_any()
            } else {
                d.services.into_iter().map(|g| view! { <Service g /> }).collect_view().into_any()
            }}
        </section>
        <section class="card" aria-labelledby="activity-title">
            <h2 id="activity-title">{t!(i18n, billing.activity)}</h2>
            <Activity rows=d.activity />
        </section>
        <section class="card" aria-labelledby="statements-title">
            <h2 id="statements-title">{t!(i18n, billing.statements)}</h2>
            {if d.statements.is_empty() {
                view! { <p class="empty">{t!(i18n, billing.no_statements)}</p> }.into_any()
            } else {
                view! { <ul>{d.statements.into_iter().map(|s| view! {
                    <li><When iso=s.issued_on.clone() />" · "{s.balance.display()}" · "{t!(i18n, billing.due)}" "<When iso=s.due_on.clone() />
                        " · "<a href=format!("/api/billing/statement?id={}", s.id) download="">{t!(i18n, billing.statement_pdf)}</a></li>
                }).collect_view()}</ul> }.into_any()
            }}
        </section>
        {(!d.estimates.is_empty()).then(|| view! {
            <section class="card" aria-labelledby="estimates-title">
                <h2 id="estimates-title">{t!(i18n, billing.estimates)}</h2>
                <ul>{d.estimates.iter().map(|e| view! {
                    <li><When iso=e.date.clone() />" · "
                        <a href=format!("/api/billing/estimate?id={}", e.id) download="">{e.title.clone()}" (PDF)"</a></li>
                }).collect_view()}</ul>
            </section>
        })}
        <super::plan_pages::PlanSection account_id state=d.plan desk=super::plan_pages::PlanDesk::Guarantor />
        <Paperless account_id paperless=d.paperless />
    }
}

/// One visit's charges, what insurance paid and adjusted, and what is left to pay.
#[component]
fn Service(g: ServiceGroup) -> impl IntoView {
    let i18n = use_i18n();
    let confidential = t_string!(i18n, billing.confidential_service).to_string();
    view! {
        <table class="data card">
            <caption><When iso=g.service_date.clone() />" · "{g.patient.clone()}</caption>
            <thead><tr>
                <th scope="col">{t!(i18n, billing.description)}</th>
                <th scope="col">{t!(i18n, billing.code)}</th>
                <th scope="col" class="amount">{t!(i18n, billing.amount)}</th>
            </tr></thead>
            <tbody>
                {g.lines.into_iter().map(|line| view! {
                    <tr>
                        <td>{line.description.unwrap_or_else(|| confidential.clone())}</td>
                        <td>{line.procedure_code.unwrap_or_default()}</td>
                        <td class="amount">{line.amount.display()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
            <tfoot>
                <tr><th scope="row" colspan="2">{t!(i18n, billing.charged)}</th><td class="amount">{g.charged.display()}</td></tr>
                <tr><th scope="row" colspan="2">{t!(i18n, billing.insurance_paid)}</th><td class="amount">{g.insurance_paid.display()}</td></tr>
                <tr><th scope="row" colspan="2">{t!(i18n, billing.insurance_adjusted)}</th><td class="amount">{g.insurance_adjusted.display()}</td></tr>
                <tr><th scope="row" colspan="2">{t!(i18n, billing.you_owe)}</th><td class="amount"><strong>{g.owed.display()}</strong></td></tr>
            </tfoot>
        </table>
    }
}

#[component]
fn Activity(rows: Vec<AccountActivity>) -> impl IntoView {
    let i18n = use_i18n();
    if rows.is_empty() {
        return view! { <p class="empty">{t!(i18n, billing.no_activity)}</p> }.into_any();
    }
    view! {
        <table class="data">
            <caption class="visually-hidden">{t!(i18n, billing.activity)}</caption>
            <thead><tr>
                <th scope="col">{t!(i18n, billing.date)}</th>
                <th scope="col">{t!(i18n, billing.what)}</th>
                <th scope="col" class="amount">{t!(i18n, billing.amount)}</th>
            </tr></thead>
            <tbody>{rows.into_iter().map(|r| view! {
                <tr>
                    <td><When iso=r.on.clone() /></td>
                    <td>{match r.kind {
                        ActivityKind::Payment => t_string!(i18n, billing.kind_payment),
                        ActivityKind::Refund => t_string!(i18n, billing.kind_refund),
                        ActivityKind::Adjustment => t_string!(i18n, billing.kind_adjustment),
                    }}</td>
                    <td class="amount">{r.amount.display()}</td>
                </tr>
            }).collect_view()}</tbody>
        </table>
    }
    .into_any()
}

/// Paperless billing: statements as an e-mail notice (to read here) or on paper too. A
/// plain form: it works before (and without) the wasm.
#[component]
fn Paperless(account_id: i64, paperless: bool) -> impl IntoView {
    let i18n = use_i18n();
    let result = url_result::<ChoosePaperless, ()>();
    let saved = use_query_map().read_untracked().get("done").is_some_and(|d| d == "saved");
    view! {
        <form method="post" action=PAPERLESS_PATH class="card" aria-labelledby="paperless-title">
            <h2 id="paperless-title">{t!(i18n, billing.paperless_title)}</h2>
            <div role="status">{saved.then(|| view! { <p class="notice">{t!(i18n, billing.paperless_saved)}</p> })}</div>
            <FormMessage message=form_error(result, &[]) />
            <input type="hidden" name="account_id" value=account_id.to_string() />
            <fieldset>
                <legend>{t!(i18n, billing.paperless_legend)}</legend>
                <label class="check" for="paperless-on">
                    <input type="radio" id="paperless-on" name="paperless" value="true" checked=paperless />
                    {t!(i18n, billing.paperless_on)}
                </label>
                <label class="check" for="paperless-off">
                    <input type="radio" id="paperless-off" name="paperless" value="false" checked=!paperless />
                    {t!(i18n, billing.paperless_off)}
                </label>
            </fieldset>
            <button type="submit" class="primary">{t!(i18n, billing.paperless_save)}</button>
        </form>
    }
}
