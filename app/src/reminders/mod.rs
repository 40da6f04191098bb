//! Health reminders: due, overdue and done, computed from the record and the clock by the
//! rules in rules.rs (nothing is stored, so a new result or vaccine counts at once).
pub mod api;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod rules;
#[cfg(feature = "ssr")]
pub mod store;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReminderKind {
    FluVaccine,
    Tetanus,
    Pneumococcal,
    HbA1c,
    Cholesterol,
}

impl ReminderKind {
    /// A stable name for storage (the reminder notices remember which were announced).
    pub fn as_str(self) -> &'static str {
        match self {
            ReminderKind::FluVaccine => "flu-vaccine",
            ReminderKind::Tetanus => "tetanus",
            ReminderKind::Pneumococcal => "pneumococcal",
            ReminderKind::HbA1c => "hba1c",
            ReminderKind::Cholesterol => "cholesterol",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReminderStatus {
    /// Done recently; next due on the date.
    Done { next_due: Option<String> },
    /// Due now (within 30 days past its date).
    Due { since: String },
    /// More than 30 days past its date.
    Overdue { since: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reminder {
    pub kind: ReminderKind,
    pub status: ReminderStatus,
    pub last_done: Option<String>,
}

impl Reminder {
    pub fn needs_action(&self) -> bool {
        !matches!(self.status, ReminderStatus::Done { .. })
    }
}
