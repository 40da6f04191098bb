//! SQL for visits, always within one patient's chart. A visit whose note a clinician marked
//! confidential does not exist for a proxy at all: not its note, and not its date, reason,
//! department, provider or After Visit Summary either (they tell as much).
use sqlx::{any::AnyRow, Row};

use super::{VisitDocKind, VisitDocument, VisitSummary, Visits};
use crate::{
    access::{ChartScope, Visibility},
    infra::{db::bool_column, Clock, Db},
};

/// At most this many past visits in one answer (most recent first).
pub const PAST_LIMIT: i64 = 200;

macro_rules! columns {
    () => {
        "e.id, e.kind, e.start_at, e.department, e.reason, e.status, \
    e.avs_text IS NOT NULL AS has_summary, e.note_text IS NOT NULL AS has_note, e.note_confidential, p.display_name AS provider"
    };
}

pub async fn visits(chart: &ChartScope, now: i64) -> Result<Visits, sqlx::Error> {
    let clock = &chart.state().clock;
    let (db, vis) = (chart.db(), chart.visibility());
    let upcoming = sqlx::query(&concat!(
        "SELECT ",
        columns!(),
        " FROM encounters e LEFT JOIN providers p ON p.id = e.provider_id \
         WHERE e.patient_id = $1 AND e.status = 'planned' AND e.start_at >= $2 \
         AND e.note_confidential <= $3 ORDER BY e.start_at, e.id"
    ))
    .bind(chart.patient_id())
    .bind(now)
    .bind(vis.max_flag())
    .fetch_all(&db.read)
    .await?;
    let past = sqlx::query(&concat!(
        "SELECT ",
        columns!(),
        " FROM encounters e LEFT JOIN providers p ON p.id = e.provider_id \
         WHERE e.patient_id = $1 AND (e.status <> 'planned' OR e.start_at < $2) \
         AND e.note_confidential <= $4 ORDER BY e.start_at DESC, e.id DESC LIMIT $3"
    ))
    .bind(chart.patient_id())
    .bind(now)
    .bind(PAST_LIMIT)
    .bind(vis.max_flag())
    .fetch_all(&db.read)
    .await?;
    Ok(Visits {
        upcoming: upcoming.iter().map(|r| summary_of(r, clock, vis)).collect::<Result<_, _>>()?,
        past: past.iter().map(|r| summary_of(r, clock, vis)).collect::<Result<_, _>>()?,
    })
}

fn summary_of(row: &AnyRow, clock: &Clock, vis: Visibility) -> Result<VisitSummary, sqlx::Error> {
    let status: String = row.try_get("status")?;
    let note_shown = row.try_get::<i64, _>("note_confidential")? <= vis.max_flag();
    Ok(VisitSummary {
        id: row.try_get("id")?,
        kind: row.try_get("kind")?,
        starts: clock.local_date_time(row.try_get("start_at")?),
        provider: row.try_get("provider")?,
        department: row.try_get("department")?,
        reason: row.try_get("reason")?,
        cancelled: status == "cancelled",
        has_summary: bool_column(row, "has_summary")?,
        has_note: note_shown && bool_column(row, "has_note")?,
    })
}

/// One document of one of this patient's visits; None if the visit is another chart's
/// or the document was not written.
pub async fn document(
    chart: &ChartScope,
    visit_id: i64,
    kind: VisitDocKind,
) -> Result<Option<VisitDocument>, sqlx::Error> {
    let vis = chart.visibility();
    let row = sqlx::query(&concat!(
        "SELECT ",
        columns!(),
        ", e.avs_text, e.note_text FROM encounters e LEFT JOIN providers p ON p.id = e.provider_id \
         WHERE e.id = $1 AND e.patient_id = $2 AND e.note_confidential <= $3"
    ))
    .bind(visit_id)
    .bind(chart.patient_id())
    .bind(vis.max_flag())
    .fetch_optional(&chart.db().read)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let text: Option<String> = match kind {
        VisitDocKind::Summary => row.try_get("avs_text")?,
        VisitDocKind::Note => row.try_get("note_text")?,
    };
    let Some(text) = text else { return Ok(None) };
    Ok(Some(VisitDocument { visit: summary_of(&row, &chart.state().clock, vis)?, kind, text }))
}

/// The provider record of a staff account, if they have one.
pub async fn provider_of_user(db: &Db, user_id: i64) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM providers WHERE user_id = $1")
        .bind(user_id)
        .fetch_optional(&db.read)
        .await
}

pub struct NewEncounter<'a> {
    pub patient_id: i64,
    pub provider_id: Option<i64>,
    pub department: &'a str,
    pub kind: &'a str,
    pub class_code: &'a str,
    pub status: &'a str,
    pub start_at: i64,
    pub minutes: i64,
    pub reason: &'a str,
    pub avs_text: Option<&'a str>,
    pub note_text: Option<&'a str>,
}

pub async fn insert_encounter(db: &Db, e: &NewEncounter<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO encounters (patient_id, provider_id, department, kind, class_code, status, start_at, end_at, \
         reason, avs_text, note_text) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) RETURNING id",
    )
    .bind(e.patient_id)
    .bind(e.provider_id)
    .bind(e.department)
    .bind(e.kind)
    .bind(e.class_code)
    .bind(e.status)
    .bind(e.start_at)
    .bind(e.start_at + e.minutes * 60_000)
    .bind(e.reason)
    .bind(e.avs_text)
    .bind(e.note_text)
    .fetch_one(&db.write)
    .await
}

/// Soonest upcoming appointments, for Home.
pub async fn upcoming(chart: &ChartScope, now: i64, limit: usize) -> Result<Vec<VisitSummary>, sqlx::Error> {
    let mut v = visits(chart, now).await?.upcoming;
    v.truncate(limit);
    Ok(v)
}
