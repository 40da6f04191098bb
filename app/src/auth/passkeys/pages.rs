//! Passkey controls for server-rendered pages. Each is a container `public/passkey.js`
//! drives (data attributes name the server functions and carry the messages in the
//! reader's language); it stays hidden where the browser cannot use passkeys, and the
//! page works on without it.
use leptos::prelude::*;

use crate::i18n::*;

/// The relying party id (`relying_party::id`), rendered for the script: passkeys work only
/// on a page served under it (not at http://127.0.0.1, for instance).
fn rp_id() -> String {
    #[cfg(feature = "ssr")]
    {
        crate::infra::state().map(|s| super::relying_party::id(&s.config)).unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        String::new()
    }
}

fn path<F: server_fn::ServerFn>() -> &'static str {
    F::PATH
}

/// The script, once per page that shows a control.
#[component]
pub fn PasskeyScript() -> impl IntoView {
    view! { <script src="/passkey.js" defer></script> }
}

/// The messages every control may show.
#[component]
fn Messages() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="field-error" role="alert" data-passkey-error
            data-failed=t_string!(i18n, err.passkey_failed).to_string()
            data-busy=t_string!(i18n, passkeys.busy).to_string()
            data-name=t_string!(i18n, err.passkey_name_too_long).to_string()
            data-limit=t_string!(i18n, err.passkey_limit).to_string()
            data-password=t_string!(i18n, err.password_current_wrong).to_string()></p>
    }
}

/// "Sign in with a passkey" on the sign-in page: no username, the device offers its
/// passkeys for Portico.
#[component]
pub fn PasskeySignIn() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="passkey" data-passkey="sign-in" hidden
            data-rp-id=rp_id()
            data-start={path::<super::api::StartPasskeySignIn>()}
            data-finish={path::<super::api::FinishPasskeySignIn>()}>
            <p class="or">{t!(i18n, passkeys.or)}</p>
            <button type="button">{t!(i18n, passkeys.sign_in)}</button>
            <Messages />
        </div>
        <PasskeyScript />
    }
}

/// The second step with a passkey, on the two-step page.
#[component]
pub fn PasskeySecondStep() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="passkey" data-passkey="second-step" hidden
            data-rp-id=rp_id()
            data-start={path::<super::api::StartPasskeySecondStep>()}
            data-finish={path::<super::api::FinishPasskeySecondStep>()}>
            <button type="button" class="primary">{t!(i18n, passkeys.use_passkey)}</button>
            <Messages />
        </div>
        <p class="hint" data-passkey-unsupported>{t!(i18n, passkeys.unsupported)}</p>
        <PasskeyScript />
    }
}

/// "Add a passkey": a name (optional), the password again (`ask_password`: not for a staff
/// member setting up their first factor, who has just typed it), and the button that asks
/// the device to make one.
#[component]
pub fn AddPasskey(#[prop(default = true)] ask_password: bool) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <form class="passkey card" data-passkey="register" hidden aria-labelledby="add-passkey-title"
            data-rp-id=rp_id()
            data-start={path::<super::api::StartPasskeyRegistration>()}
            data-finish={path::<super::api::FinishPasskeyRegistration>()}>
            <h2 id="add-passkey-title">{t!(i18n, passkeys.add_title)}</h2>
            <p>{t!(i18n, passkeys.add_intro)}</p>
            <crate::ui::form::TextField name="name" maxlength=super::NAME_MAX_CHARS required=false hint_id="passkey-name-hint">
                {t!(i18n, passkeys.name)}
            </crate::ui::form::TextField>
            <p class="hint" id="passkey-name-hint">{t!(i18n, passkeys.name_hint)}</p>
            {ask_password.then(|| view! {
                <crate::ui::form::TextField name="current_password" id="passkey-current-password" kind="password"
                    autocomplete="current-password" maxlength=128>
                    {t!(i18n, account.current_password)}
                </crate::ui::form::TextField>
            })}
            <Messages />
            <button type="submit" class="primary">{t!(i18n, passkeys.add)}</button>
        </form>
        <p class="hint" data-passkey-unsupported>{t!(i18n, passkeys.unsupported)}</p>
        <PasskeyScript />
    }
}

/// What the last form did, from `?done=`, in words.
fn done_text(i18n: leptos_i18n::I18nContext<Locale>, done: Option<String>) -> Option<String> {
    let text = match done.as_deref()? {
        "added" => t_string!(i18n, passkeys.done_added),
        "removed" => t_string!(i18n, passkeys.done_removed),
        _ => return None,
    };
    Some(text.to_string())
}

/// Account › Passkeys: the user's passkeys, adding one, removing one.
#[component]
pub fn PasskeysPage() -> impl IntoView {
    let i18n = use_i18n();
    let list = Resource::new(|| (), |_| super::api::list_passkeys());
    let done = done_text(i18n, leptos_router::hooks::use_query_map().read_untracked().get("done"));
    view! {
        <p><a href="/account">{t!(i18n, account.back)}</a></p>
        <h1>{t!(i18n, passkeys.title)}</h1>
        <div role="status">{done.map(|text| view! { <p class="notice">{text}</p> })}</div>
        <p>{t!(i18n, passkeys.intro)}</p>
        <crate::ui::loaded::Loaded resource=list render={move |l: super::PasskeyList| {
            let full = l.passkeys.len() >= super::MAX_PER_USER;
            view! {
                <PasskeyCards list=l.passkeys.clone() />
                {if full {
                    view! { <p class="notice">{t!(i18n, err.passkey_limit)}</p> }.into_any()
                } else {
                    view! { <AddPasskey /> }.into_any()
                }}
                {(!l.passkeys.is_empty()).then(|| view! { <RemovePasskeyForm list=l /> })}
            }
        }} />
    }
}

#[component]
fn PasskeyCards(list: Vec<super::PasskeyInfo>) -> impl IntoView {
    let i18n = use_i18n();
    if list.is_empty() {
        return view! { <p>{t!(i18n, passkeys.none)}</p> }.into_any();
    }
    view! {
        <ul class="device-list">
            {list.into_iter().map(|p| {
                let added = crate::ui::when::words(i18n, &p.added);
                let used = match p.last_used.clone() {
                    Some(date) => t_string!(i18n, passkeys.last_used, date = crate::ui::when::words(i18n, &date)).to_string(),
                    None => t_string!(i18n, passkeys.never_used).to_string(),
                };
                view! {
                    <li class="card">
                        <h2>{p.name}</h2>
                        <p>{t!(i18n, passkeys.added, date = added)}" · "{used}</p>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// One form for removing any of them: which passkey, and the password.
#[component]
fn RemovePasskeyForm(list: super::PasskeyList) -> impl IntoView {
    use crate::ui::{
        errors::{field_error, form_error, url_result},
        form::{FormMessage, TextField},
    };
    let i18n = use_i18n();
    let result = url_result::<super::api::RemovePasskey, ()>();
    let id_error = field_error(result, "id");
    let action = path::<super::api::RemovePasskey>();
    if list.last_factor_kept {
        return view! { <p class="hint">{t!(i18n, passkeys.last_factor)}</p> }.into_any();
    }
    view! {
        <form method="post" action=action class="card" aria-labelledby="remove-passkey-title">
            <h2 id="remove-passkey-title">{t!(i18n, passkeys.remove_title)}</h2>
            <FormMessage message=form_error(result, &["id", "current_password"]) />
            <p>{t!(i18n, passkeys.remove_intro)}</p>
            <fieldset aria-describedby=move || id_error.get().map(|_| "passkey-id-error")>
                <legend>{t!(i18n, passkeys.remove_which)}</legend>
                {move || id_error.get().map(|e| view! { <p class="field-error" id="passkey-id-error">{e}</p> })}
                {list.passkeys.iter().map(|p| {
                    let input_id = format!("passkey-{}", p.id);
                    let label_for = input_id.clone();
                    view! {
                        <label class="check" for=label_for>
                            <input type="radio" name="id" id=input_id value=p.id.to_string() />
                            {p.name.clone()}
                        </label>
                    }
                }).collect_view()}
            </fieldset>
            <TextField name="current_password" kind="password" autocomplete="current-password" maxlength=128
                error=field_error(result, "current_password")>
                {t!(i18n, account.current_password)}
            </TextField>
            <button type="submit">{t!(i18n, passkeys.remove)}</button>
        </form>
    }
    .into_any()
}
