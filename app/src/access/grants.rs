//! Which proxy grants are in force now. A grant applies from its start until its end date
//! or until someone ends it; a minor grant (a parent's, a guardian's) also only while the
//! patient is under 18, and from 13 it narrows to the clinic's teen policy
//! (`OrgInfo::teen_proxy_sections`, PORTICO_TEEN_PROXY_SECTIONS). Ages come from the
//! birth date and the clock at each request, so a birthday needs no job to take effect.
use time::Date;

use super::{Relationship, Section};
use crate::{
    dates::{age_from, ADULT_AGE, TEEN_AGE},
    infra::db::Db,
    problem::Problem,
};

/// The furthest ahead a grant's end date may be set, in years from today.
pub const GRANT_END_MAX_YEARS: i32 = 10;

/// Reads the optional end date HIM gives a new grant: blank for none (the grant runs until
/// someone ends it, a minor's until 18); otherwise a day after `today`, at most
/// `GRANT_END_MAX_YEARS` ahead. Access stops at the start of that day.
pub fn parse_end(text: &str, today: Date) -> Result<Option<Date>, Problem> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let end = crate::dates::parse_date(text).ok_or(Problem::ProxyEndsOnInvalid)?;
    if end <= today {
        return Err(Problem::ProxyEndsOnPast);
    }
    // 29 February has no twin ten years on: the limit is then 28 February.
    let latest = today
        .replace_year(today.year() + GRANT_END_MAX_YEARS)
        .or_else(|_| today.replace_day(28).and_then(|d| d.replace_year(d.year() + GRANT_END_MAX_YEARS)))
        .unwrap_or(Date::MAX);
    if end > latest {
        return Err(Problem::ProxyEndsOnTooFar);
    }
    Ok(Some(end))
}

/// A proxy's access to one chart, as it stands now.
#[derive(Debug, Clone, PartialEq)]
pub struct InForce {
    pub patient_id: i64,
    pub patient_name: String,
    pub relationship: Relationship,
    pub sections: Vec<Section>,
    /// Narrowed because the patient is 13–17.
    pub teen_view: bool,
    /// The proxy grants (`proxy_grants.id`) this access comes from: an app linked through
    /// them lives no longer than they do.
    pub grant_ids: Vec<i64>,
}

/// What a grant of `kind` with `sections` allows for a patient aged `age`: `None` once a
/// minor grant has ended at 18; from 13, only what the clinic's `teen_policy` keeps (and
/// `true`).
pub fn sections_at_age(
    kind: &str,
    sections: &[Section],
    age: i32,
    teen_policy: &[Section],
) -> Option<(Vec<Section>, bool)> {
    match kind {
        "minor" if age >= ADULT_AGE => None,
        "minor" if age >= TEEN_AGE => {
            Some((sections.iter().copied().filter(|s| teen_policy.contains(s)).collect(), true))
        }
        "minor" | "adult" => Some((sections.to_vec(), false)),
        _ => None,
    }
}

/// A grant in its window, with the patient it opens.
#[derive(sqlx::FromRow)]
struct GrantedChart {
    id: i64,
    patient_id: i64,
    kind: String,
    relationship: String,
    sections: String,
    given_name: String,
    family_name: String,
    birth_date: String,
}

/// The charts `proxy_user_id` may open now (only `patient_id`'s, when given), one entry per
/// chart: two grants to one chart (a minor grant and an adult authorization ahead of the
/// 18th birthday) add up.
pub async fn in_force(
    db: &Db,
    proxy_user_id: i64,
    patient_id: Option<i64>,
    now: i64,
    today: Date,
    teen_policy: &[Section],
) -> Result<Vec<InForce>, sqlx::Error> {
    let rows: Vec<GrantedChart> = sqlx::query_as(
        "SELECT g.id, g.patient_id, g.kind, g.relationship, g.sections, p.given_name, p.family_name, p.birth_date \
         FROM proxy_grants g JOIN patients p ON p.id = g.patient_id \
         WHERE g.proxy_user_id = $1 AND ($2 = 0 OR g.patient_id = $2) AND g.ended_at IS NULL \
         AND g.starts_at <= $3 AND (g.ends_at IS NULL OR g.ends_at > $3) \
         ORDER BY g.patient_id, g.kind, g.id",
    )
    .bind(proxy_user_id)
    .bind(patient_id.unwrap_or(0))
    .bind(now)
    .fetch_all(&db.read)
    .await?;
    let mut charts: Vec<InForce> = Vec::new();
    for row in rows {
        let granted = Section::parse_list(&row.sections);
        let Some(age) = age_from(&row.birth_date, today) else { continue };
        let Some((sections, teen_view)) = sections_at_age(&row.kind, &granted, age, teen_policy) else {
            continue;
        };
        let relationship = Relationship::parse(&row.relationship).unwrap_or(Relationship::Caregiver);
        let id = row.patient_id;
        match charts.iter_mut().find(|c| c.patient_id == id) {
            Some(chart) => {
                for s in sections {
                    if !chart.sections.contains(&s) {
                        chart.sections.push(s);
                    }
                }
                chart.teen_view &= teen_view;
                chart.grant_ids.push(row.id);
            }
            None => charts.push(InForce {
                patient_id: id,
                patient_name: format!("{} {}", row.given_name, row.family_name),
                relationship,
                sections,
                teen_view,
                grant_ids: vec![row.id],
            }),
        }
    }
    Ok(charts)
}

/// A proxy who may read a chart now.
#[derive(Debug, Clone)]
pub struct ProxyOf {
    pub user_id: i64,
    pub email: Option<String>,
    pub sections: Vec<Section>,
}

/// A grant on a chart, with its proxy's e-mail.
#[derive(sqlx::FromRow)]
struct GrantHolder {
    proxy_user_id: i64,
    kind: String,
    sections: String,
    email: Option<String>,
    birth_date: String,
}

/// Everyone who may read `patient_id`'s chart as a proxy now (for notices: a message
/// notice goes to each proxy who may read messages).
pub async fn proxies_of(
    db: &Db,
    patient_id: i64,
    now: i64,
    today: Date,
    teen_policy: &[Section],
) -> Result<Vec<ProxyOf>, sqlx::Error> {
    let rows: Vec<GrantHolder> = sqlx::query_as(
        // An address its owner has not confirmed is no address (notices go to none).
        "SELECT g.proxy_user_id, g.kind, g.sections, \
         CASE WHEN u.email_confirmed_at IS NULL THEN NULL ELSE u.email END AS email, p.birth_date \
         FROM proxy_grants g JOIN users u ON u.id = g.proxy_user_id JOIN patients p ON p.id = g.patient_id \
         WHERE g.patient_id = $1 AND g.ended_at IS NULL AND g.starts_at <= $2 \
         AND (g.ends_at IS NULL OR g.ends_at > $2) ORDER BY g.proxy_user_id, g.id",
    )
    .bind(patient_id)
    .bind(now)
    .fetch_all(&db.read)
    .await?;
    let mut proxies: Vec<ProxyOf> = Vec::new();
    for row in rows {
        let granted = Section::parse_list(&row.sections);
        // A birth date that cannot be read fails closed, as in `in_force`: no notice.
        let Some(age) = age_from(&row.birth_date, today) else { continue };
        let Some((sections, _)) = sections_at_age(&row.kind, &granted, age, teen_policy) else {
            continue;
        };
        let user_id = row.proxy_user_id;
        match proxies.iter_mut().find(|p| p.user_id == user_id) {
            Some(known) => {
                for s in sections {
                    if !known.sections.contains(&s) {
                        known.sections.push(s);
                    }
                }
            }
            None => proxies.push(ProxyOf { user_id, email: row.email, sections }),
        }
    }
    Ok(proxies)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_minor_grant_narrows_at_13_to_the_clinics_policy_and_ends_at_18() {
        let all = Section::GRANTABLE.to_vec();
        let strict = Section::TEEN_VIEW_WITHOUT_MEDICATIONS;
        assert_eq!(sections_at_age("minor", &all, 12, &strict), Some((all.clone(), false)));
        let teen = sections_at_age("minor", &all, 13, &strict).unwrap();
        assert!(teen.1 && !teen.0.contains(&Section::Medications) && teen.0.contains(&Section::Results));
        // The default policy keeps every section (only confidential items are hidden).
        assert_eq!(sections_at_age("minor", &all, 13, &all), Some((all.clone(), true)));
        assert_eq!(sections_at_age("minor", &all, 17, &strict).map(|s| s.1), Some(true));
        assert_eq!(sections_at_age("minor", &all, 18, &all), None);
        assert_eq!(sections_at_age("adult", &all, 18, &strict), Some((all.clone(), false)));
        // A narrowed grant stays narrow: the teen view never adds a section.
        let narrow = [Section::Visits, Section::Medications];
        assert_eq!(sections_at_age("minor", &narrow, 15, &strict), Some((vec![Section::Visits], true)));
    }

    #[test]
    fn a_teen_policy_names_only_grantable_sections() {
        assert_eq!(Section::parse_policy("").unwrap(), vec![]);
        assert_eq!(
            Section::parse_policy("visits, home,visits").unwrap(),
            vec![Section::Home, Section::Visits],
            "menu order, once each"
        );
        assert!(Section::parse_policy("home,medication").is_err(), "a typo is refused");
        assert!(Section::parse_policy("sharing").is_err(), "not grantable");
    }

    #[test]
    fn an_end_date_is_after_today_and_within_ten_years() {
        let today = date!(2026 - 11 - 25);
        assert_eq!(parse_end("", today), Ok(None));
        assert_eq!(parse_end("  ", today), Ok(None));
        assert_eq!(parse_end("2026-11-26", today), Ok(Some(date!(2026 - 11 - 26))));
        assert_eq!(parse_end("2036-11-25", today), Ok(Some(date!(2036 - 11 - 25))));
        assert_eq!(parse_end("2036-11-26", today), Err(Problem::ProxyEndsOnTooFar));
        assert_eq!(parse_end("2026-11-25", today), Err(Problem::ProxyEndsOnPast));
        assert_eq!(parse_end("2020-01-01", today), Err(Problem::ProxyEndsOnPast));
        assert_eq!(parse_end("2026-13-01", today), Err(Problem::ProxyEndsOnInvalid));
        assert_eq!(parse_end("next week", today), Err(Problem::ProxyEndsOnInvalid));
        let leap = date!(2028 - 02 - 29);
        assert_eq!(parse_end("2038-02-28", leap), Ok(Some(date!(2038 - 02 - 28))));
        assert_eq!(parse_end("2038-03-01", leap), Err(Problem::ProxyEndsOnTooFar));
    }
}
