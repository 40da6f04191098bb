//! The clinician's side, with no account: open a code with the patient's date of birth,
//! read what it holds, close it. Every read goes through the share door
//! (`access::open_shared`) and is in the patient's "Who has seen my record".
use leptos::prelude::*;

use super::SharedRecord;
#[cfg(feature = "ssr")]
use super::{normalised, SharedVisit};
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::{
    access::{self, ChartScope, Section, ShareTerms},
    infra::cookies,
    problem::Problem,
};

/// The view token's cookie (HttpOnly, SameSite=Strict): the clinician's browser holds it
/// for at most `access::SHARE_VIEW_MINUTES`.
#[cfg(feature = "ssr")]
const VIEW_COOKIE: &str = "portico_share_view";

/// Opens a share: the code as the patient read it out (dashes, spaces and case do not
/// matter) and the patient's date of birth. Then the browser goes to `/share/view`.
#[server(endpoint = "share/open")]
pub async fn open_share(
    #[server(default)] code: String,
    #[server(default)] birth_date: String,
) -> Result<(), AppError> {
    let typed = code.trim();
    let code = normalised(typed).ok_or_else(|| {
        let problem = if typed.is_empty() { Problem::ShareCodeRequired } else { Problem::ShareCodeWrong };
        AppError::invalid("code", problem)
    })?;
    let birth_date = crate::dates::parse_date(birth_date.trim())
        .ok_or_else(|| AppError::invalid("birth_date", Problem::ShareBirthDateRequired))?;
    let opened = access::open_share_code(&code, &birth_date.to_string()).await?;
    cookies::set(VIEW_COOKIE, &opened.token, opened.max_age_secs);
    leptos_axum::redirect("/share/view");
    Ok(())
}

/// What the open share holds, as the clinician reads it.
#[server(endpoint = "share/record")]
pub async fn load_shared_record() -> Result<SharedRecord, AppError> {
    let token = cookies::read(VIEW_COOKIE);
    let (chart, terms) = access::open_shared(token.as_deref(), "share.record").await?;
    let state = chart.state();
    let patient = crate::patients::store::patient_by_id(chart.db(), chart.patient_id())
        .await?
        .ok_or_else(|| AppError::invalid("share", Problem::ShareEnded))?;
    let mut record = SharedRecord {
        org: state.config.org.name.clone(),
        patient_name: format!("{} {}", patient.given_name, patient.family_name),
        birth_date: patient.birth_date,
        expires: state.clock.local_date_time(terms.expires_at),
        problems: None,
        allergies: None,
        medications: None,
        immunizations: None,
        visits: None,
    };
    if terms.visit_ids.is_empty() {
        summary_into(&chart, &mut record).await?;
    } else {
        record.visits = Some(visits_of(&chart, &terms).await?);
    }
    Ok(record)
}

/// Closes the share in this browser (the code opens it again while it lasts).
#[server(endpoint = "share/close")]
pub async fn close_share() -> Result<(), AppError> {
    access::close_share_view(cookies::read(VIEW_COOKIE).as_deref()).await?;
    cookies::set(VIEW_COOKIE, "", 0);
    leptos_axum::redirect("/share");
    Ok(())
}

/// A summary share: each list the sharer may show.
#[cfg(feature = "ssr")]
async fn summary_into(chart: &ChartScope, record: &mut SharedRecord) -> Result<(), AppError> {
    use crate::summary::store as summary;
    if chart.may(Section::HealthSummary) {
        let problems = summary::active_problems(chart).await?;
        record.problems = Some(problems.into_iter().map(|p| format!("{} ({})", p.name, p.code)).collect());
        let allergies = summary::allergies(chart).await?;
        record.allergies = Some(
            allergies
                .into_iter()
                .map(|a| format!("{}: {} ({})", a.substance, a.reaction, a.severity))
                .collect(),
        );
        let doses = summary::immunizations(chart).await?;
        record.immunizations =
            Some(doses.into_iter().map(|d| format!("{}  {}", d.given_on, d.name)).collect());
    }
    if chart.may(Section::Medications) {
        let today = chart.state().clock.today().to_string();
        let current = crate::medications::store::current(chart, &today).await?;
        record.medications =
            Some(current.into_iter().map(|m| format!("{} {}: {}", m.name, m.dose, m.sig)).collect());
    }
    Ok(())
}

/// A share of visits: each one the share names that the sharer may still see (a visit
/// whose note became confidential is not there for a proxy's share), oldest first.
#[cfg(feature = "ssr")]
async fn visits_of(chart: &ChartScope, terms: &ShareTerms) -> Result<Vec<SharedVisit>, AppError> {
    use crate::documents::copy::{ChosenVisits, Unseen};
    // Shared when it was finished: a visit since entered in error is not shown.
    Ok(ChosenVisits::load(chart, &terms.visit_ids, Unseen::Skip).await?.into_read())
}
