//! Dates and ages, in one place for the whole app (wasm and server): the calendar date a
//! form or the database holds, whole years of age on a day, the ages the seed names (13 and
//! 18), and business days. Which day *today* is belongs to the clinic's time zone: the
//! server's `infra::clock` answers that, and everything here takes the day as an argument.
use time::{Date, Weekday};

pub const MINUTE_MS: i64 = 60_000;
pub const DAY_MS: i64 = 24 * 60 * MINUTE_MS;

/// From 13 a patient may have their own account, and a parent's view narrows to the
/// clinic's teen policy.
pub const TEEN_AGE: i32 = 13;
/// At 18 a minor grant ends, and a patient decides alone who sees their chart.
pub const ADULT_AGE: i32 = 18;

/// A date as forms and the database write it: `YYYY-MM-DD`.
pub fn parse_date(input: &str) -> Option<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(input.trim(), &format).ok()
}

/// Whole years between `birth` and `today` (a birthday counts on its day).
pub fn age_on(birth: Date, today: Date) -> i32 {
    let mut age = today.year() - birth.year();
    if (today.month() as u8, today.day()) < (birth.month() as u8, birth.day()) {
        age -= 1;
    }
    age
}

/// The age of a patient whose stored birth date is `birth`; `None` when it cannot be read,
/// so every caller has to decide how to fail closed.
pub fn age_from(birth: &str, today: Date) -> Option<i32> {
    Some(age_on(parse_date(birth)?, today))
}

/// `business_days` business days after `from`, skipping weekends and the clinic's holidays
/// (configured): when a reply, a proxy decision or a restriction is due.
pub fn business_days_after(from: Date, holidays: &[Date], business_days: u32) -> Date {
    let mut day = from;
    let mut counted = 0;
    while counted < business_days {
        let Some(next) = day.next_day() else { return day };
        day = next;
        let weekend = matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday);
        if !weekend && !holidays.contains(&day) {
            counted += 1;
        }
    }
    day
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn three_business_days_skip_weekends() {
        // Wednesday → Monday; Friday → Wednesday; Saturday and Sunday → Wednesday.
        assert_eq!(business_days_after(date!(2026 - 11 - 18), &[], 3), date!(2026 - 11 - 23));
        assert_eq!(business_days_after(date!(2026 - 11 - 20), &[], 3), date!(2026 - 11 - 25));
        assert_eq!(business_days_after(date!(2026 - 11 - 21), &[], 3), date!(2026 - 11 - 25));
        assert_eq!(business_days_after(date!(2026 - 11 - 22), &[], 3), date!(2026 - 11 - 25));
    }

    #[test]
    fn holidays_are_skipped_too() {
        // Wednesday before Thanksgiving: Thursday is off → Friday, Monday, Tuesday.
        let holidays = [date!(2026 - 11 - 26)];
        assert_eq!(business_days_after(date!(2026 - 11 - 25), &holidays, 3), date!(2026 - 12 - 01));
        // Christmas on a Friday and New Year's Day a week later.
        let holidays = [date!(2026 - 12 - 25), date!(2027 - 01 - 01)];
        assert_eq!(business_days_after(date!(2026 - 12 - 24), &holidays, 3), date!(2026 - 12 - 30));
        assert_eq!(business_days_after(date!(2026 - 12 - 30), &holidays, 3), date!(2027 - 01 - 05));
    }

    #[test]
    fn ages_count_whole_years_and_a_bad_date_has_none() {
        assert_eq!(age_on(date!(2013 - 11 - 26), date!(2026 - 11 - 25)), 12);
        assert_eq!(age_on(date!(2013 - 11 - 26), date!(2026 - 11 - 26)), 13);
        // Born on 29 February: a year older on 1 March in other years.
        assert_eq!(age_on(date!(2008 - 02 - 29), date!(2026 - 02 - 28)), 17);
        assert_eq!(age_on(date!(2008 - 02 - 29), date!(2026 - 03 - 01)), 18);
        assert_eq!(age_from("2008-02-29", date!(2026 - 03 - 01)), Some(18));
        assert_eq!(age_from("2008-02-30", date!(2026 - 03 - 01)), None);
        assert_eq!(age_from("", date!(2026 - 03 - 01)), None);
    }
}
