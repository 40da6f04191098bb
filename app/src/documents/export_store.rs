//! SQL for "Download my whole record": the archives a reader asked for on the chart they
//! have open (only theirs), their progress, and the file until it expires.
use crate::access::ChartScope;

/// A reader's newest archive on the chart, without its bytes.
#[derive(Debug, sqlx::FromRow)]
pub struct ExportRow {
    pub id: i64,
    pub status: String,
    pub progress: i64,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub byte_size: Option<i64>,
}

/// An archive still "working" this long after it started was lost (the server stopped, or
/// the job died): it counts as failed, and a new one may start.
pub const STALE_AFTER_MS: i64 = 15 * 60 * 1000;

/// Starts an archive for the reader at what they may see now; None when one is already in
/// the making (a second click, or two at once: the unique index holds on PostgreSQL too).
pub async fn start(chart: &ChartScope, sections: &str, now: i64) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query(
        "UPDATE record_exports SET status = 'failed', finished_at = $1 WHERE patient_id = $2 AND requested_by = $3 \
         AND status = 'working' AND created_at < $4",
    )
    .bind(now)
    .bind(chart.patient_id())
    .bind(chart.reader_user_id())
    .bind(now - STALE_AFTER_MS)
    .execute(&chart.db().write)
    .await?;
    sqlx::query_scalar(
        "INSERT INTO record_exports (patient_id, requested_by, max_confidential, sections, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(chart.patient_id())
    .bind(chart.reader_user_id())
    .bind(chart.visibility().max_flag())
    .bind(sections)
    .bind(now)
    .fetch_optional(&chart.db().write)
    .await
}

pub async fn latest(chart: &ChartScope) -> Result<Option<ExportRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, status, progress, created_at, expires_at, byte_size FROM record_exports \
         WHERE patient_id = $1 AND requested_by = $2 ORDER BY created_at DESC, id DESC LIMIT 1",
    )
    .bind(chart.patient_id())
    .bind(chart.reader_user_id())
    .fetch_optional(&chart.db().read)
    .await
}

/// How far the archive is (0 to 100), while it is in the making.
pub async fn set_progress(chart: &ChartScope, id: i64, progress: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE record_exports SET progress = $1 WHERE id = $2 AND patient_id = $3 AND status = 'working'",
    )
    .bind(progress.clamp(0, 100))
    .bind(id)
    .bind(chart.patient_id())
    .execute(&chart.db().write)
    .await?;
    Ok(())
}

/// Stores the next piece of an archive in the making (`seq` from 0).
pub async fn add_chunk(chart: &ChartScope, id: i64, seq: i64, bytes: &[u8]) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO record_export_chunks (export_id, seq, bytes) SELECT id, $1, $2 FROM record_exports \
         WHERE id = $3 AND patient_id = $4 AND status = 'working'",
    )
    .bind(seq)
    .bind(bytes)
    .bind(id)
    .bind(chart.patient_id())
    .execute(&chart.db().write)
    .await?;
    Ok(())
}

/// The archive is whole (`byte_size` bytes in its pieces): ready until `expires_at`.
pub async fn finish(
    chart: &ChartScope,
    id: i64,
    byte_size: i64,
    now: i64,
    expires_at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE record_exports SET status = 'ready', progress = 100, finished_at = $1, expires_at = $2, \
         byte_size = $3 WHERE id = $4 AND patient_id = $5 AND status = 'working'",
    )
    .bind(now)
    .bind(expires_at)
    .bind(byte_size)
    .bind(id)
    .bind(chart.patient_id())
    .execute(&chart.db().write)
    .await?;
    Ok(())
}

/// The archive failed: marked so, and the pieces it had are dropped.
pub async fn fail(chart: &ChartScope, id: i64, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE record_exports SET status = 'failed', finished_at = $1 WHERE id = $2 AND patient_id = $3",
    )
    .bind(now)
    .bind(id)
    .bind(chart.patient_id())
    .execute(&chart.db().write)
    .await?;
    sqlx::query(
        "DELETE FROM record_export_chunks WHERE export_id IN (SELECT id FROM record_exports \
         WHERE id = $1 AND patient_id = $2)",
    )
    .bind(id)
    .bind(chart.patient_id())
    .execute(&chart.db().write)
    .await?;
    Ok(())
}

/// A ready archive of the reader's, with what it was made at, while it has not expired.
#[derive(Debug, sqlx::FromRow)]
pub struct ExportFile {
    pub max_confidential: i64,
    pub sections: String,
    pub byte_size: i64,
}

pub async fn file(chart: &ChartScope, id: i64, now: i64) -> Result<Option<ExportFile>, sqlx::Error> {
    sqlx::query_as(
        "SELECT max_confidential, sections, byte_size FROM record_exports WHERE id = $1 AND patient_id = $2 \
         AND requested_by = $3 AND status = 'ready' AND expires_at > $4 AND byte_size IS NOT NULL",
    )
    .bind(id)
    .bind(chart.patient_id())
    .bind(chart.reader_user_id())
    .bind(now)
    .fetch_optional(&chart.db().read)
    .await
}

/// One piece of a ready archive of the reader's (None past the last, or once it expired).
pub async fn chunk(chart: &ChartScope, id: i64, seq: i64, now: i64) -> Result<Option<Vec<u8>>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT c.bytes FROM record_export_chunks c JOIN record_exports e ON e.id = c.export_id \
         WHERE c.export_id = $1 AND c.seq = $2 AND e.patient_id = $3 AND e.requested_by = $4 \
         AND e.status = 'ready' AND e.expires_at > $5",
    )
    .bind(id)
    .bind(seq)
    .bind(chart.patient_id())
    .bind(chart.reader_user_id())
    .bind(now)
    .fetch_optional(&chart.db().read)
    .await
}

/// Drops the pieces of the reader's archives that have expired (the rows stay, for the
/// page to say so).
pub async fn drop_expired(chart: &ChartScope, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "DELETE FROM record_export_chunks WHERE export_id IN (SELECT id FROM record_exports \
         WHERE patient_id = $1 AND requested_by = $2 AND expires_at <= $3)",
    )
    .bind(chart.patient_id())
    .bind(chart.reader_user_id())
    .bind(now)
    .execute(&chart.db().write)
    .await?;
    Ok(())
}

/// Drops every expired or failed archive's pieces (the server runs it every ten minutes,
/// with `throttle::prune`): an archive nobody came back for does not stay in the database.
pub async fn prune(db: &crate::infra::Db, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "DELETE FROM record_export_chunks WHERE export_id IN (SELECT id FROM record_exports \
         WHERE expires_at <= $1 OR status = 'failed')",
    )
    .bind(now)
    .execute(&db.write)
    .await?;
    Ok(())
}

/// Ends the proxies' archives of the chart (made at a proxy's visibility) at once: part of
/// the chart has just become confidential. Ready ones expire and lose their pieces; one in
/// the making fails (it may have read the part before). How many were ended.
pub async fn withdraw_for_proxies(chart: &ChartScope, now: i64) -> Result<u64, sqlx::Error> {
    let expired = sqlx::query(
        "UPDATE record_exports SET expires_at = $1 WHERE patient_id = $2 AND max_confidential = 0 \
         AND status = 'ready' AND expires_at > $1",
    )
    .bind(now)
    .bind(chart.patient_id())
    .execute(&chart.db().write)
    .await?;
    let failed = sqlx::query(
        "UPDATE record_exports SET status = 'failed', finished_at = $1 WHERE patient_id = $2 \
         AND max_confidential = 0 AND status = 'working'",
    )
    .bind(now)
    .bind(chart.patient_id())
    .execute(&chart.db().write)
    .await?;
    sqlx::query(
        "DELETE FROM record_export_chunks WHERE export_id IN (SELECT id FROM record_exports \
         WHERE patient_id = $1 AND max_confidential = 0 AND (expires_at <= $2 OR status = 'failed'))",
    )
    .bind(chart.patient_id())
    .bind(now)
    .execute(&chart.db().write)
    .await?;
    Ok(expired.rows_affected() + failed.rows_affected())
}
