//! Visits: upcoming appointments and past visits, with the After Visit Summary and the
//! progress note of a past visit when they were written.
pub mod api;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
mod view;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitSummary {
    pub id: i64,
    pub kind: String,
    /// "2026-12-03 09:30" in the clinic's time zone (PORTICO_TIME_ZONE, infra::clock).
    pub starts: String,
    pub provider: Option<String>,
    pub department: String,
    /// The department's phone, when configured.
    pub department_phone: Option<String>,
    pub reason: String,
    pub cancelled: bool,
    pub has_summary: bool,
    pub has_note: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visits {
    /// Soonest first.
    pub upcoming: Vec<VisitSummary>,
    /// Most recent first.
    pub past: Vec<VisitSummary>,
}

/// The After Visit Summary or the progress note of one visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum VisitDocKind {
    Summary,
    Note,
}

impl VisitDocKind {
    pub fn from_slug(slug: &str) -> Option<Self> {
        match slug {
            "summary" => Some(VisitDocKind::Summary),
            "note" => Some(VisitDocKind::Note),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitDocument {
    pub visit: VisitSummary,
    pub kind: VisitDocKind,
    pub text: String,
}
