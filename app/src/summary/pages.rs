use leptos::prelude::*;

use crate::ui::when::When;
use leptos_router::components::A;

use super::{api::load_health_summary, HealthSummary};
use crate::{i18n::*, ui::loaded::Loaded};

#[component]
pub fn HealthSummaryPage() -> impl IntoView {
    let i18n = use_i18n();
    let summary = Resource::new(|| (), |_| load_health_summary());
    view! {
        <h1>{t!(i18n, summary.title)}</h1>
        <Loaded resource=summary render=|s| view! { <SummaryView s /> } />
    }
}

#[component]
fn SummaryView(s: HealthSummary) -> impl IntoView {
    let i18n = use_i18n();
    let none = move || view! { <p class="empty">{t!(i18n, summary.none)}</p> };
    view! {
        <section class="card">
            <h2>{t!(i18n, summary.problems)}</h2>
            {if s.problems.is_empty() { none().into_any() } else { view! {
                <ul>{s.problems.into_iter().map(|p| view! {
                    <li>{p.name.clone()}{p.onset.clone().map(|d| format!(" · {}", crate::ui::when::plain_words(i18n, &d)))}</li>
                }).collect_view()}</ul>
            }.into_any() }}
        </section>
        <section class="card">
            <h2>{t!(i18n, summary.medications)}</h2>
            {if s.medications.is_empty() { none().into_any() } else { view! {
                <ul>{s.medications.into_iter().map(|m| view! {
                    <li><strong>{format!("{} {}", m.name, m.dose)}</strong> " — " {m.sig.clone()}</li>
                }).collect_view()}</ul>
                <p><A href="/medications">{t!(i18n, summary.renewals_link)}</A></p>
            }.into_any() }}
        </section>
        <section class="card">
            <h2>{t!(i18n, summary.allergies)}</h2>
            {if s.allergies.is_empty() { none().into_any() } else { view! {
                <ul>{s.allergies.into_iter().map(|a| view! {
                    <li><strong>{a.substance.clone()}</strong> " — " {a.reaction.clone()} " (" {a.severity.clone()} ")"</li>
                }).collect_view()}</ul>
            }.into_any() }}
        </section>
        <section class="card">
            <h2>{t!(i18n, summary.immunizations)}</h2>
            {if s.immunizations.is_empty() { none().into_any() } else { view! {
                <table class="data">
                    <caption class="visually-hidden">{t!(i18n, summary.immunizations)}</caption>
                    <thead><tr><th scope="col">{t!(i18n, summary.vaccine)}</th><th scope="col">{t!(i18n, summary.given_on)}</th></tr></thead>
                    <tbody>{s.immunizations.into_iter().map(|i| view! {
                        <tr><td>{i.name.clone()}</td><td><When iso=i.given_on.clone() /></td></tr>
                    }).collect_view()}</tbody>
                </table>
            }.into_any() }}
        </section>
    }
}
