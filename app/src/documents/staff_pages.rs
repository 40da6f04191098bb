//! HIM's queue of requests for a copy of the record: the soonest due first, each with whom
//! it is for, who asked (a proxy's copy holds nothing confidential), what and why, and the
//! two answers. Plain form posts, back to this page.
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::{
    request_pages::{format_name, parts_text, span_text},
    staff_api::{
        record_request_queue, DeclineRecordRequest, FulfilRecordRequest, FulfilRecordRequestWithFile,
        PostDocument, DECLINE_REASON_MAX_CHARS,
    },
    EntryKind, QueuedRequest, SOURCE_MAX_CHARS, TITLE_MAX_CHARS,
};
use crate::{
    i18n::*,
    ui::{
        errors::{field_error, form_error, url_result},
        form::{FormMessage, TextArea, TextField},
        loaded::Loaded,
        when::When,
    },
};

const FULFIL_PATH: &str = <FulfilRecordRequest as server_fn::ServerFn>::PATH;
const DECLINE_PATH: &str = <DeclineRecordRequest as server_fn::ServerFn>::PATH;
const FULFIL_FILE_PATH: &str = <FulfilRecordRequestWithFile as server_fn::ServerFn>::PATH;

#[component]
pub fn RecordRequestQueuePage() -> impl IntoView {
    let i18n = use_i18n();
    let queue = Resource::new(|| (), |_| record_request_queue());
    let done = use_query_map().read_untracked().get("done");
    let fulfil = url_result::<FulfilRecordRequest, ()>();
    let decline = url_result::<DeclineRecordRequest, ()>();
    view! {
        <h1>{t!(i18n, documents.queue_title)}</h1>
        <p>{t!(i18n, documents.queue_intro)}</p>
        {done.map(|d| view! {
            <p role="status" class="success">
                {if d == "fulfilled" { t_string!(i18n, documents.queue_fulfilled) } else { t_string!(i18n, documents.queue_declined) }}
            </p>
        })}
        <FormMessage message=form_error(fulfil, &[]) />
        // A problem with a file is said at its request's file field; any other here.
        <FormMessage message=form_error(url_result::<FulfilRecordRequestWithFile, ()>(), &["file-*"]) />
        // Said once above the queue: the error does not say which row it came from.
        <FormMessage message=form_error(decline, &[]) />
        <Loaded resource=queue render={move |rows: Vec<QueuedRequest>| {
            if rows.is_empty() {
                return view! { <p class="empty">{t!(i18n, documents.queue_empty)}</p> }.into_any();
            }
            view! {
                <ul class="document-list">
                    {rows.into_iter().map(|r| view! { <QueuedRow request=r /> }).collect_view()}
                </ul>
            }.into_any()
        }} />
    }
}

#[component]
fn QueuedRow(request: QueuedRequest) -> impl IntoView {
    let i18n = use_i18n();
    let (what, span) = (parts_text(i18n, &request.parts), span_text(i18n, &request.from, &request.to));
    let requester = if request.as_proxy {
        t_string!(i18n, documents.queue_by_proxy, name = request.requester.clone()).to_string()
    } else {
        t_string!(i18n, documents.queue_by_patient, name = request.requester.clone()).to_string()
    };
    let id = request.id.to_string();
    // Every row has the same two buttons: their names say whose request they answer.
    let whose = format!(" ({}, {})", request.patient_name, request.mrn);
    let reason_id = format!("decline-reason-{}", request.id);
    let reason = RwSignal::new(String::new());
    let file_error =
        field_error(url_result::<FulfilRecordRequestWithFile, ()>(), format!("file-{}", request.id));
    let file_id = format!("copy-file-{}", request.id);
    let (hint_id, error_id) = (format!("{file_id}-hint"), format!("{file_id}-error"));
    let described_by = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || if file_error.get().is_some() { format!("{hint_id} {error_id}") } else { hint_id.clone() }
    };
    let upload_to = format!("{FULFIL_FILE_PATH}?request={}", request.id);
    view! {
        <li class="queued-request">
            <h2>{format!("{} ({}, {})", request.patient_name, request.mrn, request.birth_date)}</h2>
            <p>
                {t!(i18n, documents.queue_due)}" "<When iso=request.due_on.clone() />
                {request.overdue.then(|| view! { " "<strong>{t!(i18n, documents.queue_overdue)}</strong> })}
                " · "{requester}
            </p>
            <p>{what}" · "{span}" · "{format_name(i18n, request.format)}</p>
            {(!request.reason.is_empty()).then(|| view! { <p class="muted">{request.reason.clone()}</p> })}
            <div class="actions">
                <form method="post" action=FULFIL_PATH>
                    <input type="hidden" name="id" value=id.clone() />
                    <button type="submit" class="primary">
                        {t!(i18n, documents.queue_fulfil)}<span class="visually-hidden">{whose.clone()}</span>
                    </button>
                </form>
                <form method="post" action=upload_to enctype="multipart/form-data" class="stack">
                    <div class="field">
                        <label for=file_id.clone()>{t!(i18n, documents.queue_file_label)}</label>
                        <input type="file" id=file_id name="attachment" required accept="application/pdf"
                            aria-invalid=move || file_error.get().is_some().then_some("true")
                            aria-describedby=described_by />
                        <p class="hint" id=hint_id>{t!(i18n, documents.queue_file_hint)}</p>
                        {move || file_error.get().map(|m| view! { <p class="field-error" id=error_id.clone()>{m}</p> })}
                    </div>
                    <button type="submit">
                        {t!(i18n, documents.queue_send_file)}<span class="visually-hidden">{whose.clone()}</span>
                    </button>
                </form>
                <form method="post" action=DECLINE_PATH>
                    <input type="hidden" name="id" value=id />
                    <TextArea name="reason" id=reason_id max_chars=DECLINE_REASON_MAX_CHARS rows=2 bind=reason
                        live_count=false>
                        {t!(i18n, documents.queue_decline_reason)}
                    </TextArea>
                    <button type="submit">
                        {t!(i18n, documents.queue_decline)}<span class="visually-hidden">{whose}</span>
                    </button>
                </form>
            </div>
        </li>
    }
}

const POST_PATH: &str = <PostDocument as server_fn::ServerFn>::PATH;

/// Posting a document to a chart (HIM, clinicians): a multipart form the browser sends
/// itself (the client's navigation leaves multipart forms alone), back here with the
/// outcome.
#[component]
pub fn PostDocumentPage() -> impl IntoView {
    let i18n = use_i18n();
    let posted = use_query_map().read_untracked().get("posted").is_some();
    let result = url_result::<PostDocument, ()>();
    let file_error = field_error(result, "attachments");
    let kind_error = field_error(result, "kind");
    const FIELDS: &[&str] = &["mrn", "kind", "title", "document_date", "source", "attachments", "patient"];
    let kinds = [
        ("discharge-summary", EntryKind::DischargeSummary),
        ("operative-report", EntryKind::OperativeReport),
        ("letter", EntryKind::Letter),
        ("other", EntryKind::Other),
    ];
    view! {
        <h1>{t!(i18n, documents.post_title)}</h1>
        <p>{t!(i18n, documents.post_intro)}</p>
        {posted.then(|| view! { <p role="status" class="success">{t!(i18n, documents.post_done)}</p> })}
        <form method="post" action=POST_PATH enctype="multipart/form-data" class="stack">
            <FormMessage message=form_error(result, FIELDS) />
            <TextField name="mrn" error=Signal::derive(move || field_error(result, "mrn").get().or_else(|| field_error(result, "patient").get()))>
                {t!(i18n, documents.post_mrn)}
            </TextField>
            <div class="field">
                <label for="field-kind">{t!(i18n, documents.post_kind)}</label>
                <select id="field-kind" name="kind" required
                    aria-invalid=move || kind_error.get().is_some().then_some("true")
                    aria-describedby=move || kind_error.get().map(|_| "field-kind-error")>
                    {kinds.into_iter().map(|(value, kind)| view! {
                        <option value=value>{super::pages::kind_label(i18n, kind)}</option>
                    }).collect_view()}
                </select>
                {move || kind_error.get().map(|m| view! { <p class="field-error" id="field-kind-error">{m}</p> })}
            </div>
            <TextField name="title" maxlength=TITLE_MAX_CHARS error=field_error(result, "title")>
                {t!(i18n, documents.post_doc_title)}
            </TextField>
            <TextField name="document_date" kind="date" error=field_error(result, "document_date")>
                {t!(i18n, documents.post_date)}
            </TextField>
            <TextField name="source" maxlength=SOURCE_MAX_CHARS error=field_error(result, "source")>
                {t!(i18n, documents.post_source)}
            </TextField>
            <label for="field-confidential" class="check">
                <input type="checkbox" id="field-confidential" name="confidential" />
                {t!(i18n, documents.post_confidential)}
            </label>
            <div class="field">
                <label for="field-attachment">{t!(i18n, documents.post_file)}</label>
                <input type="file" id="field-attachment" name="attachment" required
                    accept="application/pdf,image/png,image/jpeg"
                    aria-invalid=move || file_error.get().is_some().then_some("true")
                    aria-describedby=move || if file_error.get().is_some() { "field-attachment-hint field-attachment-error" } else { "field-attachment-hint" } />
                <p class="hint" id="field-attachment-hint">{t!(i18n, documents.post_file_hint)}</p>
                {move || file_error.get().map(|m| view! { <p class="field-error" id="field-attachment-error">{m}</p> })}
            </div>
            <button type="submit" class="primary">{t!(i18n, documents.post_submit)}</button>
        </form>
    }
}
