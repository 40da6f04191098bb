//! What the FHIR API reads, within the chart a token opened (`&ChartScope`): only released
//! results, nothing confidential beyond the reader's visibility. Search pages run newest
//! first by (time, id), continued from a cursor: a page never repeats or skips a row when
//! results arrive between two pages.
use crate::access::ChartScope;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PatientRow {
    pub id: i64,
    pub mrn: String,
    pub given_name: String,
    pub family_name: String,
    pub birth_date: String,
    pub email: Option<String>,
}

pub async fn patient(chart: &ChartScope) -> Result<PatientRow, sqlx::Error> {
    sqlx::query_as("SELECT id, mrn, given_name, family_name, birth_date, email FROM patients WHERE id = $1")
        .bind(chart.patient_id())
        .fetch_one(&chart.db().read)
        .await
}

/// A search's filters and page, already checked (`fhir::search`).
#[derive(Debug, Clone)]
pub struct Page {
    /// A LOINC code, or empty for any.
    pub code: String,
    /// [from, to) in epoch ms.
    pub from_ms: i64,
    pub to_ms: i64,
    /// Continue after this (time, id); (i64::MAX, i64::MAX) for the first page.
    pub after: (i64, i64),
    pub count: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ObservationRow {
    pub id: i64,
    pub report_id: i64,
    pub loinc: String,
    pub name: String,
    pub value_num: Option<f64>,
    pub value_text: Option<String>,
    pub unit: String,
    pub ref_low: Option<f64>,
    pub ref_high: Option<f64>,
    pub ref_text: Option<String>,
    pub flag: Option<String>,
    pub effective_at: i64,
    pub encounter_id: Option<i64>,
}

macro_rules! observation_select {
    () => {
        "SELECT o.id, o.report_id, o.loinc, o.name, o.value_num, o.value_text, o.unit, o.ref_low, o.ref_high, \
         o.ref_text, o.flag, o.effective_at, r.encounter_id FROM observations o \
         JOIN diagnostic_reports r ON r.id = o.report_id \
         WHERE o.patient_id = $1 AND r.patient_id = $1 AND r.released_at IS NOT NULL AND r.confidential <= $2 "
    };
}

/// One page (at most `count` + 1 rows: the extra one says there is a next page).
pub async fn observations(chart: &ChartScope, page: &Page) -> Result<Vec<ObservationRow>, sqlx::Error> {
    sqlx::query_as(concat!(
        observation_select!(),
        "AND ($3 = '' OR o.loinc = $3) AND o.effective_at >= $4 AND o.effective_at < $5 \
         AND (o.effective_at < $6 OR (o.effective_at = $6 AND o.id < $7)) \
         ORDER BY o.effective_at DESC, o.id DESC LIMIT $8"
    ))
    .bind(chart.patient_id())
    .bind(chart.visibility().max_flag())
    .bind(&page.code)
    .bind(page.from_ms)
    .bind(page.to_ms)
    .bind(page.after.0)
    .bind(page.after.1)
    .bind(page.count + 1)
    .fetch_all(&chart.db().read)
    .await
}

pub async fn observation(chart: &ChartScope, id: i64) -> Result<Option<ObservationRow>, sqlx::Error> {
    sqlx::query_as(concat!(observation_select!(), "AND o.id = $3"))
        .bind(chart.patient_id())
        .bind(chart.visibility().max_flag())
        .bind(id)
        .fetch_optional(&chart.db().read)
        .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReportRow {
    pub id: i64,
    pub code: String,
    pub code_system: String,
    pub name: String,
    pub collected_at: i64,
    pub released_at: i64,
    pub encounter_id: Option<i64>,
    /// One of the report's observations (None for a report without any).
    pub observation_id: Option<i64>,
}

/// A page of reports, each with its observations' ids (a row per observation, in the
/// report's order). `page.count` + 1 reports at most.
pub async fn reports(chart: &ChartScope, page: &Page) -> Result<Vec<ReportRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT r.id, r.code, r.code_system, r.name, r.collected_at, r.released_at, r.encounter_id, \
         o.id AS observation_id FROM (SELECT id, code, code_system, name, collected_at, released_at, encounter_id \
         FROM diagnostic_reports WHERE patient_id = $1 AND released_at IS NOT NULL AND confidential <= $2 \
         AND ($3 = '' OR code = $3) AND collected_at >= $4 AND collected_at < $5 \
         AND (collected_at < $6 OR (collected_at = $6 AND id < $7)) \
         ORDER BY collected_at DESC, id DESC LIMIT $8) r \
         LEFT JOIN observations o ON o.report_id = r.id \
         ORDER BY r.collected_at DESC, r.id DESC, o.position, o.id",
    )
    .bind(chart.patient_id())
    .bind(chart.visibility().max_flag())
    .bind(&page.code)
    .bind(page.from_ms)
    .bind(page.to_ms)
    .bind(page.after.0)
    .bind(page.after.1)
    .bind(page.count + 1)
    .fetch_all(&chart.db().read)
    .await
}

pub async fn report(chart: &ChartScope, id: i64) -> Result<Vec<ReportRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT r.id, r.code, r.code_system, r.name, r.collected_at, r.released_at, r.encounter_id, \
         o.id AS observation_id FROM diagnostic_reports r LEFT JOIN observations o ON o.report_id = r.id \
         WHERE r.patient_id = $1 AND r.released_at IS NOT NULL AND r.confidential <= $2 AND r.id = $3 \
         ORDER BY o.position, o.id",
    )
    .bind(chart.patient_id())
    .bind(chart.visibility().max_flag())
    .bind(id)
    .fetch_all(&chart.db().read)
    .await
}

/// The chart's smaller lists (allergies, problems, immunizations, medications, visits) page
/// by id, newest entry first: `before_id` is the last id of the previous page (i64::MAX for
/// the first), `count` + 1 rows at most. `only_id` narrows to one row (a read), or 0.
#[derive(Debug, Clone, Copy)]
pub struct IdPage {
    pub before_id: i64,
    pub count: i64,
    pub only_id: i64,
}

/// Runs one of the lists' statements. Each takes the same parameters: $1 the chart, $2 the
/// reader's highest confidential flag, $3 the id to page before, $4 the one id wanted (or
/// 0), $5 the limit. (A list without a confidential flag still names $2, as
/// `$2 >= 0`: PostgreSQL refuses a parameter a statement does not use.)
async fn id_page<T>(chart: &ChartScope, sql: &'static str, page: IdPage) -> Result<Vec<T>, sqlx::Error>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    sqlx::query_as(sql)
        .bind(chart.patient_id())
        .bind(chart.visibility().max_flag())
        .bind(page.before_id)
        .bind(page.only_id)
        .bind(page.count + 1)
        .fetch_all(&chart.db().read)
        .await
}

/// The paging part every list statement ends with.
macro_rules! id_paged {
    () => {
        " AND id < $3 AND ($4 = 0 OR id = $4) ORDER BY id DESC LIMIT $5"
    };
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AllergyRow {
    pub id: i64,
    pub substance: String,
    pub code: String,
    pub code_system: String,
    pub reaction: String,
    pub severity: String,
    pub recorded_on: String,
}

pub async fn allergies(chart: &ChartScope, page: IdPage) -> Result<Vec<AllergyRow>, sqlx::Error> {
    let sql = concat!(
        "SELECT id, substance, code, code_system, reaction, severity, recorded_on FROM allergies \
         WHERE patient_id = $1 AND $2 >= 0",
        id_paged!()
    );
    id_page(chart, sql, page).await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProblemRow {
    pub id: i64,
    pub code: String,
    pub code_system: String,
    pub name: String,
    pub onset_date: Option<String>,
    pub status: String,
}

pub async fn problems(chart: &ChartScope, page: IdPage) -> Result<Vec<ProblemRow>, sqlx::Error> {
    let sql = concat!(
        "SELECT id, code, code_system, name, onset_date, status FROM problems \
         WHERE patient_id = $1 AND confidential <= $2",
        id_paged!()
    );
    id_page(chart, sql, page).await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ImmunizationRow {
    pub id: i64,
    pub cvx: String,
    pub name: String,
    pub given_on: String,
}

pub async fn immunizations(chart: &ChartScope, page: IdPage) -> Result<Vec<ImmunizationRow>, sqlx::Error> {
    let sql = concat!(
        "SELECT id, cvx, name, given_on FROM immunizations WHERE patient_id = $1 AND $2 >= 0",
        id_paged!()
    );
    id_page(chart, sql, page).await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MedicationRow {
    pub id: i64,
    pub rxnorm: String,
    pub name: String,
    pub dose: String,
    pub sig: String,
    pub prescriber_id: Option<i64>,
    pub start_date: String,
    pub end_date: Option<String>,
}

pub async fn medications(chart: &ChartScope, page: IdPage) -> Result<Vec<MedicationRow>, sqlx::Error> {
    let sql = concat!(
        "SELECT id, rxnorm, name, dose, sig, prescriber_id, start_date, end_date FROM medications \
         WHERE patient_id = $1 AND confidential <= $2",
        id_paged!()
    );
    id_page(chart, sql, page).await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EncounterRow {
    pub id: i64,
    pub provider_id: Option<i64>,
    pub department: String,
    pub kind: String,
    pub class_code: String,
    pub status: String,
    pub start_at: i64,
    pub end_at: Option<i64>,
    pub reason: String,
}

/// Visits as the Visits page shows them: a visit whose note is confidential is not shown
/// to a reader who may not see the note (the visits store's rule).
pub async fn encounters(chart: &ChartScope, page: IdPage) -> Result<Vec<EncounterRow>, sqlx::Error> {
    let sql = concat!(
        "SELECT id, provider_id, department, kind, class_code, status, start_at, end_at, reason FROM encounters \
         WHERE patient_id = $1 AND note_confidential <= $2",
        id_paged!()
    );
    id_page(chart, sql, page).await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PractitionerRow {
    pub id: i64,
    pub display_name: String,
    pub npi: Option<String>,
}

/// The clinicians this chart names (its care team, its visits' and prescriptions'
/// clinicians): an app reads no one else's entry.
pub async fn practitioners(chart: &ChartScope, page: IdPage) -> Result<Vec<PractitionerRow>, sqlx::Error> {
    let sql = concat!(
        "SELECT id, display_name, npi FROM providers WHERE $2 >= 0 AND id IN ( \
         SELECT provider_id FROM care_team WHERE patient_id = $1 \
         UNION SELECT provider_id FROM encounters WHERE patient_id = $1 AND provider_id IS NOT NULL \
         UNION SELECT prescriber_id FROM medications WHERE patient_id = $1 AND prescriber_id IS NOT NULL)",
        id_paged!()
    );
    id_page(chart, sql, page).await
}
