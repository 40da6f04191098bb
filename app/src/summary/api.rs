use leptos::prelude::*;

use super::HealthSummary;
#[cfg(feature = "ssr")]
use crate::access::{self, Section};
use crate::error::AppError;

#[server(endpoint = "summary/get")]
pub async fn load_health_summary() -> Result<HealthSummary, AppError> {
    let chart = access::require(Section::HealthSummary, "summary.get").await?;
    let today = chart.state().clock.today().to_string();
    // The summary repeats the medication list only for a reader who may open it.
    let medications = if chart.may(Section::Medications) {
        let rows = crate::medications::store::current(&chart, &today).await?;
        crate::medications::view::medications(rows, &chart.state().clock)
    } else {
        Vec::new()
    };
    Ok(HealthSummary {
        medications,
        allergies: super::store::allergies(&chart).await?,
        immunizations: super::store::immunizations(&chart).await?,
        problems: super::store::active_problems(&chart).await?,
    })
}
