//! When a patient can expect an answer: `REPLY_BUSINESS_DAYS` business days after the day
//! the message was sent, skipping weekends and the clinic's holidays (configured).
use time::{Date, Weekday};

pub fn reply_by(sent_on: Date, holidays: &[Date], business_days: u32) -> Date {
    let mut day = sent_on;
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

    use super::reply_by;

    #[test]
    fn three_business_days_skip_weekends() {
        // Wednesday → Monday; Friday → Wednesday; Saturday and Sunday → Wednesday.
        assert_eq!(reply_by(date!(2026 - 11 - 18), &[], 3), date!(2026 - 11 - 23));
        assert_eq!(reply_by(date!(2026 - 11 - 20), &[], 3), date!(2026 - 11 - 25));
        assert_eq!(reply_by(date!(2026 - 11 - 21), &[], 3), date!(2026 - 11 - 25));
        assert_eq!(reply_by(date!(2026 - 11 - 22), &[], 3), date!(2026 - 11 - 25));
    }

    #[test]
    fn holidays_are_skipped_too() {
        // Wednesday before Thanksgiving: Thursday is off → Friday, Monday, Tuesday.
        let holidays = [date!(2026 - 11 - 26)];
        assert_eq!(reply_by(date!(2026 - 11 - 25), &holidays, 3), date!(2026 - 12 - 01));
        // Christmas on a Friday and New Year's Day a week later.
        let holidays = [date!(2026 - 12 - 25), date!(2027 - 01 - 01)];
        assert_eq!(reply_by(date!(2026 - 12 - 24), &holidays, 3), date!(2026 - 12 - 30));
        assert_eq!(reply_by(date!(2026 - 12 - 30), &holidays, 3), date!(2027 - 01 - 05));
    }
}
