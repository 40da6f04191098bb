//! Medications and prescription renewals: the patient asks for a renewal of a current
//! medication (one pending request per medication); a clinician approves (optionally
//! changing the refills) or denies with a reason; the patient sees the outcome on the
//! medication.
pub mod api;
pub mod pages;
pub mod staff_api;
pub mod staff_pages;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod view;

use serde::{Deserialize, Serialize};

pub const PHARMACY_MAX_CHARS: usize = 120;
pub const COMMENT_MAX_CHARS: usize = 1000;
pub const DENIAL_REASON_MAX_CHARS: usize = 500;
/// Refills a clinician may grant at once (a year of monthly fills).
pub const MAX_REFILLS: i64 = 11;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Medication {
    pub id: i64,
    pub name: String,
    pub dose: String,
    pub sig: String,
    pub prescriber: Option<String>,
    pub start_date: String,
    pub end_date: Option<String>,
    pub refills_remaining: i64,
    /// The latest renewal request for it, if any.
    pub renewal: Option<Renewal>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Renewal {
    pub id: i64,
    pub requested_on: String,
    pub pharmacy: String,
    pub status: RenewalStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RenewalStatus {
    Pending,
    Approved { refills: i64 },
    Denied { reason: String },
}

/// A pending request as the clinician sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenewalQueueRow {
    pub id: i64,
    pub patient: String,
    pub mrn: String,
    pub medication: String,
    pub sig: String,
    pub refills_remaining: i64,
    pub pharmacy: String,
    pub comment: String,
    pub requested_on: String,
    /// Asked by a proxy (not the patient's own account): their name.
    pub requested_by_proxy: Option<String>,
}
