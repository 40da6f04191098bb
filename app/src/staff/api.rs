//! Staff server functions. Staff are not bound to one chart, so a patient id argument is
//! legitimate here; `access::staff` checks the role first, and every patient shown or
//! acted on is logged on their own chart.
use leptos::prelude::*;

use super::{IssuedCodeView, PatientMatch};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::problem::Problem;
#[cfg(feature = "ssr")]
use crate::{
    access::{self, Need, Section, Unseen},
    auth::{rules, store},
    infra::AppState,
};

pub const SEARCH_MIN_CHARS: usize = 2;
pub const SEARCH_MAX_CHARS: usize = 100;
pub const SEARCH_LIMIT: i64 = 25;

#[server(endpoint = "staff/find_patients")]
pub async fn find_patients(query: String) -> Result<Vec<PatientMatch>, AppError> {
    let staff = access::staff(Need::IssuesCodes).await?;
    let query = query.trim();
    let len = query.chars().count();
    if !(SEARCH_MIN_CHARS..=SEARCH_MAX_CHARS).contains(&len) {
        return Err(AppError::invalid("query", Problem::SearchTooShort));
    }
    let rows = crate::patients::store::search_patients(staff.db(), query, SEARCH_LIMIT).await?;
    // Each patient the search shows is logged on their chart (the query itself is not:
    // it may hold a name, and the log is no place for more PHI than it needs).
    let found = rows
        .into_iter()
        .map(|p| {
            let shown = PatientMatch {
                id: p.id,
                mrn: p.mrn,
                name: format!("{}, {}", p.family_name, p.given_name),
                birth_date: p.birth_date,
                enrolled: p.enrolled,
            };
            (Some(p.id), shown)
        })
        .collect();
    staff.show(Unseen::new(found), Section::Home, "staff.patient_search").await
}

#[server(endpoint = "staff/issue_activation_code")]
pub async fn issue_activation_code(patient_id: i64) -> Result<IssuedCodeView, AppError> {
    let staff = access::staff(Need::IssuesCodes).await?;
    let state = staff.state();
    let patient =
        crate::patients::store::patient_by_id(staff.db(), patient_id).await?.ok_or(AppError::NotFound)?;
    check_may_enroll(state, &patient)?;
    let now = state.clock.now_ms();
    let issued = store::issue_activation_code(staff.db(), patient.id, Some(staff.user_id()), now).await?;
    staff.audit_on(patient.id, Section::Home, "activation-code-issued", "").await?;
    Ok(IssuedCodeView {
        patient_name: format!("{} {}", patient.given_name, patient.family_name),
        code: issued.code,
        expires_on: state.clock.date_of(issued.expires_at),
    })
}

/// Enrolled patients use Forgot password; under-13s are reached through proxy access.
#[cfg(feature = "ssr")]
pub fn check_may_enroll(
    state: &AppState,
    patient: &crate::patients::store::PatientRow,
) -> Result<(), AppError> {
    if patient.enrolled {
        return Err(AppError::invalid("patient", Problem::PatientAlreadyEnrolled));
    }
    let birth = crate::dates::parse_date(&patient.birth_date).ok_or(AppError::Unavailable)?;
    if crate::dates::age_on(birth, state.clock.today()) < rules::MIN_ACCOUNT_AGE {
        return Err(AppError::invalid("patient", Problem::ActivationUnder13));
    }
    Ok(())
}
