//! "E-mail notices": one checkbox per kind, a plain form (no wasm).
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::{
    api::{notice_choices, SetNoticeChoices},
    NoticeChoice, NoticeKind,
};
use crate::{
    i18n::*,
    ui::{
        errors::{form_error, url_result},
        form::FormMessage,
        loaded::Loaded,
    },
};

const SET_NOTICES_PATH: &str = <SetNoticeChoices as server_fn::ServerFn>::PATH;

fn kind_label(i18n: leptos_i18n::I18nContext<Locale>, kind: NoticeKind) -> String {
    match kind {
        NoticeKind::Message => t_string!(i18n, notices.message),
        NoticeKind::Result => t_string!(i18n, notices.result),
        NoticeKind::Renewal => t_string!(i18n, notices.renewal),
        NoticeKind::Access => t_string!(i18n, notices.access),
        NoticeKind::Reminder => t_string!(i18n, notices.reminder),
        NoticeKind::Document => t_string!(i18n, notices.document),
    }
    .to_string()
}

#[component]
pub fn NoticesPage() -> impl IntoView {
    let i18n = use_i18n();
    let choices = Resource::new(|| (), |_| notice_choices());
    let result = url_result::<SetNoticeChoices, ()>();
    let saved = use_query_map().read_untracked().get("done").is_some_and(|d| d == "saved");
    view! {
        <p><a href="/account">{t!(i18n, account.back)}</a></p>
        <h1 id="notices-title">{t!(i18n, notices.title)}</h1>
        <p>{t!(i18n, notices.intro)}</p>
        <div role="status">{saved.then(|| view! { <p class="notice">{t!(i18n, notices.saved)}</p> })}</div>
        <Loaded resource=choices render={move |list: Vec<NoticeChoice>| view! {
            <form method="post" action=SET_NOTICES_PATH class="card" aria-labelledby="notices-title">
                <FormMessage message=form_error(result, &[]) />
                <fieldset>
                    <legend>{t!(i18n, notices.legend)}</legend>
                    {list.into_iter().map(|c| {
                        let (id, label_for) = (format!("notice-{}", c.kind.as_str()), format!("notice-{}", c.kind.as_str()));
                        view! {
                            <label class="check" for=label_for>
                                <input type="checkbox" id=id name="on[]" value=c.kind.as_str() checked=c.on />
                                {kind_label(i18n, c.kind)}
                            </label>
                        }
                    }).collect_view()}
                </fieldset>
                <button type="submit" class="primary">{t!(i18n, notices.save)}</button>
            </form>
        }} />
    }
}
