//! SQL for sign-up: matching an applicant to a chart, the few facts the built-in verifier
//! asks about, decoys, and the sign-ups in progress.
use super::verifier::Applicant;
use crate::{
    auth::store::{insert_user, is_unique_violation, NewUser},
    infra::{clock::Clock, Db},
};

/// A chart with the applicant's name and birth date.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NamedChart {
    pub patient_id: i64,
    given_name: String,
    family_name: String,
    pub postal_code: Option<String>,
    pub phone: Option<String>,
    /// The e-mail address on the chart (from registration), and the chart's account.
    pub chart_email: Option<String>,
    pub account_id: Option<i64>,
    /// The account's address, when its owner confirmed it.
    pub account_email: Option<String>,
}

/// Charts with the applicant's birth date and name (compared here, not in SQL: SQLite's
/// LOWER folds ASCII only, and "Ángela" must match "ángela" on both databases).
pub async fn charts_named(db: &Db, a: &Applicant) -> Result<Vec<NamedChart>, sqlx::Error> {
    let born: Vec<NamedChart> = sqlx::query_as(
        "SELECT p.id AS patient_id, p.given_name, p.family_name, p.postal_code, p.phone, \
         p.email AS chart_email, u.id AS account_id, \
         CASE WHEN u.email_confirmed_at IS NULL THEN NULL ELSE u.email END AS account_email \
         FROM patients p LEFT JOIN users u ON u.patient_id = p.id WHERE p.birth_date = $1 ORDER BY p.id",
    )
    .bind(a.birth_date.to_string())
    .fetch_all(&db.read)
    .await?;
    let same = |stored: &str, typed: &str| stored.trim().to_lowercase() == typed.to_lowercase();
    Ok(born
        .into_iter()
        .filter(|c| same(&c.given_name, &a.given_name) && same(&c.family_name, &a.family_name))
        .collect())
}

/// What the built-in verifier may ask one chart about.
#[derive(Debug, Clone, Default)]
pub struct ChartFacts {
    /// (year, month) of each past visit that took place, in the clinic's time zone.
    pub visit_months: Vec<(i32, u8)>,
    pub providers: Vec<String>,
    pub medications: Vec<String>,
    pub immunizations: Vec<String>,
}

/// The chart's facts for identity questions. Read for an applicant who is not signed in:
/// the caller audits it on the chart ("identity-quiz").
pub async fn chart_facts(db: &Db, patient_id: i64, clock: &Clock) -> Result<ChartFacts, sqlx::Error> {
    let starts: Vec<i64> = sqlx::query_scalar(
        "SELECT start_at FROM encounters WHERE patient_id = $1 AND status = 'finished' AND start_at < $2 \
         ORDER BY start_at DESC LIMIT 100",
    )
    .bind(patient_id)
    .bind(clock.now_ms())
    .fetch_all(&db.read)
    .await?;
    let visit_months =
        starts.into_iter().map(|at| clock.local_date(at)).map(|d| (d.year(), u8::from(d.month()))).collect();
    let providers = sqlx::query_scalar(
        "SELECT DISTINCT pr.display_name FROM providers pr WHERE pr.id IN \
         (SELECT provider_id FROM encounters WHERE patient_id = $1 AND status = 'finished') \
         OR pr.id IN (SELECT provider_id FROM care_team WHERE patient_id = $1)",
    )
    .bind(patient_id)
    .fetch_all(&db.read)
    .await?;
    // Never a medication marked confidential (a proxy would not see it either).
    let medications = sqlx::query_scalar(
        "SELECT DISTINCT name FROM medications WHERE patient_id = $1 AND confidential = 0",
    )
    .bind(patient_id)
    .fetch_all(&db.read)
    .await?;
    let immunizations = sqlx::query_scalar("SELECT DISTINCT name FROM immunizations WHERE patient_id = $1")
        .bind(patient_id)
        .fetch_all(&db.read)
        .await?;
    Ok(ChartFacts { visit_months, providers, medications, immunizations })
}

/// Names to draw decoys from, each with how many patients have it: the clinic's providers,
/// and the medications (never confidential ones) and vaccines in its records. A right
/// answer is drawn from these too, and decoys weighted as common as they are, so a choice
/// is not given away by being rare or missing from the pool.
#[derive(Debug, Clone, Default)]
pub struct DecoyPools {
    pub providers: Vec<(String, u32)>,
    pub medications: Vec<(String, u32)>,
    pub immunizations: Vec<(String, u32)>,
}

/// At most this many names per pool are read (the most common first).
const POOL_MAX: i64 = 5000;

pub async fn decoy_pools(db: &Db) -> Result<DecoyPools, sqlx::Error> {
    let read = |sql: &'static str| async move {
        let rows: Vec<(String, i64)> = sqlx::query_as(sql).bind(POOL_MAX).fetch_all(&db.read).await?;
        Ok::<_, sqlx::Error>(
            rows.into_iter().map(|(name, n)| (name, n.clamp(1, u32::MAX as i64) as u32)).collect(),
        )
    };
    Ok(DecoyPools {
        providers: read(
            "SELECT pr.display_name, COUNT(DISTINCT e.patient_id) + 1 AS n FROM providers pr \
             LEFT JOIN encounters e ON e.provider_id = pr.id GROUP BY pr.display_name ORDER BY n DESC, pr.display_name LIMIT $1",
        )
        .await?,
        medications: read(
            "SELECT name, COUNT(DISTINCT patient_id) AS n FROM medications WHERE confidential = 0 \
             GROUP BY name ORDER BY n DESC, name LIMIT $1",
        )
        .await?,
        immunizations: read(
            "SELECT name, COUNT(DISTINCT patient_id) AS n FROM immunizations GROUP BY name ORDER BY n DESC, name LIMIT $1",
        )
        .await?,
    })
}

// ---- sign-ups in progress --------------------------------------------------------------

pub struct NewSignUp<'a> {
    pub token_hash: &'a str,
    pub given_name: &'a str,
    pub family_name: &'a str,
    pub email: &'a str,
    pub verifier_state: &'a str,
    /// The chart whose questions these are, when the applicant may pass them.
    pub asked_patient_id: Option<i64>,
}

pub async fn insert_sign_up(db: &Db, s: &NewSignUp<'_>, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sign_ups (token_hash, given_name, family_name, email, verifier_state, created_at, expires_at, \
         asked_patient_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(s.token_hash)
    .bind(s.given_name)
    .bind(s.family_name)
    .bind(s.email)
    .bind(s.verifier_state)
    .bind(now)
    .bind(now + super::SIGN_UP_TTL_MS)
    .bind(s.asked_patient_id)
    .execute(&db.write)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SignUpRow {
    pub id: i64,
    pub given_name: String,
    pub family_name: String,
    pub email: String,
    pub verifier_state: String,
    pub answered_at: Option<i64>,
    pub asked_patient_id: Option<i64>,
    pub verified_patient_id: Option<i64>,
}

/// The sign-up a token names, while it is open (not expired, not completed).
pub async fn open_sign_up(db: &Db, token_hash: &str, now: i64) -> Result<Option<SignUpRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, given_name, family_name, email, verifier_state, answered_at, asked_patient_id, verified_patient_id \
         FROM sign_ups WHERE token_hash = $1 AND expires_at > $2 AND completed_at IS NULL",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(&db.read)
    .await
}

/// Records the one set of answers a sign-up gets; false when it was already answered (a
/// second try, or two at once).
pub async fn record_answers(db: &Db, id: i64, verified: Option<i64>, now: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE sign_ups SET answered_at = $1, verified_patient_id = $2 WHERE id = $3 AND answered_at IS NULL",
    )
    .bind(now)
    .bind(verified)
    .bind(id)
    .execute(&db.write)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub enum Completed {
    User(i64),
    UsernameTaken,
    /// Completed meanwhile, or the chart got an account another way.
    Gone,
}

/// Closes the sign-up and creates its account in one transaction.
pub async fn complete_sign_up(
    db: &Db,
    id: i64,
    user: &NewUser<'_>,
    now: i64,
) -> Result<Completed, sqlx::Error> {
    let mut tx = db.write.begin().await?;
    let closed = sqlx::query("UPDATE sign_ups SET completed_at = $1 WHERE id = $2 AND completed_at IS NULL")
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if closed != 1 {
        return Ok(Completed::Gone);
    }
    match insert_user(&mut *tx, user, now).await {
        Ok(user_id) => {
            tx.commit().await?;
            Ok(Completed::User(user_id))
        }
        // users.username is unique, and so is users.patient_id.
        Err(e) if is_unique_violation(&e) => {
            let taken = crate::auth::store::user_by_username(db, user.username).await?.is_some();
            Ok(if taken { Completed::UsernameTaken } else { Completed::Gone })
        }
        Err(e) => Err(e),
    }
}

/// Sign-ups a day past their end are deleted (with what the applicant typed).
pub async fn prune(db: &Db, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sign_ups WHERE expires_at < $1")
        .bind(now - crate::dates::DAY_MS)
        .execute(&db.write)
        .await?;
    Ok(())
}
