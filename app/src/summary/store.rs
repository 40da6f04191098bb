//! SQL for allergies, immunizations and problems, within one patient's chart.
use super::{Allergy, Immunization, Problem};
use crate::{access::ChartScope, infra::Db};

pub async fn allergies(chart: &ChartScope) -> Result<Vec<Allergy>, sqlx::Error> {
    sqlx::query_as(
        "SELECT substance, reaction, severity FROM allergies WHERE patient_id = $1 ORDER BY substance",
    )
    .bind(chart.patient_id())
    .fetch_all(&chart.db().read)
    .await
}

/// Newest first.
pub async fn immunizations(chart: &ChartScope) -> Result<Vec<Immunization>, sqlx::Error> {
    sqlx::query_as(
        "SELECT name, cvx, given_on FROM immunizations WHERE patient_id = $1 ORDER BY given_on DESC, id DESC",
    )
    .bind(chart.patient_id())
    .fetch_all(&chart.db().read)
    .await
}

/// Active problems; for a proxy, none marked confidential.
pub async fn active_problems(chart: &ChartScope) -> Result<Vec<Problem>, sqlx::Error> {
    sqlx::query_as(
        "SELECT name, code, onset_date AS onset FROM problems WHERE patient_id = $1 AND status = 'active' \
         AND confidential <= $2 ORDER BY name",
    )
    .bind(chart.patient_id())
    .bind(chart.visibility().max_flag())
    .fetch_all(&chart.db().read)
    .await
}

pub async fn insert_allergy(
    db: &Db,
    patient_id: i64,
    (substance, code, system, reaction, severity, recorded_on): (&str, &str, &str, &str, &str, &str),
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO allergies (patient_id, substance, code, code_system, reaction, severity, recorded_on) \
         VALUES ($1,$2,$3,$4,$5,$6,$7)",
    )
    .bind(patient_id)
    .bind(substance)
    .bind(code)
    .bind(system)
    .bind(reaction)
    .bind(severity)
    .bind(recorded_on)
    .execute(&db.write)
    .await?;
    Ok(())
}

pub async fn insert_immunization(
    db: &Db,
    patient_id: i64,
    cvx: &str,
    name: &str,
    given_on: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO immunizations (patient_id, cvx, name, given_on) VALUES ($1,$2,$3,$4)")
        .bind(patient_id)
        .bind(cvx)
        .bind(name)
        .bind(given_on)
        .execute(&db.write)
        .await?;
    Ok(())
}

pub async fn insert_problem(
    db: &Db,
    patient_id: i64,
    code: &str,
    name: &str,
    onset: Option<&str>,
    status: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO problems (patient_id, code, name, onset_date, status) VALUES ($1,$2,$3,$4,$5)")
        .bind(patient_id)
        .bind(code)
        .bind(name)
        .bind(onset)
        .bind(status)
        .execute(&db.write)
        .await?;
    Ok(())
}
