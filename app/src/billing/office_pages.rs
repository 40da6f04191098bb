//! The billing office's pages: `/staff/billing` (find an account by its number or the
//! guarantor's last name) and `/staff/billing/accounts/:id` (the account, its whole ledger,
//! and a form to post an adjustment or a refund with its reason). Plain forms.
use leptos::prelude::*;
use leptos_router::{
    components::A,
    hooks::{use_params_map, use_query_map},
};

use super::{
    estimate_api::{PostEstimate, ESTIMATE_TITLE_MAX_CHARS},
    office_api::{
        find_accounts, load_office_account, FoundAccount, OfficeAccount, OfficeLine, PostOfficeEntry,
        REASON_MAX_CHARS,
    },
    pages::AccountFacts,
    plan_pages::{PlanDesk, PlanSection},
};
use crate::{
    i18n::*,
    ui::{
        errors::{field_error, form_error, url_result},
        form::{idempotency_key, FormMessage, TextField},
        loaded::Loaded,
        when::When,
    },
};

const POST_PATH: &str = <PostOfficeEntry as server_fn::ServerFn>::PATH;

#[component]
pub fn OfficeFindPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map().read_untracked().get("q").unwrap_or_default();
    let searched = !query.trim().is_empty();
    let found = Resource::new(move || query.clone(), find_accounts);
    view! {
        <h1>{t!(i18n, billing_office.title)}</h1>
        <form method="get" action="/staff/billing" role="search" class="card">
            <TextField name="q" maxlength=100 autocomplete="off">{t!(i18n, billing_office.search)}</TextField>
            <button type="submit" class="primary">{t!(i18n, billing_office.find)}</button>
        </form>
        {searched.then(|| view! { <Loaded resource=found render={|rows: Vec<FoundAccount>| view! { <FoundList rows /> }} /> })}
    }
}

#[component]
fn FoundList(rows: Vec<FoundAccount>) -> impl IntoView {
    let i18n = use_i18n();
    if rows.is_empty() {
        return view! { <p class="empty">{t!(i18n, billing_office.none_found)}</p> }.into_any();
    }
    view! {
        <table>
            <caption>{t!(i18n, billing_office.found)}</caption>
            <thead><tr>
                <th scope="col">{t!(i18n, billing_office.account)}</th>
                <th scope="col">{t!(i18n, billing.guarantor)}</th>
                <th scope="col">{t!(i18n, billing.service_area)}</th>
                <th scope="col">{t!(i18n, billing.amount_due)}</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|a| view! {
                    <tr>
                        <th scope="row"><A href=format!("/staff/billing/accounts/{}", a.id)>{a.number}</A></th>
                        <td>{format!("{} (MRN {})", a.guarantor, a.mrn)}</td>
                        <td>{a.service_area}</td>
                        <td class="amount">{a.balance.display()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
pub fn OfficeAccountPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<i64>().ok());
    let account = Resource::new(id, |id| async move {
        match id {
            Some(id) => load_office_account(id).await,
            None => Err(crate::error::AppError::NotFound),
        }
    });
    view! {
        <p><A href="/staff/billing">{t!(i18n, billing_office.back)}</A></p>
        <Loaded resource=account render=|a: OfficeAccount| view! { <OfficeAccountView a /> } />
    }
}

#[component]
fn OfficeAccountView(a: OfficeAccount) -> impl IntoView {
    let i18n = use_i18n();
    let account_id = a.summary.id;
    view! {
        <AccountFacts a=a.summary heading=false />
        <PostForm account_id />
        <PlanSection account_id state=a.plan desk=PlanDesk::Office />
        <EstimateForm account_id covered=a.covered />
        <section aria-labelledby="ledger-title">
            <h2 id="ledger-title">{t!(i18n, billing_office.ledger)}</h2>
            <table>
                <thead><tr>
                    <th scope="col">{t!(i18n, billing_office.posted)}</th>
                    <th scope="col">{t!(i18n, billing.what)}</th>
                    <th scope="col">{t!(i18n, billing.amount)}</th>
                    <th scope="col">{t!(i18n, billing_office.by_and_why)}</th>
                </tr></thead>
                <tbody>{a.lines.into_iter().map(|line| view! { <LedgerLine line /> }).collect_view()}</tbody>
            </table>
        </section>
    }
}

#[component]
fn LedgerLine(line: OfficeLine) -> impl IntoView {
    let i18n = use_i18n();
    let what = match line.kind.as_str() {
        "charge" => {
            let service = [
                line.service_date.clone(),
                line.patient.clone(),
                Some(line.description.clone()),
                line.procedure_code.clone(),
            ]
            .into_iter()
            .flatten()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" · ");
            if line.confidential {
                t_string!(i18n, billing_office.confidential_charge, service = service).to_string()
            } else {
                service
            }
        }
        kind => kind_text(i18n, kind),
    };
    let who =
        [line.posted_by.clone(), line.reason.clone()].into_iter().flatten().collect::<Vec<_>>().join(": ");
    view! {
        <tr>
            <td><When iso=line.posted_on.clone() /></td>
            <td>{what}</td>
            <td class="amount">{line.amount.display()}</td>
            <td>{who}</td>
        </tr>
    }
}

fn kind_text(i18n: leptos_i18n::I18nContext<Locale>, kind: &str) -> String {
    match kind {
        "insurance-payment" => t_string!(i18n, billing.insurance_paid),
        "insurance-adjustment" => t_string!(i18n, billing.insurance_adjusted),
        "patient-payment" => t_string!(i18n, billing.kind_payment),
        "refund" => t_string!(i18n, billing.kind_refund),
        _ => t_string!(i18n, billing.kind_adjustment),
    }
    .to_string()
}

/// An adjustment (lowering or raising the amount due) or a refund, with its reason.
#[component]
fn PostForm(account_id: i64) -> impl IntoView {
    let i18n = use_i18n();
    let result = url_result::<PostOfficeEntry, ()>();
    let posted = use_query_map().read_untracked().get("done").is_some_and(|d| d == "posted");
    view! {
        <form method="post" action=POST_PATH class="card" aria-labelledby="post-title">
            <h2 id="post-title">{t!(i18n, billing_office.post_title)}</h2>
            <div role="status">{posted.then(|| view! { <p class="notice">{t!(i18n, billing_office.posted_notice)}</p> })}</div>
            <FormMessage message=form_error(result, &["kind", "amount", "reason"]) />
            <input type="hidden" name="account_id" value=account_id.to_string() />
            <input type="hidden" name="key" value=idempotency_key() />
            <fieldset>
                <legend>{t!(i18n, billing_office.kind)}</legend>
                <label class="check" for="post-credit">
                    <input type="radio" id="post-credit" name="kind" value="credit" checked=true />
                    {t!(i18n, billing_office.kind_credit)}
                </label>
                <label class="check" for="post-debit">
                    <input type="radio" id="post-debit" name="kind" value="debit" />
                    {t!(i18n, billing_office.kind_debit)}
                </label>
                <label class="check" for="post-refund">
                    <input type="radio" id="post-refund" name="kind" value="refund" />
                    {t!(i18n, billing_office.kind_refund)}
                </label>
            </fieldset>
            <TextField name="amount" inputmode="decimal" maxlength=16 error=field_error(result, "amount")>
                {t!(i18n, billing_office.amount)}
            </TextField>
            <TextField name="reason" maxlength=REASON_MAX_CHARS error=field_error(result, "reason")>
                {t!(i18n, billing_office.reason)}
            </TextField>
            <button type="submit" class="primary">{t!(i18n, billing_office.post)}</button>
        </form>
    }
}

const ESTIMATE_PATH: &str = <PostEstimate as server_fn::ServerFn>::PATH;

/// An estimate for the guarantor: a title, its date and the PDF (multipart, a plain form).
#[component]
fn EstimateForm(account_id: i64, covered: Vec<(i64, String)>) -> impl IntoView {
    let i18n = use_i18n();
    let result = url_result::<PostEstimate, ()>();
    let posted = use_query_map().read_untracked().get("done").is_some_and(|d| d == "estimate");
    let file_error = field_error(result, "attachments");
    view! {
        <form method="post" action=ESTIMATE_PATH enctype="multipart/form-data" class="card stack" aria-labelledby="estimate-title">
            <h2 id="estimate-title">{t!(i18n, billing_office.estimate_title)}</h2>
            <div role="status">{posted.then(|| view! { <p class="notice">{t!(i18n, billing_office.estimate_posted)}</p> })}</div>
            <FormMessage message=form_error(result, &["title", "document_date", "attachments"]) />
            <input type="hidden" name="account_id" value=account_id.to_string() />
            <div class="field">
                <label for="estimate-served">{t!(i18n, billing_office.estimate_for)}</label>
                <select id="estimate-served" name="served" required>
                    {covered.into_iter().map(|(id, name)| view! { <option value=id.to_string()>{name}</option> }).collect_view()}
                </select>
            </div>
            <label for="estimate-confidential" class="check">
                <input type="checkbox" id="estimate-confidential" name="confidential" />
                {t!(i18n, billing_office.estimate_confidential)}
            </label>
            <TextField name="title" maxlength=ESTIMATE_TITLE_MAX_CHARS error=field_error(result, "title")>
                {t!(i18n, billing_office.estimate_name)}
            </TextField>
            <TextField name="document_date" kind="date" error=field_error(result, "document_date")>
                {t!(i18n, billing_office.estimate_date)}
            </TextField>
            <div class="field">
                <label for="estimate-file">{t!(i18n, billing_office.estimate_file)}</label>
                <input type="file" id="estimate-file" name="attachment" required accept="application/pdf"
                    aria-invalid=move || file_error.get().is_some().then_some("true")
                    aria-describedby=move || file_error.get().map(|_| "estimate-file-error") />
                {move || file_error.get().map(|m| view! { <p class="field-error" id="estimate-file-error">{m}</p> })}
            </div>
            <button type="submit" class="primary">{t!(i18n, billing_office.estimate_post)}</button>
        </form>
    }
}
