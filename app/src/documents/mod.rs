//! The document center: one list of what a chart holds as documents (the seed's "View,
//! download or share your record for a specific visit … documents our organization has on
//! file for you … Patient Forms"), each downloadable as a PDF.
//!
//! - Visit records: a finished visit with what belongs to it (After Visit Summary, progress
//!   note, its released results), made into a PDF when asked for, one visit or several.
//! - Documents on file: what staff posted to the chart (discharge summaries, operative
//!   reports, letters; `documents` table), and the immunization record made from the chart.
//! - Forms: blank forms to fill in (the adult proxy authorization the Sharing page asks for).
//!
//! Visit records and requested copies come as a PDF or as a FHIR R4 bundle (`fhir`), made
//! from the same contents.
//!
//! Everything here is reached through `Section::Documents`: a proxy without it sees no menu
//! entry and is refused, and a proxy never sees a confidential visit or document.
pub mod api;
#[cfg(feature = "ssr")]
pub mod copy;
pub mod export;
pub mod export_pages;
#[cfg(feature = "ssr")]
pub mod export_store;
#[cfg(feature = "ssr")]
pub(crate) mod fhir;
pub mod pages;
#[cfg(feature = "ssr")]
mod records;
pub mod request_api;
pub mod request_pages;
#[cfg(feature = "ssr")]
pub mod request_store;
pub mod staff_api;
pub mod staff_pages;
#[cfg(feature = "ssr")]
pub mod store;

#[cfg(feature = "ssr")]
pub use records::result_line;
use serde::{Deserialize, Serialize};

/// A document staff post: one file, PDF or image, at most 20 MB; and the whole form.
pub const POST_FILE_MAX_BYTES: usize = 20 * 1024 * 1024;
pub const POST_UPLOAD_MAX_BYTES: usize = POST_FILE_MAX_BYTES + 64 * 1024;
/// A posted document's title and source, in characters.
pub const TITLE_MAX_CHARS: usize = 200;
pub const SOURCE_MAX_CHARS: usize = 120;
/// The kinds of posted document, as stored (`documents.kind`).
pub const POSTED_KINDS: [&str; 4] = ["discharge-summary", "operative-report", "letter", "other"];

/// Entries per page of the list.
pub const PAGE_SIZE: usize = 20;
/// At most this many visits in one visit-records PDF.
pub const MAX_VISITS_PER_RECORD: usize = 50;

/// The list's filters ("kinds" in the issue): which shelf an entry is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Shelf {
    VisitRecords,
    Requested,
    OnFile,
    Forms,
}

impl Shelf {
    pub const ALL: [Shelf; 4] = [Shelf::VisitRecords, Shelf::Requested, Shelf::OnFile, Shelf::Forms];

    pub fn slug(self) -> &'static str {
        match self {
            Shelf::VisitRecords => "visit-records",
            Shelf::Requested => "requested",
            Shelf::OnFile => "on-file",
            Shelf::Forms => "forms",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Shelf> {
        Shelf::ALL.into_iter().find(|s| s.slug() == slug)
    }
}

/// What an entry is, for its label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EntryKind {
    Visit,
    /// A copy of the record the reader asked for, made by Health Information Management.
    RequestedCopy,
    DischargeSummary,
    OperativeReport,
    Letter,
    Other,
    ImmunizationRecord,
    AdultProxyForm,
    /// The clinic's HIPAA Notice of Privacy Practices (configured; the same for everyone).
    PrivacyNotice,
    /// The signed form of an adult proxy authorization on this chart.
    ProxyAuthorization,
    /// A statement of one of the chart's guarantor accounts (billing).
    BillingStatement,
    /// An estimate the billing office posted on one of the chart's accounts.
    BillingEstimate,
}

impl EntryKind {
    pub fn shelf(self) -> Shelf {
        match self {
            EntryKind::Visit => Shelf::VisitRecords,
            EntryKind::RequestedCopy => Shelf::Requested,
            EntryKind::AdultProxyForm => Shelf::Forms,
            _ => Shelf::OnFile,
        }
    }

    /// As stored in `documents.kind` (posted documents only).
    pub fn from_stored(kind: &str) -> EntryKind {
        match kind {
            "discharge-summary" => EntryKind::DischargeSummary,
            "operative-report" => EntryKind::OperativeReport,
            "letter" => EntryKind::Letter,
            _ => EntryKind::Other,
        }
    }
}

/// Which document a download asks for. Sent as text ("visit-12", "file-3",
/// "immunizations", "form-adult-proxy"): an id is looked up within the open chart, never
/// trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentRef {
    Visit(i64),
    OnFile(i64),
    Request(i64),
    Immunizations,
    AdultProxyForm,
    PrivacyNotice,
    /// A signed proxy authorization (the request's id).
    Authorization(i64),
    /// A billing statement of the chart's guarantor accounts.
    Statement(i64),
    /// A billing estimate on one of the chart's accounts.
    Estimate(i64),
}

impl DocumentRef {
    pub fn key(self) -> String {
        match self {
            DocumentRef::Visit(id) => format!("visit-{id}"),
            DocumentRef::OnFile(id) => format!("file-{id}"),
            DocumentRef::Request(id) => format!("request-{id}"),
            DocumentRef::Immunizations => "immunizations".into(),
            DocumentRef::AdultProxyForm => "form-adult-proxy".into(),
            DocumentRef::PrivacyNotice => "org-privacy-notice".into(),
            DocumentRef::Authorization(id) => format!("authorization-{id}"),
            DocumentRef::Statement(id) => format!("statement-{id}"),
            DocumentRef::Estimate(id) => format!("estimate-{id}"),
        }
    }

    pub fn parse(key: &str) -> Option<DocumentRef> {
        let id = |rest: &str| rest.parse::<i64>().ok().filter(|id| *id > 0);
        match key {
            "immunizations" => Some(DocumentRef::Immunizations),
            "form-adult-proxy" => Some(DocumentRef::AdultProxyForm),
            "org-privacy-notice" => Some(DocumentRef::PrivacyNotice),
            _ => {
                if let Some(rest) = key.strip_prefix("visit-") {
                    id(rest).map(DocumentRef::Visit)
                } else if let Some(rest) = key.strip_prefix("request-") {
                    id(rest).map(DocumentRef::Request)
                } else if let Some(rest) = key.strip_prefix("authorization-") {
                    id(rest).map(DocumentRef::Authorization)
                } else if let Some(rest) = key.strip_prefix("statement-") {
                    id(rest).map(DocumentRef::Statement)
                } else if let Some(rest) = key.strip_prefix("estimate-") {
                    id(rest).map(DocumentRef::Estimate)
                } else {
                    key.strip_prefix("file-").and_then(id).map(DocumentRef::OnFile)
                }
            }
        }
    }
}

/// One line of the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentEntry {
    /// `DocumentRef::key`: what the download button sends.
    pub key: String,
    pub kind: EntryKind,
    /// A posted document's own title, a visit's kind and reason; empty for the generated
    /// ones (their label is the kind's, in the page's language).
    pub title: String,
    /// YYYY-MM-DD (the clinic's day); empty for a blank form.
    pub date: String,
    /// Where it comes from: a department, a clinician.
    pub source: String,
}

/// One page of the list, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentList {
    pub entries: Vec<DocumentEntry>,
    /// 1-based.
    pub page: usize,
    pub pages: usize,
    pub total: usize,
}

/// What a copy of the record can hold; a request names the parts it wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RecordPart {
    Problems,
    Allergies,
    Medications,
    Immunizations,
    Visits,
    Results,
}

impl RecordPart {
    pub const ALL: [RecordPart; 6] = [
        RecordPart::Problems,
        RecordPart::Allergies,
        RecordPart::Medications,
        RecordPart::Immunizations,
        RecordPart::Visits,
        RecordPart::Results,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            RecordPart::Problems => "problems",
            RecordPart::Allergies => "allergies",
            RecordPart::Medications => "medications",
            RecordPart::Immunizations => "immunizations",
            RecordPart::Visits => "visits",
            RecordPart::Results => "results",
        }
    }

    pub fn from_slug(slug: &str) -> Option<RecordPart> {
        RecordPart::ALL.into_iter().find(|p| p.slug() == slug)
    }

    /// The section a proxy needs to ask for this part: a copy holds no more than the
    /// reader may see on the pages.
    pub fn section(self) -> crate::access::Section {
        use crate::access::Section;
        match self {
            RecordPart::Problems | RecordPart::Allergies | RecordPart::Immunizations => {
                Section::HealthSummary
            }
            RecordPart::Medications => Section::Medications,
            RecordPart::Visits => Section::Visits,
            RecordPart::Results => Section::Results,
        }
    }

    /// "problems,visits" (unknown names dropped), in the order of `ALL`.
    pub fn parse_list(text: &str) -> Vec<RecordPart> {
        let named: Vec<&str> = text.split(',').map(str::trim).collect();
        RecordPart::ALL.into_iter().filter(|p| named.contains(&p.slug())).collect()
    }

    pub fn join(parts: &[RecordPart]) -> String {
        parts.iter().map(|p| p.slug()).collect::<Vec<_>>().join(",")
    }
}

/// The format a record is downloaded in: a PDF to read and print, or FHIR R4 JSON (a
/// Bundle) for another clinic's system or a health app. Both hold the same facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum CopyFormat {
    #[default]
    Pdf,
    Fhir,
}

impl CopyFormat {
    pub const ALL: [CopyFormat; 2] = [CopyFormat::Pdf, CopyFormat::Fhir];

    pub fn slug(self) -> &'static str {
        match self {
            CopyFormat::Pdf => "pdf",
            CopyFormat::Fhir => "fhir",
        }
    }

    pub fn from_slug(slug: &str) -> Option<CopyFormat> {
        CopyFormat::ALL.into_iter().find(|f| f.slug() == slug)
    }

    /// As a form sends it: none said is a PDF (the first choice, and what a form without
    /// the choice meant); an unknown one is None (a forged form).
    pub fn from_form(sent: &str) -> Option<CopyFormat> {
        if sent.is_empty() {
            Some(CopyFormat::Pdf)
        } else {
            CopyFormat::from_slug(sent)
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            CopyFormat::Pdf => "application/pdf",
            CopyFormat::Fhir => "application/fhir+json",
        }
    }
}

/// How long a whole-record archive is kept for its reader to download.
pub const EXPORT_HOURS: i64 = 24;

/// Where the reader's newest whole-record archive stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExportStatus {
    /// In the making: 0 to 100.
    Working {
        progress: i64,
    },
    Ready {
        id: i64,
        until: String,
        kilobytes: i64,
    },
    Expired,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportView {
    /// None: never asked for.
    pub status: Option<ExportStatus>,
}

/// The longest reason a request may give.
pub const REQUEST_REASON_MAX_CHARS: usize = 500;
/// HIPAA's limit for answering a request for access: 30 days.
pub const REQUEST_DUE_DAYS: i64 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RequestStatus {
    Pending,
    Fulfilled,
    Declined,
    /// A proxy's copy withdrawn: part of the chart became confidential after it was made.
    Withdrawn,
}

impl RequestStatus {
    pub fn parse(text: &str, withdrawn: bool) -> RequestStatus {
        match text {
            "fulfilled" if withdrawn => RequestStatus::Withdrawn,
            "fulfilled" => RequestStatus::Fulfilled,
            "declined" => RequestStatus::Declined,
            _ => RequestStatus::Pending,
        }
    }
}

/// Part of the chart has just become confidential: the copies and archives made for its
/// proxies (at their visibility, when that part was not confidential) are withdrawn.
#[cfg(feature = "ssr")]
pub async fn withdraw_proxy_snapshots(
    chart: &crate::access::ChartScope,
    now: i64,
) -> Result<u64, sqlx::Error> {
    let copies = request_store::withdraw_for_proxies(chart, now).await?;
    Ok(copies + export_store::withdraw_for_proxies(chart, now).await?)
}

/// One of the reader's own requests for a copy, as they see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordRequestView {
    pub id: i64,
    pub status: RequestStatus,
    /// YYYY-MM-DD, the clinic's days.
    pub requested_on: String,
    pub due_on: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub parts: Vec<RecordPart>,
    pub format: CopyFormat,
    pub reason: String,
    pub decline_reason: Option<String>,
}

/// A pending request in HIM's queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedRequest {
    pub id: i64,
    pub patient_name: String,
    pub mrn: String,
    pub birth_date: String,
    pub requester: String,
    pub as_proxy: bool,
    pub requested_on: String,
    pub due_on: String,
    pub overdue: bool,
    pub from: Option<String>,
    pub to: Option<String>,
    pub parts: Vec<RecordPart>,
    pub format: CopyFormat,
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_go_to_text_and_back_and_junk_is_refused() {
        for r in [
            DocumentRef::Visit(12),
            DocumentRef::OnFile(3),
            DocumentRef::Immunizations,
            DocumentRef::AdultProxyForm,
            DocumentRef::PrivacyNotice,
            DocumentRef::Authorization(7),
            DocumentRef::Statement(8),
            DocumentRef::Estimate(9),
        ] {
            assert_eq!(DocumentRef::parse(&r.key()), Some(r));
        }
        for junk in ["", "visit-", "visit-x", "visit--1", "visit-0", "file-1.5", "form", "../etc"] {
            assert_eq!(DocumentRef::parse(junk), None, "{junk}");
        }
    }

    #[test]
    fn every_shelf_has_a_slug_that_reads_back() {
        for shelf in Shelf::ALL {
            assert_eq!(Shelf::from_slug(shelf.slug()), Some(shelf));
        }
        assert_eq!(Shelf::from_slug("everything"), None);
    }

    #[test]
    fn parts_read_back_in_their_order_and_unknown_ones_are_dropped() {
        let parts = RecordPart::parse_list("results, visits,x,problems");
        assert_eq!(parts, [RecordPart::Problems, RecordPart::Visits, RecordPart::Results]);
        assert_eq!(RecordPart::parse_list(&RecordPart::join(&RecordPart::ALL)), RecordPart::ALL);
    }
}
