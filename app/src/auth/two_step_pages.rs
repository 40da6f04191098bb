//! The two-step pages, plain forms (no wasm): the second step after the password, and
//! setting up an authenticator (a staff member's first sign-in, or from Account).
use leptos::prelude::*;

use super::two_step::{begin_two_step_setup, ConfirmTwoStep, SetFirstPassword, TwoStepSetup, VerifyTwoStep};
use crate::{
    auth::passkeys::{
        pages::{AddPasskey, PasskeySecondStep},
        SecondStepMethods,
    },
    i18n::*,
    ui::{
        errors::{field_error, form_error, url_result},
        form::{FormMessage, TextField},
        loaded::Loaded,
    },
};

const VERIFY_PATH: &str = <VerifyTwoStep as server_fn::ServerFn>::PATH;
const NEW_PASSWORD_PATH: &str = <SetFirstPassword as server_fn::ServerFn>::PATH;
const CONFIRM_PATH: &str = <ConfirmTwoStep as server_fn::ServerFn>::PATH;
const SIGN_OUT_PATH: &str = <super::api::SignOut as server_fn::ServerFn>::PATH;

/// The code field: digits from an app (the browser may fill them from an SMS-less
/// one-time-code source) or a recovery code.
#[component]
fn CodeField(error: Signal<Option<String>>, children: Children) -> impl IntoView {
    view! {
        <TextField name="code" autocomplete="one-time-code" maxlength=16 error>
            {children()}
        </TextField>
    }
}

#[component]
fn CancelForm() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <form method="post" action=SIGN_OUT_PATH class="inline">
            <button type="submit" class="link-button">{t!(i18n, two_step.cancel)}</button>
        </form>
    }
}

#[component]
pub fn TwoStepPage() -> impl IntoView {
    let i18n = use_i18n();
    let result = url_result::<VerifyTwoStep, ()>();
    let methods = Resource::new(|| (), |_| crate::auth::passkeys::api::load_second_step_methods());
    view! {
        <section class="card narrow" aria-labelledby="two-step-title">
            <h1 id="two-step-title">{t!(i18n, two_step.title)}</h1>
            <Loaded resource=methods render={move |m: SecondStepMethods| view! {
                {m.passkey.then(|| view! { <PasskeySecondStep /> })}
                {m.app_code.then(|| view! {
                    <p id="two-step-intro">
                        {if m.passkey { t_string!(i18n, passkeys.or_code) } else { t_string!(i18n, two_step.verify_intro) }}
                    </p>
                    <form method="post" action=VERIFY_PATH aria-describedby="two-step-intro">
                        <FormMessage message=form_error(result, &["code"]) />
                        <CodeField error=field_error(result, "code")>{t!(i18n, two_step.code)}</CodeField>
                        <button type="submit" class="primary">{t!(i18n, two_step.verify)}</button>
                    </form>
                })}
            }} />
            <CancelForm />
        </section>
    }
}

#[component]
pub fn TwoStepSetupPage() -> impl IntoView {
    let i18n = use_i18n();
    let setup = Resource::new(|| (), |_| begin_two_step_setup());
    let result = url_result::<ConfirmTwoStep, ()>();
    view! {
        <section class="card" aria-labelledby="setup-title">
            <h1 id="setup-title">{t!(i18n, two_step.setup_title)}</h1>
            <Loaded resource=setup render={move |s: TwoStepSetup| view! {
                {s.required.then(|| view! { <p class="notice">{t!(i18n, two_step.setup_required)}</p> })}
                <p>{t!(i18n, two_step.setup_intro)}</p>
                <p>{t!(i18n, two_step.step_scan)}</p>
                <figure class="qr" inner_html=s.qr_svg.clone() aria-label=t_string!(i18n, two_step.step_scan).to_string()></figure>
                <p>{t!(i18n, two_step.step_key)}" "<code class="secret" data-secret=s.secret.replace(' ', "")>{s.secret.clone()}</code></p>
                <p>{t!(i18n, two_step.step_codes)}</p>
                <ul class="recovery-codes">
                    {s.recovery_codes.iter().map(|c| view! { <li><code>{c.clone()}</code></li> }).collect_view()}
                </ul>
                <form method="post" action=CONFIRM_PATH>
                    <FormMessage message=form_error(result, &["code"]) />
                    <CodeField error=field_error(result, "code")>{t!(i18n, two_step.step_confirm)}</CodeField>
                    <button type="submit" class="primary">{t!(i18n, two_step.confirm)}</button>
                </form>
                <p>{t!(i18n, passkeys.setup_alternative)}</p>
                <AddPasskey ask_password=!s.enrolling />
                {s.required.then(|| view! { <CancelForm /> })}
            }} />
        </section>
    }
}

/// The last step of a first sign-in with a password an administrator chose.
#[component]
pub fn FirstPasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    let result = url_result::<SetFirstPassword, ()>();
    view! {
        <section class="card narrow" aria-labelledby="first-password-title">
            <h1 id="first-password-title">{t!(i18n, two_step.new_password_title)}</h1>
            <p>{t!(i18n, two_step.new_password_intro)}</p>
            <form method="post" action=NEW_PASSWORD_PATH>
                <FormMessage message=form_error(result, &["password", "password_confirm"]) />
                <crate::auth::pages::NewPasswordFields result>
                    {t!(i18n, account.new_password)}
                </crate::auth::pages::NewPasswordFields>
                <button type="submit" class="primary">{t!(i18n, two_step.new_password_save)}</button>
            </form>
            <CancelForm />
        </section>
    }
}
