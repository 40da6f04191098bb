//! Staff view and correct a patient's personal information (front desk, clinic, phone
//! support: the staff who find charts and issue codes). Each read and each correction is
//! audited on that patient's chart (`StaffAccess::open_chart`).
use leptos::prelude::*;

use super::PersonalInfo;
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {
    super::{
        api::{checked, Typed},
        store,
    },
    crate::access::{self, Need, Section},
};

#[server(endpoint = "staff/personal/load")]
pub async fn staff_load_personal_info(patient_id: i64) -> Result<PersonalInfo, AppError> {
    let staff = access::staff(Need::IssuesCodes).await?;
    let chart = staff.open_chart(patient_id, Section::Home, "staff.personal").await?;
    Ok(store::personal_info(&chart).await?)
}

/// The same form and checks as the patient's page; sent as a plain form, the browser
/// comes back to the chart's page with "saved".
#[server(endpoint = "staff/personal/save")]
#[allow(clippy::too_many_arguments)]
pub async fn staff_save_personal_info(
    patient_id: i64,
    #[server(default)] preferred_name: String,
    #[server(default)] address_line: String,
    #[server(default)] city: String,
    #[server(default)] region: String,
    #[server(default)] postal_code: String,
    #[server(default)] phone: String,
    #[server(default)] emergency_name: String,
    #[server(default)] emergency_relationship: String,
    #[server(default)] emergency_phone: String,
    #[server(default)] language: String,
    #[server(default)] races: crate::input::NameList,
    #[server(default)] ethnicity: String,
    #[server(default)] sexual_orientation: String,
    #[server(default)] gender_identity: String,
    #[server(default)] pronouns: String,
) -> Result<(), AppError> {
    let staff = access::staff(Need::IssuesCodes).await?;
    let chart = staff.open_chart(patient_id, Section::Home, "staff.personal").await?;
    let typed = Typed {
        preferred_name,
        address_line,
        city,
        region,
        postal_code,
        phone,
        emergency_name,
        emergency_relationship,
        emergency_phone,
        language,
        races: races.0,
        ethnicity,
        sexual_orientation,
        gender_identity,
        pronouns,
    };
    let info = checked(typed)?;
    store::save_personal_info(&chart, &info, staff.state().clock.now_ms()).await?;
    chart.audit_write(Section::Home, "personal-info-corrected", "by staff").await?;
    if crate::ui::form::is_form_post() {
        leptos_axum::redirect(&format!("/staff/personal/{patient_id}?done=saved"));
    }
    Ok(())
}
