//! The consent screen (`/connect`) and "Linked apps" (`/account/apps`): server-rendered
//! plain forms, no wasm. The consent screen's answer sends the browser back to the app.
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::{
    api::{linked_apps, load_consent, AnswerConsent, RevokeApp},
    kinds::DataKind,
    ConsentChart, ConsentView, LinkedApp,
};
use crate::{
    i18n::*,
    ui::{
        errors::{field_error, form_error, url_result},
        form::{FormMessage, PostButton},
        layout::relationship_label,
        loaded::Loaded,
        when::When,
    },
};

const ANSWER_PATH: &str = <AnswerConsent as server_fn::ServerFn>::PATH;
const REVOKE_PATH: &str = <RevokeApp as server_fn::ServerFn>::PATH;

/// A kind of data in the patient's words.
pub fn kind_label(i18n: leptos_i18n::I18nContext<Locale>, kind: DataKind) -> String {
    match kind {
        DataKind::Basics => t_string!(i18n, apps.kind_basics),
        DataKind::LabResults => t_string!(i18n, apps.kind_lab_results),
        DataKind::Medications => t_string!(i18n, apps.kind_medications),
        DataKind::HealthSummary => t_string!(i18n, apps.kind_health_summary),
        DataKind::Visits => t_string!(i18n, apps.kind_visits),
        DataKind::Documents => t_string!(i18n, apps.kind_documents),
    }
    .to_string()
}

#[component]
pub fn ConsentPage() -> impl IntoView {
    let i18n = use_i18n();
    let consent = Resource::new(|| (), |_| load_consent());
    view! {
        <Loaded resource=consent render={move |c: Option<ConsentView>| match c {
            Some(c) => view! { <ConsentForm c /> }.into_any(),
            None => view! {
                <h1>{t!(i18n, apps.consent_gone_title)}</h1>
                <p>{t!(i18n, apps.consent_gone)}</p>
            }.into_any(),
        }} />
    }
}

#[component]
fn ConsentForm(c: ConsentView) -> impl IntoView {
    let i18n = use_i18n();
    let result = url_result::<AnswerConsent, ()>();
    let app = c.app_name.clone();
    let title = t_string!(i18n, apps.consent_title, app = app.clone()).to_string();
    let how_long = if c.until_revoked {
        t_string!(i18n, apps.until_revoked).to_string()
    } else {
        t_string!(i18n, apps.one_hour).to_string()
    };
    let single_chart = c.charts.len() == 1;
    let kind_error = field_error(result, "kinds");
    let chart_error = field_error(result, "chart");
    view! {
        <h1 id="consent-title">{title}</h1>
        // data-external: the answer leaves this site, so the browser sends it, not client.js.
        <form method="post" action=ANSWER_PATH class="card consent" aria-labelledby="consent-title" data-external="">
            <FormMessage message=form_error(result, &["kinds", "chart"]) />
            <input type="hidden" name="request" value=c.request_id />
            {c.logo_url.clone().map(|src| view! { <img class="app-logo" src=src alt="" width="64" height="64" /> })}
            <p>{t!(i18n, apps.registered_by, who = c.registered_by.clone())}</p>
            <p>{t!(i18n, apps.answer_goes_to, host = c.app_host.clone())}</p>
            <p>
                <a href=c.terms_url.clone() rel="noopener noreferrer" target="_blank">{t!(i18n, apps.terms)}</a>
                " · "
                <a href=c.privacy_url.clone() rel="noopener noreferrer" target="_blank">{t!(i18n, apps.privacy)}</a>
            </p>
            <KindChecks kinds=c.kinds.clone() error=kind_error />
            {c.learns_who_you_are.then(|| view! { <p>{t!(i18n, apps.learns_who_you_are)}</p> })}
            <ChartChoices charts=c.charts.clone() single=single_chart error=chart_error />
            <p><strong>{t!(i18n, apps.how_long)}</strong>" "{how_long}</p>
            <p>{t!(i18n, apps.revoke_hint)}</p>
            <div class="actions">
                <button type="submit" name="decision" value="allow" class="primary">{t!(i18n, apps.allow)}</button>
                <button type="submit" name="decision" value="deny">{t!(i18n, apps.deny)}</button>
            </div>
        </form>
    }
}

#[component]
fn KindChecks(kinds: Vec<DataKind>, error: Signal<Option<String>>) -> impl IntoView {
    let i18n = use_i18n();
    let message = error.get_untracked();
    let described_by = message.is_some().then_some("kinds-error");
    let boxes = kinds
        .into_iter()
        .map(|k| {
            let id = format!("kind-{}", k.as_str());
            let label_for = id.clone();
            view! {
                <label for=label_for class="check">
                    <input type="checkbox" id=id name="kinds[]" value=k.as_str() checked=true />
                    {kind_label(i18n, k)}
                </label>
            }
        })
        .collect_view();
    view! {
        <fieldset class="sections" aria-describedby=described_by>
            <legend>{t!(i18n, apps.asks_for)}</legend>
            {boxes}
            {message.map(|m| view! { <p class="field-error" id="kinds-error">{m}</p> })}
        </fieldset>
    }
}

#[component]
fn ChartChoices(charts: Vec<ConsentChart>, single: bool, error: Signal<Option<String>>) -> impl IntoView {
    let i18n = use_i18n();
    let message = error.get_untracked();
    let described_by = message.is_some().then_some("chart-error");
    let choices = charts
        .into_iter()
        .map(|chart| {
            let id = format!("chart-{}", chart.patient_id);
            let name = match chart.relationship {
                None => t_string!(i18n, apps.own_chart, name = chart.name.clone()).to_string(),
                Some(r) => format!("{} ({})", chart.name, relationship_label(i18n, r)),
            };
            let label_for = id.clone();
            view! {
                <label for=label_for class="check">
                    <input type="radio" id=id name="chart" value=chart.patient_id.to_string() checked=single required=true />
                    {name}
                </label>
            }
        })
        .collect_view();
    view! {
        <fieldset class="sections" aria-describedby=described_by>
            <legend>{t!(i18n, apps.whose_chart)}</legend>
            {choices}
            {message.map(|m| view! { <p class="field-error" id="chart-error">{m}</p> })}
        </fieldset>
    }
}

#[component]
pub fn LinkedAppsPage() -> impl IntoView {
    let i18n = use_i18n();
    let apps = Resource::new(|| (), |_| linked_apps());
    let revoked = use_query_map().read_untracked().get("done").as_deref() == Some("revoked");
    view! {
        <p><a href="/account">{t!(i18n, account.back)}</a></p>
        <h1>{t!(i18n, apps.linked_title)}</h1>
        <p>{t!(i18n, apps.linked_intro)}</p>
        <div role="status">{revoked.then(|| view! { <p class="notice">{t!(i18n, apps.revoked)}</p> })}</div>
        <Loaded resource=apps render={move |list: Vec<LinkedApp>| if list.is_empty() {
            view! { <p>{t!(i18n, apps.none_linked)}</p> }.into_any()
        } else {
            view! { <ul class="device-list">{list.into_iter().map(|a| view! { <LinkedCard a /> }).collect_view()}</ul> }.into_any()
        }} />
    }
}

#[component]
fn LinkedCard(a: LinkedApp) -> impl IntoView {
    let i18n = use_i18n();
    let kinds = a.kinds.iter().map(|k| kind_label(i18n, *k)).collect::<Vec<_>>().join(", ");
    let whose = if a.own_chart {
        t_string!(i18n, apps.own_chart, name = a.chart_name.clone()).to_string()
    } else {
        a.chart_name.clone()
    };
    let how_long =
        if a.until_revoked { t_string!(i18n, apps.until_revoked) } else { t_string!(i18n, apps.one_hour) }
            .to_string();
    let label = t_string!(i18n, apps.revoke_label, app = a.app_name.clone()).to_string();
    view! {
        <li class="card">
            <h2>{a.app_name.clone()}</h2>
            <dl class="facts">
                <dt>{t!(i18n, apps.may_read)}</dt><dd>{kinds}</dd>
                <dt>{t!(i18n, apps.for_whom)}</dt><dd>{whose}</dd>
                {a.linked_by.clone().map(|who| view! { <dt>{t!(i18n, apps.linked_by)}</dt><dd>{who}</dd> })}
                <dt>{t!(i18n, apps.how_long)}</dt><dd>{how_long}</dd>
                <dt>{t!(i18n, apps.linked_on)}</dt><dd><When iso=a.linked /></dd>
                <dt>{t!(i18n, apps.last_used)}</dt>
                <dd>{match a.last_used {
                    Some(at) => view! { <When iso=at /> }.into_any(),
                    None => view! { <span>{t!(i18n, apps.never_used)}</span> }.into_any(),
                }}</dd>
            </dl>
            <PostButton action=REVOKE_PATH fields=vec![("id", a.grant_id.to_string())] label>
                {t!(i18n, apps.revoke)}
            </PostButton>
        </li>
    }
}
