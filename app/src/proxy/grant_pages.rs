//! One grant on the signed-in patient's chart, each change on a page of its own, sent as a
//! plain form (no wasm: Sharing costs a phone nothing after Home): an adult chooses what a
//! proxy may see; a teen asks the Medical Records team to hide parts from a parent. Sent,
//! the browser lands on Sharing, which shows the outcome; refused, it comes back here with
//! the error at its field.
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::{
    api::{load_sharing, RequestRestriction, SetGrantSections},
    GrantView, Restriction, RestrictionStatus, Sharing, RESTRICTION_NOTE_MAX_CHARS,
};
use crate::{
    access::Section,
    i18n::*,
    ui::{
        errors::{field_error, form_error, url_result},
        form::{idempotency_key, FormMessage, TextArea},
        layout::section_label,
        loaded::Loaded,
    },
};

const SET_SECTIONS_PATH: &str = <SetGrantSections as server_fn::ServerFn>::PATH;
const RESTRICT_PATH: &str = <RequestRestriction as server_fn::ServerFn>::PATH;

/// The grant on my chart that the URL names, with the rest of Sharing, or "not found".
#[component]
fn WithGrant<V: IntoView + 'static>(render: fn(GrantView, Sharing) -> V) -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<i64>().ok());
    let sharing = Resource::new(|| (), |_| load_sharing());
    view! {
        <p><a href="/sharing">{t!(i18n, proxy.back_to_sharing)}</a></p>
        <Loaded resource=sharing render=move |s: Sharing| {
            match s.on_my_chart.iter().find(|g| Some(g.id) == id()).cloned() {
                Some(g) => render(g, s).into_any(),
                None => {
                    crate::ui::set_not_found_status();
                    view! { <h1>{t!(i18n, proxy.grant_not_found)}</h1> }.into_any()
                }
            }
        } />
    }
}

/// An adult patient: which parts of the chart this proxy may see.
#[component]
pub fn GrantSectionsPage() -> impl IntoView {
    view! { <WithGrant render=|g, s| view! { <GrantSectionsForm g may_change=s.may_change /> } /> }
}

#[component]
fn GrantSectionsForm(g: GrantView, may_change: bool) -> impl IntoView {
    let i18n = use_i18n();
    let result = url_result::<SetGrantSections, ()>();
    let title = t_string!(i18n, proxy.change_sections, name = g.proxy_name.clone()).to_string();
    if !may_change {
        return view! { <h1>{title}</h1><p>{t!(i18n, proxy.teen_cannot_change)}</p> }.into_any();
    }
    view! {
        <h1 id="grant-title">{title}</h1>
        <form method="post" action=SET_SECTIONS_PATH class="card" aria-labelledby="grant-title">
            <FormMessage message=form_error(result, &["sections"]) />
            <input type="hidden" name="id" value=g.id />
            <SectionChecks legend=t_string!(i18n, proxy.choose_sections).to_string()
                sections=Section::GRANTABLE.to_vec() checked=g.sections.clone()
                error=field_error(result, "sections") />
            <button type="submit" class="primary">{t!(i18n, proxy.save_sections)}</button>
        </form>
    }
    .into_any()
}

/// A teen under a parent's grant: ask to hide parts of the chart from them.
#[component]
pub fn RestrictionRequestPage() -> impl IntoView {
    view! {
        <WithGrant render=|g, s| view! { <RestrictionForm g restrictions=s.restrictions may_change=s.may_change /> } />
    }
}

#[component]
fn RestrictionForm(g: GrantView, restrictions: Vec<Restriction>, may_change: bool) -> impl IntoView {
    let i18n = use_i18n();
    let result = url_result::<RequestRestriction, Restriction>();
    let name = g.proxy_name.clone();
    let title = t_string!(i18n, proxy.restrict_title, name = name.clone()).to_string();
    let waiting = restrictions.iter().any(|r| r.grant_id == g.id && r.status == RestrictionStatus::Pending);
    if may_change {
        // An adult chooses what each person sees themself (the grant's own page).
        return view! { <h1>{title}</h1><p>{t!(i18n, proxy.restrict_adult)}</p> }.into_any();
    }
    if waiting || !g.in_force {
        return view! { <h1>{title}</h1><p>{t!(i18n, proxy.restrict_waiting)}</p> }.into_any();
    }
    // Home is where the others are summed up: it goes with them, not on its own.
    let hideable: Vec<Section> = g.sections_now.iter().copied().filter(|s| *s != Section::Home).collect();
    view! {
        <h1 id="restrict-title">{title}</h1>
        <p>{t!(i18n, proxy.restrict_intro, name)}</p>
        <form method="post" action=RESTRICT_PATH class="card restriction" aria-labelledby="restrict-title">
            <FormMessage message=form_error(result, &["sections", "note"]) />
            <input type="hidden" name="grant_id" value=g.id />
            <input type="hidden" name="key" value=idempotency_key() />
            <SectionChecks legend=t_string!(i18n, proxy.restrict_hide).to_string() sections=hideable
                checked=Vec::new() error=field_error(result, "sections") />
            <TextArea name="note" max_chars=RESTRICTION_NOTE_MAX_CHARS required=false rows=3 live_count=false
                bind=RwSignal::new(String::new()) error=field_error(result, "note")>
                {t!(i18n, proxy.restrict_note)}
            </TextArea>
            <button type="submit" class="primary">{t!(i18n, proxy.restrict_submit)}</button>
        </form>
    }
    .into_any()
}

/// One checkbox per section, sent as `sections[]` (see `SectionNames`), with the group's
/// error under it and tied to it for screen readers.
#[component]
pub(crate) fn SectionChecks(
    legend: String,
    sections: Vec<Section>,
    checked: Vec<Section>,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let message = error.get_untracked();
    let described_by = message.is_some().then_some("sections-error");
    let boxes = sections
        .into_iter()
        .map(|s| {
            let box_id = format!("section-{}", s.as_str());
            let label_for = box_id.clone();
            view! {
                <label for=label_for class="check">
                    <input type="checkbox" id=box_id name="sections[]" value=s.as_str() checked=checked.contains(&s) />
                    {section_label(i18n, s)}
                </label>
            }
        })
        .collect_view();
    view! {
        <fieldset class="sections" aria-describedby=described_by>
            <legend>{legend}</legend>
            {boxes}
            {message.map(|m| view! { <p class="field-error" id="sections-error">{m}</p> })}
        </fieldset>
    }
}
