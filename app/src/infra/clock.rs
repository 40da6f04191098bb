//! The clock every rule reads (idle logout, code expiry, ages, "today"), in the clinic's
//! time zone: real in production, settable in tests so that "45 days later" takes no time.
//!
//! Instants are epoch milliseconds (UTC) everywhere in the database; the zone decides only
//! what date and wall-clock time an instant is *at the clinic*: the day a 13th birthday
//! narrows a parent's access, the day a grant ends, a reply date, an appointment's time.
//! Daylight saving is the zone's (`PORTICO_TIME_ZONE`, an IANA name; jiff's bundled tzdb).
use std::sync::{
    atomic::{AtomicI64, Ordering},
    Arc,
};

use jiff::{tz::TimeZone, Timestamp};

#[derive(Clone, Debug)]
enum Source {
    System,
    /// A test clock holding epoch milliseconds.
    Manual(Arc<AtomicI64>),
}

#[derive(Clone, Debug)]
pub struct Clock {
    source: Source,
    zone: TimeZone,
}

/// The name in `PORTICO_TIME_ZONE` is not a time zone jiff knows.
#[derive(Debug)]
pub struct UnknownTimeZone(pub String);

impl std::fmt::Display for UnknownTimeZone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?} is not an IANA time zone name like America/New_York", self.0)
    }
}

/// The zone named `name` ("America/New_York", "UTC").
pub fn time_zone(name: &str) -> Result<TimeZone, UnknownTimeZone> {
    TimeZone::get(name.trim()).map_err(|_| UnknownTimeZone(name.to_owned()))
}

impl Clock {
    /// The system clock, at the clinic in `zone`.
    pub fn system(zone: TimeZone) -> Self {
        Clock { source: Source::System, zone }
    }

    /// A test clock at `start_ms`, in UTC.
    pub fn manual(start_ms: i64) -> Self {
        Clock::manual_in(start_ms, TimeZone::UTC)
    }

    /// A test clock at `start_ms`, at a clinic in `zone`.
    pub fn manual_in(start_ms: i64, zone: TimeZone) -> Self {
        Clock { source: Source::Manual(Arc::new(AtomicI64::new(start_ms))), zone }
    }

    /// Milliseconds since the Unix epoch (UTC).
    pub fn now_ms(&self) -> i64 {
        match &self.source {
            Source::System => {
                let now =
                    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
                now.as_millis() as i64
            }
            Source::Manual(ms) => ms.load(Ordering::SeqCst),
        }
    }

    /// Moves a test clock forward; the system clock cannot be moved.
    pub fn advance_ms(&self, by: i64) {
        if let Source::Manual(ms) = &self.source {
            ms.fetch_add(by, Ordering::SeqCst);
        }
    }

    /// Today's date at the clinic: for ages, "current" medications, reminders, due dates.
    pub fn today(&self) -> time::Date {
        self.local_date(self.now_ms())
    }

    /// The clinic's calendar date of an instant.
    pub fn local_date(&self, epoch_ms: i64) -> time::Date {
        let date = self.zoned(epoch_ms).date();
        time::Month::try_from(date.month() as u8)
            .ok()
            .and_then(|month| {
                time::Date::from_calendar_date(i32::from(date.year()), month, date.day() as u8).ok()
            })
            .unwrap_or(time::Date::MIN)
    }

    /// The clinic's calendar date of an instant, as YYYY-MM-DD.
    pub fn date_of(&self, epoch_ms: i64) -> String {
        self.local_date(epoch_ms).to_string()
    }

    /// "YYYY-MM-DD HH:MM" on the clinic's wall clock.
    pub fn local_date_time(&self, epoch_ms: i64) -> String {
        let zoned = self.zoned(epoch_ms);
        format!("{} {:02}:{:02}", self.date_of(epoch_ms), zoned.hour(), zoned.minute())
    }

    /// The first instant of `date` at the clinic (midnight, or the end of a daylight-saving
    /// gap where a zone skips midnight), in epoch milliseconds: when a grant ending that day
    /// stops, when a request due that day is overdue.
    pub fn start_of_day(&self, date: time::Date) -> i64 {
        let civil = jiff::civil::Date::new(date.year() as i16, date.month() as i8, date.day() as i8);
        civil
            .and_then(|d| d.to_zoned_datetime(self.zone.clone()))
            .map(|z| z.timestamp().as_millisecond())
            .unwrap_or_else(|_| date.midnight().assume_utc().unix_timestamp() * 1000)
    }

    fn zoned(&self, epoch_ms: i64) -> jiff::ZonedDateTime {
        Timestamp::from_millisecond(epoch_ms)
            .unwrap_or(Timestamp::UNIX_EPOCH)
            .to_zoned_datetime(self.zone.clone())
    }
}

/// Midnight UTC at the start of `date`: for demo and synthetic data only, which are laid
/// out on UTC days (the demo runs at a UTC clinic unless PORTICO_TIME_ZONE says otherwise).
pub fn utc_start_of_day(date: time::Date) -> i64 {
    date.midnight().assume_utc().unix_timestamp() * 1000
}

#[cfg(test)]
mod tests {
    use super::{time_zone, Clock};

    fn at(rfc3339: &str) -> i64 {
        rfc3339.parse::<jiff::Timestamp>().unwrap().as_millisecond()
    }

    #[test]
    fn the_clinic_date_follows_its_zone_on_both_sides_of_a_dst_change() {
        let new_york = time_zone("America/New_York").unwrap();
        // 2026-03-08: clocks go from 02:00 EST to 03:00 EDT.
        let before = Clock::manual_in(at("2026-03-08T06:59:00Z"), new_york.clone());
        assert_eq!(before.local_date_time(before.now_ms()), "2026-03-08 01:59");
        let after = Clock::manual_in(at("2026-03-08T07:01:00Z"), new_york.clone());
        assert_eq!(after.local_date_time(after.now_ms()), "2026-03-08 03:01");
        // 2026-11-01: back from 02:00 EDT to 01:00 EST. Late evening is still the same day
        // locally while UTC has moved on.
        let evening = Clock::manual_in(at("2026-11-02T04:30:00Z"), new_york.clone());
        assert_eq!(evening.today().to_string(), "2026-11-01");
        assert_eq!(Clock::manual(at("2026-11-02T04:30:00Z")).today().to_string(), "2026-11-02");
        // Midnight is 05:00 UTC in winter, 04:00 UTC in summer.
        let date = |s: &str| {
            time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).unwrap()
        };
        assert_eq!(evening.start_of_day(date("2026-12-01")), at("2026-12-01T05:00:00Z"));
        assert_eq!(evening.start_of_day(date("2026-07-01")), at("2026-07-01T04:00:00Z"));
    }

    #[test]
    fn a_zone_that_is_not_one_is_refused() {
        assert!(time_zone("Mars/Olympus_Mons").is_err());
        assert!(time_zone("UTC").is_ok());
    }
}
