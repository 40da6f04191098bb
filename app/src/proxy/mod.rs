//! Proxy access: a parent, guardian or caregiver reading someone else's chart through
//! their own account. Requests (a minor's, from a parent; an adult's, with a signed
//! authorization) go to the Release of Information team in HIM, who match, approve or
//! deny them; an approval makes a grant (access/grants.rs decides, at every request, what a
//! grant allows now). Patients see who may see their chart and who has (the access log).
pub mod api;
pub mod grant_pages;
pub mod pages;
pub mod restriction_pages;
pub mod staff_api;
pub mod staff_pages;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
mod view;

use serde::{Deserialize, Serialize};

use crate::access::{Relationship, Section};

/// Longest name typed on a request.
pub const NAME_MAX_CHARS: usize = 100;
/// Longest reason HIM gives for a denial or for ending a grant.
pub const REASON_MAX_CHARS: usize = 500;
/// Requests one account may submit per day (a form is not a way to probe who is a patient).
pub const REQUESTS_PER_DAY: i64 = 5;
/// The whole adult request: one signed form (at most a message attachment's size) and text.
pub const FORM_UPLOAD_MAX_BYTES: usize = crate::messages::ATTACHMENT_MAX_BYTES + 256 * 1024;
/// Longest note a teen adds to a restriction request.
pub const RESTRICTION_NOTE_MAX_CHARS: usize = 500;
/// Restriction requests one account may submit per day.
pub const RESTRICTIONS_PER_DAY: i64 = 5;
/// Rows in one page of "Who has seen my record".
pub const ACCESS_LOG_PAGE: i64 = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RequestKind {
    /// A parent or guardian asking for a child's chart (under 18).
    Minor,
    /// Someone with a legal right asking for an adult's chart, with a signed form.
    Adult,
}

impl RequestKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestKind::Minor => "minor",
            RequestKind::Adult => "adult",
        }
    }
    pub fn parse(s: &str) -> Option<RequestKind> {
        [RequestKind::Minor, RequestKind::Adult].into_iter().find(|k| k.as_str() == s)
    }

    /// Business days the Release of Information team has to decide, as the seed promises:
    /// adult forms "within 24-48 hours" (Monday to Friday), minor requests within four.
    pub fn business_days(self) -> u32 {
        match self {
            RequestKind::Minor => 4,
            RequestKind::Adult => 2,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RequestStatus {
    Pending,
    Approved,
    Denied,
}

impl RequestStatus {
    pub fn parse(s: &str) -> RequestStatus {
        match s {
            "approved" => RequestStatus::Approved,
            "denied" => RequestStatus::Denied,
            _ => RequestStatus::Pending,
        }
    }
}

/// A request as its requester (and HIM) sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProxyRequest {
    pub id: i64,
    pub kind: RequestKind,
    pub requester: String,
    pub patient_name: String,
    pub birth_date: String,
    pub relationship: Relationship,
    pub status: RequestStatus,
    pub submitted_on: String,
    /// "Within 4 business days".
    pub due_on: String,
    pub overdue: bool,
    pub decided_on: Option<String>,
    /// A denial's reason.
    pub reason: Option<String>,
    pub has_form: bool,
}

/// One grant, as the patient, the proxy or HIM sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GrantView {
    pub id: i64,
    pub proxy_name: String,
    pub patient_name: String,
    pub relationship: Relationship,
    pub kind: RequestKind,
    /// As granted (the patient or HIM may narrow them).
    pub sections: Vec<Section>,
    /// What the grant opens today: the teen view narrows a parent's from 13.
    pub sections_now: Vec<Section>,
    pub starts_on: String,
    pub ends_on: Option<String>,
    pub approved_by: Option<String>,
    /// In force today (not ended, not expired, not past 18 for a minor grant).
    pub in_force: bool,
    /// Narrowed to the teen view because the patient is 13–17.
    pub teen_view: bool,
}

/// The "Sharing" page: who may see my chart, whose charts I may see, my requests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sharing {
    /// Grants on the signed-in patient's own chart (empty without one).
    pub on_my_chart: Vec<GrantView>,
    /// An adult patient may narrow or end them; a teen sees them only.
    pub may_change: bool,
    /// Grants this account holds to other charts.
    pub mine: Vec<GrantView>,
    pub requests: Vec<ProxyRequest>,
    /// A teen's requests to narrow a grant on their chart, newest first.
    pub restrictions: Vec<Restriction>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RestrictionStatus {
    Pending,
    /// HIM took the sections off the grant (or ended it, when none were left).
    Applied,
    Declined,
}

impl RestrictionStatus {
    pub fn parse(s: &str) -> RestrictionStatus {
        match s {
            "applied" => RestrictionStatus::Applied,
            "declined" => RestrictionStatus::Declined,
            _ => RestrictionStatus::Pending,
        }
    }
}

/// A patient of 13–17 asking HIM to hide parts of their chart from a parent's grant (the
/// seed: parents have full access "except for information that has been restricted at the
/// request of the patient"). Decided like a minor's request, within 4 business days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Restriction {
    pub id: i64,
    pub grant_id: i64,
    pub patient_name: String,
    pub proxy_name: String,
    /// The sections to hide.
    pub sections: Vec<Section>,
    pub note: String,
    pub status: RestrictionStatus,
    pub submitted_on: String,
    pub due_on: String,
    pub overdue: bool,
    pub decided_on: Option<String>,
    /// A decline's reason.
    pub reason: Option<String>,
}

impl Restriction {
    /// Business days HIM has to decide: as a minor's request.
    pub const BUSINESS_DAYS: u32 = 4;
}

/// One line of "Who has seen my record".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessEntry {
    pub seq: i64,
    pub at: String,
    pub who: Accessor,
    pub section: Option<Section>,
    /// What was done: "chart-read", "message-sent", "chart-switch"…
    pub action: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Accessor {
    /// The patient themself.
    You,
    /// A clinician elsewhere reading what was shared with a share code (no account).
    ShareCode,
    /// Someone with a guarantor account's number and last name ("Pay as Guest").
    GuestPayer,
    /// A health app reading through the API (connected apps), linked by `linked_by`.
    App {
        app: String,
        linked_by: String,
    },
    Proxy {
        name: String,
    },
    Staff {
        name: String,
        role: crate::auth::Role,
    },
}

/// What HIM sees of a request: the request, and the charts it might be.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestReview {
    pub request: ProxyRequest,
    /// Patients born on the requested date whose name shares a word with the requested one.
    pub candidates: Vec<crate::staff::PatientMatch>,
    /// The patient it was matched to, once decided.
    pub matched: Option<String>,
}

/// Section names as a form sends them: `sections=home,visits` (the app's calls) or one
/// checkbox each, `sections[]=home&sections[]=visits` (a plain form post); either way the
/// comma-separated list that `api::parse_sections` checks.
pub type SectionNames = crate::input::NameList;
