//! Clinician functions to list a chart's markable items and mark or unmark one. The item is
//! looked up within the named patient's chart, opened (and logged) through `StaffAccess`.
use leptos::prelude::*;

use super::{Item, ItemKind};
#[cfg(feature = "ssr")]
use crate::access::{self, ChartScope, Need, Section};
use crate::error::AppError;

/// Most items of one kind listed.
pub const ITEMS_PER_KIND: i64 = 200;

/// The items of a chart that can be marked, newest first within each kind.
#[server(endpoint = "staff/confidential/items")]
pub async fn chart_items(patient_id: i64) -> Result<Vec<Item>, AppError> {
    let staff = access::staff(Need::Clinician).await?;
    let chart = staff.open_chart(patient_id, Section::Home, "staff.confidential.items").await?;
    let mut items = Vec::new();
    for kind in ItemKind::ALL {
        items.extend(items_of(&chart, kind).await?);
    }
    Ok(items)
}

#[cfg(feature = "ssr")]
async fn items_of(chart: &ChartScope, kind: ItemKind) -> Result<Vec<Item>, sqlx::Error> {
    let rows: Vec<(i64, String, String, i64)> = sqlx::query_as(kind.select_sql())
        .bind(chart.patient_id())
        .bind(ITEMS_PER_KIND)
        .fetch_all(&chart.db().read)
        .await?;
    let clock = &chart.state().clock;
    Ok(rows
        .into_iter()
        .map(|(id, label, day, flag)| Item {
            kind,
            id,
            label,
            // Instants are epoch milliseconds; dates are already YYYY-MM-DD.
            date: day.parse::<i64>().map(|ms| clock.date_of(ms)).unwrap_or(day),
            confidential: flag == 1,
        })
        .collect())
}

/// Marks (or unmarks) one item of `patient_id`'s chart confidential.
#[server(endpoint = "staff/confidential/set")]
pub async fn set_confidential(
    patient_id: i64,
    kind: ItemKind,
    id: i64,
    confidential: bool,
) -> Result<(), AppError> {
    let staff = access::staff(Need::Clinician).await?;
    let what = format!("staff.confidential.set {}={id}", kind.as_str());
    let chart = staff.open_chart(patient_id, Section::Home, &what).await?;
    let done = sqlx::query(kind.update_sql())
        .bind(i64::from(confidential))
        .bind(id)
        .bind(chart.patient_id())
        .execute(&chart.db().write)
        .await?;
    if done.rows_affected() != 1 {
        return Err(AppError::NotFound);
    }
    if kind == ItemKind::Result {
        crate::results::store::refresh_series_later(chart.db(), id);
    }
    // Copies made for proxies before may hold the item: they are withdrawn.
    let withdrawn = if confidential {
        crate::documents::withdraw_proxy_snapshots(&chart, staff.state().clock.now_ms()).await?
    } else {
        0
    };
    let action = if confidential { "marked-confidential" } else { "unmarked-confidential" };
    let detail = format!("{}={id} proxy_copies_withdrawn={withdrawn}", kind.as_str());
    chart.audit_write(Section::Home, action, &detail).await
}
