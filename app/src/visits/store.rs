//! SQL for visits, always within one patient's chart. A visit whose note a clinician marked
//! confidential does not exist for a proxy at all: not its note, and not its date, reason,
//! department, provider or After Visit Summary either (they tell as much).
use crate::{
    access::ChartScope,
    infra::{sqlite_inline::from_columns, Db},
};

/// At most this many past visits in one answer (most recent first).
pub const PAST_LIMIT: i64 = 200;

// Booleans as integers (CAST … AS BIGINT): SQLite has no boolean type, PostgreSQL's would
// not decode into the same field.
macro_rules! columns {
    () => {
        "e.id, e.kind, e.start_at, e.department, e.reason, e.status, \
    CAST(CASE WHEN e.avs_text IS NOT NULL THEN 1 ELSE 0 END AS BIGINT) AS has_summary, \
    CAST(CASE WHEN e.note_text IS NOT NULL THEN 1 ELSE 0 END AS BIGINT) AS has_note, \
    e.note_confidential, p.display_name AS provider"
    };
}

/// One visit as stored: times in epoch milliseconds, flags as integers. `view.rs` makes
/// what a reader sees of it.
#[derive(Debug, PartialEq, sqlx::FromRow)]
pub struct VisitRow {
    pub id: i64,
    pub kind: String,
    pub start_at: i64,
    pub department: String,
    pub reason: String,
    pub status: String,
    pub has_summary: i64,
    pub has_note: i64,
    pub note_confidential: i64,
    pub provider: Option<String>,
}

/// The soonest planned visits, for Home on SQLite (`home::store`; PostgreSQL reads the same
/// inside Home's one statement, `home::store::HOME_SQL`).
pub async fn upcoming(chart: &ChartScope, now: i64, limit: usize) -> Result<Vec<VisitRow>, sqlx::Error> {
    const SQL: &str = concat!(
        "SELECT ",
        columns!(),
        " FROM encounters e LEFT JOIN providers p ON p.id = e.provider_id \
         WHERE e.patient_id = $1 AND e.status = 'planned' AND e.start_at >= $2 \
         AND e.note_confidential <= $3 ORDER BY e.start_at, e.id LIMIT $4"
    );
    let (patient_id, max_flag, limit) = (chart.patient_id(), chart.visibility().max_flag(), limit as i64);
    if let Some(inline) = &chart.db().inline {
        return inline.fetch_all(SQL, &[&patient_id, &now, &max_flag, &limit], VisitRow::from_inline_row);
    }
    sqlx::query_as(SQL)
        .bind(patient_id)
        .bind(now)
        .bind(max_flag)
        .bind(limit)
        .fetch_all(&chart.db().read)
        .await
}

impl VisitRow {
    /// A row of `columns!()` read by `infra::sqlite_inline`.
    pub fn from_inline_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<VisitRow> {
        Ok(from_columns!(row => VisitRow {
            id, kind, start_at, department, reason, status, has_summary, has_note, note_confidential, provider
        }))
    }
}

/// A visit with its two documents.
#[derive(Debug, sqlx::FromRow)]
pub struct DocumentRow {
    #[sqlx(flatten)]
    pub visit: VisitRow,
    pub avs_text: Option<String>,
    pub note_text: Option<String>,
    /// FHIR's v3 ActCode for the visit (AMB, EMER, IMP, VR), for a FHIR export.
    pub class_code: String,
}

/// The chart's upcoming visits (soonest first) and past ones (most recent first, at most
/// `PAST_LIMIT`); a visit whose note is confidential is not there for a proxy.
pub async fn visits(chart: &ChartScope, now: i64) -> Result<(Vec<VisitRow>, Vec<VisitRow>), sqlx::Error> {
    let (db, vis) = (chart.db(), chart.visibility());
    let upcoming = sqlx::query_as(concat!(
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
    let past = sqlx::query_as(concat!(
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
    Ok((upcoming, past))
}

/// One of this patient's visits with its documents; None if the visit is another chart's.
pub async fn document(chart: &ChartScope, visit_id: i64) -> Result<Option<DocumentRow>, sqlx::Error> {
    sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        ", e.avs_text, e.note_text, e.class_code FROM encounters e LEFT JOIN providers p ON p.id = e.provider_id \
         WHERE e.id = $1 AND e.patient_id = $2 AND e.note_confidential <= $3"
    ))
    .bind(visit_id)
    .bind(chart.patient_id())
    .bind(chart.visibility().max_flag())
    .fetch_optional(&chart.db().read)
    .await
}

/// Every finished visit of the chart with its two documents, oldest first, in one query
/// (a copy of the record holds them all; no list limit).
pub async fn finished_with_documents(chart: &ChartScope) -> Result<Vec<DocumentRow>, sqlx::Error> {
    sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        ", e.avs_text, e.note_text, e.class_code FROM encounters e LEFT JOIN providers p ON p.id = e.provider_id \
         WHERE e.patient_id = $1 AND e.status = 'finished' AND e.note_confidential <= $2 ORDER BY e.start_at, e.id"
    ))
    .bind(chart.patient_id())
    .bind(chart.visibility().max_flag())
    .fetch_all(&chart.db().read)
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
