//! Requests for a copy of the record, from the reader's side: what they may ask for, their
//! requests with their status, and a new request (a plain form post, answered by sending
//! the browser back to the page).
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::{request_store, CopyFormat, RequestStatus, REQUEST_DUE_DAYS, REQUEST_REASON_MAX_CHARS};
use super::{RecordPart, RecordRequestView};
#[cfg(feature = "ssr")]
use crate::{
    access::{self, ChartScope, Section},
    dates::{parse_date, DAY_MS},
    problem::Problem,
};
use crate::{error::AppError, input::NameList};
use serde::{Deserialize, Serialize};

/// The request page: the parts this reader may ask for, and their requests, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestPage {
    pub allowed: Vec<RecordPart>,
    pub requests: Vec<RecordRequestView>,
}

#[server(endpoint = "documents/requests")]
pub async fn record_requests() -> Result<RequestPage, AppError> {
    let chart = access::require(Section::Documents, "documents.requests").await?;
    let clock = &chart.state().clock;
    let requests = request_store::mine(&chart)
        .await?
        .into_iter()
        .map(|r| RecordRequestView {
            id: r.id,
            status: RequestStatus::parse(&r.status, r.withdrawn_at.is_some()),
            requested_on: clock.date_of(r.created_at),
            due_on: clock.date_of(r.due_at),
            from: r.from_date,
            to: r.to_date,
            parts: RecordPart::parse_list(&r.parts),
            format: CopyFormat::from_slug(&r.format).unwrap_or_default(),
            reason: r.reason,
            decline_reason: r.decline_reason,
        })
        .collect();
    Ok(RequestPage { allowed: allowed_parts(&chart), requests })
}

/// A copy holds no more than the reader may see on the pages.
#[cfg(feature = "ssr")]
fn allowed_parts(chart: &ChartScope) -> Vec<RecordPart> {
    RecordPart::ALL.into_iter().filter(|p| chart.may(p.section())).collect()
}

/// Files a request for a copy: the parts (`parts[]`), an optional date range (YYYY-MM-DD,
/// either end open), the format (a PDF, or FHIR), an optional reason. One waiting request
/// per reader and chart.
#[server(endpoint = "documents/request_copy")]
pub async fn request_copy(
    #[server(default)] parts: NameList,
    #[server(default)] from: String,
    #[server(default)] to: String,
    #[server(default)] format: String,
    #[server(default)] reason: String,
) -> Result<(), AppError> {
    let chart = access::require(Section::Documents, "documents.request_copy").await?;
    let parts = chosen_parts(&chart, &parts)?;
    let format =
        CopyFormat::from_form(&format).ok_or_else(|| AppError::invalid("format", Problem::BadRequest))?;
    let (from, to) = date_range(&from, &to)?;
    let reason =
        crate::input::bounded(&reason, REQUEST_REASON_MAX_CHARS, None, Problem::DocumentsReasonTooLong)
            .map_err(|p| AppError::invalid("reason", p))?;
    let now = chart.state().clock.now_ms();
    let new = request_store::NewRequest {
        from_date: from.as_deref(),
        to_date: to.as_deref(),
        parts: &RecordPart::join(&parts),
        format: format.slug(),
        reason: &reason,
        now,
        due_at: now + REQUEST_DUE_DAYS * DAY_MS,
    };
    let id = request_store::insert(&chart, &new)
        .await?
        .ok_or_else(|| AppError::invalid("form", Problem::DocumentsRequestPending))?;
    chart.audit_write(Section::Documents, "record-copy-requested", &format!("request={id}")).await?;
    leptos_axum::redirect("/documents/request?sent=1");
    Ok(())
}

/// At least one part, each one the reader may see (the form offers no other: another is a
/// forged form, refused).
#[cfg(feature = "ssr")]
fn chosen_parts(chart: &ChartScope, names: &NameList) -> Result<Vec<RecordPart>, AppError> {
    let mut parts = Vec::new();
    for name in names.names() {
        let part =
            RecordPart::from_slug(name).ok_or_else(|| AppError::invalid("parts", Problem::BadRequest))?;
        if !chart.may(part.section()) {
            return Err(AppError::Forbidden);
        }
        parts.push(part);
    }
    let parts: Vec<RecordPart> = RecordPart::ALL.into_iter().filter(|p| parts.contains(p)).collect();
    if parts.is_empty() {
        return Err(AppError::invalid("parts", Problem::DocumentsChoosePart));
    }
    Ok(parts)
}

/// Both ends optional; a given end must be a date, and the range must not run backwards.
#[cfg(feature = "ssr")]
pub(super) fn date_range(from: &str, to: &str) -> Result<(Option<String>, Option<String>), AppError> {
    let read = |field: &str, text: &str| -> Result<Option<String>, AppError> {
        match text.trim() {
            "" => Ok(None),
            day => parse_date(day)
                .map(|d| Some(d.to_string()))
                .ok_or_else(|| AppError::invalid(field, Problem::DocumentsBadDate)),
        }
    };
    let (from, to) = (read("from", from)?, read("to", to)?);
    if let (Some(start), Some(end)) = (&from, &to) {
        if start > end {
            return Err(AppError::invalid("to", Problem::DocumentsDatesBackwards));
        }
    }
    Ok((from, to))
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn dates_are_optional_checked_and_in_order() {
        assert_eq!(date_range("", "").unwrap(), (None, None));
        assert_eq!(date_range(" 2026-01-02 ", "").unwrap(), (Some("2026-01-02".into()), None));
        let backwards = date_range("2026-02-01", "2026-01-01").unwrap_err();
        assert_eq!(backwards.field_problem("to"), Some(Problem::DocumentsDatesBackwards));
        let junk = date_range("01/02/2026", "").unwrap_err();
        assert_eq!(junk.field_problem("from"), Some(Problem::DocumentsBadDate));
    }
}
