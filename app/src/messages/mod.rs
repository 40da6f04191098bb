//! Messaging: a patient's chart writes to their care team and to customer service (billing,
//! technical support, medical records); staff answer from the inboxes of their pools.
//! Sent messages are part of the record: never edited, never deleted (the database refuses).
pub mod api;
pub mod emergency;
pub mod pages;
pub mod staff_api;
pub mod staff_pages;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod upload;
#[cfg(feature = "ssr")]
pub mod view;

use serde::{Deserialize, Serialize};

/// Limits, each with its own message at the field.
pub const SUBJECT_MAX_CHARS: usize = 100;
pub const BODY_MAX_CHARS: usize = 4_000;
pub const ATTACHMENTS_MAX: usize = 3;
pub const ATTACHMENT_MAX_BYTES: usize = 10 * 1024 * 1024;
/// Messages the patient's side of one chart may send in an hour (a runaway script, a
/// stuck retry loop); staff replies are not limited. The default of PORTICO_MESSAGES_PER_HOUR.
pub const SENDS_PER_HOUR: i64 = 10;
/// The newest threads an inbox lists.
pub const INBOX_LIMIT: i64 = 1_000;
/// Business days within which the care team answers (the seed: 1–3 business days).
pub const REPLY_BUSINESS_DAYS: u32 = 3;
/// The whole multipart request: the files and room for the text fields.
pub const UPLOAD_MAX_BYTES: usize = ATTACHMENTS_MAX * ATTACHMENT_MAX_BYTES + 256 * 1024;
/// The file types accepted, recognised from their bytes (never from the name).
pub const ACCEPTED_TYPES: [&str; 3] = ["image/png", "image/jpeg", "application/pdf"];

/// Who answers a thread: a department's care team, or a customer-service pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Pool {
    Care,
    Billing,
    Support,
    Records,
}

impl Pool {
    pub fn as_str(self) -> &'static str {
        match self {
            Pool::Care => "care",
            Pool::Billing => "billing",
            Pool::Support => "support",
            Pool::Records => "records",
        }
    }

    pub fn parse(text: &str) -> Option<Pool> {
        [Pool::Care, Pool::Billing, Pool::Support, Pool::Records].into_iter().find(|p| p.as_str() == text)
    }
}

/// Why a clinician asked for an appointment instead of answering (the seed's three reasons).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScheduleReason {
    Complex,
    Images,
    Unrelated,
}

impl ScheduleReason {
    pub fn as_str(self) -> &'static str {
        match self {
            ScheduleReason::Complex => "complex",
            ScheduleReason::Images => "images",
            ScheduleReason::Unrelated => "unrelated",
        }
    }

    pub fn parse(text: &str) -> Option<ScheduleReason> {
        [ScheduleReason::Complex, ScheduleReason::Images, ScheduleReason::Unrelated]
            .into_iter()
            .find(|r| r.as_str() == text)
    }
}

/// Someone the chart may write to. `key` is what the form sends back: "provider-12" or
/// "pool-billing"; the server checks it against this same list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recipient {
    pub key: String,
    pub name: String,
    /// "Primary care provider · Internal Medicine", or empty for a pool.
    pub detail: String,
    pub pool: Pool,
    /// The provider's department and its phone, when configured: where to call now.
    pub office: Option<crate::site::DepartmentPhone>,
}

/// A line of an inbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThreadSummary {
    pub id: i64,
    pub subject: String,
    /// Who the thread is with: "Dr. Alex Rivera, MD", "Billing"… (patient side), or the
    /// patient's name and MRN (staff side).
    pub with: String,
    pub pool: Pool,
    /// The care team's department (a care thread).
    pub department: Option<String>,
    pub last_message_at: String,
    /// The other side wrote since this side last opened the thread.
    pub unread: bool,
    pub done: bool,
    /// Staff side: who has claimed it.
    pub claimed_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inbox {
    pub threads: Vec<ThreadSummary>,
    pub unread: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThreadView {
    pub summary: ThreadSummary,
    pub messages: Vec<MessageView>,
    /// Where to book when asked to schedule: the department's phone and the clinic's
    /// online scheduling, as configured.
    pub office_phone: Option<String>,
    pub scheduling_url: Option<String>,
    /// A billing thread about a guarantor account: the account as the Billing Summary shows
    /// it (for staff, and for a reader who may see the chart's billing).
    pub billing_account: Option<crate::billing::AccountSummary>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageView {
    pub id: i64,
    pub from_patient: bool,
    pub author: String,
    pub body: String,
    pub schedule_reason: Option<ScheduleReason>,
    pub sent_at: String,
    pub attachments: Vec<AttachmentInfo>,
    /// Written by a proxy: "Sent by {author} ({relationship}) for {patient}".
    pub sent_for: Option<SentFor>,
}

/// Whom a proxy's message was written for, as it stood when it was sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentFor {
    pub relationship: crate::access::Relationship,
    pub patient: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttachmentInfo {
    pub id: i64,
    /// The file's name as the patient chose it, only ever shown as text.
    pub name: String,
    pub media_type: String,
    pub size_bytes: i64,
}

/// What the patient sees once the server has committed a message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sent {
    pub thread_id: i64,
    pub message_id: i64,
    pub promise: ReplyPromise,
}

/// What a sent message says about its answer, by recipient. The care team's is the seed's:
/// a doctor or nurse "generally" replies "within 1-3 business days", so the date is a guide
/// ("around"), never a promise. The customer-service pools say what the clinic configured
/// for them (`PORTICO_REPLY_PROMISE_*`), or nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ReplyPromise {
    /// "2026-12-01": three business days ahead, skipping weekends and the clinic's holidays.
    CareTeam {
        around: String,
    },
    Configured(String),
    Nothing,
}

impl ReplyPromise {
    /// The promise for a message to `pool` sent on a day whose third business day after is
    /// `around`.
    pub fn for_pool(pool: Pool, promises: &crate::site::Promises, around: String) -> ReplyPromise {
        let configured = match pool {
            Pool::Care => return ReplyPromise::CareTeam { around },
            Pool::Billing => &promises.billing,
            Pool::Support => &promises.support,
            Pool::Records => &promises.records,
        };
        configured.clone().map_or(ReplyPromise::Nothing, ReplyPromise::Configured)
    }
}

/// "1.2 MB", "340 KB": sizes as people read them.
pub fn human_size(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", (bytes + 1023) / 1024)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pools_and_reasons_parse_strictly() {
        assert_eq!(Pool::parse("billing"), Some(Pool::Billing));
        assert_eq!(Pool::parse("Billing"), None);
        assert_eq!(ScheduleReason::parse("images"), Some(ScheduleReason::Images));
        assert_eq!(ScheduleReason::parse(""), None);
    }

    #[test]
    fn sizes_read_plainly() {
        assert_eq!(human_size(10 * 1024 * 1024), "10.0 MB");
        assert_eq!(human_size(1), "1 KB");
    }
}
