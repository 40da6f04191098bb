use leptos::prelude::*;

use super::{VisitDocKind, VisitDocument, Visits};
#[cfg(feature = "ssr")]
use crate::access::{self, Section};
use crate::error::AppError;

#[server(endpoint = "visits/list")]
pub async fn list_visits() -> Result<Visits, AppError> {
    let chart = access::require(Section::Visits, "visits.list").await?;
    let state = chart.state();
    Ok(super::store::visits(&chart, state.clock.now_ms()).await?)
}

#[server(endpoint = "visits/document")]
pub async fn load_visit_document(id: i64, kind: VisitDocKind) -> Result<VisitDocument, AppError> {
    let chart = access::require(Section::Visits, &format!("visits.document id={id}")).await?;
    super::store::document(&chart, id, kind).await?.ok_or(AppError::NotFound)
}
