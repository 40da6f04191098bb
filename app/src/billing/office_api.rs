//! The billing office (staff with the billing role): find a guarantor account by its
//! number or the guarantor's last name, read its whole ledger, post an adjustment or a
//! refund with a reason. Every call goes through `access::staff(Need::Billing)`; each
//! account shown is a read of its guarantor's chart in the audit log, and each posting is
//! audited on it with its amount and reason.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::office_store::{self as store, OfficePosting, Posted};
use super::{AccountSummary, Cents};
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::{
    access::{self, ChartScope, Need, Section, StaffAccess},
    input::{bounded, IdempotencyKey},
    problem::Problem,
};

/// The longest reason a posting takes.
pub const REASON_MAX_CHARS: usize = 500;
/// The longest search.
pub const SEARCH_MAX_CHARS: usize = 100;

/// An account a search found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FoundAccount {
    pub id: i64,
    pub number: String,
    pub guarantor: String,
    pub mrn: String,
    pub service_area: String,
    pub balance: Cents,
}

/// One ledger row as the billing office reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficeLine {
    pub posted_on: String,
    /// "charge", "insurance-payment", "insurance-adjustment", "patient-payment", "refund",
    /// "adjustment".
    pub kind: String,
    pub service_date: Option<String>,
    pub patient: Option<String>,
    pub description: String,
    pub procedure_code: Option<String>,
    pub confidential: bool,
    pub amount: Cents,
    pub posted_by: Option<String>,
    pub reason: Option<String>,
}

/// An account as the billing office reads it: the summary the guarantor sees, and every
/// ledger row, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficeAccount {
    pub summary: AccountSummary,
    pub lines: Vec<OfficeLine>,
    pub plan: super::PlanState,
    /// The patients the account covers (id, name): whom an estimate is for.
    pub covered: Vec<(i64, String)>,
}

#[cfg(feature = "ssr")]
async fn billing_office() -> Result<StaffAccess, AppError> {
    access::staff(Need::Billing).await
}

/// Accounts by number (as printed: spaces and dashes ignored) or by the guarantor's last
/// name.
#[server(endpoint = "staff/billing/find")]
pub async fn find_accounts(#[server(default)] query: String) -> Result<Vec<FoundAccount>, AppError> {
    let staff = billing_office().await?;
    let query = bounded(
        &query,
        SEARCH_MAX_CHARS,
        Some(Problem::BillingSearchRequired),
        Problem::BillingSearchTooLong,
    )
    .map_err(|p| AppError::invalid("query", p))?;
    let number = access::normalised_account_number(&query).unwrap_or_default();
    let unseen = store::find_accounts(&staff, &number, &query).await?;
    let rows = staff.show(unseen, Section::Billing, "staff.billing.find").await?;
    Ok(rows
        .into_iter()
        .map(|r| FoundAccount {
            id: r.id,
            number: r.number,
            guarantor: format!("{} {}", r.given_name, r.family_name),
            mrn: r.mrn,
            service_area: r.area,
            balance: Cents(r.balance_cents),
        })
        .collect())
}

/// The guarantor's chart an account is reached through, opened (audited) for billing.
#[cfg(feature = "ssr")]
async fn account_chart(staff: &StaffAccess, account_id: i64, what: &str) -> Result<ChartScope, AppError> {
    let guarantor = store::guarantor_of(staff, account_id).await?.ok_or(AppError::NotFound)?;
    staff.open_chart(guarantor, Section::Billing, &format!("{what} account={account_id}")).await
}

#[server(endpoint = "staff/billing/account")]
pub async fn load_office_account(account_id: i64) -> Result<OfficeAccount, AppError> {
    let staff = billing_office().await?;
    let chart = account_chart(&staff, account_id, "staff.billing.account").await?;
    let summary = super::api::summary_of(&chart, account_id).await?;
    let row = super::store::account(&chart, account_id).await?.ok_or(AppError::NotFound)?;
    let plan = super::plan_api::plan_state(&chart, &row).await?;
    let clock = &chart.state().clock;
    let lines = store::office_ledger(&chart, account_id)
        .await?
        .into_iter()
        .map(|r| OfficeLine {
            posted_on: clock.date_of(r.posted_at),
            kind: r.kind,
            service_date: r.service_date,
            patient: r.patient,
            description: r.description,
            procedure_code: r.procedure_code,
            confidential: r.confidential != 0,
            amount: Cents(r.amount_cents),
            posted_by: r.posted_by,
            reason: r.reason,
        })
        .collect();
    let covered = super::store::covered(&chart, account_id).await?;
    Ok(OfficeAccount { summary, lines, plan, covered })
}

/// Posts an adjustment ("credit" lowers the amount due, "debit" raises it) or a "refund"
/// (at most the account's credit), of `amount` dollars, with a `reason`; once per form
/// `key`.
#[server(endpoint = "staff/billing/post")]
pub async fn post_office_entry(
    account_id: i64,
    #[server(default)] kind: String,
    #[server(default)] amount: String,
    #[server(default)] reason: String,
    #[server(default)] key: String,
) -> Result<(), AppError> {
    let staff = billing_office().await?;
    let cents = super::ledger::parse_dollars(&amount)
        .filter(|&c| c > 0)
        .map(Cents)
        .ok_or_else(|| AppError::invalid("amount", Problem::BillingAmountInvalid))?;
    let posting = match kind.as_str() {
        "credit" => OfficePosting::Credit(cents),
        "debit" => OfficePosting::Debit(cents),
        "refund" => OfficePosting::Refund(cents),
        _ => return Err(AppError::invalid("kind", Problem::BillingChooseKind)),
    };
    let reason = bounded(
        &reason,
        REASON_MAX_CHARS,
        Some(Problem::BillingReasonRequired),
        Problem::BillingReasonTooLong,
    )
    .map_err(|p| AppError::invalid("reason", p))?;
    let key = IdempotencyKey::parse(&key).ok_or_else(|| AppError::invalid("form", Problem::BadRequest))?;
    let chart = account_chart(&staff, account_id, "staff.billing.post").await?;
    let now = chart.state().clock.now_ms();
    match store::post(&chart, account_id, posting, &reason, &key, now).await? {
        Posted::New => {
            let detail = format!("account={account_id} {kind} cents={} reason={reason}", cents.0);
            chart.audit_write(Section::Billing, "billing-posted", &detail).await?;
        }
        Posted::Again => {}
        Posted::RefundTooLarge => return Err(AppError::invalid("amount", Problem::BillingRefundTooLarge)),
    }
    if crate::ui::form::is_form_post() {
        leptos_axum::redirect(&format!("/staff/billing/accounts/{account_id}?done=posted"));
    }
    Ok(())
}
