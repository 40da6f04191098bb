//! SQL for personal information: columns of the patient's own row (`patients`), reached
//! through the chart's scope only.
use super::PersonalInfo;
use crate::access::ChartScope;

#[derive(sqlx::FromRow)]
struct Stored {
    given_name: String,
    family_name: String,
    birth_date: String,
    preferred_name: Option<String>,
    address_line: Option<String>,
    city: Option<String>,
    region: Option<String>,
    postal_code: Option<String>,
    phone: Option<String>,
    emergency_name: Option<String>,
    emergency_relationship: Option<String>,
    emergency_phone: Option<String>,
    language: Option<String>,
    races: Option<String>,
    ethnicity: Option<String>,
    sexual_orientation: Option<String>,
    gender_identity: Option<String>,
    pronouns: Option<String>,
}

pub async fn personal_info(chart: &ChartScope) -> Result<PersonalInfo, sqlx::Error> {
    let s: Stored = sqlx::query_as(
        "SELECT given_name, family_name, birth_date, preferred_name, address_line, city, region, postal_code, \
         phone, emergency_name, emergency_relationship, emergency_phone, language, races, ethnicity, \
         sexual_orientation, gender_identity, pronouns FROM patients WHERE id = $1",
    )
    .bind(chart.patient_id())
    .fetch_one(&chart.db().read)
    .await?;
    let text = |v: Option<String>| v.unwrap_or_default();
    Ok(PersonalInfo {
        legal_name: format!("{} {}", s.given_name, s.family_name),
        birth_date: s.birth_date,
        preferred_name: text(s.preferred_name),
        address_line: text(s.address_line),
        city: text(s.city),
        region: text(s.region),
        postal_code: text(s.postal_code),
        phone: text(s.phone),
        emergency_name: text(s.emergency_name),
        emergency_relationship: text(s.emergency_relationship),
        emergency_phone: text(s.emergency_phone),
        language: text(s.language),
        races: s
            .races
            .map(|r| r.split(',').filter(|c| !c.is_empty()).map(str::to_owned).collect())
            .unwrap_or_default(),
        ethnicity: text(s.ethnicity),
        sexual_orientation: text(s.sexual_orientation),
        gender_identity: text(s.gender_identity),
        pronouns: text(s.pronouns),
    })
}

/// Saves what the patient may change (not the legal name nor the birth date). Empty
/// answers are stored as NULL: "not asked" stays distinct from "declined" (ASKU).
pub async fn save_personal_info(
    chart: &ChartScope,
    info: &PersonalInfo,
    now: i64,
) -> Result<(), sqlx::Error> {
    let opt = |v: &str| Some(v.to_owned()).filter(|v| !v.is_empty());
    sqlx::query(
        "UPDATE patients SET preferred_name = $1, address_line = $2, city = $3, region = $4, postal_code = $5, \
         phone = $6, emergency_name = $7, emergency_relationship = $8, emergency_phone = $9, language = $10, \
         races = $11, ethnicity = $12, sexual_orientation = $13, gender_identity = $14, pronouns = $15, \
         personal_updated_at = $16 WHERE id = $17",
    )
    .bind(opt(&info.preferred_name))
    .bind(opt(&info.address_line))
    .bind(opt(&info.city))
    .bind(opt(&info.region))
    .bind(opt(&info.postal_code))
    .bind(opt(&info.phone))
    .bind(opt(&info.emergency_name))
    .bind(opt(&info.emergency_relationship))
    .bind(opt(&info.emergency_phone))
    .bind(opt(&info.language))
    .bind(opt(&info.races.join(",")))
    .bind(opt(&info.ethnicity))
    .bind(opt(&info.sexual_orientation))
    .bind(opt(&info.gender_identity))
    .bind(opt(&info.pronouns))
    .bind(now)
    .bind(chart.patient_id())
    .execute(&chart.db().write)
    .await?;
    Ok(())
}
