//! The clinician's renewal queue: approve (optionally changing the refills) or deny with
//! a reason. Each decision is audited against the patient.
use leptos::prelude::*;

use super::RenewalQueueRow;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::{
    access::{self, Section},
    auth::Role,
};

pub const QUEUE_LIMIT: i64 = 100;

#[cfg(feature = "ssr")]
fn clinician(role: Role) -> bool {
    role == Role::Clinician
}

#[server(endpoint = "staff/renewals/queue")]
pub async fn renewal_queue() -> Result<Vec<RenewalQueueRow>, AppError> {
    let (state, _staff) = access::require_staff(clinician).await?;
    Ok(super::store::pending_queue(&state.db, QUEUE_LIMIT).await?)
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
    let (state, staff) = access::require_staff(clinician).await?;
    let (granted, denial) = if approve {
        let refills = refills.unwrap_or(3);
        if !(0..=MAX_REFILLS).contains(&refills) {
            return Err(AppError::invalid("refills", "renewal.bad_refills"));
        }
        (Some(refills), None)
    } else {
        let reason = bounded(&reason, DENIAL_REASON_MAX_CHARS, true)
            .map_err(|e| AppError::invalid("reason", &format!("renewal.reason_{e}")))?;
        (None, Some(reason))
    };
    let now = state.clock.now_ms();
    let patient = super::store::decide(&state.db, id, staff.user_id, now, granted, denial.as_deref())
        .await?
        .ok_or(AppError::NotFound)?;
    let action = if approve { "renewal-approved" } else { "renewal-denied" };
    access::audit_staff(&state, &staff, patient, Section::Medications, action, &format!("request={id}"))
        .await?;
    Ok(())
}
