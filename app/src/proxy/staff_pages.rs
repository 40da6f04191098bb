//! HIM's Release of Information pages: the queue of proxy requests (due within four
//! business days), one request with its matching charts and the decision, and the grants
//! on any chart (to end one when a relationship changes).
use leptos::prelude::*;

use crate::ui::when::When;
use leptos_router::{components::A, hooks::use_params_map};

use super::{
    pages::{status_text, SectionBoxes},
    staff_api::{chart_grants, proxy_queue, review_request, ApproveRequest, DenyRequest, EndAnyGrant},
    GrantView, ProxyRequest, RequestKind, RequestReview, RequestStatus, REASON_MAX_CHARS,
};
use crate::{
    access::Section,
    error::AppError,
    i18n::*,
    staff::{pages::PatientPicker, PatientMatch},
    ui::{
        errors::{error_text, field_error, form_error},
        form::{FormMessage, TextArea, TextField},
        layout::{relationship_label, section_label},
        loaded::Loaded,
    },
};

#[component]
pub fn ProxyQueuePage() -> impl IntoView {
    let i18n = use_i18n();
    let queue = Resource::new(|| (), |_| proxy_queue());
    view! {
        <h1>{t!(i18n, proxy_staff.title)}</h1>
        <p>{t!(i18n, proxy_staff.intro)}</p>
        <Loaded resource=queue render={move |rows: Vec<ProxyRequest>| {
            if rows.is_empty() {
                return view! { <p class="empty">{t!(i18n, proxy_staff.empty)}</p> }.into_any();
            }
            view! {
                <table class="data">
                    <caption class="visually-hidden">{t!(i18n, proxy_staff.title)}</caption>
                    <thead><tr>
                        <th scope="col">{t!(i18n, proxy_staff.col_due)}</th>
                        <th scope="col">{t!(i18n, proxy_staff.col_for)}</th>
                        <th scope="col">{t!(i18n, proxy_staff.col_requester)}</th>
                        <th scope="col">{t!(i18n, proxy_staff.col_kind)}</th>
                    </tr></thead>
                    <tbody>
                        {rows.into_iter().map(|r| view! {
                            <tr class:overdue=r.overdue>
                                <td><When iso=r.due_on.clone() />{r.overdue.then(|| view! { " "<strong>{t!(i18n, proxy_staff.overdue)}</strong> })}</td>
                                <td><A href=format!("/staff/proxy/{}", r.id)>{format!("{} ({})", r.patient_name, crate::ui::when::plain_words(i18n, &r.birth_date))}</A></td>
                                <td>{format!("{} · {}", r.requester, relationship_label(i18n, r.relationship))}</td>
                                <td>{kind_text(i18n, r.kind)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }} />
        <super::restriction_pages::RestrictionQueue />
        <ChartGrants />
    }
}

fn kind_text(i18n: leptos_i18n::I18nContext<Locale>, kind: RequestKind) -> String {
    match kind {
        RequestKind::Minor => t_string!(i18n, proxy_staff.kind_minor).to_string(),
        RequestKind::Adult => t_string!(i18n, proxy_staff.kind_adult).to_string(),
    }
}

/// One request: what was asked, the signed form, the charts it may be; approve or deny.
#[component]
pub fn ProxyRequestPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<i64>().ok()).unwrap_or(0);
    let review = Resource::new(id, review_request);
    view! {
        <Loaded resource=review render={move |r: RequestReview| view! { <Review r /> }} />
    }
}

/// The request and its two decisions; decided, the page is rendered again with the new
/// status (and without the forms).
#[island(lazy)]
fn Review(r: RequestReview) -> impl IntoView {
    let i18n = crate::ui::island_i18n();
    let approve = ServerAction::<ApproveRequest>::new();
    let deny = ServerAction::<DenyRequest>::new();
    crate::ui::nav::reload_when(move || {
        matches!(approve.value().get(), Some(Ok(_))) || matches!(deny.value().get(), Some(Ok(_)))
    });
    let approved: Signal<Option<Result<(), AppError>>> = approve.value().into();
    let denied: Signal<Option<Result<(), AppError>>> = deny.value().into();
    let request = r.request.clone();
    let id = request.id;
    let chosen = RwSignal::new(None::<i64>);
    let sections = RwSignal::new(Section::GRANTABLE.to_vec());
    let reason = RwSignal::new(String::new());
    let ends_on = RwSignal::new(String::new());
    let pending = request.status == RequestStatus::Pending;
    view! {
        <h1>{t!(i18n, proxy_staff.request_title, name = request.patient_name.clone())}</h1>
        <dl class="facts">
            <dt>{t!(i18n, proxy_staff.col_kind)}</dt><dd>{kind_text(i18n, request.kind)}</dd>
            <dt>{t!(i18n, proxy.birth_date)}</dt><dd><When iso=request.birth_date.clone() plain=true /></dd>
            <dt>{t!(i18n, proxy_staff.col_requester)}</dt>
            <dd>{format!("{} · {}", request.requester, relationship_label(i18n, request.relationship))}</dd>
            <dt>{t!(i18n, proxy.col_submitted)}</dt><dd><When iso=request.submitted_on.clone() /></dd>
            <dt>{t!(i18n, proxy.col_status)}</dt><dd data-testid="request-status">{status_text(i18n, &request)}</dd>
            {r.matched.clone().map(|m| view! { <dt>{t!(i18n, proxy_staff.matched)}</dt><dd>{m}</dd> })}
        </dl>
        {request.has_form.then(|| view! {
            <p><a href=format!("/api/staff/proxy/form?id={id}") download>{t!(i18n, proxy_staff.download_form)}</a></p>
        })}
        {pending.then(|| view! {
            <section aria-labelledby="approve-heading" class="card">
                <h2 id="approve-heading">{t!(i18n, proxy_staff.approve_title)}</h2>
                <FormMessage message=form_error(approved, &["patient", "sections", "ends_on"]) />
                <fieldset>
                    <legend>{t!(i18n, proxy_staff.candidates)}</legend>
                    {if r.candidates.is_empty() {
                        view! { <p class="empty">{t!(i18n, proxy_staff.no_candidates)}</p> }.into_any()
                    } else {
                        r.candidates.clone().into_iter().map(|p: PatientMatch| {
                            let radio_id = format!("match-{}", p.id);
                        let radio_id_for = radio_id.clone();
                            let pid = p.id;
                            view! {
                                <label for=radio_id_for class="check">
                                    <input type="radio" name="patient" id=radio_id on:change=move |_| chosen.set(Some(pid)) />
                                    {format!("{} · MRN {} · {}", p.name, p.mrn, crate::ui::when::plain_words(i18n, &p.birth_date))}
                                </label>
                            }
                        }).collect_view().into_any()
                    }}
                </fieldset>
                <fieldset>
                    <legend>{t!(i18n, proxy.choose_sections)}</legend>
                    <SectionBoxes id_prefix="approve".to_string() sections=Section::GRANTABLE.to_vec() chosen=sections />
                </fieldset>
                <p class="hint" id="ends-on-hint">{t!(i18n, proxy_staff.ends_on_hint)}</p>
                <TextField name="ends_on" kind="date" required=false bind=ends_on hint_id="ends-on-hint"
                    error=field_error(approved, "ends_on")>
                    {t!(i18n, proxy_staff.ends_on)}
                </TextField>
                <button type="button" class="primary" disabled=move || chosen.get().is_none() || approve.pending().get()
                    on:click=move |_| {
                        if let Some(patient_id) = chosen.get() {
                            let ends_on = Some(ends_on.get()).filter(|d| !d.is_empty());
                            approve.dispatch(ApproveRequest { id, patient_id, sections: Section::join(&sections.get()), ends_on });
                        }
                    }>{t!(i18n, proxy_staff.approve)}</button>
            </section>
            <section aria-labelledby="deny-heading" class="card">
                <h2 id="deny-heading">{t!(i18n, proxy_staff.deny_title)}</h2>
                <FormMessage message=form_error(denied, &["reason"]) />
                <TextArea name="reason" id="deny-reason" max_chars=REASON_MAX_CHARS rows=3 bind=reason error=field_error(denied, "reason")>
                    {t!(i18n, proxy_staff.reason)}
                </TextArea>
                <button type="button" disabled=move || deny.pending().get()
                    on:click=move |_| { deny.dispatch(DenyRequest { id, reason: reason.get() }); }>
                    {t!(i18n, proxy_staff.deny)}
                </button>
            </section>
        })}
        <p><a href="/staff/proxy">{t!(i18n, proxy_staff.back)}</a></p>
    }
}

/// Find a chart and see (and end) every grant on it: all in the browser.
#[island(lazy)]
fn ChartGrants() -> impl IntoView {
    let i18n = crate::ui::island_i18n();
    let patient = RwSignal::new(None::<(i64, String)>);
    view! {
        <section aria-labelledby="grants-heading">
            <h2 id="grants-heading">{t!(i18n, proxy_staff.grants_title)}</h2>
            <PatientPicker picked=patient />
            {move || patient.get().map(|(pid, name)| view! { <GrantsOf patient_id=pid name /> })}
        </section>
    }
}

#[component]
fn GrantsOf(patient_id: i64, name: String) -> impl IntoView {
    let i18n = use_i18n();
    let refresh = RwSignal::new(0u32);
    let grants = Resource::new(move || refresh.get(), move |_| chart_grants(patient_id));
    view! {
        <h3>{t!(i18n, proxy_staff.grants_of, name = name.clone())}</h3>
        <p><a href=format!("/staff/proxy/invite/{patient_id}")>{t_string!(i18n, invite.staff_link, name = name).to_string()}</a></p>
        <Loaded resource=grants render={move |list: Vec<GrantView>| {
            if list.is_empty() {
                return view! { <p class="empty">{t!(i18n, proxy.no_one)}</p> }.into_any();
            }
            list.into_iter().map(|g| view! { <EndGrantCard g refresh /> }).collect_view().into_any()
        }} />
    }
}

#[component]
fn EndGrantCard(g: GrantView, refresh: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let end = ServerAction::<EndAnyGrant>::new();
    Effect::new(move |_| {
        if matches!(end.value().get(), Some(Ok(_))) {
            refresh.update(|n| *n += 1);
        }
    });
    let result: Signal<Option<Result<(), AppError>>> = end.value().into();
    let reason = RwSignal::new(String::new());
    let id = g.id;
    let covers = g.sections_now.iter().map(|s| section_label(i18n, *s)).collect::<Vec<_>>().join(", ");
    view! {
        <div class="card">
            <p><strong>{format!("{} ({})", g.proxy_name, relationship_label(i18n, g.relationship))}</strong></p>
            <p>{t!(i18n, proxy.covers)}" "{covers}</p>
            <p class="muted">
                {t!(i18n, proxy.since, date = crate::ui::when::words(i18n, &g.starts_on))}
                {g.ends_on.clone().map(|d| view! { " · "{t!(i18n, proxy.until, date = crate::ui::when::words(i18n, &d))} })}
            </p>
            <TextArea name="reason" id=format!("end-{id}-reason") max_chars=REASON_MAX_CHARS rows=2 bind=reason error=field_error(result, "reason")>
                {t!(i18n, proxy_staff.end_reason)}
            </TextArea>
            <button type="button" class="danger" on:click=move |_| { end.dispatch(EndAnyGrant { id, reason: reason.get() }); }>
                {t!(i18n, proxy_staff.end_grant)}
            </button>
            {move || result.get().and_then(|r| r.err()).filter(|e| e.field_problem("reason").is_none())
                .map(|e| view! { <p class="form-error" role="alert">{error_text(i18n, &e)}</p> })}
        </div>
    }
}
