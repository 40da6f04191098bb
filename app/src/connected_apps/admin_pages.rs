//! "Health apps" for administrators: the registered apps, and the form to register one.
//! Server-rendered plain forms, no wasm.
use leptos::prelude::*;

use super::admin_api::{apps_admin, AppsOverview, JustRegistered, RegisterApp, RegisteredApp};
use crate::{
    i18n::*,
    ui::{
        errors::{field_error, form_error, url_result},
        form::{FormMessage, TextField},
        loaded::Loaded,
    },
};

const REGISTER_PATH: &str = <RegisterApp as server_fn::ServerFn>::PATH;

#[component]
pub fn AppsAdminPage() -> impl IntoView {
    let i18n = use_i18n();
    let admin = Resource::new(|| (), |_| apps_admin());
    view! {
        <h1>{t!(i18n, apps.admin_title)}</h1>
        <p>{t!(i18n, apps.admin_intro)}</p>
        <Loaded resource=admin render={move |a: AppsOverview| view! {
            {a.just_registered.map(|j| view! { <Registered j /> })}
            <h2>{t!(i18n, apps.registered)}</h2>
            {if a.apps.is_empty() {
                view! { <p>{t!(i18n, apps.none_registered)}</p> }.into_any()
            } else {
                view! { <ul class="device-list">{a.apps.into_iter().map(|app| view! { <AppCard app /> }).collect_view()}</ul> }.into_any()
            }}
        }} />
        <RegisterForm />
    }
}

#[component]
fn Registered(j: JustRegistered) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div role="status" class="notice">
            <p>{t!(i18n, apps.just_registered, name = j.name.clone())}</p>
            <dl class="facts">
                <dt>{t!(i18n, apps.client_id)}</dt><dd><code>{j.client_id.clone()}</code></dd>
                {j.secret.clone().map(|secret| view! {
                    <dt>{t!(i18n, apps.secret_once)}</dt><dd><code>{secret}</code></dd>
                })}
            </dl>
        </div>
    }
}

#[component]
fn AppCard(app: RegisteredApp) -> impl IntoView {
    let i18n = use_i18n();
    let kind = if app.confidential {
        t_string!(i18n, apps.kind_confidential)
    } else {
        t_string!(i18n, apps.kind_public)
    };
    view! {
        <li class="card">
            <h3>{app.name.clone()}</h3>
            <dl class="facts">
                <dt>{t!(i18n, apps.client_id)}</dt><dd><code>{app.client_id.clone()}</code></dd>
                <dt>{t!(i18n, apps.kind)}</dt><dd>{kind.to_string()}</dd>
                <dt>{t!(i18n, apps.redirect_uris)}</dt>
                <dd><ul>{app.redirect_uris.into_iter().map(|uri| view! { <li><code>{uri}</code></li> }).collect_view()}</ul></dd>
            </dl>
        </li>
    }
}

#[component]
fn RegisterForm() -> impl IntoView {
    let i18n = use_i18n();
    let result = url_result::<RegisterApp, ()>();
    let uris_error = field_error(result, "redirect_uris");
    let uris_message = uris_error.get_untracked();
    view! {
        <h2 id="register-title">{t!(i18n, apps.new_app)}</h2>
        <form method="post" action=REGISTER_PATH class="card" aria-labelledby="register-title">
            <FormMessage message=form_error(result, &["name", "redirect_uris", "terms_url", "privacy_url", "logo_url"]) />
            <TextField name="name" maxlength=super::APP_NAME_MAX_CHARS error=field_error(result, "name")>
                {t!(i18n, apps.app_name)}
            </TextField>
            <fieldset>
                <legend>{t!(i18n, apps.kind)}</legend>
                <label class="check" for="kind-public">
                    <input type="radio" id="kind-public" name="kind" value="public" checked=true />
                    {t!(i18n, apps.kind_public)}
                </label>
                <label class="check" for="kind-confidential">
                    <input type="radio" id="kind-confidential" name="kind" value="confidential" />
                    {t!(i18n, apps.kind_confidential)}
                </label>
            </fieldset>
            <div class="field">
                <label for="field-redirect_uris">{t!(i18n, apps.redirect_uris)}</label>
                <textarea id="field-redirect_uris" name="redirect_uris" rows="3" required=true
                    aria-invalid=uris_message.is_some().then_some("true")
                    aria-describedby=uris_message.is_some().then_some("field-redirect_uris-error")></textarea>
                {uris_message.map(|m| view! { <p class="field-error" id="field-redirect_uris-error">{m}</p> })}
            </div>
            <TextField name="terms_url" kind="url" maxlength=super::URL_MAX_CHARS error=field_error(result, "terms_url")>
                {t!(i18n, apps.terms_url)}
            </TextField>
            <TextField name="privacy_url" kind="url" maxlength=super::URL_MAX_CHARS error=field_error(result, "privacy_url")>
                {t!(i18n, apps.privacy_url)}
            </TextField>
            <TextField name="logo_url" kind="url" required=false maxlength=super::URL_MAX_CHARS error=field_error(result, "logo_url")>
                {t!(i18n, apps.logo_url)}
            </TextField>
            <button type="submit" class="primary">{t!(i18n, apps.register)}</button>
        </form>
    }
}
