use leptos::prelude::*;

use super::{VisitDocKind, VisitDocument, Visits};
#[cfg(feature = "ssr")]
use crate::access::{self, Section};
use crate::error::AppError;

#[server(endpoint = "visits/list")]
pub async fn list_visits() -> Result<Visits, AppError> {
    let chart = access::require(Section::Visits, "visits.list").await?;
    let state = &chart.state;
    Ok(super::store::visits(
        &state.db,
        chart.patient_id,
        state.clock.now_ms(),
        state.config.utc_offset_minutes,
        chart.visibility(),
    )
    .await?)
}

#[server(endpoint = "visits/document")]
pub async fn load_visit_document(id: i64, kind: VisitDocKind) -> Result<VisitDocument, AppError> {
    let chart = access::require(Section::Visits, &format!("visits.document id={id}")).await?;
    let state = &chart.state;
    super::store::document(
        &state.db,
        chart.patient_id,
        id,
        kind,
        state.config.utc_offset_minutes,
        chart.visibility(),
    )
    .await?
    .ok_or(AppError::NotFound)
}
