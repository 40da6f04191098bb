//! The clinician's page to mark a chart's items confidential: find the patient, then
//! press "Confidential" on a result, a visit note, a problem, a medication or a thread.
use leptos::prelude::*;

use crate::ui::when::When;

use super::{
    staff_api::{chart_items, SetConfidential},
    Item, ItemKind,
};
use crate::{
    break_glass::pages::{needs_break_glass, BreakGlassForm},
    i18n::*,
    staff::pages::PatientPicker,
    ui::{errors::error_text, loaded::Loaded},
};

#[component]
pub fn ConfidentialPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h1>{t!(i18n, confidential.title)}</h1>
        <p>{t!(i18n, confidential.intro)}</p>
        <ConfidentialTool />
    }
}

/// Pick the patient, then mark their items: all in the browser.
#[island(lazy)]
fn ConfidentialTool() -> impl IntoView {
    crate::ui::island_i18n();
    let patient = RwSignal::new(None::<(i64, String)>);
    view! {
        <PatientPicker picked=patient />
        {move || patient.get().map(|(pid, name)| view! { <Items patient_id=pid name /> })}
    }
}

#[component]
fn Items(patient_id: i64, name: String) -> impl IntoView {
    let i18n = use_i18n();
    let refresh = RwSignal::new(0u32);
    let items = Resource::new(move || refresh.get(), move |_| chart_items(patient_id));
    let set = ServerAction::<SetConfidential>::new();
    Effect::new(move |_| {
        if matches!(set.value().get(), Some(Ok(_))) {
            refresh.update(|n| *n += 1);
        }
    });
    // Not a patient this clinician cares for: the chart opens once a reason is given.
    let glass = move || needs_break_glass(&items.get());
    view! {
        <h2>{t!(i18n, confidential.items_of, name = name)}</h2>
        {move || glass().then(|| view! {
            <BreakGlassForm patient_id=patient_id done=Callback::new(move |_| refresh.update(|n| *n += 1)) />
        })}
        {move || set.value().get().and_then(|r| r.err()).map(|e| view! { <p class="form-error" role="alert">{error_text(i18n, &e)}</p> })}
        <Loaded resource=items render={move |list: Vec<Item>| view! {
            <table class="data">
                <thead><tr>
                    <th scope="col">{t!(i18n, confidential.col_kind)}</th>
                    <th scope="col">{t!(i18n, confidential.col_item)}</th>
                    <th scope="col">{t!(i18n, confidential.col_date)}</th>
                    <th scope="col">{t!(i18n, confidential.col_confidential)}</th>
                </tr></thead>
                <tbody>
                    {list.into_iter().map(|item| {
                        let label = format!("{} {}", t_string!(i18n, confidential.mark), item.label);
                        let (kind, id, now) = (item.kind, item.id, item.confidential);
                        view! {
                            <tr>
                                <td>{kind_text(i18n, item.kind)}</td>
                                <td>{item.label.clone()}</td>
                                <td><When iso=item.date.clone() /></td>
                                <td>
                                    <button type="button" aria-pressed=if now { "true" } else { "false" } aria-label=label
                                        on:click=move |_| { set.dispatch(SetConfidential { patient_id, kind, id, confidential: !now }); }>
                                        {t!(i18n, confidential.mark)}
                                    </button>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        }} />
    }
}

fn kind_text(i18n: leptos_i18n::I18nContext<Locale>, kind: ItemKind) -> String {
    match kind {
        ItemKind::Result => t_string!(i18n, confidential.kind_result),
        ItemKind::Note => t_string!(i18n, confidential.kind_note),
        ItemKind::Problem => t_string!(i18n, confidential.kind_problem),
        ItemKind::Medication => t_string!(i18n, confidential.kind_medication),
        ItemKind::Message => t_string!(i18n, confidential.kind_message),
    }
    .to_string()
}
