//! The reminder rules. Intervals follow common adult preventive-care schedules (CDC
//! immunization schedule; ADA for HbA1c; lipid screening every 5 years, yearly with
//! diabetes). Each rule: who it applies to, how often, and what in the record counts.
use time::{Date, Duration};

use super::{Reminder, ReminderKind, ReminderStatus};

/// Influenza vaccines (CVX).
pub const FLU_CVX: &[&str] = &[
    "88", "135", "140", "141", "144", "149", "150", "153", "155", "158", "161", "166", "168", "171", "185",
    "186", "197", "205",
];
/// Tetanus-containing adult boosters: Tdap and Td (CVX).
pub const TETANUS_CVX: &[&str] = &["115", "09", "113", "138", "139"];
/// Pneumococcal vaccines (CVX).
pub const PNEUMO_CVX: &[&str] = &["33", "133", "152", "215", "216"];
pub const HBA1C_LOINC: &str = "4548-4";
pub const LIPID_PANEL_LOINC: &str = "57698-3";

/// A due date within this many days is "due"; after that, "overdue".
pub const GRACE_DAYS: i64 = 30;

/// What the rules read from a chart.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    pub birth_date: Option<Date>,
    pub flu: Vec<Date>,
    pub tetanus: Vec<Date>,
    pub pneumococcal: Vec<Date>,
    pub hba1c: Vec<Date>,
    pub lipid_panels: Vec<Date>,
    pub has_diabetes: bool,
}

fn years_after(date: Date, years: i32) -> Date {
    date.replace_year(date.year() + years).unwrap_or_else(|_| date + Duration::days(365 * years as i64))
}

/// Status of a repeating item: last done + interval, or (never done) due since the day
/// the person became eligible.
fn status(
    today: Date,
    last: Option<Date>,
    interval: Option<Duration>,
    eligible_from: Date,
) -> ReminderStatus {
    let due = match (last, interval) {
        (Some(_), None) => return ReminderStatus::Done { next_due: None },
        (Some(last), Some(interval)) => last + interval,
        (None, _) => eligible_from,
    };
    if due > today {
        ReminderStatus::Done { next_due: Some(due.to_string()) }
    } else if (today - due).whole_days() <= GRACE_DAYS {
        ReminderStatus::Due { since: due.to_string() }
    } else {
        ReminderStatus::Overdue { since: due.to_string() }
    }
}

pub fn reminders(facts: &Facts, today: Date) -> Vec<Reminder> {
    let Some(birth) = facts.birth_date else { return Vec::new() };
    // The one age rule (a birthday counts on its day), as for accounts and proxy access.
    let age = crate::dates::age_on(birth, today);
    let last = |dates: &[Date]| dates.iter().copied().filter(|d| *d <= today).max();
    let mut out = Vec::new();
    let mut add = |kind, dates: &[Date], interval: Option<Duration>, eligible_from: Date| {
        let last_done = last(dates);
        out.push(Reminder {
            kind,
            status: status(today, last_done, interval, eligible_from),
            last_done: last_done.map(|d| d.to_string()),
        });
    };
    // Every year, from 6 months of age.
    add(ReminderKind::FluVaccine, &facts.flu, Some(Duration::days(365)), birth + Duration::days(183));
    // Every 10 years, from the adolescent dose at 11.
    if age >= 11 {
        add(ReminderKind::Tetanus, &facts.tetanus, Some(Duration::days(3652)), years_after(birth, 11));
    }
    // Once, at 65 or older (a dose before 65 does not count).
    if age >= 65 {
        let at_65 = years_after(birth, 65);
        let after_65: Vec<Date> = facts.pneumococcal.iter().copied().filter(|d| *d >= at_65).collect();
        add(ReminderKind::Pneumococcal, &after_65, None, at_65);
    }
    if facts.has_diabetes {
        add(ReminderKind::HbA1c, &facts.hba1c, Some(Duration::days(182)), today);
    }
    if age >= 20 {
        let interval = if facts.has_diabetes { Duration::days(365) } else { Duration::days(1826) };
        add(ReminderKind::Cholesterol, &facts.lipid_panels, Some(interval), years_after(birth, 20));
    }
    out
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn of(kind: ReminderKind, list: &[Reminder]) -> Option<ReminderStatus> {
        list.iter().find(|r| r.kind == kind).map(|r| r.status.clone())
    }

    #[test]
    fn a_yearly_vaccine_is_done_then_due_then_overdue() {
        let facts = Facts {
            birth_date: Some(date!(1980 - 01 - 01)),
            flu: vec![date!(2025 - 10 - 01)],
            ..Default::default()
        };
        assert_eq!(
            of(ReminderKind::FluVaccine, &reminders(&facts, date!(2026 - 09 - 01))),
            Some(ReminderStatus::Done { next_due: Some("2026-10-01".into()) })
        );
        assert_eq!(
            of(ReminderKind::FluVaccine, &reminders(&facts, date!(2026 - 10 - 20))),
            Some(ReminderStatus::Due { since: "2026-10-01".into() })
        );
        assert_eq!(
            of(ReminderKind::FluVaccine, &reminders(&facts, date!(2026 - 11 - 25))),
            Some(ReminderStatus::Overdue { since: "2026-10-01".into() })
        );
    }

    #[test]
    fn hba1c_applies_only_with_diabetes_every_six_months() {
        let today = date!(2026 - 11 - 25);
        let mut facts = Facts {
            birth_date: Some(date!(1970 - 05 - 05)),
            hba1c: vec![date!(2026 - 03 - 01)],
            ..Default::default()
        };
        assert_eq!(of(ReminderKind::HbA1c, &reminders(&facts, today)), None);
        facts.has_diabetes = true;
        assert_eq!(
            of(ReminderKind::HbA1c, &reminders(&facts, today)),
            Some(ReminderStatus::Overdue { since: "2026-08-30".into() })
        );
        facts.hba1c.push(date!(2026 - 11 - 01));
        assert!(matches!(
            of(ReminderKind::HbA1c, &reminders(&facts, today)),
            Some(ReminderStatus::Done { .. })
        ));
    }

    #[test]
    fn age_decides_who_a_rule_applies_to() {
        let today = date!(2026 - 11 - 25);
        let child = Facts { birth_date: Some(date!(2018 - 01 - 01)), ..Default::default() };
        let kinds: Vec<_> = reminders(&child, today).into_iter().map(|r| r.kind).collect();
        assert_eq!(kinds, vec![ReminderKind::FluVaccine]);
        let senior = Facts {
            birth_date: Some(date!(1955 - 01 - 01)),
            pneumococcal: vec![date!(2015 - 01 - 01)],
            ..Default::default()
        };
        // A dose at 60 does not count for the 65+ rule.
        assert!(matches!(
            of(ReminderKind::Pneumococcal, &reminders(&senior, today)),
            Some(ReminderStatus::Overdue { .. })
        ));
        let done = Facts { pneumococcal: vec![date!(2021 - 01 - 01)], ..senior };
        assert_eq!(
            of(ReminderKind::Pneumococcal, &reminders(&done, today)),
            Some(ReminderStatus::Done { next_due: None })
        );
    }

    #[test]
    fn a_future_date_in_the_record_does_not_count_as_done() {
        let facts = Facts {
            birth_date: Some(date!(1980 - 01 - 01)),
            flu: vec![date!(2027 - 01 - 01)],
            ..Default::default()
        };
        assert!(matches!(
            of(ReminderKind::FluVaccine, &reminders(&facts, date!(2026 - 11 - 25))),
            Some(ReminderStatus::Overdue { .. })
        ));
    }
}
