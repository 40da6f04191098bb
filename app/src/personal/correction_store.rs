//! SQL for legal name and birth date corrections.
use super::corrections::{Correction, CorrectionStatus};
use crate::{
    access::{ChartScope, Unseen},
    infra::{clock::Clock, Db},
};

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    patient_id: i64,
    current_name: String,
    current_birth_date: String,
    given_name: String,
    family_name: String,
    birth_date: String,
    note: String,
    status: String,
    reason: Option<String>,
    created_at: i64,
}

impl Row {
    fn view(self, clock: &Clock) -> Correction {
        let status = match self.status.as_str() {
            "approved" => CorrectionStatus::Approved,
            "denied" => CorrectionStatus::Denied,
            _ => CorrectionStatus::Pending,
        };
        Correction {
            id: self.id,
            current_name: self.current_name,
            current_birth_date: self.current_birth_date,
            given_name: self.given_name,
            family_name: self.family_name,
            birth_date: self.birth_date,
            note: self.note,
            status,
            reason: self.reason.unwrap_or_default(),
            requested: clock.local_date_time(self.created_at),
        }
    }
}

macro_rules! columns {
    () => {
        "id, patient_id, current_name, current_birth_date, given_name, family_name, birth_date, note, status, \
         reason, created_at"
    };
}

pub async fn of_chart(chart: &ChartScope) -> Result<Vec<Correction>, sqlx::Error> {
    let rows: Vec<Row> = sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        " FROM identity_corrections WHERE patient_id = $1 ORDER BY id DESC LIMIT 20"
    ))
    .bind(chart.patient_id())
    .fetch_all(&chart.db().read)
    .await?;
    let clock = &chart.state().clock;
    Ok(rows.into_iter().map(|r| r.view(clock)).collect())
}

/// Whether a request is waiting, and how many were made since `since`.
pub async fn pending_and_recent(chart: &ChartScope, since: i64) -> Result<(bool, i64), sqlx::Error> {
    let pending: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM identity_corrections WHERE patient_id = $1 AND status = 'pending'",
    )
    .bind(chart.patient_id())
    .fetch_one(&chart.db().read)
    .await?;
    let recent: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM identity_corrections WHERE patient_id = $1 AND created_at >= $2",
    )
    .bind(chart.patient_id())
    .bind(since)
    .fetch_one(&chart.db().read)
    .await?;
    Ok((pending > 0, recent))
}

pub struct NewCorrection<'a> {
    pub given_name: &'a str,
    pub family_name: &'a str,
    pub birth_date: time::Date,
    pub note: &'a str,
}

/// Stores a request with the chart's name and birth date as they are now.
pub async fn insert(
    chart: &ChartScope,
    requested_by: i64,
    c: &NewCorrection<'_>,
    now: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO identity_corrections (patient_id, requested_by, current_name, current_birth_date, given_name, \
         family_name, birth_date, note, created_at) \
         SELECT id, $2, given_name || ' ' || family_name, birth_date, $3, $4, $5, $6, $7 FROM patients WHERE id = $1 \
         RETURNING id",
    )
    .bind(chart.patient_id())
    .bind(requested_by)
    .bind(c.given_name)
    .bind(c.family_name)
    .bind(c.birth_date.to_string())
    .bind(c.note)
    .bind(now)
    .fetch_one(&chart.db().write)
    .await
}

/// The waiting requests, oldest first, for HIM (to be shown through `StaffAccess::show`).
pub async fn pending(db: &Db, clock: &Clock) -> Result<Unseen<Correction>, sqlx::Error> {
    let rows: Vec<Row> = sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        " FROM identity_corrections WHERE status = 'pending' ORDER BY id LIMIT 200"
    ))
    .fetch_all(&db.read)
    .await?;
    Ok(Unseen::new(rows.into_iter().map(|r| (Some(r.patient_id), r.view(clock))).collect()))
}

/// The chart a request is about.
pub async fn chart_of(db: &Db, id: i64) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT patient_id FROM identity_corrections WHERE id = $1")
        .bind(id)
        .fetch_optional(&db.read)
        .await
}

/// Decides a waiting request of this chart; an approval changes the chart's legal name
/// and birth date (and its account's display name) in the same transaction. False when
/// it was decided already.
pub async fn decide(
    chart: &ChartScope,
    id: i64,
    approve: bool,
    reason: &str,
    by: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let mut tx = chart.db().write.begin().await?;
    let status = if approve { "approved" } else { "denied" };
    let decided = sqlx::query(
        "UPDATE identity_corrections SET status = $1, reason = $2, decided_by = $3, decided_at = $4 \
         WHERE id = $5 AND patient_id = $6 AND status = 'pending'",
    )
    .bind(status)
    .bind(Some(reason.to_owned()).filter(|r| !r.is_empty()))
    .bind(by)
    .bind(now)
    .bind(id)
    .bind(chart.patient_id())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if decided != 1 {
        return Ok(false);
    }
    if approve {
        let (given, family, born): (String, String, String) = sqlx::query_as(
            "SELECT given_name, family_name, birth_date FROM identity_corrections WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("UPDATE patients SET given_name = $1, family_name = $2, birth_date = $3 WHERE id = $4")
            .bind(&given)
            .bind(&family)
            .bind(&born)
            .bind(chart.patient_id())
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE users SET display_name = $1 WHERE patient_id = $2")
            .bind(format!("{given} {family}"))
            .bind(chart.patient_id())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(true)
}
