//! Corrections of a legal name or date of birth: the patient's request form and its
//! status (on Personal information), and HIM's queue. Plain server-rendered forms.
use leptos::prelude::*;

use crate::ui::when::When;
use leptos_router::hooks::use_query_map;

use super::corrections::{
    correction_queue, my_corrections, Correction, CorrectionStatus, DecideCorrection, RequestCorrection,
    NOTE_MAX_CHARS,
};
use crate::{
    i18n::*,
    ui::{
        errors::{field_error, form_error, url_result},
        form::{FormMessage, TextArea, TextField},
        loaded::Loaded,
    },
};

const REQUEST_PATH: &str = <RequestCorrection as server_fn::ServerFn>::PATH;
const DECIDE_PATH: &str = <DecideCorrection as server_fn::ServerFn>::PATH;

fn status_text(i18n: leptos_i18n::I18nContext<Locale>, c: &Correction) -> String {
    match c.status {
        CorrectionStatus::Pending => t_string!(i18n, correction.pending).to_string(),
        CorrectionStatus::Approved => t_string!(i18n, correction.approved).to_string(),
        CorrectionStatus::Denied => t_string!(i18n, correction.denied, reason = c.reason.clone()).to_string(),
    }
}

/// On the patient's Personal information page: their requests, and the form while none
/// is waiting.
#[component]
pub fn CorrectionSection() -> impl IntoView {
    let i18n = use_i18n();
    let list = Resource::new(|| (), |_| my_corrections());
    let result = url_result::<RequestCorrection, ()>();
    let requested = use_query_map().read_untracked().get("done").as_deref() == Some("requested");
    view! {
        <section aria-labelledby="correction-title">
            <h2 id="correction-title">{t!(i18n, correction.title)}</h2>
            <div role="status">{requested.then(|| view! { <p class="notice">{t!(i18n, correction.sent)}</p> })}</div>
            <Loaded resource=list render={move |list: Vec<Correction>| {
                let waiting = list.iter().any(|c| c.status == CorrectionStatus::Pending);
                view! {
                    <ul class="link-list">
                        {list.into_iter().map(|c| view! {
                            <li>{format!("{} {}, {} — ", c.given_name, c.family_name, crate::ui::when::plain_words(i18n, &c.birth_date))}{status_text(i18n, &c)}</li>
                        }).collect_view()}
                    </ul>
                    {(!waiting).then(|| view! {
                        <form method="post" action=REQUEST_PATH class="card" aria-labelledby="correction-title">
                            <FormMessage message=form_error(result, &["given_name", "family_name", "birth_date", "note"]) />
                            <p>{t!(i18n, correction.intro)}</p>
                            <TextField name="given_name" id="correction-given" maxlength=100 error=field_error(result, "given_name")>
                                {t!(i18n, signup.given_name)}
                            </TextField>
                            <TextField name="family_name" id="correction-family" maxlength=100 error=field_error(result, "family_name")>
                                {t!(i18n, signup.family_name)}
                            </TextField>
                            <TextField name="birth_date" id="correction-birth" kind="date" error=field_error(result, "birth_date")>
                                {t!(i18n, signup.birth_date)}
                            </TextField>
                            <TextArea name="note" id="correction-note" max_chars=NOTE_MAX_CHARS required=false rows=3 live_count=false
                                bind=RwSignal::new(String::new()) error=field_error(result, "note")>
                                {t!(i18n, correction.note)}
                            </TextArea>
                            <button type="submit">{t!(i18n, correction.send)}</button>
                        </form>
                    })}
                }
            }} />
        </section>
    }
}

/// HIM: the requests waiting, each with approve and deny.
#[component]
pub fn CorrectionQueuePage() -> impl IntoView {
    let i18n = use_i18n();
    let queue = Resource::new(|| (), |_| correction_queue());
    let result = url_result::<DecideCorrection, ()>();
    let decided = use_query_map().read_untracked().get("done").as_deref() == Some("decided");
    view! {
        <h1>{t!(i18n, correction.queue_title)}</h1>
        <div role="status">{decided.then(|| view! { <p class="notice">{t!(i18n, correction.decided)}</p> })}</div>
        <FormMessage message=form_error(result, &["reason"]) />
        <Loaded resource=queue render={move |list: Vec<Correction>| {
            if list.is_empty() {
                return view! { <p class="empty">{t!(i18n, correction.none_waiting)}</p> }.into_any();
            }
            view! {
                <ul class="grant-list">
                    {list.into_iter().map(|c| view! { <QueueItem c /> }).collect_view()}
                </ul>
            }.into_any()
        }} />
    }
}

#[component]
fn QueueItem(c: Correction) -> impl IntoView {
    let i18n = use_i18n();
    let heading = format!("correction-{}", c.id);
    let reason_id = format!("reason-{}", c.id);
    view! {
        <li class="card">
            <h2 id=heading.clone()>{format!("{} ({})", c.current_name, crate::ui::when::plain_words(i18n, &c.current_birth_date))}</h2>
            <dl class="facts">
                <dt>{t!(i18n, correction.asked)}</dt>
                <dd>{format!("{} {}, {}", c.given_name, c.family_name, crate::ui::when::plain_words(i18n, &c.birth_date))}</dd>
                <dt>{t!(i18n, correction.note)}</dt><dd>{c.note.clone()}</dd>
                <dt>{t!(i18n, correction.requested_at)}</dt><dd><When iso=c.requested.clone() /></dd>
            </dl>
            <form method="post" action=DECIDE_PATH aria-labelledby=heading.clone()>
                <input type="hidden" name="id" value=c.id />
                <input type="hidden" name="approve" value="true" />
                <button type="submit" class="primary">{t!(i18n, correction.approve)}</button>
            </form>
            <form method="post" action=DECIDE_PATH aria-labelledby=heading>
                <input type="hidden" name="id" value=c.id />
                <input type="hidden" name="approve" value="false" />
                <div class="field">
                    <label for=reason_id.clone()>{t!(i18n, correction.reason)}</label>
                    <input id=reason_id type="text" name="reason" maxlength=500 required=true />
                </div>
                <button type="submit">{t!(i18n, correction.deny)}</button>
            </form>
        </li>
    }
}
