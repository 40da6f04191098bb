//! Corrections of a legal name or date of birth: the patient asks (with why), the Medical
//! Records team (HIM) approves, which changes the chart's identity, or denies with a
//! reason; the patient sees where it stands on their Personal information page.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[cfg(feature = "ssr")]
use {
    super::correction_store as store,
    crate::{
        access::{self, Need, Section},
        problem::Problem,
    },
};

/// Longest note with a request, and longest reason for a denial.
pub const NOTE_MAX_CHARS: usize = 500;
/// Requests a patient may send a day.
pub const REQUESTS_PER_DAY: i64 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CorrectionStatus {
    Pending,
    Approved,
    Denied,
}

/// One request, as its patient and HIM see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Correction {
    pub id: i64,
    /// The chart's name and birth date when the request was made.
    pub current_name: String,
    pub current_birth_date: String,
    pub given_name: String,
    pub family_name: String,
    pub birth_date: String,
    pub note: String,
    pub status: CorrectionStatus,
    pub reason: String,
    pub requested: String,
}

/// The patient's requests, newest first.
#[server(endpoint = "personal/corrections")]
pub async fn my_corrections() -> Result<Vec<Correction>, AppError> {
    let account = access::account().await?;
    let chart = account.own_chart("personal.corrections").await?;
    Ok(store::of_chart(&chart).await?)
}

/// Asks HIM to correct the legal name or the date of birth (at most one waiting).
#[server(endpoint = "personal/request_correction")]
pub async fn request_correction(
    given_name: String,
    family_name: String,
    birth_date: String,
    #[server(default)] note: String,
) -> Result<(), AppError> {
    let account = access::account().await?;
    let chart = account.own_chart("personal.corrections").await?;
    let state = account.state();
    let name = |field: &str, value: &str| {
        let required = Some(Problem::SignUpNameRequired);
        crate::input::bounded(value, super::TEXT_MAX_CHARS, required, Problem::SignUpNameTooLong)
            .map_err(|p| AppError::invalid(field, p))
    };
    let given_name = name("given_name", &given_name)?;
    let family_name = name("family_name", &family_name)?;
    let born = crate::dates::parse_date(&birth_date)
        .filter(|b| *b <= state.clock.today())
        .ok_or_else(|| AppError::invalid("birth_date", Problem::SignUpBirthDateInvalid))?;
    let note = crate::input::bounded(&note, NOTE_MAX_CHARS, None, Problem::PersonalTooLong)
        .map_err(|p| AppError::invalid("note", p))?;
    let now = state.clock.now_ms();
    let (pending, today) = store::pending_and_recent(&chart, now - crate::dates::DAY_MS).await?;
    if pending {
        return Err(AppError::invalid("form", Problem::CorrectionPending));
    }
    if today >= REQUESTS_PER_DAY {
        return Err(AppError::TooManyAttempts { retry_after_secs: 3600 });
    }
    let new = store::NewCorrection {
        given_name: &given_name,
        family_name: &family_name,
        birth_date: born,
        note: &note,
    };
    let id = store::insert(&chart, account.user_id(), &new, now).await?;
    chart.audit_write(Section::Home, "identity-correction-requested", &format!("request={id}")).await?;
    if crate::ui::form::is_form_post() {
        leptos_axum::redirect("/account/personal?done=requested");
    }
    Ok(())
}

/// HIM's queue: the requests waiting, oldest first (each patient's chart logs the read).
#[server(endpoint = "staff/corrections/queue")]
pub async fn correction_queue() -> Result<Vec<Correction>, AppError> {
    let staff = access::staff(Need::Him).await?;
    let rows = store::pending(staff.db(), &staff.state().clock).await?;
    staff.show(rows, Section::Home, "staff.corrections").await
}

/// Approves (the chart's legal name and birth date become the requested ones) or denies
/// with a reason (required).
#[server(endpoint = "staff/corrections/decide")]
pub async fn decide_correction(
    id: i64,
    approve: bool,
    #[server(default)] reason: String,
) -> Result<(), AppError> {
    let staff = access::staff(Need::Him).await?;
    let patient_id = store::chart_of(staff.db(), id).await?.ok_or(AppError::NotFound)?;
    let chart = staff.open_chart(patient_id, Section::Home, "staff.corrections").await?;
    let reason = reason.trim().to_owned();
    if !approve && reason.is_empty() {
        return Err(AppError::invalid("reason", Problem::ProxyReasonRequired));
    }
    if reason.chars().count() > NOTE_MAX_CHARS {
        return Err(AppError::invalid("reason", Problem::ProxyReasonTooLong));
    }
    let now = staff.state().clock.now_ms();
    if !store::decide(&chart, id, approve, &reason, staff.user_id(), now).await? {
        return Err(AppError::invalid("form", Problem::ProxyAlreadyDecided));
    }
    let action = if approve { "identity-corrected" } else { "identity-correction-denied" };
    chart.audit_write(Section::Home, action, &format!("request={id}")).await?;
    if crate::ui::form::is_form_post() {
        leptos_axum::redirect("/staff/corrections?done=decided");
    }
    Ok(())
}
