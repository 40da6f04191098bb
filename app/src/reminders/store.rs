//! Reads the facts the reminder rules need from one chart (released results only: a held
//! result must not show, even as a "done" reminder; and for a proxy nothing confidential:
//! a diabetes reminder would tell a parent about a confidential diagnosis).
use time::Date;

use super::rules::{Facts, FLU_CVX, HBA1C_LOINC, LIPID_PANEL_LOINC, PNEUMO_CVX, TETANUS_CVX};
use crate::access::ChartScope;

fn parse(text: &str) -> Option<Date> {
    crate::dates::parse_date(text)
}

/// The four reads are independent and run side by side (Home waits for them).
pub async fn facts(chart: &ChartScope) -> Result<Facts, sqlx::Error> {
    let (db, patient_id, vis) = (chart.db(), chart.patient_id(), chart.visibility());
    let birth = sqlx::query_scalar::<_, String>("SELECT birth_date FROM patients WHERE id = $1")
        .bind(patient_id)
        .fetch_optional(&db.read);
    let shots = sqlx::query_as::<_, (String, String)>(
        "SELECT cvx, given_on FROM immunizations WHERE patient_id = $1",
    )
    .bind(patient_id)
    .fetch_all(&db.read);
    let reports = sqlx::query_as::<_, (String, i64)>(
        "SELECT code, collected_at FROM diagnostic_reports WHERE patient_id = $1 AND released_at IS NOT NULL \
         AND code IN ($2, $3) AND confidential <= $4",
    )
    .bind(patient_id)
    .bind(HBA1C_LOINC)
    .bind(LIPID_PANEL_LOINC)
    .bind(vis.max_flag())
    .fetch_all(&db.read);
    let diabetes = sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM problems WHERE patient_id = $1 AND status = 'active' AND (code LIKE 'E10%' OR code LIKE 'E11%') \
         AND confidential <= $2",
    )
    .bind(patient_id)
    .bind(vis.max_flag())
    .fetch_one(&db.read);
    let (birth, shots, reports, diabetes) = futures::try_join!(birth, shots, reports, diabetes)?;

    let mut facts = Facts { birth_date: birth.as_deref().and_then(parse), ..Default::default() };
    for (cvx, given_on) in &shots {
        let Some(given) = parse(given_on) else { continue };
        if FLU_CVX.contains(&cvx.as_str()) {
            facts.flu.push(given);
        } else if TETANUS_CVX.contains(&cvx.as_str()) {
            facts.tetanus.push(given);
        } else if PNEUMO_CVX.contains(&cvx.as_str()) {
            facts.pneumococcal.push(given);
        }
    }
    for (code, collected_at) in &reports {
        let day = chart.state().clock.local_date(*collected_at);
        if code == HBA1C_LOINC {
            facts.hba1c.push(day);
        } else {
            facts.lipid_panels.push(day);
        }
    }
    facts.has_diabetes = diabetes > 0;
    Ok(facts)
}
