//! SQL for the document center, always within one chart and at the reader's visibility: a
//! proxy never gets a confidential document, nor a visit whose note is confidential (as on
//! the Visits page), nor a confidential result.
use crate::{access::ChartScope, infra::Db};

/// At most this many visits and posted documents are listed (each list is newest first).
pub const LIST_LIMIT: i64 = 500;

/// A finished visit, for the list.
#[derive(Debug, sqlx::FromRow)]
pub struct VisitEntryRow {
    pub id: i64,
    pub kind: String,
    pub reason: String,
    pub start_at: i64,
    pub department: String,
    pub provider: Option<String>,
}

pub async fn finished_visits(chart: &ChartScope) -> Result<Vec<VisitEntryRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT e.id, e.kind, e.reason, e.start_at, e.department, p.display_name AS provider \
         FROM encounters e LEFT JOIN providers p ON p.id = e.provider_id \
         WHERE e.patient_id = $1 AND e.status = 'finished' AND e.note_confidential <= $2 \
         ORDER BY e.start_at DESC, e.id DESC LIMIT $3",
    )
    .bind(chart.patient_id())
    .bind(chart.visibility().max_flag())
    .bind(LIST_LIMIT)
    .fetch_all(&chart.db().read)
    .await
}

/// A document staff posted, for the list (without its bytes).
#[derive(Debug, sqlx::FromRow)]
pub struct PostedRow {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub document_date: String,
    pub source: String,
    /// The file's type (PDF or an image), for an app's DocumentReference.
    pub media_type: String,
}

pub async fn posted(chart: &ChartScope) -> Result<Vec<PostedRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, kind, title, document_date, source, media_type FROM documents \
         WHERE patient_id = $1 AND confidential <= $2 ORDER BY document_date DESC, id DESC LIMIT $3",
    )
    .bind(chart.patient_id())
    .bind(chart.visibility().max_flag())
    .bind(LIST_LIMIT)
    .fetch_all(&chart.db().read)
    .await
}

/// Every document posted to the chart that the reader may see, newest first (the whole
/// record's archive holds them all; the list shows the newest `LIST_LIMIT`).
pub async fn all_posted(chart: &ChartScope) -> Result<Vec<PostedRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, kind, title, document_date, source, media_type FROM documents \
         WHERE patient_id = $1 AND confidential <= $2 ORDER BY document_date DESC, id DESC",
    )
    .bind(chart.patient_id())
    .bind(chart.visibility().max_flag())
    .fetch_all(&chart.db().read)
    .await
}

/// One posted document (without its bytes); None when it is another chart's or hidden
/// from this reader.
pub async fn posted_one(chart: &ChartScope, id: i64) -> Result<Option<PostedRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, kind, title, document_date, source, media_type FROM documents \
         WHERE id = $1 AND patient_id = $2 AND confidential <= $3",
    )
    .bind(id)
    .bind(chart.patient_id())
    .bind(chart.visibility().max_flag())
    .fetch_optional(&chart.db().read)
    .await
}

/// A posted document's file; None when it is another chart's or hidden from this reader.
#[derive(Debug, sqlx::FromRow)]
pub struct PostedFile {
    pub title: String,
    pub media_type: String,
    pub content: Vec<u8>,
}

pub async fn posted_file(chart: &ChartScope, id: i64) -> Result<Option<PostedFile>, sqlx::Error> {
    sqlx::query_as(
        "SELECT title, media_type, content FROM documents WHERE id = $1 AND patient_id = $2 AND confidential <= $3",
    )
    .bind(id)
    .bind(chart.patient_id())
    .bind(chart.visibility().max_flag())
    .fetch_optional(&chart.db().read)
    .await
}

/// One observation of a released result, with its report and the visit it belongs to.
#[derive(Debug, sqlx::FromRow)]
pub struct ObservationRow {
    pub report_id: i64,
    pub encounter_id: Option<i64>,
    pub report: String,
    /// The report's and the observation's LOINC codes (for a FHIR export).
    pub report_code: String,
    pub loinc: String,
    pub collected_at: i64,
    pub name: String,
    pub value_num: Option<f64>,
    pub value_text: Option<String>,
    pub unit: String,
    pub flag: Option<String>,
}

/// The chart's released results (held ones are not released; a proxy gets no confidential
/// report), observation by observation, in the order they were collected; the callers keep
/// the visits or the dates they print.
pub async fn released_observations(chart: &ChartScope) -> Result<Vec<ObservationRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT r.id AS report_id, r.encounter_id, r.name AS report, r.code AS report_code, o.loinc, r.collected_at, o.name, o.value_num, \
         o.value_text, o.unit, o.flag FROM diagnostic_reports r JOIN observations o ON o.report_id = r.id \
         WHERE r.patient_id = $1 AND r.released_at IS NOT NULL AND r.confidential <= $2 \
         ORDER BY r.collected_at, r.id, o.position, o.id",
    )
    .bind(chart.patient_id())
    .bind(chart.visibility().max_flag())
    .fetch_all(&chart.db().read)
    .await
}

/// The released results of one visit of the chart, as `released_observations`.
pub async fn visit_observations(
    chart: &ChartScope,
    visit_id: i64,
) -> Result<Vec<ObservationRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT r.id AS report_id, r.encounter_id, r.name AS report, r.code AS report_code, o.loinc, r.collected_at, o.name, o.value_num, \
         o.value_text, o.unit, o.flag FROM diagnostic_reports r JOIN observations o ON o.report_id = r.id \
         WHERE r.patient_id = $1 AND r.encounter_id = $2 AND r.released_at IS NOT NULL AND r.confidential <= $3 \
         ORDER BY r.collected_at, r.id, o.position, o.id",
    )
    .bind(chart.patient_id())
    .bind(visit_id)
    .bind(chart.visibility().max_flag())
    .fetch_all(&chart.db().read)
    .await
}

/// A document staff post to a chart.
#[derive(Clone, Copy)]
pub struct NewDocument<'a> {
    pub patient_id: i64,
    /// One of `documents.kind`'s values.
    pub kind: &'a str,
    pub title: &'a str,
    pub document_date: &'a str,
    pub source: &'a str,
    pub confidential: bool,
    pub media_type: &'a str,
    pub content: &'a [u8],
    pub posted_by: Option<i64>,
    pub posted_at: i64,
}

/// Posts a document to the chart staff opened (whatever `patient_id` says: the chart's).
pub async fn post(chart: &ChartScope, d: &NewDocument<'_>) -> Result<i64, sqlx::Error> {
    insert_document(chart.db(), &NewDocument { patient_id: chart.patient_id(), ..*d }).await
}

/// For the demo seed and tests; staff post through `post`.
pub async fn insert_document(db: &Db, d: &NewDocument<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO documents (patient_id, kind, title, document_date, source, confidential, media_type, content, \
         byte_size, posted_by, posted_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) RETURNING id",
    )
    .bind(d.patient_id)
    .bind(d.kind)
    .bind(d.title)
    .bind(d.document_date)
    .bind(d.source)
    .bind(i64::from(d.confidential))
    .bind(d.media_type)
    .bind(d.content)
    .bind(d.content.len() as i64)
    .bind(d.posted_by)
    .bind(d.posted_at)
    .fetch_one(&db.write)
    .await
}
