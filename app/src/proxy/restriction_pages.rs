//! Restrictions a patient of 13–17 asks for: on Sharing, under each parent's or guardian's
//! grant, the form to ask the Medical Records team to hide parts of the chart and what
//! became of earlier requests; for HIM, the queue of those requests with Apply and Decline.
use leptos::prelude::*;

use super::{
    api::RequestRestriction,
    pages::SectionBoxes,
    staff_api::{restriction_queue, ApplyRestriction, DeclineRestriction},
    GrantView, Restriction, RestrictionStatus, REASON_MAX_CHARS, RESTRICTION_NOTE_MAX_CHARS,
};
use crate::{
    access::Section,
    error::AppError,
    i18n::*,
    ui::{
        errors::{error_text, field_error, form_error},
        form::{idempotency_key, FormMessage, TextArea},
        layout::section_label,
        loaded::Loaded,
    },
};

fn sections_text(i18n: leptos_i18n::I18nContext<Locale>, sections: &[Section]) -> String {
    sections.iter().map(|s| section_label(i18n, *s)).collect::<Vec<_>>().join(", ")
}

/// What became of one request, in the teen's words.
fn status_text(i18n: leptos_i18n::I18nContext<Locale>, r: &Restriction) -> String {
    let (date, sections) = (r.submitted_on.clone(), sections_text(i18n, &r.sections));
    let decided = r.decided_on.clone().unwrap_or_default();
    match r.status {
        RestrictionStatus::Pending => {
            t_string!(i18n, proxy.restrict_pending, date, sections, due = r.due_on.clone()).to_string()
        }
        RestrictionStatus::Applied => {
            t_string!(i18n, proxy.restrict_applied, date, sections, decided).to_string()
        }
        RestrictionStatus::Declined => {
            let reason = r.reason.clone().unwrap_or_default();
            t_string!(i18n, proxy.restrict_declined, date, sections, decided, reason).to_string()
        }
    }
}

/// Under a grant on a teen's chart: earlier requests about it, and the form when none is
/// waiting and the grant is in force.
#[component]
pub fn TeenRestriction(g: GrantView, requests: Vec<Restriction>) -> impl IntoView {
    let i18n = use_i18n();
    let waiting = requests.iter().any(|r| r.status == RestrictionStatus::Pending);
    let history = requests
        .iter()
        .map(|r| view! { <li data-testid="restriction-status">{status_text(i18n, r)}</li> })
        .collect_view();
    view! {
        {(!requests.is_empty()).then(|| view! { <ul class="restriction-history">{history}</ul> })}
        {(g.in_force && !waiting).then(|| view! { <RestrictionForm g /> })}
    }
}

/// Sent, the page is rendered again with the request pending (and without this form).
#[island(lazy)]
fn RestrictionForm(g: GrantView) -> impl IntoView {
    let i18n = crate::ui::island_i18n();
    let send = ServerAction::<RequestRestriction>::new();
    let result: Signal<Option<Result<Restriction, AppError>>> = send.value().into();
    crate::ui::nav::reload_when(move || matches!(send.value().get(), Some(Ok(_))));
    let key = RwSignal::new(String::new());
    Effect::new(move |_| key.set(idempotency_key()));
    let (id, name) = (g.id, g.proxy_name.clone());
    let hide = RwSignal::new(Vec::<Section>::new());
    // Home is where the others are summed up: it goes with them, not on its own.
    let hideable: Vec<Section> = g.sections_now.iter().copied().filter(|s| *s != Section::Home).collect();
    let note = RwSignal::new(String::new());
    let heading_id = format!("restrict-{id}");
    let labelled_by = heading_id.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let sections = Section::join(&hide.get());
        send.dispatch(RequestRestriction { grant_id: id, sections, note: Some(note.get()), key: key.get() });
    };
    view! {
        <form class="restriction" aria-labelledby=labelled_by on:submit=submit>
            <h4 id=heading_id>{t!(i18n, proxy.restrict_title, name = name.clone())}</h4>
            <p>{t!(i18n, proxy.restrict_intro, name = name.clone())}</p>
            <FormMessage message=form_error(result, &["sections", "note"]) />
            <fieldset class="sections">
                <legend>{t!(i18n, proxy.restrict_hide)}</legend>
                <SectionBoxes id_prefix=format!("restrict-{id}") sections=hideable chosen=hide />
                {move || field_error(result, "sections").get().map(|m| view! { <p class="field-error">{m}</p> })}
            </fieldset>
            <TextArea name="note" id=format!("restrict-{id}-note") max_chars=RESTRICTION_NOTE_MAX_CHARS
                required=false rows=3 bind=note error=field_error(result, "note")>
                {t!(i18n, proxy.restrict_note)}
            </TextArea>
            <button type="submit" disabled=move || send.pending().get()>{t!(i18n, proxy.restrict_submit)}</button>
        </form>
    }
}

/// HIM's queue of teens' requests, the soonest due first.
#[component]
pub fn RestrictionQueue() -> impl IntoView {
    let i18n = use_i18n();
    let queue = Resource::new(|| (), |_| restriction_queue());
    view! {
        <section aria-labelledby="restrictions">
            <h2 id="restrictions">{t!(i18n, proxy_staff.restrictions_title)}</h2>
            <p>{t!(i18n, proxy_staff.restrictions_intro)}</p>
            <Loaded resource=queue render={move |rows: Vec<Restriction>| {
                if rows.is_empty() {
                    return view! { <p class="empty">{t!(i18n, proxy_staff.restrictions_empty)}</p> }.into_any();
                }
                view! {
                    <ul class="restriction-queue">
                        {rows.into_iter().map(|r| view! { <RestrictionItem r /> }).collect_view()}
                    </ul>
                }.into_any()
            }} />
        </section>
    }
}

/// One request with its two decisions.
#[component]
fn RestrictionItem(r: Restriction) -> impl IntoView {
    let i18n = use_i18n();
    let heading_id = format!("restriction-{}", r.id);
    let labelled_by = heading_id.clone();
    let who = format!("{} · {}", r.patient_name, r.proxy_name);
    view! {
        <li class="card" class:overdue=r.overdue aria-labelledby=labelled_by>
            <h3 id=heading_id>{who.clone()}</h3>
            <dl>
                <dt>{t!(i18n, proxy_staff.col_hide)}</dt><dd>{sections_text(i18n, &r.sections)}</dd>
                {(!r.note.is_empty()).then(|| view! { <dt>{t!(i18n, proxy_staff.col_note)}</dt><dd>{r.note.clone()}</dd> })}
                <dt>{t!(i18n, proxy_staff.col_due)}</dt>
                <dd>{r.due_on.clone()}{r.overdue.then(|| view! { " "<strong>{t!(i18n, proxy_staff.overdue)}</strong> })}</dd>
            </dl>
            <RestrictionDecision id=r.id who />
        </li>
    }
}

/// Apply, or decline with a reason (each with its own errors); either way the page is
/// rendered again without the request.
#[island(lazy)]
fn RestrictionDecision(id: i64, who: String) -> impl IntoView {
    let i18n = crate::ui::island_i18n();
    let apply = ServerAction::<ApplyRestriction>::new();
    let decline = ServerAction::<DeclineRestriction>::new();
    crate::ui::nav::reload_when(move || {
        matches!(apply.value().get(), Some(Ok(_))) || matches!(decline.value().get(), Some(Ok(_)))
    });
    let reason = RwSignal::new(String::new());
    let declined: Signal<Option<Result<(), AppError>>> = decline.value().into();
    let (apply_label, decline_label) = (
        format!("{} ({who})", t_string!(i18n, proxy_staff.apply)),
        format!("{} ({who})", t_string!(i18n, proxy_staff.decline)),
    );
    view! {
        <button type="button" class="primary" aria-label=apply_label disabled=move || apply.pending().get()
            on:click=move |_| { apply.dispatch(ApplyRestriction { id }); }>
            {t!(i18n, proxy_staff.apply)}
        </button>
        {move || apply.value().get().and_then(|r| r.err()).map(|e| view! { <p class="form-error" role="alert">{error_text(i18n, &e)}</p> })}
        <TextArea name="reason" id=format!("restriction-{id}-reason") max_chars=REASON_MAX_CHARS rows=2
            bind=reason error=field_error(declined, "reason")>
            {t!(i18n, proxy_staff.decline_reason)}
        </TextArea>
        <button type="button" aria-label=decline_label disabled=move || decline.pending().get()
            on:click=move |_| { decline.dispatch(DeclineRestriction { id, reason: reason.get() }); }>
            {t!(i18n, proxy_staff.decline)}
        </button>
    }
}
