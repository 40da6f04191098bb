//! "Your e-mail address": confirm it with the mailed code, send a new code, change it.
//! Server-rendered plain forms, like the rest of the account pages.
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::{
    email_api::{load_email_status, ChangeEmail, ConfirmEmail, ResendEmailCode},
    EmailStatus,
};
use crate::{
    auth::two_step::{load_two_step_status, TwoStepStatus},
    i18n::*,
    ui::{
        errors::{field_error, form_error, url_result},
        form::{FormMessage, PostButton, TextField},
        loaded::Loaded,
    },
};

const CONFIRM_PATH: &str = <ConfirmEmail as server_fn::ServerFn>::PATH;
const RESEND_PATH: &str = <ResendEmailCode as server_fn::ServerFn>::PATH;
const CHANGE_PATH: &str = <ChangeEmail as server_fn::ServerFn>::PATH;

#[component]
pub fn EmailPage() -> impl IntoView {
    let i18n = use_i18n();
    let status = Resource::new(|| (), |_| load_email_status());
    let query = use_query_map().read_untracked();
    let done = query.get("done");
    let new_account = query.get("new").is_some();
    let notice = match done.as_deref() {
        Some("sent") => Some(t_string!(i18n, email.done_sent).to_string()),
        Some("confirmed") => Some(t_string!(i18n, email.done_confirmed).to_string()),
        Some("changed") => Some(t_string!(i18n, email.done_changed).to_string()),
        _ => new_account.then(|| t_string!(i18n, email.new_account).to_string()),
    };
    let offer_two_step = done.as_deref() == Some("confirmed");
    view! {
        <p><a href="/account">{t!(i18n, account.back)}</a></p>
        <h1>{t!(i18n, email.title)}</h1>
        <div role="status">{notice.map(|text| view! { <p class="notice">{text}</p> })}</div>
        {offer_two_step.then(|| view! { <TwoStepOffer /> })}
        <Loaded resource=status render={move |s: EmailStatus| view! { <EmailSections s /> }} />
    }
}

#[component]
fn EmailSections(s: EmailStatus) -> impl IntoView {
    let i18n = use_i18n();
    let confirmed = s.confirmed;
    view! {
        <dl class="facts card">
            <dt>{t!(i18n, email.current)}</dt>
            <dd>
                {s.email.clone().unwrap_or_else(|| t_string!(i18n, account.no_email).to_string())}
                {(s.email.is_some() && confirmed).then(|| view! { " " <span class="tag">{t!(i18n, email.confirmed)}</span> })}
            </dd>
        </dl>
        {(s.email.is_some() && !confirmed).then(|| view! { <p class="notice">{t!(i18n, email.not_confirmed)}</p> })}
        {s.pending.map(|to| view! { <ConfirmForm to /> })}
        <ChangeForm />
    }
}

#[component]
fn ConfirmForm(to: String) -> impl IntoView {
    let i18n = use_i18n();
    let result = url_result::<ConfirmEmail, ()>();
    view! {
        <h2 id="confirm-title">{t!(i18n, email.confirm_title)}</h2>
        <p>{t_string!(i18n, email.sent_to, email = to).to_string()}</p>
        <form method="post" action=CONFIRM_PATH class="card" aria-labelledby="confirm-title">
            <FormMessage message=form_error(result, &["code"]) />
            <TextField name="code" autocomplete="one-time-code" inputmode="numeric" maxlength=20
                error=field_error(result, "code")>
                {t!(i18n, email.code)}
            </TextField>
            <button type="submit" class="primary">{t!(i18n, email.confirm)}</button>
        </form>
        <PostButton action=RESEND_PATH fields=vec![]>{t!(i18n, email.resend)}</PostButton>
    }
}

#[component]
fn ChangeForm() -> impl IntoView {
    let i18n = use_i18n();
    let result = url_result::<ChangeEmail, ()>();
    view! {
        <h2 id="change-title">{t!(i18n, email.change_title)}</h2>
        <p>{t!(i18n, email.change_intro)}</p>
        <form method="post" action=CHANGE_PATH class="card" aria-labelledby="change-title">
            <FormMessage message=form_error(result, &["new_email", "current_password"]) />
            <TextField name="new_email" kind="email" autocomplete="email" maxlength=254
                error=field_error(result, "new_email")>
                {t!(i18n, email.new_email)}
            </TextField>
            <TextField name="current_password" kind="password" autocomplete="current-password" maxlength=128
                error=field_error(result, "current_password")>
                {t!(i18n, email.current_password)}
            </TextField>
            <button type="submit">{t!(i18n, email.send_code)}</button>
        </form>
    }
}

/// After a new account confirms its address: two-step sign-in, offered while it is off.
#[component]
fn TwoStepOffer() -> impl IntoView {
    let i18n = use_i18n();
    let status = Resource::new(|| (), |_| load_two_step_status());
    view! {
        <Loaded resource=status render={move |st: TwoStepStatus| (!st.on).then(|| view! {
            <p class="card">
                {t!(i18n, email.two_step_offer)} " "
                <a href="/two-step/setup">{t!(i18n, email.two_step_link)}</a>
            </p>
        })} />
    }
}
