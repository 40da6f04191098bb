//! Restrictions a patient of 13–17 asks for: on Sharing, under each parent's or guardian's
//! grant, what became of earlier requests and the way to ask the Medical Records team to
//! hide parts of the chart (the form is on its own page: grant_pages.rs); for HIM, the queue of those requests with Apply and Decline.
use leptos::prelude::*;

use crate::ui::when::When;

use super::{
    staff_api::{restriction_queue, ApplyRestriction, DeclineRestriction},
    GrantView, Restriction, RestrictionStatus, REASON_MAX_CHARS,
};
use crate::{
    access::Section,
    error::AppError,
    i18n::*,
    ui::{
        errors::{error_text, field_error},
        form::TextArea,
        layout::section_label,
        loaded::Loaded,
    },
};

fn sections_text(i18n: leptos_i18n::I18nContext<Locale>, sections: &[Section]) -> String {
    sections.iter().map(|s| section_label(i18n, *s)).collect::<Vec<_>>().join(", ")
}

/// What became of one request, in the teen's words.
fn status_text(i18n: leptos_i18n::I18nContext<Locale>, r: &Restriction) -> String {
    let (date, sections) = (crate::ui::when::words(i18n, &r.submitted_on), sections_text(i18n, &r.sections));
    let decided = r.decided_on.as_deref().map(|d| crate::ui::when::words(i18n, d)).unwrap_or_default();
    match r.status {
        RestrictionStatus::Pending => t_string!(
            i18n,
            proxy.restrict_pending,
            date,
            sections,
            due = crate::ui::when::words(i18n, &r.due_on)
        )
        .to_string(),
        RestrictionStatus::Applied => {
            t_string!(i18n, proxy.restrict_applied, date, sections, decided).to_string()
        }
        RestrictionStatus::Declined => {
            let reason = r.reason.clone().unwrap_or_default();
            t_string!(i18n, proxy.restrict_declined, date, sections, decided, reason).to_string()
        }
    }
}

/// Under a grant on a teen's chart: earlier requests about it, and the link to the form
/// when none is waiting and the grant is in force.
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
        {(g.in_force && !waiting).then(|| {
            let label = t_string!(i18n, proxy.restrict_title, name = g.proxy_name.clone()).to_string();
            view! { <p><a class="button" href=format!("/sharing/grants/{}/restrict", g.id)>{label}</a></p> }
        })}
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
                <dd><When iso=r.due_on.clone() />{r.overdue.then(|| view! { " "<strong>{t!(i18n, proxy_staff.overdue)}</strong> })}</dd>
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
