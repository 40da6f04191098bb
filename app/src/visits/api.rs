use leptos::prelude::*;

use super::{VisitDocKind, VisitDocument, Visits};
#[cfg(feature = "ssr")]
use crate::access::{self, Section};
use crate::error::AppError;

#[server(endpoint = "visits/list")]
pub async fn list_visits() -> Result<Visits, AppError> {
    let chart = access::require(Section::Visits, "visits.list").await?;
    let (clock, vis) = (&chart.state().clock, chart.visibility());
    let contacts = &chart.state().config.org.contacts;
    let (upcoming, past) = super::store::visits(&chart, clock.now_ms()).await?;
    let summaries = |rows: Vec<super::store::VisitRow>| {
        rows.into_iter().map(|r| r.summary(clock, vis, contacts)).collect()
    };
    Ok(Visits { upcoming: summaries(upcoming), past: summaries(past) })
}

#[server(endpoint = "visits/document")]
pub async fn load_visit_document(id: i64, kind: VisitDocKind) -> Result<VisitDocument, AppError> {
    let chart = access::require(Section::Visits, &format!("visits.document id={id}")).await?;
    let row = super::store::document(&chart, id).await?.ok_or(AppError::NotFound)?;
    let contacts = &chart.state().config.org.contacts;
    row.document(kind, &chart.state().clock, chart.visibility(), contacts).ok_or(AppError::NotFound)
}
