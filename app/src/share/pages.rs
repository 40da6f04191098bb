//! "Share your record": make a code (what, for how long), see it once, and each code with
//! when and from where it was opened, ended at once with one button. Server-rendered,
//! plain form posts: it works before and without the wasm.
use leptos::prelude::*;

use super::{
    api::{list_shares, CreateShare, EndShare},
    NewShare, ShareLine, SharePage, ShareScope, SHARE_HOURS,
};
use crate::{
    i18n::*,
    ui::{
        errors::{field_error, form_error, url_result},
        form::FormMessage,
        loaded::Loaded,
    },
};

const CREATE_PATH: &str = <CreateShare as server_fn::ServerFn>::PATH;
const END_PATH: &str = <EndShare as server_fn::ServerFn>::PATH;

#[component]
pub fn SharePageView() -> impl IntoView {
    let i18n = use_i18n();
    let page = Resource::new(|| (), |_| list_shares());
    let ended = url_result::<EndShare, ()>();
    view! {
        <p><a href="/documents">{t!(i18n, documents.back)}</a></p>
        <h1>{t!(i18n, share.title)}</h1>
        <p>{t!(i18n, share.intro)}</p>
        <FormMessage message=form_error(ended, &[]) />
        <Loaded resource=page render=move |page: SharePage| view! {
            {page.just_made.clone().map(|made| view! { <NewCode made=made /> })}
            <ShareForm may_share_summary=page.may_share_summary visits=page.visits.clone() />
            <h2>{t!(i18n, share.your_codes)}</h2>
            {if page.shares.is_empty() {
                view! { <p class="empty">{t!(i18n, share.no_codes)}</p> }.into_any()
            } else {
                view! {
                    <ul class="document-list">
                        {page.shares.into_iter().map(|s| view! { <ShareRow share=s /> }).collect_view()}
                    </ul>
                }.into_any()
            }}
        } />
    }
}

/// The code just made: shown this once (only its hash is kept).
#[component]
fn NewCode(made: NewShare) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="success" role="status" aria-labelledby="new-code-title">
            <h2 id="new-code-title">{t!(i18n, share.new_code)}</h2>
            <p class="share-code"><strong>{made.code.clone()}</strong></p>
            <p>{t_string!(i18n, share.new_code_until, until = made.expires.clone()).to_string()}</p>
            <p>{t!(i18n, share.new_code_once)}</p>
            <h3>{t!(i18n, share.link_title)}</h3>
            {(!made.link_qr.is_empty()).then(|| view! {
                <figure class="qr qr-large" inner_html=made.link_qr.clone() role="img" aria-label=t_string!(i18n, share.link_scan).to_string()></figure>
            })}
            <p>{t!(i18n, share.link_how)}</p>
            <p><label for="share-link">{t!(i18n, share.link_text)}</label></p>
            <textarea id="share-link" class="share-link" readonly rows="3">{made.link.clone()}</textarea>
        </section>
    }
}

#[component]
fn ShareForm(may_share_summary: bool, visits: Vec<(i64, String)>) -> impl IntoView {
    let i18n = use_i18n();
    if !may_share_summary && visits.is_empty() {
        return view! { <p class="empty">{t!(i18n, share.nothing_to_share)}</p> }.into_any();
    }
    let result = url_result::<CreateShare, ()>();
    let visits_error = field_error(result, "visits");
    let scope_error = field_error(result, "scope");
    let hours_error = field_error(result, "hours");
    let first_scope = if may_share_summary { ShareScope::Summary } else { ShareScope::Visits };
    let scope_choice = move |scope: ShareScope, label: String| {
        let id = format!("share-scope-{}", scope.slug());
        let label_for = id.clone();
        view! {
            <label for=label_for class="check">
                <input type="radio" id=id name="scope" value=scope.slug() checked=scope == first_scope />
                {label}
            </label>
        }
    };
    view! {
        <form method="post" action=CREATE_PATH class="stack">
            <FormMessage message=form_error(result, &["scope", "visits", "hours"]) />
            <fieldset aria-describedby=move || scope_error.get().map(|_| "scope-error")>
                <legend>{t!(i18n, share.what)}</legend>
                {may_share_summary.then(|| scope_choice(ShareScope::Summary, t_string!(i18n, share.scope_summary).to_string()))}
                {(!visits.is_empty()).then(|| scope_choice(ShareScope::Visits, t_string!(i18n, share.scope_visits).to_string()))}
                {move || scope_error.get().map(|m| view! { <p class="field-error" id="scope-error">{m}</p> })}
            </fieldset>
            {(!visits.is_empty()).then(|| view! {
                <fieldset aria-describedby=move || visits_error.get().map(|_| "visits-error")>
                    <legend>{t!(i18n, share.which_visits)}</legend>
                    {visits.into_iter().map(|(id, label)| {
                        let box_id = format!("share-visit-{id}");
                        let label_for = box_id.clone();
                        view! {
                            <label for=label_for class="check">
                                <input type="checkbox" id=box_id name="visits[]" value=id.to_string() />
                                {label}
                            </label>
                        }
                    }).collect_view()}
                    {move || visits_error.get().map(|m| view! { <p class="field-error" id="visits-error">{m}</p> })}
                </fieldset>
            })}
            <div class="field">
                <label for="share-hours">{t!(i18n, share.how_long)}</label>
                <select id="share-hours" name="hours" aria-describedby=move || hours_error.get().map(|_| "hours-error")>
                    {SHARE_HOURS.into_iter().map(|hours| view! {
                        <option value=hours.to_string() selected=hours == 24>{hours_label(i18n, hours)}</option>
                    }).collect_view()}
                </select>
                {move || hours_error.get().map(|m| view! { <p class="field-error" id="hours-error">{m}</p> })}
            </div>
            <button type="submit" class="primary">{t!(i18n, share.make)}</button>
        </form>
    }
    .into_any()
}

#[component]
fn ShareRow(share: ShareLine) -> impl IntoView {
    let i18n = use_i18n();
    let what = match share.scope {
        ShareScope::Summary => t_string!(i18n, share.scope_summary).to_string(),
        ShareScope::Visits => t_string!(i18n, share.visits_count, count = share.visits).to_string(),
    };
    let status = if share.active {
        t_string!(i18n, share.works_until, until = share.expires.clone()).to_string()
    } else if share.ended {
        t_string!(i18n, share.ended).to_string()
    } else {
        t_string!(i18n, share.expired).to_string()
    };
    let name = t_string!(i18n, share.code_ending, hint = share.hint.clone()).to_string();
    view! {
        <li class="document">
            <p class="document-title"><strong>{name.clone()}</strong></p>
            <p class="muted">{what}" · "{t_string!(i18n, share.made_on, when = share.created.clone(), who = share.made_by.clone()).to_string()}" · "{status}</p>
            {if share.views.is_empty() {
                view! { <p>{t!(i18n, share.not_opened)}</p> }.into_any()
            } else {
                view! {
                    <table>
                        <caption class="visually-hidden">{t_string!(i18n, share.views_of, name = name.clone()).to_string()}</caption>
                        <thead><tr>
                            <th scope="col">{t!(i18n, share.opened_at)}</th>
                            <th scope="col">{t!(i18n, share.opened_from)}</th>
                            <th scope="col">{t!(i18n, share.opened_with)}</th>
                        </tr></thead>
                        <tbody>
                            {share.views.into_iter().map(|v| view! {
                                <tr><td>{v.at}</td><td>{v.from}</td><td>{v.browser}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            {share.active.then(|| view! {
                <form method="post" action=END_PATH>
                    <input type="hidden" name="id" value=share.id.to_string() />
                    <button type="submit" class="secondary">
                        {t!(i18n, share.end)}<span class="visually-hidden">" "{name}</span>
                    </button>
                </form>
            })}
        </li>
    }
}

fn hours_label(i18n: leptos_i18n::I18nContext<Locale>, hours: i64) -> String {
    match hours {
        1 => t_string!(i18n, share.one_hour),
        24 => t_string!(i18n, share.one_day),
        72 => t_string!(i18n, share.three_days),
        _ => t_string!(i18n, share.seven_days),
    }
    .to_string()
}
