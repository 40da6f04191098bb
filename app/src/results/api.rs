//! Patient-side result functions: thin — authorize, call the store, shape the answer.
use leptos::prelude::*;

use super::{ResultDetail, ResultSummary, Trend};
#[cfg(feature = "ssr")]
use crate::access::{self, Section};
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::problem::Problem;

#[server(endpoint = "results/list")]
pub async fn list_results() -> Result<Vec<ResultSummary>, AppError> {
    let chart = access::require(Section::Results, "results.list").await?;
    Ok(super::store::list_released(&chart).await?)
}

/// One result; opening it clears its "new" mark.
#[server(endpoint = "results/get")]
pub async fn get_result(id: i64) -> Result<ResultDetail, AppError> {
    let chart = access::require(Section::Results, &format!("results.get id={id}")).await?;
    let detail = super::store::released_detail(&chart, id).await?.ok_or(AppError::NotFound)?;
    // "New" is the patient's own mark: a parent's look does not clear it.
    if !chart.as_proxy() {
        super::store::mark_seen(&chart, id, chart.state().clock.now_ms()).await?;
    }
    Ok(detail)
}

/// Every released value of one analyte (by LOINC code), for the graph and its table.
#[server(endpoint = "results/trend")]
pub async fn result_trend(loinc: String) -> Result<Trend, AppError> {
    if !super::is_loinc(&loinc) {
        return Err(AppError::invalid("loinc", Problem::ResultsBadCode));
    }
    let chart = access::require(Section::Results, &format!("results.trend loinc={loinc}")).await?;
    let (name, series) = super::store::trend(&chart, &loinc).await?.ok_or(AppError::NotFound)?;
    Ok(Trend { loinc, name, as_of_ms: chart.state().clock.now_ms(), series })
}
