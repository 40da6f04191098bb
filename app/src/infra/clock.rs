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
