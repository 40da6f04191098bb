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

    /// The chart's items of this kind: `$1` the patient, `$2` the limit. Whole statements,
    /// one per kind, so no table or column name is ever spliced into SQL. A visit is
    /// markable only for its note.
    #[cfg(feature = "ssr")]
    pub(crate) fn select_sql(self) -> &'static str {
        match self {
            ItemKind::Result => {
                "SELECT id, name AS label, CAST(collected_at AS TEXT) AS day, confidential AS flag \
                FROM diagnostic_reports WHERE patient_id = $1 ORDER BY id DESC LIMIT $2"
            }
            ItemKind::Note => {
                "SELECT id, kind AS label, CAST(start_at AS TEXT) AS day, note_confidential AS flag \
                FROM encounters WHERE patient_id = $1 AND note_text IS NOT NULL ORDER BY id DESC LIMIT $2"
            }
            ItemKind::Problem => {
                "SELECT id, name AS label, COALESCE(onset_date, '') AS day, confidential AS flag \
                FROM problems WHERE patient_id = $1 ORDER BY id DESC LIMIT $2"
            }
            ItemKind::Medication => {
                "SELECT id, name AS label, start_date AS day, confidential AS flag \
                FROM medications WHERE patient_id = $1 ORDER BY id DESC LIMIT $2"
            }
            ItemKind::Message => {
                "SELECT id, subject AS label, CAST(created_at AS TEXT) AS day, confidential AS flag \
                FROM message_threads WHERE patient_id = $1 ORDER BY id DESC LIMIT $2"
            }
        }
    }

    /// Sets one item's flag: `$1` the flag, `$2` the item, `$3` the patient.
    #[cfg(feature = "ssr")]
    pub(crate) fn update_sql(self) -> &'static str {
        match self {
            ItemKind::Result => {
                "UPDATE diagnostic_reports SET confidential = $1 WHERE id = $2 AND patient_id = $3"
            }
            ItemKind::Note => {
                "UPDATE encounters SET note_confidential = $1 WHERE id = $2 AND patient_id = $3"
            }
            ItemKind::Problem => "UPDATE problems SET confidential = $1 WHERE id = $2 AND patient_id = $3",
            ItemKind::Medication => {
                "UPDATE medications SET confidential = $1 WHERE id = $2 AND patient_id = $3"
            }
            ItemKind::Message => {
                "UPDATE message_threads SET confidential = $1 WHERE id = $2 AND patient_id = $3"
            }
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
