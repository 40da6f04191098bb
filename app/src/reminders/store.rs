//! Reads the facts the reminder rules need from one chart (released results only: a held
//! result must not show, even as a "done" reminder; and for a proxy nothing confidential:
//! a diabetes reminder would tell a parent about a confidential diagnosis).
use time::Date;

use super::rules::{Facts, FLU_CVX, HBA1C_LOINC, LIPID_PANEL_LOINC, PNEUMO_CVX, TETANUS_CVX};
use crate::{access::ChartScope, infra::sqlite_inline::from_columns};

fn parse(text: &str) -> Option<Date> {
    crate::dates::parse_date(text)
}

/// One row of `facts`' query: which fact it is and its values (unused columns are empty).
/// Home reads the same rows inside its one query (`home::store`).
#[derive(sqlx::FromRow)]
pub(crate) struct FactRow {
    pub kind: String,
    pub code: String,
    pub day: String,
    pub number: i64,
}

/// The four facts come back from one query: Home waits for it, and under load each query's
/// hand-off to a database connection costs more than its work, and so does each row (on
/// SQLite Home went from 2,775 to about 3,700 answers a second; see issue 13's notes). The
/// rules look only at the latest dose of each kind and the latest test of each code up to
/// today, so the query returns one row per code, not every dose and report.
pub async fn facts(chart: &ChartScope) -> Result<Facts, sqlx::Error> {
    let (db, patient_id, vis) = (chart.db(), chart.patient_id(), chart.visibility());
    let clock = &chart.state().clock;
    let (max_flag, today, now) = (vis.max_flag(), clock.today().to_string(), clock.now_ms());
    let rows = match &db.inline {
        Some(inline) => {
            let args: [&dyn rusqlite::types::ToSql; 6] =
                [&patient_id, &HBA1C_LOINC, &LIPID_PANEL_LOINC, &max_flag, &today, &now];
            inline.fetch_all(FACTS_SQL, &args, FactRow::from_inline_row)?
        }
        None => {
            sqlx::query_as::<_, FactRow>(FACTS_SQL)
                .bind(patient_id)
                .bind(HBA1C_LOINC)
                .bind(LIPID_PANEL_LOINC)
                .bind(max_flag)
                .bind(today)
                .bind(now)
                .fetch_all(&db.read)
                .await?
        }
    };
    Ok(facts_from(chart, &rows))
}

impl FactRow {
    /// A row of `FACTS_SQL` read by `infra::sqlite_inline`.
    fn from_inline_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<FactRow> {
        Ok(from_columns!(row => FactRow { kind, code, day, number }))
    }
}

/// `facts`' query: one row for the birth date, one per vaccine code (its latest dose), one
/// per test code (its latest report) and the count of diabetes diagnoses. A macro, so that
/// Home's query can take it whole (`concat!` needs literals). Parameters: $1 the patient, $2
/// and $3 the HbA1c and lipid panel codes, $4 the reader's highest confidential flag, $5
/// today (clinic's date), $6 now (epoch ms).
macro_rules! facts_sql {
    () => {
        "SELECT 'birth' AS kind, '' AS code, birth_date AS day, CAST(0 AS BIGINT) AS number \
     FROM patients WHERE id = $1 \
     UNION ALL SELECT 'shot', cvx, MAX(given_on), CAST(0 AS BIGINT) FROM immunizations \
     WHERE patient_id = $1 AND given_on <= $5 GROUP BY cvx \
     UNION ALL SELECT 'report', code, '', MAX(collected_at) FROM diagnostic_reports \
     WHERE patient_id = $1 AND released_at IS NOT NULL AND code IN ($2, $3) AND confidential <= $4 \
     AND collected_at <= $6 GROUP BY code \
     UNION ALL SELECT 'diabetes', '', '', CAST(COUNT(*) AS BIGINT) FROM problems \
     WHERE patient_id = $1 AND status = 'active' AND (code LIKE 'E10%' OR code LIKE 'E11%') \
     AND confidential <= $4"
    };
}
pub(crate) use facts_sql;

const FACTS_SQL: &str = facts_sql!();

pub(crate) fn facts_from(chart: &ChartScope, rows: &[FactRow]) -> Facts {
    let mut facts = Facts::default();
    for row in rows {
        match row.kind.as_str() {
            "birth" => facts.birth_date = parse(&row.day),
            "shot" => {
                let Some(given) = parse(&row.day) else { continue };
                let code = row.code.as_str();
                if FLU_CVX.contains(&code) {
                    facts.flu.push(given);
                } else if TETANUS_CVX.contains(&code) {
                    facts.tetanus.push(given);
                } else if PNEUMO_CVX.contains(&code) {
                    facts.pneumococcal.push(given);
                }
            }
            "report" => {
                let day = chart.state().clock.local_date(row.number);
                if row.code == HBA1C_LOINC {
                    facts.hba1c.push(day);
                } else {
                    facts.lipid_panels.push(day);
                }
            }
            "diabetes" => facts.has_diabetes = row.number > 0,
            _ => {}
        }
    }
    facts
}
