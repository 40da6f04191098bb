//! Staff pages: the inbox of the pools (open, mine, done) and a thread with its answers:
//! claim, reply, reply "please schedule an appointment" with its reason, mark done.
use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_params_map};

use super::{
    pages::{Conversation, ThreadList},
    staff_api::{staff_inbox, staff_thread, ClaimThread, MarkThreadDone, StaffReply},
    ThreadSummary, ThreadView, BODY_MAX_CHARS,
};
use crate::{
    error::AppError,
    i18n::*,
    ui::{
        errors::{field_error, form_error},
        form::{idempotency_key, FormMessage, TextArea},
        loaded::Loaded,
    },
};

#[component]
pub fn StaffInboxPage() -> impl IntoView {
    let i18n = use_i18n();
    // Each view is a page of its own (`?view=`): a link, marked when it is the one shown.
    let query = leptos_router::hooks::use_query_map();
    let view = move || match query.read().get("view").as_deref() {
        Some("mine") => "mine",
        Some("done") => "done",
        _ => "open",
    };
    let threads = Resource::new(view, |v| staff_inbox(v.to_owned()));
    let tab = move |value: &'static str, label: String| {
        view! {
            <a href=format!("/staff/messages?view={value}") class="button"
                aria-current=(view() == value).then_some("page")>{label}</a>
        }
    };
    view! {
        <h1>{t!(i18n, staff_messages.title)}</h1>
        <nav class="toolbar" aria-label=t_string!(i18n, staff_messages.views).to_string()>
            {tab("open", t_string!(i18n, staff_messages.open).to_string())}
            {tab("mine", t_string!(i18n, staff_messages.mine).to_string())}
            {tab("done", t_string!(i18n, staff_messages.done).to_string())}
        </nav>
        <Loaded resource=threads render={move |list: Vec<ThreadSummary>| view! {
            <ThreadList threads=list link_base="/staff/messages" staff=true />
        }} />
    }
}

#[component]
pub fn StaffThreadPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<i64>().ok());
    // Claim and Done are plain form posts (the server sends this page back); a reply is
    // sent from the browser and then the page is rendered again.
    let claim = ServerAction::<ClaimThread>::new();
    let done = ServerAction::<MarkThreadDone>::new();
    let thread = Resource::new(id, |id| async move {
        match id {
            Some(id) => staff_thread(id).await,
            None => Err(AppError::NotFound),
        }
    });
    view! {
        <p><A href="/staff/messages">{t!(i18n, staff_messages.back)}</A></p>
        <Loaded resource=thread render={move |t: ThreadView| {
            let thread_id = t.summary.id;
            view! {
                <h1>{t.summary.subject.clone()}</h1>
                <p class="muted">{t.summary.with.clone()}</p>
                <div class="toolbar">
                    <ActionForm action=claim>
                        <input type="hidden" name="id" value=thread_id />
                        <button type="submit">{t!(i18n, staff_messages.claim)}</button>
                    </ActionForm>
                    <ActionForm action=done>
                        <input type="hidden" name="id" value=thread_id />
                        <button type="submit" disabled=t.summary.done>{t!(i18n, staff_messages.mark_done)}</button>
                    </ActionForm>
                </div>
                {t.summary.claimed_by.clone().map(|who| view! {
                    <p>{t!(i18n, messages.claimed_by, name = who)}</p>
                })}
                {t.billing_account.clone().map(|a| view! {
                    <aside class="card billing-account" aria-label=t_string!(i18n, staff_messages.billing_account).to_string()>
                        <crate::billing::pages::AccountFacts a heading=true />
                    </aside>
                })}
                <Conversation messages=t.messages attachment_url="/api/staff/messages/attachment" />
            }
        }} />
        {move || id().map(|thread_id| view! { <ReplyForm thread_id /> })}
    }
}

/// An answer, or the "please schedule an appointment" template with its reason.
#[island(lazy)]
fn ReplyForm(thread_id: i64) -> impl IntoView {
    let i18n = crate::ui::island_i18n();
    let reply = ServerAction::<StaffReply>::new();
    let key = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let schedule = RwSignal::new(String::new());
    Effect::new(move |_| key.set(idempotency_key()));
    let result: Signal<Option<Result<i64, AppError>>> = reply.value().into();
    Effect::new(move |_| {
        if let Some(Ok(_)) = reply.value().get() {
            key.set(idempotency_key());
            body.set(String::new());
            schedule.set(String::new());
            crate::ui::nav::reload();
        }
    });
    view! {
        <section class="card reply" aria-labelledby="reply-heading">
            <h2 id="reply-heading">{t!(i18n, messages.reply)}</h2>
            {move || matches!(reply.value().get(), Some(Ok(_))).then(|| view! {
                <p class="sent" role="status">{t!(i18n, staff_messages.replied)}</p>
            })}
            <ActionForm action=reply>
                <FormMessage message=form_error(result, &["body", "schedule"]) />
                <input type="hidden" name="id" value=thread_id />
                <input type="hidden" name="key" prop:value=key />
                <div class="field">
                    <label for="reply-schedule">{t!(i18n, staff_messages.kind)}</label>
                    <select id="reply-schedule" name="schedule" prop:value=schedule
                        on:change=move |ev| schedule.set(event_target_value(&ev))>
                        <option value="">{t!(i18n, staff_messages.kind_answer)}</option>
                        <option value="complex">{t!(i18n, staff_messages.kind_complex)}</option>
                        <option value="images">{t!(i18n, staff_messages.kind_images)}</option>
                        <option value="unrelated">{t!(i18n, staff_messages.kind_unrelated)}</option>
                    </select>
                </div>
                <TextArea name="body" id="reply-body" max_chars=BODY_MAX_CHARS bind=body
                    required=false error=field_error(result, "body")>
                    {move || if schedule.get().is_empty() { t_string!(i18n, messages.body) } else { t_string!(i18n, staff_messages.note) }}
                </TextArea>
                <button type="submit" class="primary" disabled=move || reply.pending().get()>{t!(i18n, messages.send)}</button>
            </ActionForm>
        </section>
    }
}
