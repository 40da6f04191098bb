//! Breaking the glass (clinicians) and reviewing it (HIM).
use leptos::prelude::*;

use super::Entry;
#[cfg(feature = "ssr")]
use crate::access::{self, Need, Section};
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::problem::Problem;

/// Opens a chart outside the clinician's care relationships for the rest of this session.
/// The patient by id (picked from a search) or by MRN (typed); `reason` one of
/// `Reason::as_str`; `note` required for "other". Returns the patient's id.
#[server(endpoint = "staff/break_glass")]
pub async fn break_glass(
    #[server(default)] patient_id: Option<i64>,
    #[server(default)] mrn: String,
    reason: String,
    #[server(default)] note: String,
) -> Result<i64, AppError> {
    use super::{Reason, NOTE_MAX_CHARS};
    let staff = access::staff(Need::Clinician).await?;
    let reason = Reason::parse(&reason)
        .ok_or_else(|| AppError::invalid("reason", Problem::BreakGlassReasonRequired))?;
    let required = (reason == Reason::Other).then_some(Problem::BreakGlassNoteRequired);
    let note = crate::input::bounded(&note, NOTE_MAX_CHARS, required, Problem::BreakGlassNoteTooLong)
        .map_err(|p| AppError::invalid("note", p))?;
    let patient = match patient_id {
        Some(id) => crate::patients::store::patient_by_id(staff.db(), id).await?,
        None => crate::patients::store::patient_by_mrn(staff.db(), mrn.trim()).await?,
    }
    .ok_or_else(|| AppError::invalid("mrn", Problem::ResultsNoPatient))?;
    super::store::record_break_glass(&staff, patient.id, reason, &note).await?;
    // The reason's code only: the note may name things the log is no place for.
    let detail = format!("reason={}", reason.as_str());
    staff.audit_on(patient.id, Section::Home, "break-the-glass", &detail).await?;
    Ok(patient.id)
}

/// HIM's list of break-the-glass accesses to review.
#[server(endpoint = "staff/break_glass/list")]
pub async fn break_glass_list() -> Result<Vec<Entry>, AppError> {
    let staff = access::staff(Need::Him).await?;
    let unseen = super::store::review_list(&staff, super::REVIEW_LIST_LIMIT).await?;
    let shown = staff.show(unseen, Section::Home, "staff.break_glass.list").await?;
    Ok(shown.into_iter().map(|r| r.view(&staff.state().clock)).collect())
}

/// Marks one access reviewed.
#[server(endpoint = "staff/break_glass/reviewed")]
pub async fn mark_break_glass_reviewed(id: i64) -> Result<(), AppError> {
    let staff = access::staff(Need::Him).await?;
    if let Some(patient) = super::store::mark_reviewed(&staff, id).await? {
        staff.audit_on(patient, Section::Home, "break-the-glass-reviewed", &format!("access={id}")).await?;
    }
    Ok(())
}
