//! SQL for who people are: patients (identity, not the chart), providers and care teams.
use crate::infra::Db;

/// Who a patient is (not what is in their chart).
#[derive(Debug, Clone)]
pub struct PatientRow {
    pub id: i64,
    pub mrn: String,
    pub given_name: String,
    pub family_name: String,
    /// As stored: YYYY-MM-DD (`dates::age_from` reads it, failing closed).
    pub birth_date: String,
    pub email: Option<String>,
    /// The language the patient prefers (`personal`: "en", "es"), if given.
    pub language: Option<String>,
    /// Has an account of their own.
    pub enrolled: bool,
}

/// The row as SQL returns it: `enrolled` is an integer on both databases.
#[derive(sqlx::FromRow)]
struct StoredPatient {
    id: i64,
    mrn: String,
    given_name: String,
    family_name: String,
    birth_date: String,
    email: Option<String>,
    language: Option<String>,
    enrolled: i64,
}

impl From<StoredPatient> for PatientRow {
    fn from(p: StoredPatient) -> Self {
        let StoredPatient { id, mrn, given_name, family_name, birth_date, email, language, enrolled } = p;
        PatientRow { id, mrn, given_name, family_name, birth_date, email, language, enrolled: enrolled != 0 }
    }
}

macro_rules! patient_select {
    () => {
        "SELECT p.id, p.mrn, p.given_name, p.family_name, p.birth_date, \
    p.email, p.language, CASE WHEN u.id IS NULL THEN 0 ELSE 1 END AS enrolled \
    FROM patients p LEFT JOIN users u ON u.patient_id = p.id"
    };
}

pub async fn patient_by_id(db: &Db, id: i64) -> Result<Option<PatientRow>, sqlx::Error> {
    let found: Option<StoredPatient> = sqlx::query_as(concat!(patient_select!(), " WHERE p.id = $1"))
        .bind(id)
        .fetch_optional(&db.read)
        .await?;
    Ok(found.map(PatientRow::from))
}

pub async fn patient_by_mrn(db: &Db, mrn: &str) -> Result<Option<PatientRow>, sqlx::Error> {
    let found: Option<StoredPatient> = sqlx::query_as(concat!(patient_select!(), " WHERE p.mrn = $1"))
        .bind(mrn)
        .fetch_optional(&db.read)
        .await?;
    Ok(found.map(PatientRow::from))
}

/// Staff search: an exact MRN, or family name (optionally "family, given") by prefix.
pub async fn search_patients(db: &Db, query: &str, limit: i64) -> Result<Vec<PatientRow>, sqlx::Error> {
    let query = query.trim();
    let (family, given) = match query.split_once(',') {
        Some((f, g)) => (f.trim(), g.trim()),
        None => (query, ""),
    };
    let sql = concat!(
        patient_select!(),
        " WHERE p.mrn = $1 OR (LOWER(p.family_name) LIKE $2 AND \
         LOWER(p.given_name) LIKE $3) ORDER BY p.family_name, p.given_name, p.id LIMIT $4"
    );
    let found: Vec<StoredPatient> = sqlx::query_as(sql)
        .bind(query)
        .bind(format!("{}%", escape_like(&family.to_lowercase())))
        .bind(format!("{}%", escape_like(&given.to_lowercase())))
        .bind(limit)
        .fetch_all(&db.read)
        .await?;
    Ok(found.into_iter().map(PatientRow::from).collect())
}

/// `%` and `_` typed by staff are matched literally (dropped: names never contain them).
fn escape_like(s: &str) -> String {
    s.chars().filter(|c| !matches!(c, '%' | '_' | '\\')).collect()
}

pub struct NewPatient<'a> {
    pub mrn: &'a str,
    pub given_name: &'a str,
    pub family_name: &'a str,
    pub birth_date: &'a str,
    pub email: Option<&'a str>,
    /// As `signup::normalize_postal_code` and `normalize_phone` leave them: what an
    /// applicant's typing is compared with at sign-up.
    pub postal_code: Option<&'a str>,
    pub phone: Option<&'a str>,
}

pub async fn insert_patient(db: &Db, p: &NewPatient<'_>, now: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO patients (mrn, given_name, family_name, birth_date, email, created_at, postal_code, phone) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(p.mrn)
    .bind(p.given_name)
    .bind(p.family_name)
    .bind(p.birth_date)
    .bind(p.email)
    .bind(now)
    .bind(p.postal_code)
    .bind(p.phone)
    .fetch_one(&db.write)
    .await
}

// ---- providers and care teams ------------------------------------------------------------

pub struct NewProvider<'a> {
    pub display_name: &'a str,
    pub specialty: &'a str,
    pub department: &'a str,
    pub npi: Option<&'a str>,
    /// The staff account of a provider who signs in.
    pub user_id: Option<i64>,
}

pub async fn insert_provider(db: &Db, p: &NewProvider<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO providers (display_name, specialty, department, npi, user_id) VALUES ($1,$2,$3,$4,$5) RETURNING id",
    )
    .bind(p.display_name)
    .bind(p.specialty)
    .bind(p.department)
    .bind(p.npi)
    .bind(p.user_id)
    .fetch_one(&db.write)
    .await
}

/// The provider record of a staff account, if they have one.
pub async fn provider_of_user(db: &Db, user_id: i64) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM providers WHERE user_id = $1")
        .bind(user_id)
        .fetch_optional(&db.read)
        .await
}

/// The department a provider works in (where a message to them is answered).
pub async fn department_of(db: &Db, provider_id: i64) -> Result<String, sqlx::Error> {
    sqlx::query_scalar("SELECT department FROM providers WHERE id = $1")
        .bind(provider_id)
        .fetch_one(&db.read)
        .await
}

/// Puts a provider on a patient's care team (their clinicians reach the chart: access::reach).
pub async fn add_to_care_team(
    db: &Db,
    patient_id: i64,
    provider_id: i64,
    role: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO care_team (patient_id, provider_id, role) VALUES ($1, $2, $3)")
        .bind(patient_id)
        .bind(provider_id)
        .bind(role)
        .execute(&db.write)
        .await?;
    Ok(())
}
