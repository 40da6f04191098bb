//! HIM's Release of Information functions: the request queue, matching a request to a
//! chart, approving or denying it, the signed form, and every grant on a chart (HIM can
//! narrow or end any). Only the HIM role gets past `him()`.
use leptos::prelude::*;
use server_fn::codec::{ByteStream, GetUrl, Streaming};

use super::{GrantView, ProxyRequest, RequestReview, Restriction};
#[cfg(feature = "ssr")]
use crate::access::{self, Need, Section, StaffAccess};
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::problem::Problem;

/// Most requests shown in the queue at once.
pub const QUEUE_LIMIT: i64 = 200;

#[cfg(feature = "ssr")]
async fn him() -> Result<StaffAccess, AppError> {
    access::staff(Need::Him).await
}

/// The reason HIM gives for a denial or for ending a grant: required, bounded.
#[cfg(feature = "ssr")]
fn decision_reason(reason: &str) -> Result<String, AppError> {
    let (required, too_long) = (Some(Problem::ProxyReasonRequired), Problem::ProxyReasonTooLong);
    crate::input::bounded(reason, super::REASON_MAX_CHARS, required, too_long)
        .map_err(|p| AppError::invalid("reason", p))
}

#[server(endpoint = "staff/proxy/queue")]
pub async fn proxy_queue() -> Result<Vec<ProxyRequest>, AppError> {
    let staff = him().await?;
    let unseen = super::store::pending(&staff, &staff.state().clock, QUEUE_LIMIT).await?;
    staff.show(unseen, Section::Sharing, "staff.proxy.queue").await
}

/// One request and the charts it may belong to (same birth date, a name in common).
#[server(endpoint = "staff/proxy/request")]
pub async fn review_request(id: i64) -> Result<RequestReview, AppError> {
    let staff = him().await?;
    let (request, matched) =
        super::store::request(staff.db(), id, &staff.state().clock).await?.ok_or(AppError::NotFound)?;
    let candidates = super::store::candidates(staff.db(), &request.patient_name, &request.birth_date).await?;
    let matched_name = match matched {
        Some(patient) => crate::patients::store::patient_by_id(staff.db(), patient)
            .await?
            .map(|p| format!("{}, {} ({})", p.family_name, p.given_name, p.mrn)),
        None => None,
    };
    // The candidates and the matched chart are charts HIM looked at: each is logged on
    // that chart, once, in one transaction.
    let shown = candidates.iter().map(|c| Some(c.id)).chain([matched]).map(|id| (id, ())).collect();
    staff.show(access::Unseen::new(shown), Section::Sharing, &format!("staff.proxy.request id={id}")).await?;
    Ok(RequestReview { request, candidates, matched: matched_name })
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
    let staff = him().await?;
    let sections = super::api::parse_sections(&sections)?;
    let clock = &staff.state().clock;
    let today = clock.today();
    // The grant stops at the start of its end date at the clinic.
    let ends_at = access::grants::parse_end(ends_on.as_deref().unwrap_or(""), today)
        .map_err(|p| AppError::invalid("ends_on", p))?
        .map(|day| clock.start_of_day(day));
    let (request, _) = super::store::request(staff.db(), id, clock).await?.ok_or(AppError::NotFound)?;
    let patient = crate::patients::store::patient_by_id(staff.db(), patient_id)
        .await?
        .ok_or(AppError::invalid("patient", Problem::ProxyMatchRequired))?;
    check_match(&request, &patient.birth_date, today)?;
    let requester = super::store::requester_of(staff.db(), id).await?.ok_or(AppError::NotFound)?;
    if crate::auth::store::patient_of_user(staff.db(), requester).await? == Some(patient_id) {
        return Err(AppError::invalid("patient", Problem::ProxyOwnChart));
    }
    let chart =
        staff.open_chart(patient_id, Section::Sharing, &format!("staff.proxy.approve id={id}")).await?;
    let decision =
        super::store::Decision::Approve { patient_id: chart.patient_id(), sections: &sections, ends_at };
    let grant = super::store::decide(chart.db(), id, decision, staff.user_id(), staff.state().clock.now_ms())
        .await?
        .ok_or(AppError::invalid("form", Problem::ProxyAlreadyDecided))?;
    chart.audit_write(Section::Sharing, "proxy-approved", &format!("request={id} grant={grant}")).await?;
    crate::notices::send::to_user(staff.state(), requester, crate::notices::NoticeKind::Access).await;
    Ok(())
}

/// The chart HIM picks must be the person the request names: the same date of birth, and
/// an age that fits the kind of request (a parent's request ends at 18; an adult
/// authorization must not reach a minor's chart, where it would skip the teen view and
/// the end at 18). A birth date that cannot be read refuses the match.
#[cfg(feature = "ssr")]
fn check_match(request: &ProxyRequest, chart_birth_date: &str, today: time::Date) -> Result<(), AppError> {
    use super::RequestKind;
    if chart_birth_date != request.birth_date {
        return Err(AppError::invalid("patient", Problem::ProxyBirthDateMismatch));
    }
    let age = crate::dates::age_from(chart_birth_date, today)
        .ok_or_else(|| AppError::invalid("patient", Problem::ProxyBirthDateInvalid))?;
    match request.kind {
        RequestKind::Minor if age >= crate::dates::ADULT_AGE => {
            Err(AppError::invalid("patient", Problem::ProxyNotAMinor))
        }
        RequestKind::Adult if age < crate::dates::ADULT_AGE => {
            Err(AppError::invalid("patient", Problem::ProxyNotAnAdult))
        }
        _ => Ok(()),
    }
}

#[server(endpoint = "staff/proxy/deny")]
pub async fn deny_request(id: i64, reason: String) -> Result<(), AppError> {
    let staff = him().await?;
    let reason = decision_reason(&reason)?;
    let decision = super::store::Decision::Deny { reason: &reason };
    super::store::decide(staff.db(), id, decision, staff.user_id(), staff.state().clock.now_ms())
        .await?
        .ok_or(AppError::invalid("form", Problem::ProxyAlreadyDecided))?;
    // A denied request was never matched to a chart: the event names no patient.
    staff.audit_event("proxy-denied", &format!("request={id}")).await?;
    if let Some(requester) = super::store::requester_of(staff.db(), id).await? {
        crate::notices::send::to_user(staff.state(), requester, crate::notices::NoticeKind::Access).await;
    }
    Ok(())
}

/// The signed authorization of an adult request, as a download.
#[server(endpoint = "staff/proxy/form", input = GetUrl, output = Streaming)]
pub async fn request_form(id: i64) -> Result<ByteStream<AppError>, AppError> {
    let staff = him().await?;
    let (matched, media_type, bytes) =
        super::store::form_of(staff.db(), id).await?.ok_or(AppError::NotFound)?;
    let what = format!("staff.proxy.form id={id}");
    match matched {
        Some(patient) => drop(staff.open_chart(patient, Section::Sharing, &what).await?),
        None => staff.audit_event("proxy-form-read", &what).await?,
    }
    Ok(crate::messages::api::download(id, &media_type, bytes))
}

/// Every grant on a chart that has not ended.
#[server(endpoint = "staff/proxy/grants")]
pub async fn chart_grants(patient_id: i64) -> Result<Vec<GrantView>, AppError> {
    let staff = him().await?;
    let chart = staff.open_chart(patient_id, Section::Sharing, "staff.proxy.grants").await?;
    let clock = &staff.state().clock;
    Ok(super::store::grants_on(&chart, clock.now_ms(), clock).await?)
}

/// Ends any grant, with the reason (a relationship reported changed, a court order…).
#[server(endpoint = "staff/proxy/end_grant")]
pub async fn end_any_grant(id: i64, reason: String) -> Result<(), AppError> {
    let staff = him().await?;
    let reason = decision_reason(&reason)?;
    let (_, patient) = super::store::grant_parties(staff.db(), id).await?.ok_or(AppError::NotFound)?;
    let chart =
        staff.open_chart(patient, Section::Sharing, &format!("staff.proxy.end_grant id={id}")).await?;
    if super::store::end_grant(chart.db(), id, staff.user_id(), &reason, staff.state().clock.now_ms()).await?
    {
        chart.audit_write(Section::Sharing, "proxy-grant-ended", &format!("grant={id}")).await?;
    }
    Ok(())
}

#[server(endpoint = "staff/proxy/set_sections")]
pub async fn set_any_grant_sections(id: i64, sections: String) -> Result<(), AppError> {
    let staff = him().await?;
    let sections = super::api::parse_sections(&sections)?;
    let (_, patient) = super::store::grant_parties(staff.db(), id).await?.ok_or(AppError::NotFound)?;
    let chart =
        staff.open_chart(patient, Section::Sharing, &format!("staff.proxy.set_sections id={id}")).await?;
    if super::store::set_sections(chart.db(), id, &sections).await? {
        chart.audit_write(Section::Sharing, "proxy-grant-sections", &format!("grant={id}")).await?;
    }
    Ok(())
}

/// Teens' pending requests to narrow a parent's grant, the soonest due first.
#[server(endpoint = "staff/proxy/restrictions")]
pub async fn restriction_queue() -> Result<Vec<Restriction>, AppError> {
    let staff = him().await?;
    let unseen = super::store::pending_restrictions(&staff, QUEUE_LIMIT).await?;
    staff.show(unseen, Section::Sharing, "staff.proxy.restrictions").await
}

/// Applies a teen's request: the grant loses the sections (and ends if none are left).
#[server(endpoint = "staff/proxy/restriction/apply")]
pub async fn apply_restriction(id: i64) -> Result<(), AppError> {
    decide_restriction(&him().await?, id, None).await
}

/// Declines a teen's request, with the reason they will read.
#[server(endpoint = "staff/proxy/restriction/decline")]
pub async fn decline_restriction(id: i64, reason: String) -> Result<(), AppError> {
    let staff = him().await?;
    let reason = decision_reason(&reason)?;
    decide_restriction(&staff, id, Some(reason)).await
}

#[cfg(feature = "ssr")]
async fn decide_restriction(staff: &StaffAccess, id: i64, decline: Option<String>) -> Result<(), AppError> {
    use super::store::Decided;
    let patient = super::store::restriction_chart(staff.db(), id).await?.ok_or(AppError::NotFound)?;
    let chart =
        staff.open_chart(patient, Section::Sharing, &format!("staff.proxy.restriction id={id}")).await?;
    let now = staff.state().clock.now_ms();
    let decided = super::store::decide_restriction(&chart, id, decline.as_deref(), staff.user_id(), now)
        .await?
        .ok_or_else(|| AppError::invalid("form", Problem::ProxyAlreadyDecided))?;
    let (action, detail) = match decided {
        Decided::Declined => ("restriction-declined", format!("restriction={id}")),
        Decided::Narrowed { grant_id } => {
            ("proxy-grant-sections", format!("restriction={id} grant={grant_id}"))
        }
        Decided::Ended { grant_id } => ("proxy-grant-ended", format!("restriction={id} grant={grant_id}")),
        Decided::GrantGone => ("restriction-applied", format!("restriction={id}")),
    };
    chart.audit_write(Section::Sharing, action, &detail).await
}
