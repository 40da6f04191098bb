//! Clinicians enter results, hold one with a reason, release, and mark reviewed. Staff
//! are not bound to one chart, so a patient (by MRN) or result id is an argument here;
//! the role check comes first and every action is audited against the patient.
use leptos::prelude::*;

use super::StaffResultRow;
#[cfg(feature = "ssr")]
use crate::access::{self, Need, Section};
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::notices::NoticeKind;
#[cfg(feature = "ssr")]
use crate::problem::Problem;

/// Longest hold reason accepted.
pub const HOLD_REASON_MAX_CHARS: usize = 500;
pub const QUEUE_LIMIT: i64 = 100;

#[server(endpoint = "staff/results/queue")]
pub async fn results_queue() -> Result<Vec<StaffResultRow>, AppError> {
    let staff = access::staff(Need::Clinician).await?;
    let unseen = super::store::staff_queue(&staff, QUEUE_LIMIT).await?;
    staff.show(unseen, Section::Results, "staff.results.queue").await
}

/// Records a result for the patient with `mrn`: one value per component of `panel`, in
/// catalogue order. Released at once unless `hold_reason` is given.
#[server(endpoint = "staff/results/enter")]
pub async fn enter_result(
    mrn: String,
    panel: String,
    values: Vec<String>,
    #[server(default)] hold_reason: String,
) -> Result<i64, AppError> {
    let staff = access::staff(Need::Clinician).await?;
    let panel =
        super::catalog::panel(&panel).ok_or_else(|| AppError::invalid("panel", Problem::ResultsBadPanel))?;
    let numbers = parse_values(panel, &values)?;
    let hold_reason = hold_reason.trim();
    if hold_reason.chars().count() > HOLD_REASON_MAX_CHARS {
        return Err(AppError::invalid("hold_reason", Problem::ResultsReasonTooLong));
    }
    let patient = crate::patients::store::patient_by_mrn(staff.db(), mrn.trim())
        .await?
        .ok_or_else(|| AppError::invalid("mrn", Problem::ResultsNoPatient))?;
    let chart = staff.open_chart(patient.id, Section::Results, "staff.results.enter").await?;
    let now = staff.state().clock.now_ms();
    let held = !hold_reason.is_empty();
    let provider = crate::patients::store::provider_of_user(staff.db(), staff.user_id()).await?;
    let id = super::store::insert_report(
        chart.db(),
        &super::store::NewReport {
            patient_id: chart.patient_id(),
            panel,
            values: &numbers,
            ordered_by: provider,
            collected_at: now,
            resulted_at: now,
            released_at: (!held).then_some(now),
            held_reason: held.then_some(hold_reason),
            held_by: held.then_some(staff.user_id()),
            reviewed: None,
            seen_at: None,
            encounter_id: None,
        },
    )
    .await?;
    if !held {
        super::store::refresh_series_later(chart.db(), id);
    }
    let action = if held { "result-entered-held" } else { "result-entered-released" };
    chart.audit_write(Section::Results, action, &format!("report={id}")).await?;
    if !held {
        let confidential = super::store::report_is_confidential(&chart, id).await?;
        crate::notices::send::to_chart(&chart, NoticeKind::Result, Section::Results, confidential).await;
    }
    Ok(id)
}

/// One number per component; each a finite decimal, each at its own field on error.
#[cfg(feature = "ssr")]
fn parse_values(panel: &super::catalog::Panel, values: &[String]) -> Result<Vec<f64>, AppError> {
    if values.len() != panel.analytes.len() {
        return Err(AppError::invalid("values", Problem::ResultsBadValues));
    }
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            v.trim()
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite() && *n >= 0.0 && *n < 1e6)
                .ok_or_else(|| AppError::invalid(&format!("values[{i}]"), Problem::ResultsBadValue))
        })
        .collect()
}

#[server(endpoint = "staff/results/release")]
pub async fn release_result(id: i64) -> Result<(), AppError> {
    let staff = access::staff(Need::Clinician).await?;
    let patient = super::store::report_patient(staff.db(), id).await?.ok_or(AppError::NotFound)?;
    let chart =
        staff.open_chart(patient, Section::Results, &format!("staff.results.release id={id}")).await?;
    if super::store::release(&chart, id, staff.state().clock.now_ms()).await? {
        super::store::refresh_series_later(chart.db(), id);
        chart.audit_write(Section::Results, "result-released", &format!("report={id}")).await?;
        let confidential = super::store::report_is_confidential(&chart, id).await?;
        crate::notices::send::to_chart(&chart, NoticeKind::Result, Section::Results, confidential).await;
    }
    Ok(())
}

#[server(endpoint = "staff/results/review")]
pub async fn mark_result_reviewed(id: i64) -> Result<(), AppError> {
    let staff = access::staff(Need::Clinician).await?;
    let patient = super::store::report_patient(staff.db(), id).await?.ok_or(AppError::NotFound)?;
    let chart = staff.open_chart(patient, Section::Results, &format!("staff.results.review id={id}")).await?;
    if super::store::mark_reviewed(&chart, id, staff.state().clock.now_ms()).await? {
        chart.audit_write(Section::Results, "result-reviewed", &format!("report={id}")).await?;
    }
    Ok(())
}
