//! "Request a copy of your record": the form (parts, dates, format, a reason) and the reader's
//! requests with their status. Server-rendered, plain form posts: it works before and
//! without the wasm.
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::{
    request_api::{record_requests, RequestCopy, RequestPage},
    CopyFormat, RecordPart, RecordRequestView, RequestStatus, REQUEST_DUE_DAYS, REQUEST_REASON_MAX_CHARS,
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

const REQUEST_PATH: &str = <RequestCopy as server_fn::ServerFn>::PATH;
const DOWNLOAD_PATH: &str = <super::api::DownloadDocument as server_fn::ServerFn>::PATH;

#[component]
pub fn RecordRequestPage() -> impl IntoView {
    let i18n = use_i18n();
    let page = Resource::new(|| (), |_| record_requests());
    let sent = use_query_map().read_untracked().get("sent").is_some();
    view! {
        <p><a href="/documents">{t!(i18n, documents.back)}</a></p>
        <h1>{t!(i18n, documents.request_title)}</h1>
        <p>{t_string!(i18n, documents.request_intro, days = REQUEST_DUE_DAYS).to_string()}</p>
        {sent.then(|| view! { <p role="status" class="success">{t!(i18n, documents.request_sent)}</p> })}
        <Loaded resource=page render={move |page: RequestPage| view! {
            <RequestForm allowed=page.allowed />
            <h2>{t!(i18n, documents.your_requests)}</h2>
            {if page.requests.is_empty() {
                view! { <p class="empty">{t!(i18n, documents.no_requests)}</p> }.into_any()
            } else {
                view! {
                    <ul class="document-list">
                        {page.requests.into_iter().map(|r| view! { <RequestRow request=r /> }).collect_view()}
                    </ul>
                }.into_any()
            }}
        }} />
    }
}

#[component]
fn RequestForm(allowed: Vec<RecordPart>) -> impl IntoView {
    let i18n = use_i18n();
    if allowed.is_empty() {
        // A proxy granted Documents alone: no part of the record to ask for.
        return view! { <p class="empty">{t!(i18n, documents.nothing_to_request)}</p> }.into_any();
    }
    let result = url_result::<RequestCopy, ()>();
    let parts_error = field_error(result, "parts");
    let reason = RwSignal::new(String::new());
    view! {
        <form method="post" action=REQUEST_PATH class="stack">
            <FormMessage message=form_error(result, &["parts", "from", "to", "reason"]) />
            <fieldset aria-describedby=move || parts_error.get().map(|_| "parts-error")>
                <legend>{t!(i18n, documents.parts_legend)}</legend>
                {allowed.into_iter().map(|part| {
                    let id = format!("part-{}", part.slug());
                    let label_for = id.clone();
                    view! {
                        <label for=label_for class="check">
                            <input type="checkbox" id=id name="parts[]" value=part.slug() checked=true />
                            {part_label(i18n, part)}
                        </label>
                    }
                }).collect_view()}
                {move || parts_error.get().map(|m| view! { <p class="field-error" id="parts-error">{m}</p> })}
            </fieldset>
            <fieldset>
                <legend>{t!(i18n, documents.dates_legend)}</legend>
                <p class="hint">{t!(i18n, documents.dates_hint)}</p>
                <TextField name="from" kind="date" required=false error=field_error(result, "from")>
                    {t!(i18n, documents.from)}
                </TextField>
                <TextField name="to" kind="date" required=false error=field_error(result, "to")>
                    {t!(i18n, documents.to)}
                </TextField>
            </fieldset>
            <TextArea name="reason" max_chars=REQUEST_REASON_MAX_CHARS required=false rows=3 bind=reason
                live_count=false error=field_error(result, "reason")>
                {t!(i18n, documents.reason)}
            </TextArea>
            <fieldset>
                <legend>{t!(i18n, documents.format_legend)}</legend>
                {CopyFormat::ALL.into_iter().map(|format| {
                    let id = format!("format-{}", format.slug());
                    let label_for = id.clone();
                    view! {
                        <label for=label_for class="check">
                            <input type="radio" id=id name="format" value=format.slug()
                                checked=format == CopyFormat::Pdf />
                            {format_label(i18n, format)}
                        </label>
                    }
                }).collect_view()}
            </fieldset>
            <button type="submit" class="primary">{t!(i18n, documents.send_request)}</button>
        </form>
    }
    .into_any()
}

#[component]
fn RequestRow(request: RecordRequestView) -> impl IntoView {
    let i18n = use_i18n();
    let (what, span) = (parts_text(i18n, &request.parts), span_text(i18n, &request.from, &request.to));
    let status = match request.status {
        RequestStatus::Pending => view! {
            <p>{t!(i18n, documents.status_pending)}" "<When iso=request.due_on.clone() /></p>
        }
        .into_any(),
        RequestStatus::Fulfilled => view! {
            <p>{t!(i18n, documents.status_ready)}</p>
            <form method="post" action=DOWNLOAD_PATH data-download="">
                <input type="hidden" name="key" value=super::DocumentRef::Request(request.id).key() />
                <button type="submit" class="secondary">
                    {t!(i18n, documents.download)}
                    <span class="visually-hidden">" " {t!(i18n, documents.kind_requested)} ", " {request.requested_on.clone()}</span>
                </button>
            </form>
        }
        .into_any(),
        RequestStatus::Declined => view! {
            <p>{t!(i18n, documents.status_declined)}" " {request.decline_reason.clone().unwrap_or_default()}</p>
        }
        .into_any(),
        RequestStatus::Withdrawn => view! { <p>{t!(i18n, documents.status_withdrawn)}</p> }.into_any(),
    };
    view! {
        <li class="document">
            <p class="document-title">
                <strong>{t!(i18n, documents.requested_on)}" "<When iso=request.requested_on.clone() /></strong>
            </p>
            <p class="muted">{what}" · "{span}" · "{format_name(i18n, request.format)}</p>
            {status}
        </li>
    }
}

/// "Visits and their notes, Test results".
pub(super) fn parts_text(i18n: leptos_i18n::I18nContext<Locale>, parts: &[RecordPart]) -> String {
    parts.iter().map(|p| part_label(i18n, *p)).collect::<Vec<_>>().join(", ")
}

/// "All dates", or "2025-01-01 – " with an open end left empty.
pub(super) fn span_text(
    i18n: leptos_i18n::I18nContext<Locale>,
    from: &Option<String>,
    to: &Option<String>,
) -> String {
    match (from, to) {
        (None, None) => t_string!(i18n, documents.all_dates).to_string(),
        (from, to) => format!("{} – {}", from.clone().unwrap_or_default(), to.clone().unwrap_or_default()),
    }
}

fn format_label(i18n: leptos_i18n::I18nContext<Locale>, format: CopyFormat) -> String {
    match format {
        CopyFormat::Pdf => t_string!(i18n, documents.format_pdf),
        CopyFormat::Fhir => t_string!(i18n, documents.format_fhir),
    }
    .to_string()
}

/// "PDF" or "FHIR", for a request's line.
pub(super) fn format_name(i18n: leptos_i18n::I18nContext<Locale>, format: CopyFormat) -> String {
    match format {
        CopyFormat::Pdf => t_string!(i18n, documents.format_short_pdf),
        CopyFormat::Fhir => t_string!(i18n, documents.format_short_fhir),
    }
    .to_string()
}

fn part_label(i18n: leptos_i18n::I18nContext<Locale>, part: RecordPart) -> String {
    match part {
        RecordPart::Problems => t_string!(i18n, documents.part_problems),
        RecordPart::Allergies => t_string!(i18n, documents.part_allergies),
        RecordPart::Medications => t_string!(i18n, documents.part_medications),
        RecordPart::Immunizations => t_string!(i18n, documents.part_immunizations),
        RecordPart::Visits => t_string!(i18n, documents.part_visits),
        RecordPart::Results => t_string!(i18n, documents.part_results),
    }
    .to_string()
}
