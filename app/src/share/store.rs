//! SQL for share codes, from the sharer's side, within the chart they have open: the
//! patient reaches every code of their chart (a proxy's too: it is their record), a proxy
//! only the codes they made. The clinician's side reads through `access::open_shared` and
//! the chart's own stores.
use crate::access::{ChartScope, Reader};

/// Whose codes this reader reaches: 0 for everyone's (the patient), else their own.
fn maker_filter(chart: &ChartScope) -> i64 {
    match chart.reader() {
        Reader::Patient => 0,
        _ => chart.reader_user_id(),
    }
}

/// The listing: every code in use, then the newest others, this many in all.
pub const LIST_LIMIT: i64 = 50;

pub struct NewShareRow<'a> {
    pub scope: &'a str,
    /// "12,15" for a share of visits; empty for a summary.
    pub visit_ids: &'a str,
    pub code_hash: &'a str,
    pub code_hint: &'a str,
    /// The SMART Health Link's id, as a keyed digest, and its key, sealed.
    pub link_hash: &'a str,
    pub link_key: &'a str,
    pub now: i64,
    pub expires_at: i64,
}

/// Stores the share, at the reader's visibility (a proxy's holds nothing confidential),
/// unless the reader already has `max_active` codes in use on the chart (None). Counted and
/// stored in one transaction that first locks the reader's row (a write, so SQLite takes
/// its write lock too): two codes made at once cannot both pass the count.
pub async fn insert(
    chart: &ChartScope,
    new: &NewShareRow<'_>,
    max_active: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let mut tx = chart.db().write.begin().await?;
    sqlx::query("UPDATE users SET display_name = display_name WHERE id = $1")
        .bind(chart.reader_user_id())
        .execute(&mut *tx)
        .await?;
    let active: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM record_shares WHERE patient_id = $1 AND created_by = $2 AND ended_at IS NULL \
         AND expires_at > $3",
    )
    .bind(chart.patient_id())
    .bind(chart.reader_user_id())
    .bind(new.now)
    .fetch_one(&mut *tx)
    .await?;
    if active >= max_active {
        tx.rollback().await?;
        return Ok(None);
    }
    let id = sqlx::query_scalar(
        "INSERT INTO record_shares (patient_id, created_by, max_confidential, scope, visit_ids, code_hash, code_hint, \
         link_hash, link_key, created_at, expires_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) RETURNING id",
    )
    .bind(chart.patient_id())
    .bind(chart.reader_user_id())
    .bind(chart.visibility().max_flag())
    .bind(new.scope)
    .bind(new.visit_ids)
    .bind(new.code_hash)
    .bind(new.code_hint)
    .bind(new.link_hash)
    .bind(new.link_key)
    .bind(new.now)
    .bind(new.expires_at)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Some(id))
}

#[derive(Debug, sqlx::FromRow)]
pub struct ShareRow {
    pub id: i64,
    /// Who made it (the patient, or a proxy).
    pub made_by: String,
    pub scope: String,
    pub visit_ids: String,
    pub code_hint: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub ended_at: Option<i64>,
}

/// The shares the reader reaches on the chart: those in use first (never pushed off the
/// list by newer ones), then the newest.
pub async fn mine(chart: &ChartScope, now: i64) -> Result<Vec<ShareRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT s.id, u.display_name AS made_by, s.scope, s.visit_ids, s.code_hint, s.created_at, s.expires_at, \
         s.ended_at FROM record_shares s JOIN users u ON u.id = s.created_by \
         WHERE s.patient_id = $1 AND ($2 = 0 OR s.created_by = $2) \
         ORDER BY CASE WHEN s.ended_at IS NULL AND s.expires_at > $3 THEN 0 ELSE 1 END, s.created_at DESC, s.id DESC \
         LIMIT $4",
    )
    .bind(chart.patient_id())
    .bind(maker_filter(chart))
    .bind(now)
    .bind(LIST_LIMIT)
    .fetch_all(&chart.db().read)
    .await
}

#[derive(Debug, sqlx::FromRow)]
pub struct ViewRow {
    pub share_id: i64,
    pub opened_at: i64,
    pub client_addr: String,
    pub user_agent: String,
}

/// When and from where the reader's shares of the chart were opened: the newest
/// `per_share` of each, newest first.
pub async fn views_of_mine(chart: &ChartScope, per_share: i64) -> Result<Vec<ViewRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT share_id, opened_at, client_addr, user_agent FROM (SELECT v.share_id, v.opened_at, v.client_addr, \
         v.user_agent, v.id, ROW_NUMBER() OVER (PARTITION BY v.share_id ORDER BY v.opened_at DESC, v.id DESC) AS n \
         FROM record_share_views v JOIN record_shares s ON s.id = v.share_id \
         WHERE s.patient_id = $1 AND ($2 = 0 OR s.created_by = $2)) AS recent \
         WHERE n <= $3 ORDER BY opened_at DESC, id DESC",
    )
    .bind(chart.patient_id())
    .bind(maker_filter(chart))
    .bind(per_share)
    .fetch_all(&chart.db().read)
    .await
}

/// Ends a share the reader reaches, now, with every view of it (a clinician reading it is
/// refused at their next request). False when it is not theirs or already ended.
pub async fn end(chart: &ChartScope, id: i64, now: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE record_shares SET ended_at = $1 WHERE id = $2 AND patient_id = $3 AND ($4 = 0 OR created_by = $4) \
         AND ended_at IS NULL",
    )
    .bind(now)
    .bind(id)
    .bind(chart.patient_id())
    .bind(maker_filter(chart))
    .execute(&chart.db().write)
    .await?;
    Ok(done.rows_affected() == 1)
}
