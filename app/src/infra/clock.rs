//! The clock every rule reads (idle logout, code expiry, ages): real in production,
//! settable in tests so that "45 days later" takes no time.
use std::sync::{
    atomic::{AtomicI64, Ordering},
    Arc,
};

#[derive(Clone, Debug, Default)]
pub enum Clock {
    #[default]
    System,
    /// A test clock holding epoch milliseconds.
    Manual(Arc<AtomicI64>),
}

impl Clock {
    pub fn manual(start_ms: i64) -> Self {
        Clock::Manual(Arc::new(AtomicI64::new(start_ms)))
    }

    /// Milliseconds since the Unix epoch (UTC).
    pub fn now_ms(&self) -> i64 {
        match self {
            Clock::System => {
                let now =
                    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
                now.as_millis() as i64
            }
            Clock::Manual(ms) => ms.load(Ordering::SeqCst),
        }
    }

    /// Moves a test clock forward; the system clock cannot be moved.
    pub fn advance_ms(&self, by: i64) {
        if let Clock::Manual(ms) = self {
            ms.fetch_add(by, Ordering::SeqCst);
        }
    }

    /// Today's date in UTC, for age rules.
    pub fn today(&self) -> time::Date {
        time::OffsetDateTime::from_unix_timestamp(self.now_ms() / 1000)
            .map(|t| t.date())
            .unwrap_or(time::Date::MIN)
    }
}

/// The UTC calendar date of an instant, as YYYY-MM-DD.
pub fn date_of(epoch_ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(epoch_ms.div_euclid(1000))
        .map(|t| t.date().to_string())
        .unwrap_or_default()
}

/// Midnight UTC at the start of `date`, in epoch milliseconds.
pub fn ms_of_date(date: time::Date) -> i64 {
    date.midnight().assume_utc().unix_timestamp() * 1000
}

pub const DAY_MS: i64 = 86_400_000;

/// "YYYY-MM-DD HH:MM" at `offset_minutes` from UTC (the clinic's wall clock).
pub fn local_date_time(epoch_ms: i64, offset_minutes: i32) -> String {
    let local = epoch_ms.div_euclid(1000) + i64::from(offset_minutes) * 60;
    match time::OffsetDateTime::from_unix_timestamp(local) {
        Ok(t) => format!("{} {:02}:{:02}", t.date(), t.hour(), t.minute()),
        Err(_) => String::new(),
    }
}
