use leptos::prelude::*;

use super::HealthSummary;
#[cfg(feature = "ssr")]
use crate::access::{self, Section};
use crate::error::AppError;

#[server(endpoint = "summary/get")]
pub async fn load_health_summary() -> Result<HealthSummary, AppError> {
    let chart = access::require(Section::HealthSummary, "summary.get").await?;
    let (db, id) = (&chart.state.db, chart.patient_id);
    let today = chart.state.clock.today().to_string();
    Ok(HealthSummary {
        medications: crate::medications::store::current(db, id, &today).await?,
        allergies: super::store::allergies(db, id).await?,
        immunizations: super::store::immunizations(db, id).await?,
        problems: super::store::active_problems(db, id).await?,
    })
}
