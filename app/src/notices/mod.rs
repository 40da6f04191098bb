//! E-mail notices: "something is waiting for you in Portico", never what it is (no PHI in
//! mail). Each person chooses which kinds they get (on by default); a proxy's choices are
//! their own. The notices go out after the change they announce is committed, and a mail
//! failure is logged and loses nothing.
pub mod api;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod reminders_due;
#[cfg(feature = "ssr")]
pub mod send;
#[cfg(feature = "ssr")]
pub mod store;

use serde::{Deserialize, Serialize};

/// What a notice announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NoticeKind {
    /// A reply or a new message from the care team (or billing, support, records).
    Message,
    /// A test result released to the chart.
    Result,
    /// A medication renewal request answered.
    Renewal,
    /// A request for proxy access decided.
    Access,
    /// A health reminder (a vaccine, a screening test) has come due.
    Reminder,
    /// A requested copy of the record is ready (or the request was declined).
    Document,
}

impl NoticeKind {
    pub const ALL: [NoticeKind; 6] = [
        NoticeKind::Message,
        NoticeKind::Result,
        NoticeKind::Reminder,
        NoticeKind::Renewal,
        NoticeKind::Access,
        NoticeKind::Document,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::Message => "message",
            NoticeKind::Result => "result",
            NoticeKind::Renewal => "renewal",
            NoticeKind::Access => "access",
            NoticeKind::Reminder => "reminder",
            NoticeKind::Document => "document",
        }
    }

    pub fn parse(s: &str) -> Option<NoticeKind> {
        NoticeKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One kind and whether this person gets it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoticeChoice {
    pub kind: NoticeKind,
    pub on: bool,
}
