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
    // A card shows only what the reader may open: a proxy without Results sees no results.
    let wanted = super::store::Wanted {
        visits: chart.may(Section::Visits),
        results: chart.may(Section::Results),
        reminders: chart.may(Section::Reminders),
    };
    let cards = super::store::cards(&chart, wanted, UPCOMING_ON_HOME, NEW_RESULTS_ON_HOME).await?;
    let upcoming = cards
        .upcoming
        .into_iter()
        .map(|r| r.summary(&state.clock, chart.visibility(), &state.config.org.contacts))
        .collect();
    let new_results = cards.new_results.into_iter().map(|r| r.view(&state.clock)).collect();
    let reminders = match &cards.facts {
        Some(facts) => crate::reminders::rules::reminders(facts, state.clock.today())
            .into_iter()
            .filter(|r| r.needs_action())
            .collect(),
        None => Vec::new(),
    };
    Ok(HomeOverview { upcoming, new_results, new_result_count: cards.new_result_count, reminders })
}
