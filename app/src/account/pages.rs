//! The account pages, server-rendered plain forms (no wasm): the summary, "Change
//! password" and "Signed-in devices". Sent, each form lands on a page that says what
//! happened (`?done=`); refused, the browser comes back with the error at its field.
use leptos::prelude::*;

use crate::ui::when::When;
use leptos_router::hooks::use_query_map;

use super::{
    api::{account_overview, signed_in_devices, ChangePassword, SignOutDevice, SignOutOthers},
    AccountSummary, SignedInDevice,
};
use crate::{
    auth::two_step::{load_two_step_status, TurnOffTwoStep, TwoStepStatus},
    i18n::*,
    ui::{
        errors::{field_error, form_error, url_result},
        form::{FormMessage, PostButton, TextField},
        loaded::Loaded,
    },
};

const CHANGE_PASSWORD_PATH: &str = <ChangePassword as server_fn::ServerFn>::PATH;
const SIGN_OUT_DEVICE_PATH: &str = <SignOutDevice as server_fn::ServerFn>::PATH;
const SIGN_OUT_OTHERS_PATH: &str = <SignOutOthers as server_fn::ServerFn>::PATH;
const TURN_OFF_PATH: &str = <TurnOffTwoStep as server_fn::ServerFn>::PATH;

/// What the last form did, from `?done=`, in words.
fn done_text(i18n: leptos_i18n::I18nContext<Locale>, done: Option<String>) -> Option<String> {
    let text = match done.as_deref()? {
        "password" => t_string!(i18n, account.password_changed),
        "one" => t_string!(i18n, account.device_signed_out),
        "others" => t_string!(i18n, account.others_signed_out),
        "two-step" => t_string!(i18n, account.done_two_step),
        "two-step-off" => t_string!(i18n, account.done_two_step_off),
        _ => return None,
    };
    Some(text.to_string())
}

#[component]
fn DoneNotice() -> impl IntoView {
    let i18n = use_i18n();
    let done = done_text(i18n, use_query_map().read_untracked().get("done"));
    view! { <div role="status">{done.map(|text| view! { <p class="notice">{text}</p> })}</div> }
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let i18n = use_i18n();
    let overview = Resource::new(|| (), |_| account_overview());
    view! {
        <h1>{t!(i18n, account.title)}</h1>
        <DoneNotice />
        <Loaded resource=overview render={move |a: AccountSummary| view! {
            <dl class="facts card">
                <dt>{t!(i18n, account.username)}</dt><dd>{a.username}</dd>
                <dt>{t!(i18n, account.email)}</dt>
                <dd>{a.email.unwrap_or_else(|| t_string!(i18n, account.no_email).to_string())}</dd>
                <dt>{t!(i18n, account.password_set)}</dt><dd><When iso=a.password_changed /></dd>
            </dl>
        }} />
        <ul class="link-list">
            <li><a href="/account/personal">{t!(i18n, personal.link)}</a></li>
        </ul>
        <h2>{t!(i18n, account.security)}</h2>
        <ul class="link-list">
            <li><a href="/account/password">{t!(i18n, account.change_password)}</a></li>
            <li><a href="/account/devices">{t!(i18n, account.devices)}</a></li>
            <li><a href="/account/passkeys">{t!(i18n, passkeys.link)}</a></li>
        </ul>
        <TwoStepSection />
        <h2>{t!(i18n, account.mail)}</h2>
        <ul class="link-list">
            <li><a href="/account/email">{t!(i18n, email.link)}</a></li>
            <li><a href="/account/notices">{t!(i18n, notices.link)}</a></li>
        </ul>
        <h2>{t!(i18n, apps.linked_title)}</h2>
        <ul class="link-list">
            <li><a href=crate::connected_apps::LINKED_APPS_PATH>{t!(i18n, apps.link)}</a></li>
        </ul>
    }
}

/// Two-step sign-in: on or off, the recovery codes left, and the way to turn it on (or, for
/// a patient, off with the password).
#[component]
fn TwoStepSection() -> impl IntoView {
    let i18n = use_i18n();
    let status = Resource::new(|| (), |_| load_two_step_status());
    let result = url_result::<TurnOffTwoStep, ()>();
    view! {
        <h2 id="two-step-title">{t!(i18n, two_step.title)}</h2>
        <Loaded resource=status render={move |st: TwoStepStatus| view! {
            <p>
                <strong>{if st.on { t_string!(i18n, two_step.status_on) } else { t_string!(i18n, two_step.status_off) }}</strong>
                {st.on.then(|| { let count = st.recovery_codes_left; view! { " · "{t!(i18n, two_step.codes_left, count)} } })}
                {st.required.then(|| view! { " · "{t!(i18n, two_step.required)} })}
            </p>
            {(!st.on).then(|| view! { <p><a href="/two-step/setup">{t!(i18n, two_step.turn_on)}</a></p> })}
            {(st.on && !st.required).then(|| view! {
                <form method="post" action=TURN_OFF_PATH class="card" aria-labelledby="two-step-title">
                    <FormMessage message=form_error(result, &["current_password"]) />
                    <p>{t!(i18n, two_step.turn_off_intro)}</p>
                    <TextField name="current_password" kind="password" autocomplete="current-password" maxlength=128
                        error=field_error(result, "current_password")>
                        {t!(i18n, account.current_password)}
                    </TextField>
                    <button type="submit">{t!(i18n, two_step.turn_off)}</button>
                </form>
            })}
            <p class="hint">{t!(i18n, two_step.why_no_question)}</p>
        }} />
    }
}

#[component]
pub fn ChangePasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    let result = url_result::<ChangePassword, ()>();
    view! {
        <p><a href="/account">{t!(i18n, account.back)}</a></p>
        <h1 id="password-title">{t!(i18n, account.change_password)}</h1>
        <form method="post" action=CHANGE_PASSWORD_PATH class="card" aria-labelledby="password-title">
            <FormMessage message=form_error(result, &["current_password", "password", "password_confirm"]) />
            <TextField name="current_password" kind="password" autocomplete="current-password" maxlength=128
                error=field_error(result, "current_password")>
                {t!(i18n, account.current_password)}
            </TextField>
            <crate::auth::pages::NewPasswordFields result>
                {t!(i18n, account.new_password)}
            </crate::auth::pages::NewPasswordFields>
            <label class="check" for="field-sign_out_others">
                <input type="checkbox" id="field-sign_out_others" name="sign_out_others" checked=true />
                {t!(i18n, account.sign_out_others_too)}
            </label>
            <button type="submit" class="primary">{t!(i18n, account.change_password)}</button>
        </form>
    }
}

#[component]
pub fn DevicesPage() -> impl IntoView {
    let i18n = use_i18n();
    let devices = Resource::new(|| (), |_| signed_in_devices());
    view! {
        <p><a href="/account">{t!(i18n, account.back)}</a></p>
        <h1>{t!(i18n, account.devices)}</h1>
        <p>{t!(i18n, account.devices_intro)}</p>
        <DoneNotice />
        <Loaded resource=devices render={move |list: Vec<SignedInDevice>| {
            let others = list.iter().filter(|d| !d.this_one).count();
            view! {
                <ul class="device-list">
                    {list.into_iter().map(|d| view! { <DeviceCard d /> }).collect_view()}
                </ul>
                {(others > 0).then(|| view! {
                    <PostButton action=SIGN_OUT_OTHERS_PATH fields=vec![]>
                        {t!(i18n, account.sign_out_all_others)}
                    </PostButton>
                })}
            }
        }} />
    }
}

#[component]
fn DeviceCard(d: SignedInDevice) -> impl IntoView {
    let i18n = use_i18n();
    let name = match (d.browser.is_empty(), d.system.is_empty()) {
        (true, _) => t_string!(i18n, account.unknown_browser).to_string(),
        (false, true) => d.browser.clone(),
        (false, false) => {
            t_string!(i18n, account.browser_on, browser = d.browser.clone(), system = d.system.clone())
                .to_string()
        }
    };
    let heading_id = format!("device-{}", d.id);
    let label = t_string!(i18n, account.sign_out_device, device = name.clone()).to_string();
    view! {
        <li class="card">
            <h2 id=heading_id>{name}
                {d.this_one.then(|| view! { <span class="tag">{t!(i18n, account.this_device)}</span> })}
            </h2>
            <dl class="facts">
                <dt>{t!(i18n, account.address)}</dt><dd>{d.address}</dd>
                <dt>{t!(i18n, account.signed_in_at)}</dt><dd><When iso=d.started /></dd>
                <dt>{t!(i18n, account.last_active)}</dt><dd><When iso=d.last_active /></dd>
            </dl>
            {(!d.this_one).then(|| view! {
                <PostButton action=SIGN_OUT_DEVICE_PATH fields=vec![("id", d.id.to_string())] label>
                    {t!(i18n, account.sign_out)}
                </PostButton>
            })}
        </li>
    }
}
