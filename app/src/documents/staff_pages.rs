//! HIM's queue of requests for a copy of the record: the soonest due first, each with whom
//! it is for, who asked (a proxy's copy holds nothing confidential), what and why, and the
//! two answers. Plain form posts, back to this page.
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::{
    request_pages::part_label,
    staff_api::{record_request_queue, DeclineRecordRequest, FulfilRecordRequest, DECLINE_REASON_MAX_CHARS},
    QueuedRequest,
};
use crate::{
    i18n::*,
    ui::{
        errors::{field_error, form_error, url_result},
        form::{FormMessage, TextArea},
        loaded::Loaded,
        when::When,
    },
};

const FULFIL_PATH: &str = <FulfilRecordRequest as server_fn::ServerFn>::PATH;
const DECLINE_PATH: &str = <DeclineRecordRequest as server_fn::ServerFn>::PATH;

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
        <FormMessage message=form_error(decline, &["reason"]) />
        <Loaded resource=queue render={move |rows: Vec<QueuedRequest>| {
            if rows.is_empty() {
                return view! { <p class="empty">{t!(i18n, documents.queue_empty)}</p> }.into_any();
            }
            view! {
                <ul class="document-list">
                    {rows.into_iter().map(|r| view! { <QueuedRow request=r decline_error=field_error(decline, "reason") /> }).collect_view()}
                </ul>
            }.into_any()
        }} />
    }
}

#[component]
fn QueuedRow(request: QueuedRequest, decline_error: Signal<Option<String>>) -> impl IntoView {
    let i18n = use_i18n();
    let what = request.parts.iter().map(|p| part_label(i18n, *p)).collect::<Vec<_>>().join(", ");
    let span = match (&request.from, &request.to) {
        (None, None) => t_string!(i18n, documents.all_dates).to_string(),
        (from, to) => format!("{} – {}", from.clone().unwrap_or_default(), to.clone().unwrap_or_default()),
    };
    let requester = if request.as_proxy {
        t_string!(i18n, documents.queue_by_proxy, name = request.requester.clone()).to_string()
    } else {
        t_string!(i18n, documents.queue_by_patient, name = request.requester.clone()).to_string()
    };
    let id = request.id.to_string();
    let reason_id = format!("decline-reason-{}", request.id);
    let reason = RwSignal::new(String::new());
    view! {
        <li class="queued-request">
            <h2>{format!("{} ({}, {})", request.patient_name, request.mrn, request.birth_date)}</h2>
            <p>
                {t!(i18n, documents.queue_due)}" "<When iso=request.due_on.clone() />
                {request.overdue.then(|| view! { " "<strong>{t!(i18n, documents.queue_overdue)}</strong> })}
                " · "{requester}
            </p>
            <p>{what}" · "{span}</p>
            {(!request.reason.is_empty()).then(|| view! { <p class="muted">{request.reason.clone()}</p> })}
            <div class="actions">
                <form method="post" action=FULFIL_PATH>
                    <input type="hidden" name="id" value=id.clone() />
                    <button type="submit" class="primary">{t!(i18n, documents.queue_fulfil)}</button>
                </form>
                <form method="post" action=DECLINE_PATH>
                    <input type="hidden" name="id" value=id />
                    <TextArea name="reason" id=reason_id max_chars=DECLINE_REASON_MAX_CHARS rows=2 bind=reason
                        live_count=false error=decline_error>
                        {t!(i18n, documents.queue_decline_reason)}
                    </TextArea>
                    <button type="submit">{t!(i18n, documents.queue_decline)}</button>
                </form>
            </div>
        </li>
    }
}
