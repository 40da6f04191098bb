//! SQL for break-the-glass accesses: the row that opens a chart for one session
//! (`access::reach` reads it), and HIM's review list.
use super::Reason;
use crate::access::{StaffAccess, Unseen};

/// Records that the clinician broke the glass for `patient_id` in this session.
pub async fn record_break_glass(
    staff: &StaffAccess,
    patient_id: i64,
    reason: Reason,
    note: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO break_glass (session_id, staff_user_id, patient_id, reason, note, at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(staff.session_id())
    .bind(staff.user_id())
    .bind(patient_id)
    .bind(reason.as_str())
    .bind(note)
    .bind(staff.state().clock.now_ms())
    .fetch_one(&staff.db().write)
    .await
}

/// One access as stored, for HIM's list.
#[derive(Debug, sqlx::FromRow)]
pub struct EntryRow {
    pub id: i64,
    pub patient_id: i64,
    pub at: i64,
    pub reason: String,
    pub note: String,
    pub staff_name: String,
    pub given_name: String,
    pub family_name: String,
    pub mrn: String,
    pub reviewer: Option<String>,
}

/// HIM's list: unreviewed first, then newest first; each with its chart.
pub async fn review_list(staff: &StaffAccess, limit: i64) -> Result<Unseen<EntryRow>, sqlx::Error> {
    let rows: Vec<EntryRow> = sqlx::query_as(
        "SELECT b.id, b.patient_id, b.at, b.reason, b.note, s.display_name AS staff_name, \
         p.given_name, p.family_name, p.mrn, r.display_name AS reviewer \
         FROM break_glass b JOIN users s ON s.id = b.staff_user_id JOIN patients p ON p.id = b.patient_id \
         LEFT JOIN users r ON r.id = b.reviewed_by \
         ORDER BY b.reviewed_at IS NOT NULL, b.at DESC, b.id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(&staff.db().read)
    .await?;
    Ok(Unseen::new(rows.into_iter().map(|r| (Some(r.patient_id), r)).collect()))
}

/// Marks one access reviewed by HIM (once); the patient it concerns, when it was pending.
pub async fn mark_reviewed(staff: &StaffAccess, id: i64) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "UPDATE break_glass SET reviewed_by = $1, reviewed_at = $2 WHERE id = $3 AND reviewed_at IS NULL \
         RETURNING patient_id",
    )
    .bind(staff.user_id())
    .bind(staff.state().clock.now_ms())
    .bind(id)
    .fetch_optional(&staff.db().write)
    .await
}
