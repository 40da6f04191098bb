//! Visits: upcoming and past; a past visit links to its After Visit Summary and Progress
//! Note when they exist.
use leptos::prelude::*;

use crate::ui::when::When;
use leptos_router::{components::A, hooks::use_params_map};

use super::{
    api::{list_visits, load_visit_document},
    VisitDocKind, VisitSummary,
};
use crate::{error::AppError, i18n::*, ui::loaded::Loaded};

#[component]
pub fn VisitsPage() -> impl IntoView {
    let i18n = use_i18n();
    let visits = Resource::new(|| (), |_| list_visits());
    view! {
        <h1>{t!(i18n, visits.title)}</h1>
        <Loaded resource=visits render=move |v| view! {
            <section>
                <h2>{t!(i18n, visits.upcoming)}</h2>
                {if v.upcoming.is_empty() {
                    view! { <p class="empty">{t!(i18n, visits.no_upcoming)}</p> }.into_any()
                } else {
                    view! { <VisitList visits=v.upcoming past=false /> }.into_any()
                }}
            </section>
            <section>
                <h2>{t!(i18n, visits.past)}</h2>
                {if v.past.is_empty() {
                    view! { <p class="empty">{t!(i18n, visits.no_past)}</p> }.into_any()
                } else {
                    view! { <VisitList visits=v.past past=true /> }.into_any()
                }}
            </section>
        } />
    }
}

#[component]
pub fn VisitList(visits: Vec<VisitSummary>, past: bool) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ul class="visit-list">
            {visits.into_iter().map(|v| {
                let id = v.id;
                let docs = past.then(|| {
                    if !v.has_summary && !v.has_note {
                        return view! { <p class="muted">{t!(i18n, visits.no_documents)}</p> }.into_any();
                    }
                    view! {
                        <p class="visit-docs">
                            {v.has_summary.then(|| view! { <A href=format!("/visits/{id}/summary")>{t!(i18n, visits.summary)}</A> })}
                            {v.has_note.then(|| view! { <A href=format!("/visits/{id}/note")>{t!(i18n, visits.note)}</A> })}
                        </p>
                    }.into_any()
                });
                view! {
                    <li class="visit" class:cancelled=v.cancelled>
                        <p class="visit-when"><strong><When iso=v.starts.clone() /></strong> " · " {v.kind.clone()}</p>
                        <p>
                            {v.provider.clone().map(|p| format!("{p} · ")).unwrap_or_default()}{v.department.clone()}
                            {v.department_phone.clone().map(|phone| view! {
                                " · "{t!(i18n, visits.office_phone)}" "
                                <a href=crate::site::tel_link(&phone)>{phone.clone()}</a>
                            })}
                        </p>
                        {(!v.reason.is_empty()).then(|| view! { <p class="muted">{v.reason.clone()}</p> })}
                        {v.cancelled.then(|| view! { <p class="badge">{t!(i18n, visits.cancelled)}</p> })}
                        {docs}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

#[component]
pub fn VisitDocumentPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let key = move || {
        let p = params.read();
        (
            p.get("id").and_then(|s| s.parse::<i64>().ok()),
            p.get("doc").and_then(|d| VisitDocKind::from_slug(&d)),
        )
    };
    let doc = Resource::new(key, |key| async move {
        match key {
            (Some(id), Some(kind)) => load_visit_document(id, kind).await,
            _ => Err(AppError::NotFound),
        }
    });
    view! {
        <p><A href="/visits">{t!(i18n, visits.back)}</A></p>
        <Loaded resource=doc render=move |d| {
            let title = match d.kind {
                VisitDocKind::Summary => t_string!(i18n, visits.summary).to_string(),
                VisitDocKind::Note => t_string!(i18n, visits.note).to_string(),
            };
            view! {
                <h1>{title}</h1>
                <p class="muted">
                    <When iso=d.visit.starts.clone() /> " · " {d.visit.kind.clone()} " · "
                    {d.visit.provider.clone().unwrap_or_default()}
                </p>
                <article class="document">
                    {d.text.split("\n\n").map(|para| view! { <p>{para.to_owned()}</p> }).collect_view()}
                </article>
            }
        } />
    }
}
