//! Health Information Management's side of requests for a copy: the queue (the soonest due
//! first) and the answer, a copy made from the chart as the requester may see it, or a
//! reason it is declined. Both are plain form posts that send HIM back to the queue.
use leptos::prelude::*;
use server_fn::codec::{MultipartData, MultipartFormData};

use super::QueuedRequest;
#[cfg(feature = "ssr")]
use super::{copy, request_store, CopyFormat, RecordPart};
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::{
    access::{self, Need, Section, StaffAccess, Visibility},
    infra::mail_language::MailLanguage,
    notices::{send, NoticeKind},
    problem::Problem,
};

#[cfg(feature = "ssr")]
async fn him() -> Result<StaffAccess, AppError> {
    access::staff(Need::Him).await
}

/// The longest reason HIM may give for declining.
pub const DECLINE_REASON_MAX_CHARS: usize = 500;

#[server(endpoint = "staff/records/queue")]
pub async fn record_request_queue() -> Result<Vec<QueuedRequest>, AppError> {
    let staff = him().await?;
    let unseen = request_store::pending_queue(&staff).await?;
    let rows = staff.show(unseen, Section::Documents, "staff.records.queue").await?;
    let clock = &staff.state().clock;
    let now = clock.now_ms();
    Ok(rows
        .into_iter()
        .map(|row| {
            let r = row.request;
            QueuedRequest {
                id: r.id,
                patient_name: format!("{}, {}", row.family_name, row.given_name),
                mrn: row.mrn,
                birth_date: row.birth_date,
                requester: row.requester,
                as_proxy: row.max_confidential == 0,
                requested_on: clock.date_of(r.created_at),
                due_on: clock.date_of(r.due_at),
                overdue: r.due_at < now,
                from: r.from_date,
                to: r.to_date,
                parts: RecordPart::parse_list(&r.parts),
                format: CopyFormat::from_slug(&r.format).unwrap_or_default(),
                reason: r.reason,
            }
        })
        .collect())
}

/// Makes the copy the request asks for, as its requester may see the chart now (a proxy's
/// has nothing confidential, and only the parts their grant still shows; a requester who
/// lost access gets none: HIM declines), stores it with the parts it holds and tells the
/// requester by e-mail (which says only that a request was answered).
#[server(endpoint = "staff/records/fulfil")]
pub async fn fulfil_record_request(id: i64) -> Result<(), AppError> {
    let staff = him().await?;
    let (request, chart, parts) = requesters_chart(&staff, id, "staff.records.fulfil").await?;
    let span = copy::Span { from: request.from_date.as_deref(), to: request.to_date.as_deref() };
    let lang = MailLanguage::of_user(staff.db(), request.requested_by).await?;
    let format = CopyFormat::from_slug(&request.format).unwrap_or_default();
    let file = copy::record_file(&chart, &parts, span, format, lang).await?;
    let answer = Answer {
        request_id: id,
        media_type: format.media_type(),
        bytes: &file,
        detail: format!("request={id}"),
    };
    answered(&staff, &chart, &request, &parts, answer).await
}

/// Answers a request with a file HIM made elsewhere (a scan of paper records, a copy out of
/// another system): one PDF, by its bytes, at most 20 MB, for a requester who still
/// reaches the chart's Documents, as for a copy made here. What it holds is HIM's to
/// check: the form reminds them that a proxy's copy holds nothing confidential. The
/// request is named in the address (`?request=`), so that a problem with the file is said
/// at that request's file field (`file-<id>`).
#[server(endpoint = "staff/records/fulfil_file", input = MultipartFormData)]
pub async fn fulfil_record_request_with_file(data: MultipartData) -> Result<(), AppError> {
    use super::POST_FILE_MAX_BYTES;
    use crate::messages::upload::{read_form_within, FileLimits};
    let staff = him().await?;
    let id: i64 = crate::infra::query_value("request")
        .and_then(|id| id.trim().parse().ok())
        .ok_or_else(|| AppError::invalid("form", Problem::BadRequest))?;
    let field = format!("file-{id}");
    let at_field = |error: AppError| match error {
        AppError::Invalid { field: f, problem } if f == "attachments" => AppError::invalid(&field, problem),
        other => other,
    };
    let limits =
        FileLimits { files: 1, bytes_per_file: POST_FILE_MAX_BYTES, too_big: Problem::DocumentsFileTooBig };
    let form = data.into_inner().ok_or(AppError::Unavailable)?;
    let (_, mut files) = read_form_within(form, &[], limits).await.map_err(at_field)?;
    let file = files.pop().ok_or_else(|| AppError::invalid(&field, Problem::DocumentsChooseFile))?;
    if file.media_type != "application/pdf" {
        return Err(AppError::invalid(&field, Problem::DocumentsCopyNotPdf));
    }
    let (request, chart, parts) = requesters_chart(&staff, id, "staff.records.fulfil_file").await?;
    let answer = Answer {
        request_id: id,
        media_type: file.media_type,
        bytes: &file.bytes,
        detail: format!("request={id} uploaded"),
    };
    answered(&staff, &chart, &request, &parts, answer).await
}

/// The pending request `id`, the chart as its requester may see it today (a grant may have
/// narrowed or ended since they asked, a child turned 13), and the parts asked for that
/// they may still see; a requester who sees none of it is refused (HIM declines).
#[cfg(feature = "ssr")]
async fn requesters_chart(
    staff: &StaffAccess,
    id: i64,
    what: &str,
) -> Result<(request_store::PendingRequest, access::ChartScope, Vec<RecordPart>), AppError> {
    let request = request_store::pending(staff.db(), id)
        .await?
        .ok_or_else(|| AppError::invalid("form", Problem::DocumentsAlreadyAnswered))?;
    let what = format!("{what} id={id}");
    let chart = staff
        .open_chart_for(request.patient_id, request.requested_by, Section::Documents, &what)
        .await?
        .ok_or_else(|| AppError::invalid("form", Problem::DocumentsRequesterNoAccess))?;
    let widened = request.max_confidential == 0 && chart.visibility() == Visibility::Everything;
    if widened || !chart.may(Section::Documents) {
        return Err(AppError::invalid("form", Problem::DocumentsRequesterNoAccess));
    }
    let parts: Vec<RecordPart> =
        RecordPart::parse_list(&request.parts).into_iter().filter(|p| chart.may(p.section())).collect();
    if parts.is_empty() {
        return Err(AppError::invalid("form", Problem::DocumentsRequesterNoAccess));
    }
    Ok((request, chart, parts))
}

/// The file that answers a request, and what the audit row says of it.
#[cfg(feature = "ssr")]
struct Answer<'a> {
    request_id: i64,
    media_type: &'a str,
    bytes: &'a [u8],
    detail: String,
}

/// Stores the answer (once: a request answered meanwhile is refused), audits it and tells
/// the requester, then sends HIM back to the queue.
#[cfg(feature = "ssr")]
async fn answered(
    staff: &StaffAccess,
    chart: &access::ChartScope,
    request: &request_store::PendingRequest,
    parts: &[RecordPart],
    answer: Answer<'_>,
) -> Result<(), AppError> {
    let now = staff.state().clock.now_ms();
    let stored = request_store::fulfil(
        chart,
        answer.request_id,
        &RecordPart::join(parts),
        answer.media_type,
        answer.bytes,
        now,
    )
    .await?;
    if !stored {
        return Err(AppError::invalid("form", Problem::DocumentsAlreadyAnswered));
    }
    chart.audit_write(Section::Documents, "record-copy-fulfilled", &answer.detail).await?;
    send::to_user(staff.state(), request.requested_by, NoticeKind::Document).await;
    leptos_axum::redirect("/staff/records?done=fulfilled");
    Ok(())
}

/// Declines a request with the reason the requester will read.
#[server(endpoint = "staff/records/decline")]
pub async fn decline_record_request(id: i64, #[server(default)] reason: String) -> Result<(), AppError> {
    let staff = him().await?;
    let (required, too_long) =
        (Some(Problem::DocumentsDeclineReasonRequired), Problem::DocumentsReasonTooLong);
    let reason = crate::input::bounded(&reason, DECLINE_REASON_MAX_CHARS, required, too_long)
        .map_err(|p| AppError::invalid("reason", p))?;
    let request = request_store::pending(staff.db(), id)
        .await?
        .ok_or_else(|| AppError::invalid("form", Problem::DocumentsAlreadyAnswered))?;
    let what = format!("staff.records.decline id={id}");
    let chart = staff.open_chart(request.patient_id, Section::Documents, &what).await?;
    let now = staff.state().clock.now_ms();
    if !request_store::decline(&chart, id, &reason, now).await? {
        return Err(AppError::invalid("form", Problem::DocumentsAlreadyAnswered));
    }
    chart.audit_write(Section::Documents, "record-copy-declined", &format!("request={id}")).await?;
    send::to_user(staff.state(), request.requested_by, NoticeKind::Document).await;
    leptos_axum::redirect("/staff/records?done=declined");
    Ok(())
}

/// A document posted to a chart (HIM, or a clinician within their patients): the chart by
/// its MRN, the kind, title, date (not in the future), where it comes from, whether it is
/// confidential (never shown to a proxy), and one file, a PDF or an image by its bytes, at
/// most 20 MB. Multipart (`attachment` is the file).
#[server(endpoint = "staff/documents/post", input = MultipartFormData)]
pub async fn post_document(data: MultipartData) -> Result<(), AppError> {
    use super::{POSTED_KINDS, POST_FILE_MAX_BYTES, SOURCE_MAX_CHARS, TITLE_MAX_CHARS};
    use crate::{
        input::bounded,
        messages::upload::{read_form_within, FileLimits},
    };
    // Who, before reading up to 20 MB of someone's upload.
    let staff = access::staff(Need::PostsDocuments).await?;
    let limits =
        FileLimits { files: 1, bytes_per_file: POST_FILE_MAX_BYTES, too_big: Problem::DocumentsFileTooBig };
    let fields = ["mrn", "kind", "title", "document_date", "source", "confidential"];
    let (mut text, mut files) =
        read_form_within(data.into_inner().ok_or(AppError::Unavailable)?, &fields, limits).await?;
    let mut take = |name: &str| text.remove(name).unwrap_or_default();
    let (mrn, kind, title, date, source, confidential) = (
        take("mrn"),
        take("kind"),
        take("title"),
        take("document_date"),
        take("source"),
        take("confidential"),
    );
    let kind = POSTED_KINDS
        .into_iter()
        .find(|k| *k == kind)
        .ok_or_else(|| AppError::invalid("kind", Problem::BadRequest))?;
    let title = bounded(
        &title,
        TITLE_MAX_CHARS,
        Some(Problem::DocumentsTitleRequired),
        Problem::DocumentsTitleTooLong,
    )
    .map_err(|p| AppError::invalid("title", p))?;
    let source = bounded(
        &source,
        SOURCE_MAX_CHARS,
        Some(Problem::DocumentsSourceRequired),
        Problem::DocumentsSourceTooLong,
    )
    .map_err(|p| AppError::invalid("source", p))?;
    let clock = &staff.state().clock;
    let date = crate::dates::parse_date(&date)
        .ok_or_else(|| AppError::invalid("document_date", Problem::DocumentsBadDate))?;
    if date > clock.today() {
        return Err(AppError::invalid("document_date", Problem::DocumentsDateInFuture));
    }
    let file = files.pop().ok_or_else(|| AppError::invalid("attachments", Problem::DocumentsChooseFile))?;
    let patient = crate::patients::store::patient_by_mrn(staff.db(), mrn.trim())
        .await?
        .ok_or_else(|| AppError::invalid("mrn", Problem::DocumentsUnknownMrn))?;
    let chart = staff.open_chart(patient.id, Section::Documents, "staff.documents.post").await?;
    let date = date.to_string();
    let new = super::store::NewDocument {
        patient_id: patient.id,
        kind,
        title: &title,
        document_date: &date,
        source: &source,
        confidential: confidential == "on",
        media_type: file.media_type,
        content: &file.bytes,
        posted_by: Some(staff.user_id()),
        posted_at: clock.now_ms(),
    };
    let id = super::store::post(&chart, &new).await?;
    chart.audit_write(Section::Documents, "document-posted", &format!("document={id}")).await?;
    leptos_axum::redirect("/staff/documents?posted=1");
    Ok(())
}
