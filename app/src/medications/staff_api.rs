//! The clinician's renewal queue: approve (optionally changing the refills) or deny with
//! a reason. Each decision is audited against the patient.
use leptos::prelude::*;

use super::RenewalQueueRow;
#[cfg(feature = "ssr")]
use crate::access::{self, Need, Section};
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::problem::Problem;

pub const QUEUE_LIMIT: i64 = 100;

#[server(endpoint = "staff/renewals/queue")]
pub async fn renewal_queue() -> Result<Vec<RenewalQueueRow>, AppError> {
    let staff = access::staff(Need::Clinician).await?;
    let unseen = super::store::pending_queue(&staff, QUEUE_LIMIT).await?;
    let shown = staff.show(unseen, Section::Medications, "staff.renewals.queue").await?;
    Ok(shown.into_iter().map(|r| r.view(&staff.state().clock)).collect())
}

/// `approve` true: grants `refills` (0–11). False: denies, `reason` required.
#[server(endpoint = "staff/renewals/decide")]
pub async fn decide_renewal(
    id: i64,
    approve: bool,
    #[server(default)] refills: Option<i64>,
    #[server(default)] reason: String,
) -> Result<(), AppError> {
    use super::{DENIAL_REASON_MAX_CHARS, MAX_REFILLS};
    use crate::input::bounded;
    let staff = access::staff(Need::Clinician).await?;
    let (granted, denial) = if approve {
        let refills = refills.unwrap_or(3);
        if !(0..=MAX_REFILLS).contains(&refills) {
            return Err(AppError::invalid("refills", Problem::RenewalBadRefills));
        }
        (Some(refills), None)
    } else {
        let required = Some(Problem::RenewalReasonRequired);
        let reason = bounded(&reason, DENIAL_REASON_MAX_CHARS, required, Problem::RenewalReasonTooLong)
            .map_err(|p| AppError::invalid("reason", p))?;
        (None, Some(reason))
    };
    let patient = super::store::request_patient(staff.db(), id).await?.ok_or(AppError::NotFound)?;
    let chart =
        staff.open_chart(patient, Section::Medications, &format!("staff.renewals.decide id={id}")).await?;
    let now = staff.state().clock.now_ms();
    if !super::store::decide(&chart, id, now, granted, denial.as_deref()).await? {
        return Err(AppError::NotFound);
    }
    let action = if approve { "renewal-approved" } else { "renewal-denied" };
    chart.audit_write(Section::Medications, action, &format!("request={id}")).await?;
    let confidential = super::store::request_is_confidential(&chart, id).await?;
    crate::notices::send::to_chart(
        &chart,
        crate::notices::NoticeKind::Renewal,
        Section::Medications,
        confidential,
    )
    .await;
    Ok(())
}
