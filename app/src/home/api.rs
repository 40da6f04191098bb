//! What Home shows a patient: the next appointments, new results, reminders that need
//! action. One call, one audit row.
use leptos::prelude::*;

use super::HomeOverview;
#[cfg(feature = "ssr")]
use crate::access::{self, Section};
use crate::error::AppError;

pub const UPCOMING_ON_HOME: usize = 3;
pub const NEW_RESULTS_ON_HOME: usize = 5;

#[server(endpoint = "home/overview")]
pub async fn load_home() -> Result<HomeOverview, AppError> {
    let chart = access::require(Section::Home, "home.overview").await?;
    let (state, id) = (&chart.state, chart.patient_id);
    let now = state.clock.now_ms();
    let upcoming =
        crate::visits::store::upcoming(&state.db, id, now, state.config.utc_offset_minutes, UPCOMING_ON_HOME)
            .await?;
    let new_result_count = crate::results::store::count_new(&state.db, id).await?;
    let mut new_results: Vec<_> =
        crate::results::store::list_released(&state.db, id).await?.into_iter().filter(|r| r.is_new).collect();
    new_results.truncate(NEW_RESULTS_ON_HOME);
    let facts = crate::reminders::store::facts(&state.db, id).await?;
    let reminders = crate::reminders::rules::reminders(&facts, state.clock.today())
        .into_iter()
        .filter(|r| r.needs_action())
        .collect();
    Ok(HomeOverview { upcoming, new_results, new_result_count, reminders })
}
