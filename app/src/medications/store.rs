//! SQL for medications and renewal requests, always within one patient's chart (or, for
//! the clinician's queue, across charts behind the role check).
use crate::{
    access::{ChartScope, StaffAccess, Unseen},
    infra::Db,
};

/// A medication as stored, with its latest renewal request (the `r_` columns, all NULL
/// when there is none). `view.rs` makes what a reader sees of it.
#[derive(Debug, sqlx::FromRow)]
pub struct MedicationRow {
    pub id: i64,
    pub name: String,
    pub dose: String,
    pub sig: String,
    pub start_date: String,
    pub end_date: Option<String>,
    pub refills_remaining: i64,
    pub prescriber: Option<String>,
    pub renewal_id: Option<i64>,
    pub requested_at: Option<i64>,
    pub pharmacy: Option<String>,
    pub status: Option<String>,
    pub refills_granted: Option<i64>,
    pub denial_reason: Option<String>,
}

/// Medications current on `today` (no end date, or ending today or later), with the
/// latest renewal request of each; for a proxy, none marked confidential.
pub async fn current(chart: &ChartScope, today: &str) -> Result<Vec<MedicationRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT m.id, m.name, m.dose, m.sig, m.start_date, m.end_date, m.refills_remaining, \
         p.display_name AS prescriber, \
         r.id AS renewal_id, r.requested_at, r.pharmacy, r.status, r.refills_granted, r.denial_reason \
         FROM medications m LEFT JOIN providers p ON p.id = m.prescriber_id \
         LEFT JOIN renewal_requests r ON r.id = (SELECT MAX(r2.id) FROM renewal_requests r2 WHERE r2.medication_id = m.id) \
         WHERE m.patient_id = $1 AND (m.end_date IS NULL OR m.end_date >= $2) \
         AND m.confidential <= $3 ORDER BY m.name, m.id",
    )
    .bind(chart.patient_id())
    .bind(today)
    .bind(chart.visibility().max_flag())
    .fetch_all(&chart.db().read)
    .await
}

/// One current medication of this patient, or None.
pub async fn current_medication(
    chart: &ChartScope,
    medication_id: i64,
    today: &str,
) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM medications WHERE id = $1 AND patient_id = $2 AND (end_date IS NULL OR end_date >= $3) \
         AND confidential <= $4",
    )
    .bind(medication_id)
    .bind(chart.patient_id())
    .bind(today)
    .bind(chart.visibility().max_flag())
    .fetch_optional(&chart.db().read)
    .await?;
    Ok(found.is_some())
}

pub enum Requested {
    Created(i64),
    /// The same idempotency key was seen before: the request it made.
    Repeated(i64),
    /// Another request for this medication is still pending.
    AlreadyPending,
}

/// A renewal request, made in the chart of the scope it is given with, by its reader.
pub struct NewRenewal<'a> {
    pub medication_id: i64,
    pub pharmacy: &'a str,
    pub comment: &'a str,
    pub idempotency_key: &'a crate::input::IdempotencyKey,
    pub now: i64,
}

/// Inserts a pending request. The unique indexes decide races: one per idempotency key,
/// one pending per medication.
pub async fn request(chart: &ChartScope, new: &NewRenewal<'_>) -> Result<Requested, sqlx::Error> {
    let (db, patient_id) = (chart.db(), chart.patient_id());
    if let Some(id) = by_key(db, patient_id, new.idempotency_key.as_str()).await? {
        return Ok(Requested::Repeated(id));
    }
    let inserted = sqlx::query_scalar::<_, i64>(
        "INSERT INTO renewal_requests (patient_id, medication_id, pharmacy, comment, status, requested_by, \
         requested_at, idempotency_key) VALUES ($1,$2,$3,$4,'pending',$5,$6,$7) RETURNING id",
    )
    .bind(patient_id)
    .bind(new.medication_id)
    .bind(new.pharmacy)
    .bind(new.comment)
    .bind(chart.reader_user_id())
    .bind(new.now)
    .bind(new.idempotency_key.as_str())
    .fetch_one(&db.write)
    .await;
    match inserted {
        Ok(id) => Ok(Requested::Created(id)),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            // A retry that raced its first attempt, or a second pending request.
            match by_key(db, patient_id, new.idempotency_key.as_str()).await? {
                Some(id) => Ok(Requested::Repeated(id)),
                None => Ok(Requested::AlreadyPending),
            }
        }
        Err(e) => Err(e),
    }
}

async fn by_key(db: &Db, patient_id: i64, key: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM renewal_requests WHERE idempotency_key = $1 AND patient_id = $2")
        .bind(key)
        .bind(patient_id)
        .fetch_optional(&db.write)
        .await
}

/// A pending renewal request as stored, for the clinician's queue.
#[derive(Debug, sqlx::FromRow)]
pub struct QueueRow {
    pub id: i64,
    pub patient_id: i64,
    pub pharmacy: String,
    pub comment: String,
    pub requested_at: i64,
    pub name: String,
    pub dose: String,
    pub sig: String,
    pub refills_remaining: i64,
    pub given_name: String,
    pub family_name: String,
    pub mrn: String,
    pub proxy_name: Option<String>,
}

/// Pending requests across charts, each with its chart (for `StaffAccess::show`).
pub async fn pending_queue(staff: &StaffAccess, limit: i64) -> Result<Unseen<QueueRow>, sqlx::Error> {
    // Only the patients this clinician cares for (access::reach).
    let query = sqlx::query(concat!(
        "SELECT r.id, r.patient_id, r.pharmacy, r.comment, r.requested_at, m.name, m.dose, m.sig, m.refills_remaining, \
         p.given_name, p.family_name, p.mrn, \
         CASE WHEN u.patient_id = r.patient_id THEN NULL ELSE u.display_name END AS proxy_name \
         FROM renewal_requests r JOIN medications m ON m.id = r.medication_id \
         JOIN patients p ON p.id = r.patient_id JOIN users u ON u.id = r.requested_by \
         WHERE r.status = 'pending' AND ",
        crate::cares_for!("r.patient_id", "$2", "$3", "$4"),
        " ORDER BY r.requested_at, r.id LIMIT $1"
    ))
    .bind(limit);
    let rows = crate::access::reach::bind_reach(query, staff).fetch_all(&staff.db().read).await?;
    let rows: Vec<QueueRow> = rows.iter().map(sqlx::FromRow::from_row).collect::<Result<_, _>>()?;
    Ok(Unseen::new(rows.into_iter().map(|r| (Some(r.patient_id), r)).collect()))
}

/// The chart a renewal request belongs to (a staff decision opens it first).
pub async fn request_patient(db: &Db, request_id: i64) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT patient_id FROM renewal_requests WHERE id = $1")
        .bind(request_id)
        .fetch_optional(&db.read)
        .await
}

/// Whether the request's medication is confidential (its notice then skips every proxy).
pub async fn request_is_confidential(chart: &ChartScope, request_id: i64) -> Result<bool, sqlx::Error> {
    let flag: Option<i64> = sqlx::query_scalar(
        "SELECT m.confidential FROM renewal_requests r JOIN medications m ON m.id = r.medication_id \
         WHERE r.id = $1 AND r.patient_id = $2",
    )
    .bind(request_id)
    .bind(chart.patient_id())
    .fetch_optional(&chart.db().read)
    .await?;
    // Fails closed: an unreadable flag tells the patient alone.
    Ok(flag.is_none_or(|f| f != 0))
}

/// Decides a pending request of this chart, by the scope's reader (only once: a second
/// decision finds nothing pending). True when it was pending.
pub async fn decide(
    chart: &ChartScope,
    request_id: i64,
    now: i64,
    approved_refills: Option<i64>,
    denial_reason: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let mut tx = chart.db().write.begin().await?;
    let medication_id: Option<i64> = sqlx::query_scalar(
        "UPDATE renewal_requests SET status = $1, decided_by = $2, decided_at = $3, refills_granted = $4, \
         denial_reason = $5 WHERE id = $6 AND patient_id = $7 AND status = 'pending' RETURNING medication_id",
    )
    .bind(if approved_refills.is_some() { "approved" } else { "denied" })
    .bind(chart.reader_user_id())
    .bind(now)
    .bind(approved_refills)
    .bind(denial_reason)
    .bind(request_id)
    .bind(chart.patient_id())
    .fetch_optional(&mut *tx)
    .await?;
    let Some(medication_id) = medication_id else { return Ok(false) };
    if let Some(refills) = approved_refills {
        sqlx::query("UPDATE medications SET refills_remaining = $1 WHERE id = $2 AND patient_id = $3")
            .bind(refills)
            .bind(medication_id)
            .bind(chart.patient_id())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(true)
}

pub struct NewMedication<'a> {
    pub patient_id: i64,
    pub rxnorm: &'a str,
    pub name: &'a str,
    pub dose: &'a str,
    pub sig: &'a str,
    pub prescriber_id: Option<i64>,
    pub start_date: &'a str,
    pub end_date: Option<&'a str>,
    pub refills_remaining: i64,
}

pub async fn insert_medication(db: &Db, m: &NewMedication<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO medications (patient_id, rxnorm, name, dose, sig, prescriber_id, start_date, end_date, \
         refills_remaining) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id",
    )
    .bind(m.patient_id)
    .bind(m.rxnorm)
    .bind(m.name)
    .bind(m.dose)
    .bind(m.sig)
    .bind(m.prescriber_id)
    .bind(m.start_date)
    .bind(m.end_date)
    .bind(m.refills_remaining)
    .fetch_one(&db.write)
    .await
}
