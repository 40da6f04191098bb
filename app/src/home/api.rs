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
    let state = chart.state();
    let now = state.clock.now_ms();
    // A card shows only what the reader may open: a proxy without Results sees no results.
    let upcoming = if chart.may(Section::Visits) {
        let rows = crate::visits::store::upcoming(&chart, now, UPCOMING_ON_HOME).await?;
        rows.into_iter().map(|r| r.summary(&state.clock, chart.visibility())).collect()
    } else {
        Vec::new()
    };
    let (new_result_count, mut new_results) = if chart.may(Section::Results) {
        let listed = crate::results::store::list_released(&chart).await?;
        (crate::results::store::count_new(&chart).await?, listed.into_iter().filter(|r| r.is_new).collect())
    } else {
        (0, Vec::new())
    };
    new_results.truncate(NEW_RESULTS_ON_HOME);
    let reminders = if chart.may(Section::Reminders) {
        let facts = crate::reminders::store::facts(&chart).await?;
        crate::reminders::rules::reminders(&facts, state.clock.today())
            .into_iter()
            .filter(|r| r.needs_action())
            .collect()
    } else {
        Vec::new()
    };
    Ok(HomeOverview { upcoming, new_results, new_result_count, reminders })
}
