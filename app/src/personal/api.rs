//! Personal information server functions: the signed-in patient's own chart only (a
//! proxy does not change someone else's address or demographics).
use leptos::prelude::*;

use super::PersonalInfo;
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {
    super::{store, Code, DECLINED, GENDER_IDENTITIES, LANGUAGES, PRONOUNS, SEXUAL_ORIENTATIONS},
    crate::{access, problem::Problem},
};

#[server(endpoint = "personal/load")]
pub async fn load_personal_info() -> Result<PersonalInfo, AppError> {
    let account = access::account().await?;
    let chart = account.own_chart("personal-info").await?;
    Ok(store::personal_info(&chart).await?)
}

/// Saves the page's form. Every field is checked at its own field; choices must be one of
/// the listed codes. The preferred language, when the interface has it, becomes the
/// page's language at once.
#[server(endpoint = "personal/save")]
#[allow(clippy::too_many_arguments)]
pub async fn save_personal_info(
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
    let account = access::account().await?;
    let chart = account.own_chart("personal-info").await?;
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
    let language = info.language.clone();
    let state = account.state();
    store::save_personal_info(&chart, &info, state.clock.now_ms()).await?;
    chart.audit_write(crate::access::Section::Home, "personal-info-updated", "").await?;
    if matches!(language.as_str(), "en" | "es") {
        crate::ui::language::remember_language(&language);
    }
    if crate::ui::form::is_form_post() {
        leptos_axum::redirect("/account/personal?done=saved");
    }
    Ok(())
}

/// The form as typed, for `checked` (the patient's page and the staff page send the same).
#[cfg(feature = "ssr")]
pub(super) struct Typed {
    pub preferred_name: String,
    pub address_line: String,
    pub city: String,
    pub region: String,
    pub postal_code: String,
    pub phone: String,
    pub emergency_name: String,
    pub emergency_relationship: String,
    pub emergency_phone: String,
    pub language: String,
    /// Comma-separated codes.
    pub races: String,
    pub ethnicity: String,
    pub sexual_orientation: String,
    pub gender_identity: String,
    pub pronouns: String,
}

/// Every field checked, each refused at its own field; choices must be listed codes.
#[cfg(feature = "ssr")]
pub(super) fn checked(t: Typed) -> Result<PersonalInfo, AppError> {
    let text = |field: &str, value: &str, max: usize| -> Result<String, AppError> {
        let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
        if value.chars().count() > max {
            return Err(AppError::invalid(field, Problem::PersonalTooLong));
        }
        Ok(value)
    };
    let phone_of = |field: &str, value: &str| -> Result<String, AppError> {
        if value.trim().is_empty() {
            return Ok(String::new());
        }
        crate::signup::normalize_phone(value)
            .ok_or_else(|| AppError::invalid(field, Problem::SignUpPhoneInvalid))
    };
    let postal_code = match t.postal_code.trim() {
        "" => String::new(),
        typed => crate::signup::normalize_postal_code(typed)
            .ok_or_else(|| AppError::invalid("postal_code", Problem::SignUpPostalCodeInvalid))?,
    };
    let language = t.language.trim().to_owned();
    if !language.is_empty() && !LANGUAGES.iter().any(|(tag, _)| *tag == language) {
        return Err(AppError::invalid("language", Problem::PersonalBadChoice));
    }
    let info = PersonalInfo {
        legal_name: String::new(),
        birth_date: String::new(),
        preferred_name: text("preferred_name", &t.preferred_name, super::TEXT_MAX_CHARS)?,
        address_line: text("address_line", &t.address_line, super::ADDRESS_MAX_CHARS)?,
        city: text("city", &t.city, super::TEXT_MAX_CHARS)?,
        region: text("region", &t.region, super::TEXT_MAX_CHARS)?,
        postal_code,
        phone: phone_of("phone", &t.phone)?,
        emergency_name: text("emergency_name", &t.emergency_name, super::TEXT_MAX_CHARS)?,
        emergency_relationship: text(
            "emergency_relationship",
            &t.emergency_relationship,
            super::TEXT_MAX_CHARS,
        )?,
        emergency_phone: phone_of("emergency_phone", &t.emergency_phone)?,
        language,
        races: races_of(&t.races)?,
        ethnicity: choice("ethnicity", &t.ethnicity, super::ETHNICITIES)?,
        sexual_orientation: choice("sexual_orientation", &t.sexual_orientation, SEXUAL_ORIENTATIONS)?,
        gender_identity: choice("gender_identity", &t.gender_identity, GENDER_IDENTITIES)?,
        pronouns: choice("pronouns", &t.pronouns, PRONOUNS)?,
    };
    Ok(info)
}

/// One code of `set`, or empty (not answered).
#[cfg(feature = "ssr")]
fn choice(field: &str, value: &str, set: &[Code]) -> Result<String, AppError> {
    let value = value.trim();
    if value.is_empty() || super::system_of(set, value).is_some() {
        Ok(value.to_owned())
    } else {
        Err(AppError::invalid(field, Problem::PersonalBadChoice))
    }
}

/// Several races, each a listed code; "choose not to answer" only alone.
#[cfg(feature = "ssr")]
fn races_of(list: &str) -> Result<Vec<String>, AppError> {
    let mut races: Vec<String> = Vec::new();
    for code in list.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        if super::system_of(super::RACES, code).is_none() {
            return Err(AppError::invalid("races", Problem::PersonalBadChoice));
        }
        if !races.iter().any(|r| r == code) {
            races.push(code.to_owned());
        }
    }
    if races.len() > 1 && races.iter().any(|r| r == DECLINED) {
        return Err(AppError::invalid("races", Problem::PersonalDeclineAlone));
    }
    Ok(races)
}
