//! Clinician functions to list a chart's markable items and mark or unmark one. The item is
//! looked up within the named patient's chart.
use leptos::prelude::*;

use super::{Item, ItemKind};
#[cfg(feature = "ssr")]
use crate::access::{self, Section};
use crate::error::AppError;

/// Most items of one kind listed.
pub const ITEMS_PER_KIND: i64 = 200;

/// The items of a chart that can be marked, newest first within each kind.
#[server(endpoint = "staff/confidential/items")]
pub async fn chart_items(patient_id: i64) -> Result<Vec<Item>, AppError> {
    let (state, staff) = access::require_staff(|r| r.is_clinician()).await?;
    let mut items = Vec::new();
    for kind in ItemKind::ALL {
        items.extend(items_of(&state.db, kind, patient_id).await?);
    }
    access::audit_staff(&state, &staff, patient_id, Section::Home, "chart-read", "staff.confidential.items")
        .await?;
    Ok(items)
}

#[cfg(feature = "ssr")]
async fn items_of(db: &crate::infra::Db, kind: ItemKind, patient_id: i64) -> Result<Vec<Item>, sqlx::Error> {
    use sqlx::Row;
    let (table, flag, label, date) = kind.columns();
    // A visit is markable only for its note.
    let only = if kind == ItemKind::Note { "AND note_text IS NOT NULL" } else { "" };
    let rows = sqlx::query(&format!(
        "SELECT id, {label} AS label, {date} AS day, {flag} AS flag FROM {table} \
         WHERE patient_id = $1 {only} ORDER BY id DESC LIMIT $2"
    ))
    .bind(patient_id)
    .bind(ITEMS_PER_KIND)
    .fetch_all(&db.read)
    .await?;
    rows.iter()
        .map(|row| {
            let day: String = row.try_get("day")?;
            // Instants are epoch milliseconds; dates are already YYYY-MM-DD.
            let date = day.parse::<i64>().map(crate::infra::clock::date_of).unwrap_or(day);
            Ok(Item {
                kind,
                id: row.try_get("id")?,
                label: row.try_get("label")?,
                date,
                confidential: row.try_get::<i64, _>("flag")? == 1,
            })
        })
        .collect()
}

/// Marks (or unmarks) one item of `patient_id`'s chart confidential.
#[server(endpoint = "staff/confidential/set")]
pub async fn set_confidential(
    patient_id: i64,
    kind: ItemKind,
    id: i64,
    confidential: bool,
) -> Result<(), AppError> {
    let (state, staff) = access::require_staff(|r| r.is_clinician()).await?;
    let (table, flag, _, _) = kind.columns();
    let done = sqlx::query(&format!("UPDATE {table} SET {flag} = $1 WHERE id = $2 AND patient_id = $3"))
        .bind(i64::from(confidential))
        .bind(id)
        .bind(patient_id)
        .execute(&state.db.write)
        .await?;
    if done.rows_affected() != 1 {
        return Err(AppError::NotFound);
    }
    if kind == ItemKind::Result {
        crate::results::store::refresh_series_later(&state.db, id);
    }
    let action = if confidential { "marked-confidential" } else { "unmarked-confidential" };
    let detail = format!("{}={id}", kind.as_str());
    access::audit_staff(&state, &staff, patient_id, Section::Home, action, &detail).await
}
