//! SQL for requests for a copy of the record. A reader reaches only their own requests on
//! the chart they have open; HIM reaches the queue through `StaffAccess` (each row shown is
//! logged on its chart).
use crate::{
    access::{ChartScope, StaffAccess, Unseen},
    infra::Db,
};

/// At most this many of a reader's requests are listed, and this many in HIM's queue.
pub const LIST_LIMIT: i64 = 100;

/// A request as stored (without its file).
#[derive(Debug, sqlx::FromRow)]
pub struct RequestRow {
    pub id: i64,
    pub status: String,
    pub created_at: i64,
    pub due_at: i64,
    pub from_date: Option<String>,
    pub to_date: Option<String>,
    pub parts: String,
    /// "pdf" or "fhir" (`CopyFormat`).
    pub format: String,
    pub reason: String,
    pub decline_reason: Option<String>,
    pub decided_at: Option<i64>,
    /// A proxy's copy withdrawn when part of the chart became confidential.
    pub withdrawn_at: Option<i64>,
}

pub struct NewRequest<'a> {
    pub from_date: Option<&'a str>,
    pub to_date: Option<&'a str>,
    pub parts: &'a str,
    pub format: &'a str,
    pub reason: &'a str,
    pub now: i64,
    pub due_at: i64,
}

/// Files the request for the reader on the open chart; None when the reader already has one
/// waiting there (one at a time: a second click or a second tab files nothing new; the
/// unique index on waiting requests holds it on PostgreSQL too, where two posts at once
/// would both see none waiting).
pub async fn insert(chart: &ChartScope, new: &NewRequest<'_>) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO record_requests (patient_id, requested_by, max_confidential, from_date, to_date, parts, reason, \
         created_at, due_at, format) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(chart.patient_id())
    .bind(chart.reader_user_id())
    .bind(chart.visibility().max_flag())
    .bind(new.from_date)
    .bind(new.to_date)
    .bind(new.parts)
    .bind(new.reason)
    .bind(new.now)
    .bind(new.due_at)
    .bind(new.format)
    .fetch_optional(&chart.db().write)
    .await
}

macro_rules! request_columns {
    () => {
        "id, status, created_at, due_at, from_date, to_date, parts, format, reason, decline_reason, decided_at, \
         withdrawn_at"
    };
}

/// The reader's own requests on the open chart, newest first.
pub async fn mine(chart: &ChartScope) -> Result<Vec<RequestRow>, sqlx::Error> {
    sqlx::query_as(concat!(
        "SELECT ",
        request_columns!(),
        " FROM record_requests WHERE patient_id = $1 AND requested_by = $2 ORDER BY created_at DESC, id DESC LIMIT $3"
    ))
    .bind(chart.patient_id())
    .bind(chart.reader_user_id())
    .bind(LIST_LIMIT)
    .fetch_all(&chart.db().read)
    .await
}

/// The copy of one of the reader's own fulfilled requests, with the parts it holds and
/// whether it holds confidential items (the reader may have lost some since).
#[derive(Debug, sqlx::FromRow)]
pub struct CopyFile {
    pub parts: String,
    pub max_confidential: i64,
    pub file_media_type: String,
    pub file_bytes: Vec<u8>,
}

pub async fn copy_file(chart: &ChartScope, id: i64) -> Result<Option<CopyFile>, sqlx::Error> {
    sqlx::query_as(
        "SELECT parts, max_confidential, file_media_type, file_bytes FROM record_requests WHERE id = $1 AND patient_id = $2 \
         AND requested_by = $3 AND status = 'fulfilled' AND file_bytes IS NOT NULL",
    )
    .bind(id)
    .bind(chart.patient_id())
    .bind(chart.reader_user_id())
    .fetch_optional(&chart.db().read)
    .await
}

/// A pending request with whom it is for and who asked, for HIM.
#[derive(Debug, sqlx::FromRow)]
pub struct QueueRow {
    #[sqlx(flatten)]
    pub request: RequestRow,
    pub patient_id: i64,
    pub given_name: String,
    pub family_name: String,
    pub mrn: String,
    pub birth_date: String,
    pub requester: String,
    pub max_confidential: i64,
}

/// Pending requests, the soonest due first.
pub async fn pending_queue(staff: &StaffAccess) -> Result<Unseen<QueueRow>, sqlx::Error> {
    let rows: Vec<QueueRow> = sqlx::query_as(
        "SELECT q.id, q.status, q.created_at, q.due_at, q.from_date, q.to_date, q.parts, q.format, q.reason, q.decline_reason, \
         q.decided_at, q.withdrawn_at, q.patient_id, p.given_name, p.family_name, p.mrn, p.birth_date, u.display_name AS requester, q.max_confidential \
         FROM record_requests q JOIN patients p ON p.id = q.patient_id JOIN users u ON u.id = q.requested_by \
         WHERE q.status = 'pending' ORDER BY q.due_at, q.id LIMIT $1",
    )
    .bind(LIST_LIMIT)
    .fetch_all(&staff.db().read)
    .await?;
    Ok(Unseen::new(rows.into_iter().map(|r| (Some(r.patient_id), r)).collect()))
}

/// What HIM needs to answer one pending request; None when it is not pending (answered,
/// or no such request).
#[derive(Debug, sqlx::FromRow)]
pub struct PendingRequest {
    pub patient_id: i64,
    pub requested_by: i64,
    pub max_confidential: i64,
    pub from_date: Option<String>,
    pub to_date: Option<String>,
    pub parts: String,
    pub format: String,
}

pub async fn pending(db: &Db, id: i64) -> Result<Option<PendingRequest>, sqlx::Error> {
    sqlx::query_as(
        "SELECT patient_id, requested_by, max_confidential, from_date, to_date, parts, format FROM record_requests \
         WHERE id = $1 AND status = 'pending'",
    )
    .bind(id)
    .fetch_optional(&db.read)
    .await
}

/// Stores the copy (with the parts and the visibility it was made with) and marks the
/// request fulfilled, if it is still pending (two HIM clerks answering at once: one wins,
/// the other is told). Through the chart HIM opened for it.
pub async fn fulfil(
    chart: &ChartScope,
    id: i64,
    parts: &str,
    media_type: &str,
    bytes: &[u8],
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE record_requests SET status = 'fulfilled', decided_by = $1, decided_at = $2, file_media_type = $3, \
         file_bytes = $4, parts = $7, max_confidential = $8 WHERE id = $5 AND patient_id = $6 AND status = 'pending'",
    )
    .bind(chart.reader_user_id())
    .bind(now)
    .bind(media_type)
    .bind(bytes)
    .bind(id)
    .bind(chart.patient_id())
    .bind(parts)
    .bind(chart.visibility().max_flag())
    .execute(&chart.db().write)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn decline(chart: &ChartScope, id: i64, reason: &str, now: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE record_requests SET status = 'declined', decided_by = $1, decided_at = $2, decline_reason = $3 \
         WHERE id = $4 AND patient_id = $5 AND status = 'pending'",
    )
    .bind(chart.reader_user_id())
    .bind(now)
    .bind(reason)
    .bind(id)
    .bind(chart.patient_id())
    .execute(&chart.db().write)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Withdraws the proxies' copies of the chart (made at a proxy's visibility): part of the
/// chart has just become confidential, and a copy made before may hold it. Their files go;
/// the requests say so. How many were withdrawn.
pub async fn withdraw_for_proxies(chart: &ChartScope, now: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE record_requests SET file_bytes = NULL, withdrawn_at = $1 WHERE patient_id = $2 \
         AND max_confidential = 0 AND status = 'fulfilled' AND withdrawn_at IS NULL",
    )
    .bind(now)
    .bind(chart.patient_id())
    .execute(&chart.db().write)
    .await?;
    Ok(done.rows_affected())
}
