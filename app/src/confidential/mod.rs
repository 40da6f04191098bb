//! Confidential items: a clinician marks a result, a visit note, a problem, a medication
//! or a message thread confidential (a teen's sexual or mental health, say), and it then
//! exists for no reader but the patient and staff. Every patient-side query filters on it
//! through `access::Visibility`; this capability is only the marking.
pub mod staff_api;
pub mod staff_pages;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ItemKind {
    Result,
    Note,
    Problem,
    Medication,
    Message,
}

impl ItemKind {
    pub const ALL: [ItemKind; 5] =
        [ItemKind::Result, ItemKind::Note, ItemKind::Problem, ItemKind::Medication, ItemKind::Message];

    /// (table, flag column, label column, date column) — fixed words only, used in SQL.
    #[cfg(feature = "ssr")]
    pub(crate) fn columns(self) -> (&'static str, &'static str, &'static str, &'static str) {
        match self {
            ItemKind::Result => ("diagnostic_reports", "confidential", "name", "CAST(collected_at AS TEXT)"),
            ItemKind::Note => ("encounters", "note_confidential", "kind", "CAST(start_at AS TEXT)"),
            ItemKind::Problem => ("problems", "confidential", "name", "COALESCE(onset_date, '')"),
            ItemKind::Medication => ("medications", "confidential", "name", "start_date"),
            ItemKind::Message => ("message_threads", "confidential", "subject", "CAST(created_at AS TEXT)"),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Result => "result",
            ItemKind::Note => "note",
            ItemKind::Problem => "problem",
            ItemKind::Medication => "medication",
            ItemKind::Message => "message",
        }
    }
}

/// One item of a chart that can be marked confidential.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub kind: ItemKind,
    pub id: i64,
    pub label: String,
    /// YYYY-MM-DD (or empty).
    pub date: String,
    pub confidential: bool,
}
