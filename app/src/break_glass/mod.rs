//! "Break the glass": a clinician opens the chart of a patient they do not care for (see
//! `access::reach`) by giving a reason. The access lasts for that session, is audited on the
//! patient's chart as such (and so named in their "Who has seen my record"), and waits on a
//! list Health Information Management reviews.
pub mod api;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
mod view;

use serde::{Deserialize, Serialize};

/// Longest note a clinician writes with the reason.
pub const NOTE_MAX_CHARS: usize = 500;
/// Entries on HIM's review list at once (unreviewed first, newest first).
pub const REVIEW_LIST_LIMIT: i64 = 200;

/// Why the glass was broken: a short list, and "other" with a note.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reason {
    /// Emergency care.
    Emergency,
    /// Covering for a colleague who cares for the patient.
    Covering,
    /// Care coordination or a referral.
    Coordination,
    /// Anything else, explained in the note.
    Other,
}

impl Reason {
    pub const ALL: [Reason; 4] = [Reason::Emergency, Reason::Covering, Reason::Coordination, Reason::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Emergency => "emergency",
            Reason::Covering => "covering",
            Reason::Coordination => "coordination",
            Reason::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// One break-the-glass access, as HIM reviews it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub id: i64,
    /// Local date and time.
    pub at: String,
    pub staff: String,
    pub patient: String,
    pub mrn: String,
    pub reason: Reason,
    pub note: String,
    /// Who reviewed it, once reviewed.
    pub reviewed_by: Option<String>,
}
