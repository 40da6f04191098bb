//! The clinician's pages, with no account: `/share` (the code and the patient's date of
//! birth) and `/share/view` (what was shared, read-only, until the share or the view ends).
use leptos::prelude::*;

use super::{
    viewer_api::{load_shared_record, CloseShare, OpenShare},
    SharedRecord, SharedVisit,
};
use crate::{
    i18n::*,
    ui::{
        errors::{field_error, form_error, url_result},
        form::{FormMessage, TextField},
        loaded::Loaded,
    },
};

const OPEN_PATH: &str = <OpenShare as server_fn::ServerFn>::PATH;
const CLOSE_PATH: &str = <CloseShare as server_fn::ServerFn>::PATH;

#[component]
pub fn OpenSharePage() -> impl IntoView {
    let i18n = use_i18n();
    let result = url_result::<OpenShare, ()>();
    view! {
        <section class="card narrow">
            <h1>{t!(i18n, share.open_title)}</h1>
            <p>{t!(i18n, share.open_intro)}</p>
            <form method="post" action=OPEN_PATH class="stack">
                <FormMessage message=form_error(result, &["code", "birth_date"]) />
                <TextField name="code" autocomplete="off" maxlength=20 error=field_error(result, "code")>
                    {t!(i18n, share.code)}
                </TextField>
                <TextField name="birth_date" kind="date" error=field_error(result, "birth_date")>
                    {t!(i18n, share.birth_date)}
                </TextField>
                <button type="submit" class="primary">{t!(i18n, share.open)}</button>
            </form>
        </section>
    }
}

#[component]
pub fn SharedRecordPage() -> impl IntoView {
    let i18n = use_i18n();
    let record = Resource::new(|| (), |_| load_shared_record());
    view! {
        <section class="card">
            <Loaded resource=record render=move |r: SharedRecord| view! { <SharedRecordView record=r /> } />
            <form method="post" action=CLOSE_PATH class="actions">
                <button type="submit" class="secondary">{t!(i18n, share.close)}</button>
            </form>
            <p><a href="/share">{t!(i18n, share.another)}</a></p>
        </section>
    }
}

#[component]
fn SharedRecordView(record: SharedRecord) -> impl IntoView {
    let i18n = use_i18n();
    let list = |heading: String, items: Option<Vec<String>>| {
        items.map(|items| {
            let empty = items.is_empty();
            view! {
                <h2>{heading}</h2>
                {if empty {
                    view! { <p class="empty">{t!(i18n, share.none)}</p> }.into_any()
                } else {
                    view! { <ul>{items.into_iter().map(|i| view! { <li>{i}</li> }).collect_view()}</ul> }.into_any()
                }}
            }
        })
    };
    view! {
        <h1>{record.patient_name.clone()}</h1>
        <p>{t_string!(i18n, share.about, birth = record.birth_date.clone(), org = record.org.clone()).to_string()}</p>
        <p class="notice">{t_string!(i18n, share.read_only_until, until = record.expires.clone()).to_string()}</p>
        {list(t_string!(i18n, share.problems).to_string(), record.problems)}
        {list(t_string!(i18n, share.allergies).to_string(), record.allergies)}
        {list(t_string!(i18n, share.medications).to_string(), record.medications)}
        {list(t_string!(i18n, share.immunizations).to_string(), record.immunizations)}
        {record.visits.map(|visits| view! {
            <h2>{t!(i18n, share.visits)}</h2>
            {if visits.is_empty() {
                view! { <p class="empty">{t!(i18n, share.none)}</p> }.into_any()
            } else {
                visits.into_iter().map(|v| view! { <SharedVisitView visit=v /> }).collect_view().into_any()
            }}
        })}
    }
}

/// One visit as read in a page (a share's, the Documents page's reading view).
#[component]
pub fn SharedVisitView(visit: SharedVisit) -> impl IntoView {
    let i18n = use_i18n();
    let who = match &visit.provider {
        Some(p) => format!("{p}, {}", visit.department),
        None => visit.department.clone(),
    };
    view! {
        <section class="shared-visit">
            <h3>{format!("{} - {}", visit.when, visit.kind)}</h3>
            <p class="muted">{who}{(!visit.reason.is_empty()).then(|| format!(" · {}", visit.reason))}</p>
            {visit.summary.map(|text| view! {
                <h4>{t!(i18n, share.summary)}</h4>
                <p class="prewrap">{text}</p>
            })}
            {visit.note.map(|text| view! {
                <h4>{t!(i18n, share.note)}</h4>
                <p class="prewrap">{text}</p>
            })}
            {(!visit.results.is_empty()).then(|| view! {
                <h4>{t!(i18n, share.results)}</h4>
                <ul>{visit.results.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}</ul>
            })}
        </section>
    }
}
