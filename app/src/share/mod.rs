//! Share my record (the seed's "share"): a code a patient gives a clinician elsewhere. The
//! patient (or a proxy whose grant includes Documents) picks what, their health summary or
//! chosen visits, and for how long, one hour to seven days; the clinician opens `/share`,
//! types the code and the patient's date of birth, and reads a page with no account. The
//! patient sees each code, when and from where it was opened, and can end it at once.
//!
//! - `api`: the sharer's side (list, make, end), through `access::require(Documents)`.
//! - `viewer_api`: the clinician's side, through the share door (`access::open_share_code`,
//!   `access::open_shared`): every read is in the patient's "Who has seen my record".
//! - `link`, `link_api`: the same share as a SMART Health Link, for a health app (its QR
//!   code is shown with the new code), through the same door (`access::open_share_link`).
//! - Only a code's hash is stored; the sharer sees the code once, when it is made.
pub mod api;
#[cfg(feature = "ssr")]
pub mod link;
pub mod link_api;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod store;
pub mod viewer_api;
pub mod viewer_pages;

use serde::{Deserialize, Serialize};

/// What a share holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ShareScope {
    /// Problems, allergies, current medications, immunizations.
    Summary,
    /// The visits the sharer ticked, with their notes and results.
    Visits,
}

impl ShareScope {
    pub fn slug(self) -> &'static str {
        match self {
            ShareScope::Summary => "summary",
            ShareScope::Visits => "visits",
        }
    }

    pub fn from_slug(slug: &str) -> Option<ShareScope> {
        [ShareScope::Summary, ShareScope::Visits].into_iter().find(|s| s.slug() == slug)
    }
}

/// How long a code works: the choices the form offers, in hours (1 hour to 7 days).
pub const SHARE_HOURS: [i64; 4] = [1, 24, 72, 168];
/// Codes in use (not ended, not expired) one reader may hold on one chart.
pub const MAX_ACTIVE_SHARES: i64 = 20;
/// Visits in one share, as in one visit-records PDF.
pub const MAX_VISITS_PER_SHARE: usize = 50;
/// A share's views listed for the sharer (newest first).
pub const VIEWS_LISTED: usize = 20;

/// The code's alphabet: Crockford's base 32 (no I, L, O, U: nothing to misread on the
/// phone). 12 characters carry 60 random bits.
pub const CODE_ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
pub const CODE_LENGTH: usize = 12;

/// "7KQ2M9XD4TPA" as it is shown and read aloud: "7KQ2-M9XD-4TPA".
pub fn grouped(code: &str) -> String {
    code.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join("-")
}

/// A code as typed, as stored: dashes and spaces dropped, upper case, and the letters
/// Crockford reads as digits (O as 0, I and L as 1). None when it cannot be a code.
pub fn normalised(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !matches!(c, '-' | ' ' | '\t'))
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect();
    let valid = code.len() == CODE_LENGTH && code.bytes().all(|b| CODE_ALPHABET.contains(&b));
    valid.then_some(code)
}

/// One opening of a code, for its sharer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareViewLine {
    /// "2026-11-30 14:05", the clinic's clock.
    pub at: String,
    pub from: String,
    pub browser: String,
}

/// A share as its sharer sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareLine {
    pub id: i64,
    /// Who made it: the patient sees a proxy's codes of their chart too.
    pub made_by: String,
    pub scope: ShareScope,
    pub visits: usize,
    /// The code's last four characters: enough to tell codes apart, not to use one.
    pub hint: String,
    pub created: String,
    pub expires: String,
    /// Neither ended nor expired.
    pub active: bool,
    pub ended: bool,
    pub views: Vec<ShareViewLine>,
}

/// The sharer's page: what they may share, the visits they may pick, their codes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharePage {
    pub may_share_summary: bool,
    /// (id, "2026-11-24 - Lab visit - Blood draw"), newest first.
    pub visits: Vec<(i64, String)>,
    pub shares: Vec<ShareLine>,
    /// The code made a moment ago, shown this once.
    pub just_made: Option<NewShare>,
}

/// A share just made: its code and its SMART Health Link, shown once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewShare {
    pub code: String,
    pub expires: String,
    /// The `shlink:/` text, and its QR code (SVG).
    pub link: String,
    pub link_qr: String,
}

/// One visit as the clinician reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedVisit {
    pub when: String,
    pub kind: String,
    pub department: String,
    pub provider: Option<String>,
    pub reason: String,
    pub summary: Option<String>,
    pub note: Option<String>,
    /// "Hemoglobin A1c (HbA1c): 7.4 % [H]".
    pub results: Vec<String>,
}

/// What the clinician reads: who, until when, and the part shared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedRecord {
    pub org: String,
    pub patient_name: String,
    pub birth_date: String,
    pub expires: String,
    /// Summary shares: each list, or None when the sharer may not show it.
    pub problems: Option<Vec<String>>,
    pub allergies: Option<Vec<String>>,
    pub medications: Option<Vec<String>>,
    pub immunizations: Option<Vec<String>>,
    pub visits: Option<Vec<SharedVisit>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back_however_they_are_typed() {
        assert_eq!(grouped("7KQ2M9XD4TPA"), "7KQ2-M9XD-4TPA");
        assert_eq!(normalised(" 7kq2-m9xd-4tpa ").as_deref(), Some("7KQ2M9XD4TPA"));
        assert_eq!(normalised("OIL2-M9XD-4TPA").as_deref(), Some("0112M9XD4TPA"));
        for junk in ["", "7KQ2-M9XD", "7KQ2-M9XD-4TPAX", "7KQ2-M9XD-4TP!", "UUUU-UUUU-UUUU"] {
            assert_eq!(normalised(junk), None, "{junk}");
        }
    }
}
