//! Sign in, sign up with an activation code, and forgot password.
use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_query_map};

use super::api::{CheckActivation, RequestPasswordReset, ResetPassword};
use super::EnrollPreview;
use crate::{
    error::AppError,
    i18n::*,
    ui::{
        errors::{field_error, form_error, url_result},
        form::{FormMessage, TextField},
    },
    SignInAction,
};

/// Why the person is on the sign-in page, from `?reason=`.
fn reason_text(
    i18n: leptos_i18n::I18nContext<Locale>,
    reason: Option<String>,
    minutes: Option<String>,
) -> Option<String> {
    match reason.as_deref()? {
        "idle" => {
            let minutes: u32 = minutes.and_then(|m| m.parse().ok()).unwrap_or(super::rules::IDLE_WEB_MINUTES);
            Some(t_string!(i18n, signin.idle_signed_out, minutes).to_string())
        }
        "signed-out" => Some(t_string!(i18n, signin.signed_out).to_string()),
        "reset" => Some(t_string!(i18n, signin.password_changed).to_string()),
        _ => None,
    }
}

/// A new password, its rules and its confirmation: asked the same way at enrollment and
/// at reset. `children` is the first field's label.
#[component]
pub(crate) fn NewPasswordFields(
    result: Signal<Option<Result<(), AppError>>>,
    children: Children,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <TextField name="password" kind="password" autocomplete="new-password" maxlength=128
            error=field_error(result, "password") hint_id="password-hint">
            {children()}
        </TextField>
        <p class="hint" id="password-hint">{t!(i18n, enroll.password_hint)}</p>
        <TextField name="password_confirm" kind="password" autocomplete="new-password" maxlength=128
            error=field_error(result, "password_confirm")>
            {t!(i18n, enroll.password_confirm)}
        </TextField>
    }
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = expect_context::<SignInAction>().0;
    let query = use_query_map();
    let notice = move || {
        let q = query.read();
        reason_text(i18n, q.get("reason"), q.get("minutes"))
    };
    // Without wasm the form posts straight to the server function, which on failure sends
    // the browser back here with the error in the URL; the router hands it to us.
    let error_in_url = url_result::<super::api::SignIn, super::two_step::Stage>();
    let result = Signal::derive(move || action.value().get().or_else(|| error_in_url.get()));
    // The installed app (display-mode: standalone) gets the shorter idle limit.
    let app_mode = RwSignal::new("false".to_owned());
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(Ok(Some(mq))) = web_sys::window().map(|w| w.match_media("(display-mode: standalone)")) {
            app_mode.set(mq.matches().to_string());
        }
    });
    view! {
        <section class="card narrow">
            <h1>{t!(i18n, signin.title)}</h1>
            <div role="status">{move || notice().map(|n| view! { <p class="notice">{n}</p> })}</div>
            <ActionForm action=action>
                <FormMessage message=form_error(result, &[]) />
                <TextField name="username" autocomplete="username" maxlength=64>{t!(i18n, signin.username)}</TextField>
                <TextField name="password" kind="password" autocomplete="current-password" maxlength=128>
                    {t!(i18n, signin.password)}
                </TextField>
                <input type="hidden" name="app_mode" prop:value=app_mode />
                <AppModeScript />
                <button type="submit" class="primary" disabled=move || action.pending().get()>
                    {t!(i18n, signin.submit)}
                </button>
            </ActionForm>
            <crate::auth::passkeys::pages::PasskeySignIn />
            <ul class="links">
                <li><A href="/enroll">{t!(i18n, signin.sign_up)}</A></li>
                <li><A href="/signup">{t!(i18n, signin.sign_up_online)}</A></li>
                <li><A href="/forgot-password">{t!(i18n, signin.forgot)}</A></li>
            </ul>
            <p class="guest-pay">
                <a class="button secondary" href="/pay-as-guest">{t!(i18n, signin.pay_as_guest)}</a>
                " "<span class="hint">{t!(i18n, signin.pay_as_guest_hint)}</span>
            </p>
        </section>
    }
}

/// When the page is served without wasm, this nonce'd one-liner fills `app_mode` instead
/// of the effect above. Rendered on the server only: a script added later by the browser
/// app would not run (and need not).
#[component]
fn AppModeScript() -> impl IntoView {
    const SCRIPT: &str = "(function(){var f=document.querySelector('input[name=app_mode]');\
        if(f&&window.matchMedia('(display-mode: standalone)').matches)f.value='true';})();";
    #[cfg(feature = "ssr")]
    {
        let nonce = leptos::nonce::use_nonce();
        view! { <script nonce=nonce inner_html=SCRIPT></script> }
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = SCRIPT;
    }
}

#[component]
pub fn EnrollPage() -> impl IntoView {
    // An enrollment link e-mailed by staff carries the code: it fills the field (the date
    // of birth is still asked). Longer than any code is not a code.
    let code = use_query_map().read_untracked().get("code").filter(|c| c.len() <= 40).unwrap_or_default();
    view! { <EnrollForm code /> }
}

/// The two steps of enrollment, in the browser: the code and birth date, then the account.
/// On success the server signs the new account in and sends it Home.
#[island(lazy)]
fn EnrollForm(code: String) -> impl IntoView {
    let i18n = crate::ui::island_i18n();
    let check = ServerAction::<CheckActivation>::new();
    let enroll = ServerAction::<super::api::Enroll>::new();
    let code = RwSignal::new(code);
    let birth_date = RwSignal::new(String::new());
    let checked: Signal<Option<Result<EnrollPreview, AppError>>> = check.value().into();
    let enrolled: Signal<Option<Result<(), AppError>>> = enroll.value().into();
    let preview = move || checked.get().and_then(|r| r.ok());
    // A code that was redeemed meanwhile (or any code error at step 2) sends the person
    // back to step 1 with the message there.
    let step_two = move || {
        preview().is_some()
            && !matches!(enrolled.get(), Some(Err(ref e)) if e.field_problem("code").is_some())
    };
    let code_error = Signal::derive(move || {
        field_error(enrolled, "code").get().or_else(|| field_error(checked, "code").get())
    });
    view! {
        <section class="card narrow">
            <h1>{t!(i18n, enroll.title)}</h1>
            <Show
                when=step_two
                fallback=move || view! {
                    <p>{t!(i18n, enroll.intro)}</p>
                    <ActionForm action=check>
                        <FormMessage message=form_error(checked, &["code", "birth_date"]) />
                        <TextField name="code" autocomplete="off" maxlength=40 bind=code error=code_error hint_id="code-hint">
                            {t!(i18n, enroll.code)}
                        </TextField>
                        <p class="hint" id="code-hint">{t!(i18n, enroll.code_hint)}</p>
                        <TextField name="birth_date" kind="date" autocomplete="bday" bind=birth_date
                            error=field_error(checked, "birth_date")>
                            {t!(i18n, enroll.birth_date)}
                        </TextField>
                        <button type="submit" class="primary" disabled=move || check.pending().get()>
                            {t!(i18n, enroll.next)}
                        </button>
                    </ActionForm>
                }
            >
                <p>{move || preview().map(|p| t_string!(i18n, enroll.welcome, name = p.given_name).to_string())}</p>
                <ActionForm action=enroll>
                    <FormMessage message=form_error(enrolled, &["code", "username", "email", "password", "password_confirm"]) />
                    <input type="hidden" name="code" prop:value=code />
                    <input type="hidden" name="birth_date" prop:value=birth_date />
                    <TextField name="username" autocomplete="username" maxlength=64 error=field_error(enrolled, "username") hint_id="username-hint">
                        {t!(i18n, enroll.username)}
                    </TextField>
                    <p class="hint" id="username-hint">{t!(i18n, enroll.username_hint)}</p>
                    <TextField name="email" kind="email" autocomplete="email" maxlength=254 error=field_error(enrolled, "email")>
                        {t!(i18n, enroll.email)}
                    </TextField>
                    <NewPasswordFields result=enrolled>{t!(i18n, enroll.password)}</NewPasswordFields>
                    <button type="submit" class="primary" disabled=move || enroll.pending().get()>
                        {t!(i18n, enroll.submit)}
                    </button>
                </ActionForm>
            </Show>
            <p><a href="/signin">{t!(i18n, common.back_to_sign_in)}</a></p>
        </section>
    }
}

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    view! { <ForgotPasswordForm /> }
}

/// Request a code, then set a new password with it; then the sign-in page says so.
#[island(lazy)]
fn ForgotPasswordForm() -> impl IntoView {
    let i18n = crate::ui::island_i18n();
    let request = ServerAction::<RequestPasswordReset>::new();
    let reset = ServerAction::<ResetPassword>::new();
    let who = RwSignal::new(String::new());
    let requested: Signal<Option<Result<(), AppError>>> = request.value().into();
    let done: Signal<Option<Result<(), AppError>>> = reset.value().into();
    Effect::new(move |_| {
        if matches!(done.get(), Some(Ok(()))) {
            crate::ui::nav::go("/signin?reason=reset");
        }
    });
    view! {
        <section class="card narrow">
            <h1>{t!(i18n, reset.title)}</h1>
            <Show
                when=move || matches!(requested.get(), Some(Ok(())))
                fallback=move || view! {
                    <p>{t!(i18n, reset.intro)}</p>
                    <ActionForm action=request>
                        <FormMessage message=form_error(requested, &["who"]) />
                        <TextField name="who" autocomplete="username" maxlength=254 bind=who error=field_error(requested, "who")>
                            {t!(i18n, reset.who)}
                        </TextField>
                        <button type="submit" class="primary" disabled=move || request.pending().get()>
                            {t!(i18n, reset.send_code)}
                        </button>
                    </ActionForm>
                }
            >
                <p role="status" class="notice">{t!(i18n, reset.sent)}</p>
                <ActionForm action=reset>
                    <FormMessage message=form_error(done, &["code", "password", "password_confirm"]) />
                    <input type="hidden" name="who" prop:value=who />
                    <TextField name="code" autocomplete="one-time-code" inputmode="numeric" maxlength=20 error=field_error(done, "code")>
                        {t!(i18n, reset.code)}
                    </TextField>
                    <NewPasswordFields result=done>{t!(i18n, reset.new_password)}</NewPasswordFields>
                    <button type="submit" class="primary" disabled=move || reset.pending().get()>
                        {t!(i18n, reset.submit)}
                    </button>
                </ActionForm>
            </Show>
            <p><a href="/signin">{t!(i18n, common.back_to_sign_in)}</a></p>
        </section>
    }
}
