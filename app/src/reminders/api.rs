use leptos::prelude::*;

use super::Reminder;
#[cfg(feature = "ssr")]
use crate::access::{self, Section};
use crate::error::AppError;

#[server(endpoint = "reminders/list")]
pub async fn list_reminders() -> Result<Vec<Reminder>, AppError> {
    let chart = access::require(Section::Reminders, "reminders.list").await?;
    let facts = super::store::facts(&chart).await?;
    Ok(super::rules::reminders(&facts, chart.state().clock.today()))
}
