//! The Billing Summary, one account's details and its paperless choice. Every call goes
//! through `access::require(Section::Billing, …)`: the accounts are those of the chart open
//! (its person as guarantor), and each read is in the audit log.
use leptos::prelude::*;
use server_fn::codec::{ByteStream, GetUrl, Streaming};

#[cfg(feature = "ssr")]
use super::{
    ledger,
    store::{self, AccountRow},
    Cents, StatementLine,
};
use super::{AccountDetail, AccountSummary, BillingSummary};
#[cfg(feature = "ssr")]
use crate::access::{self, ChartScope, Reader, Section};
use crate::error::AppError;

#[server(endpoint = "billing/summary")]
pub async fn load_billing_summary() -> Result<BillingSummary, AppError> {
    let chart = access::require(Section::Billing, "billing.summary").await?;
    let served = store::patients_served(&chart).await?;
    let statements = store::statements(&chart).await?;
    let accounts = store::accounts(&chart)
        .await?
        .into_iter()
        .map(|row| account_summary(&chart, row, &served, &statements))
        .collect();
    Ok(BillingSummary {
        accounts,
        billing_phone: chart.state().config.org.contacts.billing_phone.clone(),
        can_message: chart.may(Section::Messages),
    })
}

/// "View account": 404 for an account that is not the open chart's (whoever's it is).
#[server(endpoint = "billing/account")]
pub async fn load_account(account_id: i64) -> Result<AccountDetail, AppError> {
    let chart = access::require(Section::Billing, "billing.account").await?;
    let row = store::account(&chart, account_id).await?.ok_or(AppError::NotFound)?;
    let ledger_rows = store::ledger(&chart, &row).await?;
    let clock = &chart.state().clock;
    let (services, activity) = ledger::services_and_activity(
        &ledger_rows,
        |served| shows_confidential_of(&chart, served),
        |ms| clock.date_of(ms),
    );
    let served = store::patients_served(&chart).await?;
    let all_statements = store::statements(&chart).await?;
    let statements = all_statements.iter().filter(|(a, _)| *a == row.id).map(|(_, s)| s.clone()).collect();
    let paperless = row.paperless != 0;
    let plan = super::plan_api::plan_state(&chart, &row).await?;
    let estimates = super::estimate_api::visible_estimates(&chart)
        .await?
        .into_iter()
        .filter(|e| e.account_id == row.id)
        .map(|e| super::EstimateLine { id: e.id, title: e.title, date: e.document_date })
        .collect();
    Ok(AccountDetail {
        summary: account_summary(&chart, row, &served, &all_statements),
        services,
        activity,
        statements,
        paperless,
        billing_phone: chart.state().config.org.contacts.billing_phone.clone(),
        can_message: chart.may(Section::Messages),
        plan,
        estimates,
    })
}

/// "Contact customer service" on an account: the account a new message to billing will be
/// about (the reader must be able to write from this chart too).
#[server(endpoint = "billing/contact")]
pub async fn load_contact_account(account_id: i64) -> Result<AccountSummary, AppError> {
    let chart = access::require(Section::Billing, "billing.contact").await?;
    if !chart.may(Section::Messages) {
        return Err(AppError::Forbidden);
    }
    summary_of(&chart, account_id).await
}

/// A statement of the chart's accounts as a PDF (always a download).
#[server(endpoint = "billing/statement", input = GetUrl, output = Streaming)]
pub async fn download_statement(id: i64) -> Result<ByteStream<AppError>, AppError> {
    let chart = access::require(Section::Billing, &format!("billing.statement id={id}")).await?;
    let lang = crate::infra::mail_language::MailLanguage::of_request();
    let (name, pdf) = super::statement::statement_pdf(&chart, id, lang).await?;
    Ok(crate::infra::download::file(&name, "application/pdf", pdf))
}

/// Statements by e-mail notice only (paperless) or on paper too.
#[server(endpoint = "billing/paperless")]
pub async fn choose_paperless(account_id: i64, paperless: bool) -> Result<(), AppError> {
    let chart = access::require(Section::Billing, "billing.paperless").await?;
    let row = store::account(&chart, account_id).await?.ok_or(AppError::NotFound)?;
    store::set_paperless(&chart, row.id, paperless).await?;
    let detail = if paperless { "paperless" } else { "paper" };
    chart.audit_write(Section::Billing, "billing-paperless", detail).await?;
    if crate::ui::form::is_form_post() {
        leptos_axum::redirect(&format!("/billing/accounts/{}?done=saved", row.id));
    }
    Ok(())
}

/// One account of the chart, as the Billing Summary shows it; 404 for any other.
#[cfg(feature = "ssr")]
pub async fn summary_of(chart: &ChartScope, account_id: i64) -> Result<AccountSummary, AppError> {
    let row = store::account(chart, account_id).await?.ok_or(AppError::NotFound)?;
    let served = store::patients_served(chart).await?;
    let statements = store::statements(chart).await?;
    Ok(account_summary(chart, row, &served, &statements))
}

#[cfg(feature = "ssr")]
fn account_summary(
    chart: &ChartScope,
    row: AccountRow,
    served: &[(i64, String)],
    statements: &[(i64, StatementLine)],
) -> AccountSummary {
    let balance = Cents(row.balance_cents);
    let clinic_online = chart.state().config.payments.is_some();
    let area_phone = row.area_phone.as_deref();
    AccountSummary {
        pay_now: ledger::pay_now(balance, row.online_payments != 0, &row.area, area_phone, clinic_online),
        patients: served.iter().filter(|(a, _)| *a == row.id).map(|(_, name)| name.clone()).collect(),
        last_statement: statements.iter().find(|(a, _)| *a == row.id).map(|(_, s)| s.clone()),
        id: row.id,
        number: row.number,
        guarantor: row.guarantor,
        service_area: row.area,
        balance,
    }
}

/// Whether the reader may see what a confidential service was, for the patient it served:
/// only that patient, reading their own chart (a guarantor paying for a teen sees the
/// amount, never the service; so does every proxy).
#[cfg(feature = "ssr")]
pub(super) fn shows_confidential_of(chart: &ChartScope, served: i64) -> bool {
    matches!(chart.reader(), Reader::Patient) && served == chart.patient_id()
}
