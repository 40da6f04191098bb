//! Patient pages: the inbox, a thread (with a reply form), a new message. The conversation
//! and the thread list are shared with the staff pages.
use leptos::prelude::*;

use crate::ui::when::When;
use leptos_router::{
    components::A,
    hooks::{use_params_map, use_query_map},
};

#[cfg(feature = "hydrate")]
use super::api::send_message;
use super::{
    api::{load_inbox, load_thread, message_recipients},
    emergency::suggests_emergency,
    human_size, Inbox, MessageView, Pool, Recipient, ReplyPromise, ScheduleReason, Sent, ThreadSummary,
    ThreadView, ACCEPTED_TYPES, ATTACHMENTS_MAX, ATTACHMENT_MAX_BYTES, BODY_MAX_CHARS, SUBJECT_MAX_CHARS,
};
use crate::{
    error::AppError,
    i18n::*,
    problem::Problem,
    ui::{
        errors::{field_error, form_error},
        form::{idempotency_key, FormMessage, TextArea, TextField},
        loaded::Loaded,
    },
};

#[component]
pub fn MessagesPage() -> impl IntoView {
    let i18n = use_i18n();
    let inbox = Resource::new(|| (), |_| load_inbox());
    view! {
        <h1>{t!(i18n, messages.title)}</h1>
        <p>{t!(i18n, messages.intro)}</p>
        <p><A href="/messages/new" attr:class="button primary">{t!(i18n, messages.new)}</A></p>
        <Loaded resource=inbox render={move |inbox: Inbox| view! {
            {(inbox.unread > 0).then(|| view! {
                <p class="unread-count"><strong>{t!(i18n, messages.unread_count, count = inbox.unread)}</strong></p>
            })}
            <ThreadList threads=inbox.threads link_base="/messages" staff=false />
        }} />
    }
}

/// The threads of an inbox, newest first; unread ones say so in words, not only in bold.
#[component]
pub fn ThreadList(threads: Vec<ThreadSummary>, link_base: &'static str, staff: bool) -> impl IntoView {
    let i18n = use_i18n();
    if threads.is_empty() {
        return view! { <p class="empty">{t!(i18n, messages.none)}</p> }.into_any();
    }
    view! {
        <table class="data threads">
            <thead><tr>
                <th scope="col">{t!(i18n, messages.subject)}</th>
                <th scope="col">{if staff { t_string!(i18n, messages.patient) } else { t_string!(i18n, messages.with) }}</th>
                <th scope="col">{t!(i18n, messages.last_message)}</th>
                <th scope="col">{t!(i18n, messages.status)}</th>
            </tr></thead>
            <tbody>
                {threads.into_iter().map(|t| {
                    let href = format!("{link_base}/{}", t.id);
                    let with = if staff { t.with.clone() } else { with_label(i18n, t.pool, &t.with) };
                    let status = thread_status(i18n, &t, staff);
                    view! {
                        <tr class=t.unread.then_some("unread")>
                            <td><A href=href>{t.subject.clone()}</A></td>
                            <td>{with}</td>
                            <td><When iso=t.last_message_at.clone() /></td>
                            <td>{status}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

fn thread_status(i18n: leptos_i18n::I18nContext<Locale>, t: &ThreadSummary, staff: bool) -> String {
    let mut words = Vec::new();
    if t.unread {
        words.push(t_string!(i18n, messages.unread).to_string());
    }
    if t.done {
        words.push(t_string!(i18n, messages.done).to_string());
    }
    if let (true, Some(who)) = (staff, &t.claimed_by) {
        words.push(t_string!(i18n, messages.claimed_by, name = who.clone()).to_string());
    }
    words.join(" · ")
}

/// Who a thread is with, as the patient sees it: the provider (or clinic), or the pool.
pub fn with_label(i18n: leptos_i18n::I18nContext<Locale>, pool: Pool, with: &str) -> String {
    match pool {
        Pool::Care => with.to_owned(),
        Pool::Billing => t_string!(i18n, messages.pool_billing).to_string(),
        Pool::Support => t_string!(i18n, messages.pool_support).to_string(),
        Pool::Records => t_string!(i18n, messages.pool_records).to_string(),
    }
}

#[component]
pub fn ThreadPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<i64>().ok());
    let thread = Resource::new(id, |id| async move {
        match id {
            Some(id) => load_thread(id).await,
            None => Err(AppError::NotFound),
        }
    });
    view! {
        <p><A href="/messages">{t!(i18n, messages.back)}</A></p>
        <Loaded resource=thread render={move |t: ThreadView| {
            let asked_to_schedule = t.messages.iter().any(|m| m.schedule_reason.is_some());
            view! {
                <h1>{t.summary.subject.clone()}</h1>
                <p class="muted">{with_label(i18n, t.summary.pool, &t.summary.with)}</p>
                {t.billing_account.clone().map(|a| view! {
                    <p class="about-account">
                        <A href=format!("/billing/accounts/{}", a.id)>{t!(i18n, messages.about_account, number = a.number.clone())}</A>
                    </p>
                })}
                <Conversation messages=t.messages attachment_url="/api/messages/attachment" />
                {asked_to_schedule.then(|| view! { <HowToSchedule phone=t.office_phone.clone() url=t.scheduling_url.clone() /> })}
            }
        }} />
        {move || id().map(|thread| view! {
            <section class="card reply" aria-labelledby="reply-heading">
                <h2 id="reply-heading">{t!(i18n, messages.reply)}</h2>
                // After a reply the page is rendered again (the conversation with it); the
                // form, an island whose data did not change, keeps its "Sent".
                <Composer thread=Some(thread) recipients=Vec::new() about=None />
            </section>
        })}
    }
}

#[component]
pub fn NewMessagePage() -> impl IntoView {
    let i18n = use_i18n();
    // "Contact customer service" on a guarantor account: a message to billing about it.
    let account = use_query_map().read_untracked().get("account").and_then(|a| a.parse::<i64>().ok());
    let form = Resource::new(
        move || account,
        |account| async move {
            let recipients = message_recipients().await?;
            let about = match account {
                Some(id) => {
                    let summary = crate::billing::api::load_contact_account(id).await?;
                    Some(AboutAccount { id: summary.id, number: summary.number })
                }
                None => None,
            };
            Ok::<_, AppError>((recipients, about))
        },
    );
    view! {
        <p><A href="/messages">{t!(i18n, messages.back)}</A></p>
        <h1>{t!(i18n, messages.new)}</h1>
        <Loaded resource=form render={move |(list, about): (Vec<Recipient>, Option<AboutAccount>)| view! {
            <Composer thread=None recipients=list about />
        }} />
    }
}

/// Before a word is written, what fits the recipient chosen (`pool`; none chosen yet: the
/// care team's). To the care team, the seed's rules: not for emergencies (911, 988),
/// generally answered in 1–3 business days, not a replacement for a visit, part of the
/// record. To customer service, what that team answers, and that it is not for medical
/// questions (911 and 988 stay in every page's footer).
#[component]
fn BeforeYouWrite(chosen: RwSignal<Option<Recipient>>) -> impl IntoView {
    let i18n = use_i18n();
    let pool = move || chosen.with(|c| c.as_ref().map(|r| r.pool));
    // The chosen provider's office, to call now instead of writing.
    let office = move || {
        chosen.with(|c| c.as_ref().and_then(|r| r.office.clone())).map(|o| {
            view! {
                <p>{t!(i18n, messages.before_call, department = o.department.clone())}" "
                    <a href=crate::site::tel_link(&o.phone)>{o.phone.clone()}</a></p>
            }
        })
    };
    let service = move |text: String| {
        view! {
            <aside class="notice" aria-labelledby="before-heading">
                <h2 id="before-heading">{t!(i18n, messages.before_title)}</h2>
                <p>{text}</p>
            </aside>
        }
        .into_any()
    };
    move || {
        match pool().unwrap_or(Pool::Care) {
        Pool::Care => view! {
            <aside class="notice urgent" aria-labelledby="before-heading">
                <h2 id="before-heading">{t!(i18n, messages.before_title)}</h2>
                <p><strong>{t!(i18n, emergency.not_for_emergencies)}</strong>" "{t!(i18n, emergency.crisis)}</p>
                <p>{t!(i18n, messages.before_urgent)}</p>
                {office}
                <p>{t!(i18n, messages.before_reply)}</p>
            </aside>
        }
        .into_any(),
        Pool::Billing => service(t_string!(i18n, messages.before_billing).to_string()),
        Pool::Support => service(t_string!(i18n, messages.before_support).to_string()),
        Pool::Records => service(t_string!(i18n, messages.before_records).to_string()),
    }
    }
}

/// Asked to schedule an appointment: the office's phone and the clinic's online scheduling,
/// each when configured.
#[component]
fn HowToSchedule(phone: Option<String>, url: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    (phone.is_some() || url.is_some()).then(|| view! {
        <aside class="notice" aria-labelledby="schedule-heading">
            <h2 id="schedule-heading">{t!(i18n, messages.schedule_how)}</h2>
            {phone.map(|phone| view! {
                <p>{t!(i18n, messages.schedule_call)}" "<a href=crate::site::tel_link(&phone)>{phone.clone()}</a></p>
            })}
            {url.map(|url| view! { <p><a href=url rel="external">{t!(i18n, messages.schedule_online)}</a></p> })}
        </aside>
    })
}

/// What the sent message says about its answer.
fn promise_text(i18n: leptos_i18n::I18nContext<Locale>, promise: &ReplyPromise) -> Option<String> {
    match promise {
        ReplyPromise::CareTeam { around } => Some(
            t_string!(i18n, messages.reply_care, date = crate::ui::when::words(i18n, around)).to_string(),
        ),
        ReplyPromise::Configured(text) => Some(text.clone()),
        ReplyPromise::Nothing => None,
    }
}

/// The messages of a thread, oldest first.
#[component]
pub fn Conversation(messages: Vec<MessageView>, attachment_url: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ol class="conversation">
            {messages.into_iter().map(|m| {
                let side = if m.from_patient { "message from-patient" } else { "message from-staff" };
                let (heading_id, labelled_by) = (format!("message-{}", m.id), format!("message-{}", m.id));
                view! {
                    <li class=side>
                        <article aria-labelledby=labelled_by>
                            <h3 id=heading_id class="message-head">
                                <span class="author">{match m.sent_for.clone() {
                                    // A proxy wrote it: say who, as what, and for whom.
                                    Some(f) => t_string!(i18n, messages.sent_for, author = m.author.clone(),
                                        relationship = crate::ui::layout::relationship_label(i18n, f.relationship),
                                        patient = f.patient.clone()).to_string(),
                                    None => m.author.clone(),
                                }}</span>
                                " · "
                                <span class="sent-at"><When iso=m.sent_at.clone() /></span>
                            </h3>
                            {m.schedule_reason.map(|reason| view! {
                                <p class="schedule">
                                    <strong>{t!(i18n, messages.schedule_title)}</strong>" "
                                    {schedule_reason_text(i18n, reason)}
                                </p>
                            })}
                            {(!m.body.is_empty()).then(|| view! { <p class="body">{m.body.clone()}</p> })}
                            {(!m.attachments.is_empty()).then(|| view! {
                                <ul class="attachments" aria-label=t_string!(i18n, messages.attachments).to_string()>
                                    {m.attachments.iter().map(|a| view! {
                                        <li>
                                            <a href=format!("{attachment_url}?id={}", a.id) download="">{a.name.clone()}</a>
                                            {format!(" ({}, {})", type_label(&a.media_type), human_size(a.size_bytes))}
                                        </li>
                                    }).collect_view()}
                                </ul>
                            })}
                        </article>
                    </li>
                }
            }).collect_view()}
        </ol>
    }
}

pub fn schedule_reason_text(i18n: leptos_i18n::I18nContext<Locale>, reason: ScheduleReason) -> String {
    match reason {
        ScheduleReason::Complex => t_string!(i18n, messages.reason_complex),
        ScheduleReason::Images => t_string!(i18n, messages.reason_images),
        ScheduleReason::Unrelated => t_string!(i18n, messages.reason_unrelated),
    }
    .to_string()
}

fn type_label(media_type: &str) -> &'static str {
    match media_type {
        "image/png" => "PNG",
        "image/jpeg" => "JPEG",
        _ => "PDF",
    }
}

/// The message form: a new thread (recipient, subject) or a reply (`thread`); body and up
/// to three attachments. Words that suggest an emergency open the crisis dialog first; the
/// patient may still send. "Sent" is shown only once the server has committed.
#[island(lazy)]
fn Composer(thread: Option<i64>, recipients: Vec<Recipient>, about: Option<AboutAccount>) -> impl IntoView {
    let i18n = crate::ui::island_i18n();
    let form_ref = NodeRef::<leptos::html::Form>::new();
    let files_ref = NodeRef::<leptos::html::Input>::new();
    let dialog_ref = NodeRef::<leptos::html::Dialog>::new();
    let (subject, body, key) =
        (RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new(String::new()));
    Effect::new(move |_| key.set(idempotency_key()));
    let files_problem = RwSignal::new(None::<String>);
    let sent = RwSignal::new(None::<Sent>);
    // The recipient chosen (a new message): what the page says before writing, and whether
    // emergency words open the crisis dialog, follow it. A reply goes to its thread's team.
    let billing = recipients.iter().find(|r| r.pool == Pool::Billing).cloned();
    let chosen = RwSignal::new(about.as_ref().and(billing.clone()));
    #[cfg(feature = "hydrate")]
    let send = Action::new_local(|data: &web_sys::FormData| send_message(data.clone().into()));
    #[cfg(not(feature = "hydrate"))]
    let send = Action::new(|_: &()| async { Err::<Sent, AppError>(AppError::Unavailable) });
    let result: Signal<Option<Result<Sent, AppError>>> = send.value().into();
    Effect::new(move |_| {
        if let Some(Ok(done)) = send.value().get() {
            sent.set(Some(done.clone()));
            subject.set(String::new());
            body.set(String::new());
            key.set(idempotency_key());
            if let Some(form) = form_ref.get_untracked() {
                form.reset();
            }
            if thread.is_some() {
                crate::ui::nav::reload();
            }
        }
    });
    let dispatch = move || {
        #[cfg(feature = "hydrate")]
        if let Some(data) = form_ref.get_untracked().and_then(|f| web_sys::FormData::new_with_form(&f).ok()) {
            send.dispatch_local(data);
        }
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        sent.set(None);
        files_problem.set(check_files(files_ref).map(|p| crate::ui::errors::problem_text(i18n, p)));
        if files_problem.get_untracked().is_some() {
            return;
        }
        let words = format!("{} {}", subject.get_untracked(), body.get_untracked());
        let to_care_team = chosen.with_untracked(|c| c.as_ref().is_none_or(|r| r.pool == Pool::Care));
        if to_care_team && suggests_emergency(&words) {
            if let Some(dialog) = dialog_ref.get_untracked() {
                let _ = dialog.show_modal();
            }
            return;
        }
        dispatch();
    };
    let close_dialog = move || {
        if let Some(dialog) = dialog_ref.get_untracked() {
            dialog.close();
        }
    };
    let files_error =
        Signal::derive(move || files_problem.get().or_else(|| field_error(result, "attachments").get()));
    let field_id = move |name: &str| match thread {
        Some(t) => format!("reply-{t}-{name}"),
        None => format!("new-{name}"),
    };
    let files_id = field_id("attachments");
    let files_hint = format!("{files_id}-hint");
    let files_error_id = format!("{files_id}-error");
    view! {
        {move || sent.get().map(|s| view! {
            <div class="sent" role="status">
                <p><strong>{t!(i18n, messages.sent)}</strong>" "{promise_text(i18n, &s.promise)}</p>
                {thread.is_none().then(|| view! {
                    <p><a href=format!("/messages/{}", s.thread_id)>{t!(i18n, messages.view_thread)}</a></p>
                })}
            </div>
        })}
        {thread.is_none().then(|| view! { <BeforeYouWrite chosen /> })}
        <form node_ref=form_ref class="composer" on:submit=on_submit novalidate=false>
            <FormMessage message=form_error(result, &["to", "subject", "body", "attachments"]) />
            <input type="hidden" name="key" prop:value=key />
            {match (thread, about) {
                (Some(t), _) => view! { <input type="hidden" name="thread" value=t /> }.into_any(),
                (None, Some(account)) => view! {
                    <AboutAccountField account billing_key=billing.map(|b| b.key).unwrap_or_default() />
                    <TextField name="subject" id=field_id("subject") maxlength=SUBJECT_MAX_CHARS bind=subject error=field_error(result, "subject")>
                        {t!(i18n, messages.subject)}
                    </TextField>
                }.into_any(),
                (None, None) => view! {
                    <RecipientSelect recipients=recipients.clone() error=field_error(result, "to") chosen />
                    <TextField name="subject" id=field_id("subject") maxlength=SUBJECT_MAX_CHARS bind=subject error=field_error(result, "subject")>
                        {t!(i18n, messages.subject)}
                    </TextField>
                }.into_any(),
            }}
            <TextArea name="body" id=field_id("body") max_chars=BODY_MAX_CHARS bind=body error=field_error(result, "body")>
                {t!(i18n, messages.body)}
            </TextArea>
            <div class="field">
                <label for=files_id.clone()>{t!(i18n, messages.attach)}</label>
                <input node_ref=files_ref id=files_id type="file" name="attachment" multiple
                    accept=ACCEPTED_TYPES.join(",")
                    aria-invalid=move || files_error.get().is_some().then_some("true")
                    aria-describedby={
                        let (hint, err) = (files_hint.clone(), files_error_id.clone());
                        move || if files_error.get().is_some() { format!("{hint} {err}") } else { hint.clone() }
                    } />
                <p class="hint" id=files_hint.clone()>{t!(i18n, messages.attach_hint, count = ATTACHMENTS_MAX, megabytes = ATTACHMENT_MAX_BYTES / (1024 * 1024))}</p>
                {move || files_error.get().map(|m| view! { <p class="field-error" id=files_error_id.clone()>{m}</p> })}
            </div>
            <button type="submit" class="primary" disabled=move || send.pending().get()>
                {move || if send.pending().get() { t_string!(i18n, messages.sending) } else { t_string!(i18n, messages.send) }}
            </button>
        </form>
        <dialog node_ref=dialog_ref class="crisis" aria-labelledby="crisis-title" aria-describedby="crisis-text">
            <h2 id="crisis-title">{t!(i18n, messages.crisis_title)}</h2>
            <div id="crisis-text">
                <p>{t!(i18n, messages.crisis_text)}</p>
                <p><strong>{t!(i18n, emergency.not_for_emergencies)}</strong></p>
                <p><strong>{t!(i18n, emergency.crisis)}</strong></p>
            </div>
            <div class="actions">
                <button type="button" class="primary" autofocus on:click=move |_| close_dialog()>
                    {t!(i18n, messages.crisis_edit)}
                </button>
                <button type="button" on:click=move |_| { close_dialog(); dispatch(); }>
                    {t!(i18n, messages.crisis_send)}
                </button>
            </div>
        </dialog>
    }
}

/// The guarantor account a new message to billing is about.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AboutAccount {
    pub id: i64,
    pub number: String,
}

/// In place of the recipient list, for "Contact customer service": billing, about this
/// account (the server checks the account is the chart's).
#[component]
fn AboutAccountField(account: AboutAccount, billing_key: String) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <input type="hidden" name="to" value=billing_key />
        <input type="hidden" name="account" value=account.id.to_string() />
        <p class="about-account">{t!(i18n, messages.to_billing_about, number = account.number.clone())}</p>
    }
}

/// The recipient list: the care team and providers seen recently, then customer service.
#[component]
fn RecipientSelect(
    recipients: Vec<Recipient>,
    error: Signal<Option<String>>,
    /// Set to the recipient chosen.
    chosen: RwSignal<Option<Recipient>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let all = recipients.clone();
    let on_change = move |ev: leptos::ev::Event| {
        let key = event_target_value(&ev);
        chosen.set(all.iter().find(|r| r.key == key).cloned());
    };
    let (care, service): (Vec<Recipient>, Vec<Recipient>) =
        recipients.into_iter().partition(|r| r.pool == Pool::Care);
    view! {
        <div class="field">
            <label for="new-to">{t!(i18n, messages.to)}</label>
            <select id="new-to" name="to" required on:change=on_change
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=move || error.get().map(|_| "new-to-error")>
                <option value="">{t!(i18n, messages.choose)}</option>
                <optgroup label=t_string!(i18n, messages.group_care).to_string()>
                    {care.into_iter().map(|r| view! {
                        <option value=r.key.clone()>{format!("{} — {}", r.name, r.detail)}</option>
                    }).collect_view()}
                </optgroup>
                <optgroup label=t_string!(i18n, messages.group_service).to_string()>
                    {service.into_iter().map(|r| view! {
                        <option value=r.key.clone()>{with_label(i18n, r.pool, &r.name)}</option>
                    }).collect_view()}
                </optgroup>
            </select>
            {move || error.get().map(|m| view! { <p class="field-error" id="new-to-error">{m}</p> })}
        </div>
    }
}

/// The browser's view of the chosen files, checked before anything is sent (the server
/// checks again, and reads the type from the bytes). Returns the problem.
fn check_files(files_ref: NodeRef<leptos::html::Input>) -> Option<Problem> {
    #[cfg(feature = "hydrate")]
    {
        let list = files_ref.get_untracked()?.files()?;
        if list.length() as usize > ATTACHMENTS_MAX {
            return Some(Problem::MessagesTooManyAttachments);
        }
        for i in 0..list.length() {
            let file = list.get(i)?;
            if file.size() > ATTACHMENT_MAX_BYTES as f64 {
                return Some(Problem::MessagesAttachmentTooBig);
            }
            if !ACCEPTED_TYPES.contains(&file.type_().as_str()) {
                return Some(Problem::MessagesAttachmentType);
            }
        }
        None
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = files_ref;
        None
    }
}
