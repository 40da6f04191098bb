//! Test results: the list, one result with its components, and the trend graph of one
//! analyte. Staff release, hold and review results (staff_api.rs, staff_pages.rs).
pub mod api;
pub mod catalog;
pub mod chart;
pub mod pages;
pub mod staff_api;
pub mod staff_pages;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
mod view;

use serde::{Deserialize, Serialize};

/// Above, below or outside the reference range (FHIR interpretation H, L, A).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Flag {
    High,
    Low,
    Abnormal,
}

impl Flag {
    pub fn code(self) -> &'static str {
        match self {
            Flag::High => "H",
            Flag::Low => "L",
            Flag::Abnormal => "A",
        }
    }

    pub fn parse(code: &str) -> Option<Flag> {
        match code {
            "H" => Some(Flag::High),
            "L" => Some(Flag::Low),
            "A" => Some(Flag::Abnormal),
            _ => None,
        }
    }

    /// The flag a numeric value earns against its range.
    pub fn of(value: f64, low: Option<f64>, high: Option<f64>) -> Option<Flag> {
        match (low, high) {
            (Some(low), _) if value < low => Some(Flag::Low),
            (_, Some(high)) if value > high => Some(Flag::High),
            _ => None,
        }
    }
}

/// One line of the results list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultSummary {
    pub id: i64,
    pub name: String,
    pub collected_on: String,
    pub is_new: bool,
    pub abnormal: bool,
}

/// One result as the patient sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultDetail {
    pub id: i64,
    pub name: String,
    pub collected_on: String,
    pub released_on: String,
    pub ordered_by: Option<String>,
    /// Released before a clinician reviewed it: the patient is told so.
    pub awaiting_review: bool,
    /// Done during a hospital stay or an Emergency Department visit: the seed says such a
    /// test "may not result in a contact from the ordering provider" unless a follow-up is
    /// needed, and the patient is told so.
    pub from_hospital_or_emergency: bool,
    pub components: Vec<Component>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Component {
    pub loinc: String,
    pub name: String,
    /// As measured: the number (or text) with no unit.
    pub value: String,
    pub unit: String,
    pub range: Option<String>,
    pub flag: Option<Flag>,
    /// More than one numeric value of this analyte exists: a graph can be drawn.
    pub has_trend: bool,
}

/// Every released value of one analyte, split by unit: values in different units are
/// never drawn on one axis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trend {
    pub loinc: String,
    pub name: String,
    /// "Now" on the server's clock: the 1-year and 5-year ranges count back from here.
    pub as_of_ms: i64,
    pub series: Vec<UnitSeries>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitSeries {
    pub unit: String,
    /// The most recent reference range in this unit, drawn as a band.
    pub ref_low: Option<f64>,
    pub ref_high: Option<f64>,
    pub points: Vec<Point>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub at_ms: i64,
    /// The clinic's calendar day of `at_ms` (its time zone), as days since 1970-01-01: the
    /// browser has no time-zone data, so the server says which day it was.
    pub day: i64,
    pub value: f64,
    pub flag: Option<Flag>,
}

impl Point {
    /// The day it was measured at the clinic, "2026-03-14", as on every record page.
    /// Formatted where it is shown rather than sent: a 10,000-value series would carry
    /// 10,000 date strings.
    pub fn date(&self) -> String {
        iso_date(self.day * 86_400_000)
    }
}

/// "YYYY-MM-DD" of a Unix time in milliseconds (UTC). The client has no date crate (it would
/// weigh more than this function); the civil-from-days arithmetic is H. Hinnant's.
pub fn iso_date(epoch_ms: i64) -> String {
    let days = epoch_ms.div_euclid(86_400_000);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153; // March = 0
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 { shifted_month + 3 } else { shifted_month - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// A line of the clinician's results queue (not yet reviewed, or held).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffResultRow {
    pub id: i64,
    pub patient: String,
    pub mrn: String,
    pub name: String,
    pub collected_on: String,
    pub released: bool,
    pub held_reason: Option<String>,
    pub reviewed: bool,
}

/// Formats a measured value without float noise ("5.6", "130", "0.92").
pub fn format_value(value: f64) -> String {
    format!("{}", (value * 1000.0).round() / 1000.0)
}

/// "70–99", "< 200", "> 40".
pub fn format_range(low: Option<f64>, high: Option<f64>, text: Option<&str>) -> Option<String> {
    match (low, high) {
        (Some(low), Some(high)) => Some(format!("{}–{}", format_value(low), format_value(high))),
        (None, Some(high)) => Some(format!("< {}", format_value(high))),
        (Some(low), None) => Some(format!("> {}", format_value(low))),
        (None, None) => text.map(str::to_owned),
    }
}

/// LOINC codes are digits, a dash and a check digit ("2093-3"); anything else is refused
/// before it reaches a query.
pub fn is_loinc(code: &str) -> bool {
    let Some((num, check)) = code.split_once('-') else { return false };
    (1..=7).contains(&num.len())
        && num.bytes().all(|b| b.is_ascii_digit())
        && check.len() == 1
        && check.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_follow_the_range() {
        assert_eq!(Flag::of(130.0, None, Some(100.0)), Some(Flag::High));
        assert_eq!(Flag::of(35.0, Some(40.0), None), Some(Flag::Low));
        assert_eq!(Flag::of(100.0, Some(70.0), Some(100.0)), None);
    }

    #[test]
    fn values_and_ranges_read_cleanly() {
        assert_eq!(format_value(5.6000000001), "5.6");
        assert_eq!(format_value(130.0), "130");
        assert_eq!(format_range(Some(70.0), Some(99.0), None).as_deref(), Some("70–99"));
        assert_eq!(format_range(None, Some(200.0), None).as_deref(), Some("< 200"));
        assert_eq!(format_range(None, None, Some("Negative")).as_deref(), Some("Negative"));
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn dates_match_the_calendar_crate() {
        // Every day from 1900 to 2100, and times inside a day, against the `time` crate.
        let utc = crate::infra::Clock::manual(0);
        for day in -25_567..47_482_i64 {
            for at_ms in [day * 86_400_000, day * 86_400_000 + 86_399_999] {
                assert_eq!(iso_date(at_ms), utc.date_of(at_ms), "{at_ms}");
            }
        }
    }

    #[test]
    fn only_loinc_shaped_codes_pass() {
        assert!(is_loinc("2093-3"));
        assert!(is_loinc("4548-4"));
        for bad in ["", "2093", "2093-33", "abc-1", "2093-3; DROP", "12345678-1"] {
            assert!(!is_loinc(bad), "{bad}");
        }
    }
}
