//! Test Results: the list, one result, and the graph of one analyte. Each is its own URL.
use leptos::prelude::*;

use crate::ui::when::When;
use leptos_router::{components::A, hooks::use_params_map};

use super::{
    api::{get_result, list_results, result_trend},
    chart::{visible, Span, TrendGraph, TrendTable},
    format_range, Component, Flag, ResultDetail, ResultSummary, Trend,
};
use crate::{i18n::*, ui::loaded::Loaded};

#[component]
pub fn ResultsPage() -> impl IntoView {
    let i18n = use_i18n();
    let results = Resource::new(|| (), |_| list_results());
    let show = move |list: Vec<ResultSummary>| {
        if list.is_empty() {
            view! { <p class="empty">{t!(i18n, results.none)}</p> }.into_any()
        } else {
            view! { <ResultList list /> }.into_any()
        }
    };
    view! {
        <h1>{t!(i18n, results.title)}</h1>
        <Loaded resource=results render=show />
    }
}

/// Results newest first, with "new" and "outside range" marked in words as well as style.
#[component]
pub fn ResultList(list: Vec<ResultSummary>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ul class="result-list">
            {list.into_iter().map(|r| view! {
                <li class:new=r.is_new>
                    <A href=format!("/results/{}", r.id)>{r.name.clone()}</A>
                    <span class="date"><When iso=r.collected_on.clone() /></span>
                    {r.is_new.then(|| view! { <span class="badge new-badge">{t!(i18n, results.new)}</span> })}
                    {r.abnormal.then(|| view! { <span class="badge abnormal-badge">{t!(i18n, results.abnormal)}</span> })}
                </li>
            }).collect_view()}
        </ul>
    }
}

#[component]
pub fn ResultPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<i64>().ok());
    let result = Resource::new(id, |id| async move {
        match id {
            Some(id) => get_result(id).await,
            None => Err(crate::error::AppError::NotFound),
        }
    });
    view! {
        <p><A href="/results">{t!(i18n, results.back)}</A></p>
        <Loaded resource=result render=|detail| view! { <ResultView detail /> } />
    }
}

#[component]
fn ResultView(detail: ResultDetail) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h1>{detail.name.clone()}</h1>
        <dl class="facts">
            <dt>{t!(i18n, results.collected)}</dt><dd><When iso=detail.collected_on.clone() /></dd>
            <dt>{t!(i18n, results.released)}</dt><dd><When iso=detail.released_on.clone() /></dd>
            {detail.ordered_by.clone().map(|who| view! {
                <dt>{t!(i18n, results.ordered_by)}</dt><dd>{who}</dd>
            })}
        </dl>
        {detail.awaiting_review.then(|| view! {
            <p class="notice" role="note">{t!(i18n, results.not_reviewed)}</p>
        })}
        {detail.from_hospital_or_emergency.then(|| view! {
            <p class="notice" role="note">{t!(i18n, results.from_hospital)}</p>
        })}
        <table class="data components">
            <caption>{t!(i18n, results.components)}</caption>
            <thead><tr>
                <th scope="col">{t!(i18n, results.component)}</th>
                <th scope="col">{t!(i18n, results.value)}</th>
                <th scope="col">{t!(i18n, results.range)}</th>
                <th scope="col">{t!(i18n, results.flag)}</th>
                <th scope="col">{t!(i18n, results.trend)}</th>
            </tr></thead>
            <tbody>
                {detail.components.into_iter().map(|c| view! { <ComponentRow c /> }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn ComponentRow(c: Component) -> impl IntoView {
    let i18n = use_i18n();
    let flag = c.flag.map(|f| match f {
        Flag::High => t_string!(i18n, results.flag_high).to_string(),
        Flag::Low => t_string!(i18n, results.flag_low).to_string(),
        Flag::Abnormal => t_string!(i18n, results.flag_abnormal).to_string(),
    });
    let graph_label = t_string!(i18n, results.graph_link, name = c.name.clone()).to_string();
    view! {
        <tr class=c.flag.map(|_| "abnormal")>
            <th scope="row">{c.name.clone()}</th>
            <td>{format!("{} {}", c.value, c.unit)}</td>
            <td>{c.range.clone().unwrap_or_default()}</td>
            <td>{flag}</td>
            <td>{c.has_trend.then(|| view! {
                <A href=format!("/results/trend/{}", c.loinc) attr:aria-label=graph_label>{t!(i18n, results.graph)}</A>
            })}</td>
        </tr>
    }
}

#[component]
pub fn TrendPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let loinc = move || params.read().get("loinc").unwrap_or_default();
    let trend = Resource::new(loinc, result_trend);
    view! {
        <p><A href="/results">{t!(i18n, results.back)}</A></p>
        <Loaded resource=trend render=|trend| view! { <TrendView trend /> } />
    }
}

/// The graph (or table) and its controls: all in the browser.
#[island(lazy)]
fn TrendView(trend: Trend) -> impl IntoView {
    let i18n = crate::ui::island_i18n();
    let span = RwSignal::new(Span::All);
    let as_table = RwSignal::new(false);
    let span_button = move |value: Span, label: String| {
        view! {
            <button type="button" aria-pressed=move || (span.get() == value).to_string()
                on:click=move |_| span.set(value)>{label}</button>
        }
    };
    let name = trend.name.clone();
    let several_units = trend.series.len() > 1;
    let as_of = trend.as_of_ms;
    let series = trend.series.clone();
    view! {
        <h1>{t!(i18n, results.trend_title, name = name.clone())}</h1>
        {several_units.then(|| view! { <p class="notice">{t!(i18n, results.several_units)}</p> })}
        <div class="toolbar">
            <div role="group" aria-label=move || t_string!(i18n, results.span).to_string() class="segmented">
                {span_button(Span::OneYear, t_string!(i18n, results.span_1y).to_string())}
                {span_button(Span::FiveYears, t_string!(i18n, results.span_5y).to_string())}
                {span_button(Span::All, t_string!(i18n, results.span_all).to_string())}
            </div>
            <button type="button" aria-pressed=move || as_table.get().to_string()
                on:click=move |_| as_table.update(|t| *t = !*t)>
                {t!(i18n, results.show_table)}
            </button>
        </div>
        {move || {
            let span = span.get();
            let table = as_table.get();
            series.iter().map(|s| {
                let points = visible(s, span, as_of);
                let heading = format!("{} ({})", name, s.unit);
                let range = format_range(s.ref_low, s.ref_high, None);
                let body = if points.is_empty() {
                    view! { <p class="empty">{t!(i18n, results.none_in_span)}</p> }.into_any()
                } else if table {
                    view! { <TrendTable name=name.clone() unit=s.unit.clone() points range /> }.into_any()
                } else {
                    view! { <TrendGraph name=name.clone() unit=s.unit.clone() points ref_low=s.ref_low ref_high=s.ref_high /> }.into_any()
                };
                view! { <section class="trend-unit"><h2>{heading}</h2>{body}</section> }
            }).collect_view()
        }}
    }
}
