//! Payment plans, set up or ended by the guarantor's side (`access::require(Billing)`) or by
//! the billing office (`access::staff(Need::Billing)`, on the guarantor's chart it opens);
//! each change audited on the guarantor's chart. See `plan` for the rules.
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::{
    plan::{self, PlanProblem},
    store::{self, AccountRow},
    Cents, PlanState, PlanView,
};
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::{
    access::{self, ChartScope, Need, Section},
    problem::Problem,
};

/// The plan in force on an account of the chart, or what one may be.
#[cfg(feature = "ssr")]
pub(super) async fn plan_state(chart: &ChartScope, row: &AccountRow) -> Result<PlanState, AppError> {
    let clock = &chart.state().clock;
    if let Some(p) = store::plan(chart, row.id).await? {
        let day = u8::try_from(p.day_of_month).unwrap_or(1);
        let next_due = plan::next_due(clock.today(), day).to_string();
        return Ok(PlanState::InForce(PlanView { monthly: Cents(p.monthly_cents), day, next_due }));
    }
    let minimum = Cents(chart.state().config.billing_plan_minimum_cents);
    Ok(match plan::offer(Cents(row.balance_cents), minimum, row.online_payments != 0) {
        Some(offer) => PlanState::Offered(offer),
        None => PlanState::NotOffered,
    })
}

/// Puts the chosen plan in force on an account of the chart (as offered now).
#[cfg(feature = "ssr")]
async fn start_in(chart: &ChartScope, account_id: i64, monthly: &str, day: &str) -> Result<(), AppError> {
    let row = store::account(chart, account_id).await?.ok_or(AppError::NotFound)?;
    let offer = match plan_state(chart, &row).await? {
        PlanState::Offered(offer) => offer,
        PlanState::InForce(_) => return Err(AppError::invalid("monthly", Problem::BillingPlanInForce)),
        PlanState::NotOffered => return Err(AppError::invalid("monthly", Problem::BillingPlanNotOffered)),
    };
    let (cents, day) = plan::choose(&offer, monthly, day).map_err(|p| match p {
        PlanProblem::Amount => AppError::invalid("monthly", Problem::BillingAmountInvalid),
        PlanProblem::TooSmall => AppError::invalid("monthly", Problem::BillingPlanTooSmall),
        PlanProblem::TooLarge => AppError::invalid("monthly", Problem::BillingPlanTooLarge),
        PlanProblem::Day => AppError::invalid("day", Problem::BillingPlanDay),
    })?;
    let now = chart.state().clock.now_ms();
    if !store::start_plan(chart, account_id, cents.0, day, now).await? {
        return Err(AppError::invalid("monthly", Problem::BillingPlanInForce));
    }
    let detail = format!("account={account_id} monthly_cents={} day={day}", cents.0);
    chart.audit_write(Section::Billing, "billing-plan-started", &detail).await
}

#[cfg(feature = "ssr")]
async fn end_in(chart: &ChartScope, account_id: i64) -> Result<(), AppError> {
    store::account(chart, account_id).await?.ok_or(AppError::NotFound)?;
    let now = chart.state().clock.now_ms();
    // Ended already (another tab): nothing more to log.
    if store::end_plan(chart, account_id, now).await? {
        chart.audit_write(Section::Billing, "billing-plan-ended", &format!("account={account_id}")).await?;
    }
    Ok(())
}

/// The guarantor's account, or the billing office's page of it, after a change.
#[cfg(feature = "ssr")]
fn back_to(path: String) {
    if crate::ui::form::is_form_post() {
        leptos_axum::redirect(&path);
    }
}

#[server(endpoint = "billing/plan_start")]
pub async fn start_plan(
    account_id: i64,
    #[server(default)] monthly: String,
    #[server(default)] day: String,
) -> Result<(), AppError> {
    let chart = access::require(Section::Billing, "billing.plan_start").await?;
    start_in(&chart, account_id, &monthly, &day).await?;
    back_to(format!("/billing/accounts/{account_id}?done=plan"));
    Ok(())
}

#[server(endpoint = "billing/plan_end")]
pub async fn end_plan(account_id: i64) -> Result<(), AppError> {
    let chart = access::require(Section::Billing, "billing.plan_end").await?;
    end_in(&chart, account_id).await?;
    back_to(format!("/billing/accounts/{account_id}?done=plan-ended"));
    Ok(())
}

/// The billing office's chart of an account's guarantor, opened (audited) for billing.
#[cfg(feature = "ssr")]
async fn office_chart(account_id: i64, what: &str) -> Result<ChartScope, AppError> {
    let staff = access::staff(Need::Billing).await?;
    let guarantor = super::office_store::guarantor_of(&staff, account_id).await?.ok_or(AppError::NotFound)?;
    staff.open_chart(guarantor, Section::Billing, &format!("{what} account={account_id}")).await
}

#[server(endpoint = "staff/billing/plan_start")]
pub async fn office_start_plan(
    account_id: i64,
    #[server(default)] monthly: String,
    #[server(default)] day: String,
) -> Result<(), AppError> {
    let chart = office_chart(account_id, "staff.billing.plan_start").await?;
    start_in(&chart, account_id, &monthly, &day).await?;
    back_to(format!("/staff/billing/accounts/{account_id}?done=plan"));
    Ok(())
}

#[server(endpoint = "staff/billing/plan_end")]
pub async fn office_end_plan(account_id: i64) -> Result<(), AppError> {
    let chart = office_chart(account_id, "staff.billing.plan_end").await?;
    end_in(&chart, account_id).await?;
    back_to(format!("/staff/billing/accounts/{account_id}?done=plan-ended"));
    Ok(())
}
