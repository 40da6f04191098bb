//! HIM's Release of Information functions: the request queue, matching a request to a
//! chart, approving or denying it, the signed form, and every grant on a chart (HIM can
//! narrow or end any). Only the HIM role gets past `him()`.
use leptos::prelude::*;
use server_fn::codec::{ByteStream, GetUrl, Streaming};

use super::{GrantView, ProxyRequest, RequestReview};
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::{
    access::{self, Section},
    auth::{session::Session, Role},
    infra::AppState,
};

/// Most requests shown in the queue at once.
pub const QUEUE_LIMIT: i64 = 200;

#[cfg(feature = "ssr")]
async fn him() -> Result<(AppState, Session), AppError> {
    access::require_staff(|role| role == Role::Him).await
}

#[server(endpoint = "staff/proxy/queue")]
pub async fn proxy_queue() -> Result<Vec<ProxyRequest>, AppError> {
    let (state, _) = him().await?;
    Ok(super::store::pending(&state.db, state.clock.today(), QUEUE_LIMIT).await?)
}

/// One request and the charts it may belong to (same birth date, a name in common).
#[server(endpoint = "staff/proxy/request")]
pub async fn review_request(id: i64) -> Result<RequestReview, AppError> {
    let (state, staff) = him().await?;
    let (request, matched) =
        super::store::request(&state.db, id, state.clock.today()).await?.ok_or(AppError::NotFound)?;
    let candidates = super::store::candidates(&state.db, &request.patient_name, &request.birth_date).await?;
    let matched = match matched {
        Some(patient) => crate::auth::store::patient_by_id(&state.db, patient)
            .await?
            .map(|p| format!("{}, {} ({})", p.family_name, p.given_name, p.mrn)),
        None => None,
    };
    // The candidates are charts HIM looked at: each one is logged on that chart.
    for candidate in &candidates {
        let detail = format!("staff.proxy.request id={id}");
        access::audit_staff(&state, &staff, candidate.id, Section::Sharing, "chart-read", &detail).await?;
    }
    Ok(RequestReview { request, candidates, matched })
}

/// Approves a pending request for `patient_id`'s chart, covering `sections` (comma-separated),
/// until `ends_on` (YYYY-MM-DD) when HIM gives one — a guardianship with an end, say.
#[server(endpoint = "staff/proxy/approve")]
pub async fn approve_request(
    id: i64,
    patient_id: i64,
    sections: String,
    #[server(default)] ends_on: Option<String>,
) -> Result<(), AppError> {
    let (state, staff) = him().await?;
    let sections = super::api::parse_sections(&sections)?;
    let today = state.clock.today();
    let ends_at = access::grants::parse_end(ends_on.as_deref().unwrap_or(""), today)
        .map_err(|e| AppError::invalid("ends_on", &format!("proxy.{e}")))?
        .map(crate::infra::clock::ms_of_date);
    let (request, _) = super::store::request(&state.db, id, today).await?.ok_or(AppError::NotFound)?;
    let patient = crate::auth::store::patient_by_id(&state.db, patient_id)
        .await?
        .ok_or(AppError::invalid("patient", "proxy.match_required"))?;
    let age = access::grants::age_on(&patient.birth_date, today).unwrap_or(0);
    if request.kind == super::RequestKind::Minor && age >= access::grants::ADULT_AGE {
        return Err(AppError::invalid("patient", "proxy.not_a_minor"));
    }
    let requester = super::store::requester_of(&state.db, id).await?.ok_or(AppError::NotFound)?;
    if crate::auth::store::patient_of_user(&state.db, requester).await? == Some(patient_id) {
        return Err(AppError::invalid("patient", "proxy.own_chart"));
    }
    let decision = super::store::Decision::Approve { patient_id, sections: &sections, ends_at };
    let grant = super::store::decide(&state.db, id, decision, staff.user_id, state.clock.now_ms())
        .await?
        .ok_or(AppError::invalid("form", "proxy.already_decided"))?;
    let detail = format!("request={id} grant={grant}");
    access::audit_staff(&state, &staff, patient_id, Section::Sharing, "proxy-approved", &detail).await
}

#[server(endpoint = "staff/proxy/deny")]
pub async fn deny_request(id: i64, reason: String) -> Result<(), AppError> {
    let (state, staff) = him().await?;
    let reason = crate::input::bounded(&reason, super::REASON_MAX_CHARS, true)
        .map_err(|e| AppError::invalid("reason", &format!("proxy.reason_{e}")))?;
    let decision = super::store::Decision::Deny { reason: &reason };
    super::store::decide(&state.db, id, decision, staff.user_id, state.clock.now_ms())
        .await?
        .ok_or(AppError::invalid("form", "proxy.already_decided"))?;
    let addr = crate::infra::client_addr();
    let detail = format!("request={id}");
    let event = crate::infra::audit::AuditEvent {
        actor_user_id: Some(staff.user_id),
        action: "proxy-denied",
        client_addr: Some(&addr),
        detail: &detail,
        ..Default::default()
    };
    crate::infra::audit::append(&state.db, state.clock.now_ms(), event).await?;
    Ok(())
}

/// The signed authorization of an adult request, as a download.
#[server(endpoint = "staff/proxy/form", input = GetUrl, output = Streaming)]
pub async fn request_form(id: i64) -> Result<ByteStream<AppError>, AppError> {
    let (state, _) = him().await?;
    let (media_type, bytes) = super::store::form_of(&state.db, id).await?.ok_or(AppError::NotFound)?;
    Ok(crate::messages::api::download(id, &media_type, bytes))
}

/// Every grant on a chart that has not ended.
#[server(endpoint = "staff/proxy/grants")]
pub async fn chart_grants(patient_id: i64) -> Result<Vec<GrantView>, AppError> {
    let (state, staff) = him().await?;
    let grants =
        super::store::grants_on(&state.db, patient_id, state.clock.now_ms(), state.clock.today()).await?;
    access::audit_staff(&state, &staff, patient_id, Section::Sharing, "chart-read", "staff.proxy.grants")
        .await?;
    Ok(grants)
}

/// Ends any grant, with the reason (a relationship reported changed, a court order…).
#[server(endpoint = "staff/proxy/end_grant")]
pub async fn end_any_grant(id: i64, reason: String) -> Result<(), AppError> {
    let (state, staff) = him().await?;
    let reason = crate::input::bounded(&reason, super::REASON_MAX_CHARS, true)
        .map_err(|e| AppError::invalid("reason", &format!("proxy.reason_{e}")))?;
    let (_, patient) = super::store::grant_parties(&state.db, id).await?.ok_or(AppError::NotFound)?;
    if super::store::end_grant(&state.db, id, staff.user_id, &reason, state.clock.now_ms()).await? {
        let detail = format!("grant={id}");
        access::audit_staff(&state, &staff, patient, Section::Sharing, "proxy-grant-ended", &detail).await?;
    }
    Ok(())
}

#[server(endpoint = "staff/proxy/set_sections")]
pub async fn set_any_grant_sections(id: i64, sections: String) -> Result<(), AppError> {
    let (state, staff) = him().await?;
    let sections = super::api::parse_sections(&sections)?;
    let (_, patient) = super::store::grant_parties(&state.db, id).await?.ok_or(AppError::NotFound)?;
    super::store::set_sections(&state.db, id, &sections).await?;
    let detail = format!("grant={id}");
    access::audit_staff(&state, &staff, patient, Section::Sharing, "proxy-grant-sections", &detail).await
}
