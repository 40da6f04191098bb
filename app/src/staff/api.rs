//! Staff server functions. Staff are not bound to one chart, so a patient id argument is
//! legitimate here; the role check comes first and every access is audit-logged.
use leptos::prelude::*;

use super::{IssuedCodeView, PatientMatch};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::{
    auth::{rules, session, store},
    infra::{
        audit::{self, AuditEvent},
        state, AppState,
    },
};

pub const SEARCH_MIN_CHARS: usize = 2;
pub const SEARCH_MAX_CHARS: usize = 100;
pub const SEARCH_LIMIT: i64 = 25;

#[cfg(feature = "ssr")]
async fn require_code_issuer(state: &AppState) -> Result<session::Session, AppError> {
    let s = session::current(state).await?;
    if !s.role.may_issue_activation_codes() {
        return Err(AppError::Forbidden);
    }
    Ok(s)
}

#[server(endpoint = "staff/find_patients")]
pub async fn find_patients(query: String) -> Result<Vec<PatientMatch>, AppError> {
    let state = state()?;
    let staff = require_code_issuer(&state).await?;
    let query = query.trim();
    let len = query.chars().count();
    if !(SEARCH_MIN_CHARS..=SEARCH_MAX_CHARS).contains(&len) {
        return Err(AppError::invalid("query", "search.too_short"));
    }
    let rows = store::search_patients(&state.db, query, SEARCH_LIMIT).await?;
    let addr = crate::infra::client_addr();
    audit::append(
        &state.db,
        state.clock.now_ms(),
        AuditEvent {
            actor_user_id: Some(staff.user_id),
            action: "patient-search",
            client_addr: Some(&addr),
            detail: &format!("results={}", rows.len()),
            ..Default::default()
        },
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|p| PatientMatch {
            id: p.id,
            mrn: p.mrn,
            name: format!("{}, {}", p.family_name, p.given_name),
            birth_date: p.birth_date,
            enrolled: p.enrolled,
        })
        .collect())
}

#[server(endpoint = "staff/issue_activation_code")]
pub async fn issue_activation_code(patient_id: i64) -> Result<IssuedCodeView, AppError> {
    let state = state()?;
    let staff = require_code_issuer(&state).await?;
    let patient = store::patient_by_id(&state.db, patient_id).await?.ok_or(AppError::NotFound)?;
    check_may_enroll(&state, &patient)?;
    let now = state.clock.now_ms();
    let issued = store::issue_activation_code(&state.db, patient.id, Some(staff.user_id), now).await?;
    audit::append(
        &state.db,
        now,
        AuditEvent {
            actor_user_id: Some(staff.user_id),
            action: "activation-code-issued",
            patient_id: Some(patient.id),
            client_addr: Some(&crate::infra::client_addr()),
            ..Default::default()
        },
    )
    .await?;
    Ok(IssuedCodeView {
        patient_name: format!("{} {}", patient.given_name, patient.family_name),
        code: issued.code,
        expires_on: date_of(issued.expires_at),
    })
}

/// Enrolled patients use Forgot password; under-13s are reached through proxy access.
#[cfg(feature = "ssr")]
pub fn check_may_enroll(state: &AppState, patient: &store::PatientRow) -> Result<(), AppError> {
    if patient.enrolled {
        return Err(AppError::invalid("patient", "patient.already_enrolled"));
    }
    let birth = rules::parse_date(&patient.birth_date).ok_or(AppError::Unavailable)?;
    if rules::age_on(birth, state.clock.today()) < rules::MIN_ACCOUNT_AGE {
        return Err(AppError::invalid("patient", "activation.under_13"));
    }
    Ok(())
}

#[cfg(feature = "ssr")]
pub use crate::infra::clock::date_of;
