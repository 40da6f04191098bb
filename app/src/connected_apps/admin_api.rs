//! The administrators' side of connected apps: the registered apps and a form to register
//! one (besides `portico admin register-app`). Only the admin role (`Need::Admin`); each
//! registration is audited. A confidential app's secret is shown once, on the page the
//! form lands on, and never stored (only its digest).
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
#[cfg(feature = "ssr")]
use {
    super::{registry, store},
    crate::{
        access::{self, Need},
        infra::cookies,
        problem::Problem,
    },
    base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _},
};

/// One registered app, as the admin page lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegisteredApp {
    pub name: String,
    pub client_id: String,
    pub confidential: bool,
    pub redirect_uris: Vec<String>,
    pub registered_by: String,
}

/// The app just registered, once: its client id and (confidential) secret.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JustRegistered {
    pub name: String,
    pub client_id: String,
    pub secret: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AppsOverview {
    pub apps: Vec<RegisteredApp>,
    pub just_registered: Option<JustRegistered>,
}

/// Carries the registration's client id and secret to the page the form lands on (a
/// minute, HttpOnly), read once there.
#[cfg(feature = "ssr")]
const REGISTERED_COOKIE: &str = "portico_app_registered";

#[server(endpoint = "staff/apps/list")]
pub async fn apps_admin() -> Result<AppsOverview, AppError> {
    let admin = access::staff(Need::Admin).await?;
    let rows = store::apps(&admin.state().db).await?;
    let just_registered = cookies::read(REGISTERED_COOKIE)
        .and_then(|v| URL_SAFE_NO_PAD.decode(v).ok())
        .and_then(|v| serde_json::from_slice::<JustRegistered>(&v).ok());
    if just_registered.is_some() {
        cookies::set(REGISTERED_COOKIE, "", 0);
    }
    let apps = rows
        .into_iter()
        .map(|row| RegisteredApp {
            confidential: row.is_confidential(),
            redirect_uris: row.redirect_uris.lines().map(str::to_string).collect(),
            name: row.name,
            client_id: row.client_id,
            registered_by: row.registered_by,
        })
        .collect();
    Ok(AppsOverview { apps, just_registered })
}

/// Registers an app from the form: `kind` is "public" or "confidential"; `redirect_uris`
/// one per line.
#[server(endpoint = "staff/apps/register")]
pub async fn register_app(
    name: String,
    kind: String,
    redirect_uris: String,
    terms_url: String,
    privacy_url: String,
    #[server(default)] logo_url: Option<String>,
) -> Result<(), AppError> {
    let admin = access::staff(Need::Admin).await?;
    let state = admin.state();
    let typed = registry::Typed {
        name,
        confidential: kind == "confidential",
        redirect_uris: redirect_uris.lines().map(str::to_string).collect(),
        logo_url,
        terms_url,
        privacy_url,
        registered_by: state.config.org.name.clone(),
        // Keys are registered from the command line (`--jwks-file`).
        jwks: None,
    };
    let app = registry::check(typed).map_err(|refusal| match refusal.field {
        "name" => AppError::invalid("name", Problem::AppsName),
        "redirect_uri" => AppError::invalid("redirect_uris", Problem::AppsRedirect),
        field => AppError::invalid(field, Problem::AppsUrl),
    })?;
    let registered = store::register(&state.db, state.clock.now_ms(), &app, None).await?;
    admin.audit_event("app-registered", &format!("{} ({})", app.name, registered.client_id)).await?;
    let shown = JustRegistered { name: app.name, client_id: registered.client_id, secret: registered.secret };
    let shown = serde_json::to_vec(&shown).map_err(|_| AppError::Unavailable)?;
    cookies::set(REGISTERED_COOKIE, &URL_SAFE_NO_PAD.encode(shown), 60);
    if crate::ui::form::is_form_post() {
        leptos_axum::redirect(super::ADMIN_PATH);
    }
    Ok(())
}
