//! The consent screen's and "Linked apps"' server functions. The request being answered
//! is the one in this browser's consent cookie (set by `/oauth/authorize`), never one named
//! in the form; the chart linked is checked by the door like the chart switcher's.
use leptos::prelude::*;

use super::{ConsentView, LinkedApp};
use crate::{error::AppError, input::NameList};
#[cfg(feature = "ssr")]
use {
    super::{
        kinds::{DataKind, FhirType},
        oauth::redirect_uri_with,
        scopes,
        store::{self, AppRow, NewGrant, RequestRow},
        ConsentChart, CONSENT_COOKIE,
    },
    crate::{access, infra::cookies, problem::Problem},
    base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _},
};

/// The kinds an app asks for, in the consent screen's order.
#[cfg(feature = "ssr")]
fn asked_kinds(asked: &scopes::Requested) -> Vec<DataKind> {
    DataKind::ALL.into_iter().filter(|k| asked.types.iter().any(|t| t.kind() == *k)).collect()
}

/// The request this browser is answering, and its app.
#[cfg(feature = "ssr")]
async fn pending(account: &access::Account) -> Result<(RequestRow, AppRow), AppError> {
    let handle = cookies::read(CONSENT_COOKIE).ok_or(AppError::NotFound)?;
    let db = account.db();
    let now = account.state().clock.now_ms();
    let request = store::open_request(db, now, &handle).await?.ok_or(AppError::NotFound)?;
    let app = store::app_by_id(db, request.app_id).await?.ok_or(AppError::NotFound)?;
    Ok((request, app))
}

/// The request waiting for this browser's answer; None when there is none (answered in
/// another tab, expired, or never made).
#[server(endpoint = "apps/consent")]
pub async fn load_consent() -> Result<Option<ConsentView>, AppError> {
    let account = access::account().await?;
    let (request, app) = match pending(&account).await {
        Ok(pending) => pending,
        Err(AppError::NotFound) => return Ok(None),
        Err(e) => return Err(e),
    };
    let asked = scopes::parse(&request.scope);
    let kinds = asked_kinds(&asked);
    let charts = account
        .charts()
        .await?
        .choices
        .into_iter()
        .filter_map(|choice| {
            let covered: Vec<DataKind> =
                kinds.iter().copied().filter(|k| choice.sections.contains(&k.section())).collect();
            (!covered.is_empty()).then_some(ConsentChart {
                patient_id: choice.patient_id,
                name: choice.name,
                relationship: choice.relationship,
                kinds: covered,
            })
        })
        .collect();
    Ok(Some(ConsentView {
        request_id: request.id,
        app_host: url::Url::parse(&request.redirect_uri)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_else(|| request.redirect_uri.clone()),
        app_name: app.name,
        registered_by: app.registered_by,
        logo_url: app.logo_url,
        terms_url: app.terms_url,
        privacy_url: app.privacy_url,
        kinds,
        until_revoked: asked.offline,
        learns_who_you_are: asked.openid,
        charts,
    }))
}

/// "Allow Access" (`decision` = allow) with the ticked `kinds[]` and the `chart`, or
/// "Deny". Either way the browser goes back to the app with the answer.
#[server(endpoint = "apps/consent/answer")]
pub async fn answer_consent(
    request: i64,
    decision: String,
    #[server(default)] chart: Option<String>,
    #[server(default)] kinds: NameList,
) -> Result<(), AppError> {
    let account = access::account().await?;
    let (pending_request, app) = pending(&account).await?;
    // The screen the patient read must be the request answered: another authorize since
    // (another tab, or a page that started one) replaced the cookie's request.
    if pending_request.id != request {
        return Err(AppError::NotFound);
    }
    let request = pending_request;
    let state = account.state();
    let now = state.clock.now_ms();
    let back_to_app = if decision == "allow" {
        let code = allow(&account, &request, &app, chart.as_deref(), &kinds).await?;
        redirect_uri_with(&request.redirect_uri, &[("code", &code), ("state", &request.state)])
    } else {
        if !store::answer_request(&state.db, now, request.id).await? {
            return Err(AppError::NotFound);
        }
        account.audit_event("app-denied", &app.name).await?;
        let denied = [
            ("error", "access_denied"),
            ("error_description", "the patient denied access"),
            ("state", &request.state),
        ];
        redirect_uri_with(&request.redirect_uri, &denied)
    };
    cookies::set(CONSENT_COOKIE, "", 0);
    cookies::set(super::CONSENT_DONE_COOKIE, &URL_SAFE_NO_PAD.encode(&back_to_app), 60);
    leptos_axum::redirect(super::CONSENT_DONE_PATH);
    Ok(())
}

/// Checks the answer, records the grant and returns the code for the app.
#[cfg(feature = "ssr")]
async fn allow(
    account: &access::Account,
    request: &RequestRow,
    app: &AppRow,
    chart: Option<&str>,
    kinds: &NameList,
) -> Result<String, AppError> {
    let asked = scopes::parse(&request.scope);
    let offered = asked_kinds(&asked);
    let ticked: Vec<DataKind> =
        kinds.names().filter_map(DataKind::parse).filter(|k| offered.contains(k)).collect();
    if ticked.is_empty() {
        return Err(AppError::invalid("kinds", Problem::AppsChooseKind));
    }
    let patient = chart
        .and_then(|c| c.parse::<i64>().ok())
        .ok_or(AppError::invalid("chart", Problem::AppsChooseChart))?;
    let types: Vec<FhirType> = asked.types.iter().copied().filter(|t| ticked.contains(&t.kind())).collect();
    let scope = match account.chart_to_link(patient).await {
        Ok(scope) => scope,
        Err(AppError::NotFound) => return Err(AppError::invalid("chart", Problem::AppsChooseChart)),
        Err(e) => return Err(e),
    };
    if ticked.iter().any(|k| !scope.may(k.section())) {
        return Err(AppError::invalid("kinds", Problem::AppsKindNotShared));
    }
    let state = account.state();
    let now = state.clock.now_ms();
    if !store::answer_request(&state.db, now, request.id).await? {
        return Err(AppError::NotFound);
    }
    let user_has_chart = crate::auth::store::patient_of_user(&state.db, account.user_id()).await?.is_some();
    let granted = scopes::granted(&types, asked.syntax, &asked, user_has_chart);
    let grant = NewGrant { app_id: app.id, types: &types, scope: &granted, offline: asked.offline };
    let code = store::grant_with_code(&scope, now, &grant, request).await?;
    // In the chart's log once the grant exists.
    let detail = format!("{}: {}", app.name, FhirType::join(&types));
    scope.audit_write(crate::access::Section::Sharing, "app-linked", &detail).await?;
    Ok(code)
}

/// The apps this login linked, to any chart, and (for a patient) those linked to their own
/// chart by anyone, still in force.
#[server(endpoint = "apps/linked")]
pub async fn linked_apps() -> Result<Vec<LinkedApp>, AppError> {
    let me = access::signed_in().await?;
    let state = me.state();
    let mut rows = store::linked_by_user(&state.db, me.user_id()).await?;
    if let Some(own) = own_chart().await? {
        for row in store::linked_to_chart(&own).await? {
            if !rows.iter().any(|r| r.grant_id == row.grant_id) {
                rows.push(row);
            }
        }
    }
    let own_patient = crate::auth::store::patient_of_user(&state.db, me.user_id()).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let types = FhirType::parse_list(&row.types);
            let kinds = DataKind::ALL.into_iter().filter(|k| types.iter().any(|t| t.kind() == *k)).collect();
            LinkedApp {
                grant_id: row.grant_id,
                app_name: row.app_name,
                linked_by: (row.user_id != me.user_id()).then_some(row.linked_by),
                chart_name: format!("{} {}", row.given_name, row.family_name),
                own_chart: own_patient == Some(row.patient_id),
                kinds,
                until_revoked: row.offline == 1,
                linked: state.clock.local_date_time(row.created_at),
                last_used: row.last_used_at.map(|at| state.clock.local_date_time(at)),
            }
        })
        .collect())
}

/// A patient's own chart (None for staff and for a proxy-only login), opened to list or
/// end the apps linked to it.
#[cfg(feature = "ssr")]
async fn own_chart() -> Result<Option<crate::access::ChartScope>, AppError> {
    let Ok(account) = access::account().await else { return Ok(None) };
    match account.own_chart("apps.linked").await {
        Ok(chart) => Ok(Some(chart)),
        Err(AppError::Forbidden) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Ends one of this login's links: its tokens stop working on their next request.
#[server(endpoint = "apps/revoke")]
pub async fn revoke_app(id: i64) -> Result<(), AppError> {
    let me = access::signed_in().await?;
    let state = me.state();
    let now = state.clock.now_ms();
    let revoked = store::revoke_by_user(&state.db, now, me.user_id(), id).await?
        || match own_chart().await? {
            Some(own) => store::revoke_on_chart(&own, now, id).await?,
            None => false,
        };
    if !revoked {
        return Err(AppError::NotFound);
    }
    me.audit_event("app-revoked", &id.to_string()).await?;
    if crate::ui::form::is_form_post() {
        leptos_axum::redirect(&format!("{}?done=revoked", super::LINKED_APPS_PATH));
    }
    Ok(())
}
