//! Staff inboxes: a clinician sees their department's care-team threads and those written
//! to them; billing, support and HIM staff see their customer-service pool. Every thread id
//! is looked up within that scope (another pool's thread is not found), and every thread a
//! staff member opens or answers is audited against the patient.
use leptos::prelude::*;
use server_fn::codec::{ByteStream, GetUrl, Streaming};

use super::{ThreadSummary, ThreadView};
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::{
    access::{self, Section},
    auth::{session::Session, Role},
    infra::AppState,
};

/// The signed-in staff member and the threads their role covers.
#[cfg(feature = "ssr")]
async fn staff_scope() -> Result<(AppState, Session, super::store::StaffScope), AppError> {
    use super::{store::StaffScope, Pool};
    let (state, staff) = access::require_staff(Role::answers_messages).await?;
    let scope = match staff.role {
        Role::Clinician => StaffScope::Clinician { user_id: staff.user_id },
        Role::Billing => StaffScope::Pool(Pool::Billing),
        Role::Support => StaffScope::Pool(Pool::Support),
        Role::Him => StaffScope::Pool(Pool::Records),
        Role::Patient | Role::Admin => return Err(AppError::Forbidden),
    };
    Ok((state, staff, scope))
}

/// `view`: "open" (the pools' open threads), "mine" (claimed by or written to me), "done".
#[server(endpoint = "staff/messages/inbox")]
pub async fn staff_inbox(view: String) -> Result<Vec<ThreadSummary>, AppError> {
    use super::store::StaffView;
    let view = match view.as_str() {
        "open" => StaffView::Open,
        "mine" => StaffView::Mine,
        "done" => StaffView::Done,
        _ => return Err(AppError::invalid("view", "error.bad_request")),
    };
    let (state, staff, scope) = staff_scope().await?;
    let offset = state.config.utc_offset_minutes;
    Ok(super::store::staff_inbox(&state.db, scope, view, staff.user_id, offset).await?)
}

/// One thread of the staff member's pools, marked read by the staff side.
#[server(endpoint = "staff/messages/thread")]
pub async fn staff_thread(id: i64) -> Result<ThreadView, AppError> {
    let (state, staff, scope) = staff_scope().await?;
    let patient = in_scope(&state, scope, id).await?;
    access::audit_staff(
        &state,
        &staff,
        patient,
        Section::Messages,
        "chart-read",
        &format!("staff.messages.thread id={id}"),
    )
    .await?;
    let offset = state.config.utc_offset_minutes;
    super::store::staff_thread(&state.db, scope, id, offset).await?.ok_or(AppError::NotFound)
}

#[server(endpoint = "staff/messages/claim")]
pub async fn claim_thread(id: i64) -> Result<(), AppError> {
    let (state, staff, scope) = staff_scope().await?;
    let patient = in_scope(&state, scope, id).await?;
    if !super::store::claim(&state.db, scope, id, staff.user_id).await? {
        return Err(AppError::invalid("form", "messages.thread_done"));
    }
    access::audit_staff(&state, &staff, patient, Section::Messages, "thread-claimed", &format!("thread={id}"))
        .await
}

#[server(endpoint = "staff/messages/done")]
pub async fn mark_thread_done(id: i64) -> Result<(), AppError> {
    let (state, staff, scope) = staff_scope().await?;
    let patient = in_scope(&state, scope, id).await?;
    super::store::mark_done(&state.db, scope, id).await?;
    access::audit_staff(&state, &staff, patient, Section::Messages, "thread-done", &format!("thread={id}"))
        .await
}

/// Answers a thread. With `schedule` ("complex", "images" or "unrelated") the answer is the
/// "please schedule an appointment" template with that reason, and `body` an optional note.
#[server(endpoint = "staff/messages/reply")]
pub async fn staff_reply(
    id: i64,
    #[server(default)] body: String,
    #[server(default)] schedule: String,
    key: String,
) -> Result<i64, AppError> {
    use super::{store, ScheduleReason, BODY_MAX_CHARS};
    use crate::input::{bounded, is_idempotency_key};
    let schedule_reason = match schedule.as_str() {
        "" => None,
        other => Some(
            ScheduleReason::parse(other).ok_or_else(|| AppError::invalid("schedule", "error.bad_request"))?,
        ),
    };
    let body = bounded(&body, BODY_MAX_CHARS, schedule_reason.is_none())
        .map_err(|e| AppError::invalid("body", &format!("messages.body_{e}")))?;
    if !is_idempotency_key(&key) {
        return Err(AppError::invalid("form", "error.bad_request"));
    }
    let (state, staff, scope) = staff_scope().await?;
    let patient = in_scope(&state, scope, id).await?;
    let outcome = store::send(
        &state.db,
        &store::Outgoing {
            patient_id: patient,
            author_id: staff.user_id,
            from_patient: false,
            proxy_relationship: None,
            new_thread: None,
            thread_id: Some(id),
            body: &body,
            schedule_reason,
            files: &[],
            idempotency_key: &key,
            now: state.clock.now_ms(),
            hourly_limit: i64::MAX,
        },
    )
    .await?;
    match outcome {
        store::Outcome::Sent { message_id, .. } => {
            let detail = format!("thread={id} message={message_id}");
            access::audit_staff(&state, &staff, patient, Section::Messages, "message-sent", &detail).await?;
            // The notice goes out on its own: a slow or absent mail server must not hold
            // up (or fail) an answer that is already committed.
            let mailing = state.clone();
            tokio::spawn(async move { notify_patient(&mailing, patient, id).await });
            Ok(message_id)
        }
        store::Outcome::Repeated { message_id, .. } => Ok(message_id),
        store::Outcome::RateLimited { retry_after_secs } => {
            Err(AppError::TooManyAttempts { retry_after_secs })
        }
    }
}

#[server(endpoint = "staff/messages/attachment", input = GetUrl, output = Streaming)]
pub async fn staff_attachment(id: i64) -> Result<ByteStream<AppError>, AppError> {
    let (state, staff, scope) = staff_scope().await?;
    let (patient, media_type, bytes) =
        super::store::staff_attachment(&state.db, scope, id).await?.ok_or(AppError::NotFound)?;
    let detail = format!("staff.messages.attachment id={id}");
    access::audit_staff(&state, &staff, patient, Section::Messages, "chart-read", &detail).await?;
    Ok(super::api::download(id, &media_type, bytes))
}

/// The thread's patient, when the thread is in scope; not found otherwise (whether it
/// exists in another pool is not told).
#[cfg(feature = "ssr")]
async fn in_scope(state: &AppState, scope: super::store::StaffScope, id: i64) -> Result<i64, AppError> {
    super::store::staff_thread_patient(&state.db, scope, id).await?.ok_or(AppError::NotFound)
}

/// "You have a new message": no name, no subject, no text — only that one is waiting.
/// Sent after the reply is committed; a mail failure is logged and loses nothing.
#[cfg(feature = "ssr")]
async fn notify_patient(state: &AppState, patient_id: i64, thread_id: i64) {
    let (now, today) = (state.clock.now_ms(), state.clock.today());
    let addresses = match super::store::notify_addresses(&state.db, patient_id, thread_id, now, today).await {
        Ok(addresses) => addresses,
        Err(error) => return tracing::warn!(%error, "could not read whom to notify"),
    };
    let body = format!(
        "You have a new message in Portico.\n\nSign in to read it: {}messages\n\n\
         For your privacy, this e-mail never contains the message itself.\n\n{}\n",
        state.config.public_url, state.config.org.name
    );
    for to in addresses {
        if let Err(error) = state.mailer.send(&to, "You have a new message in Portico", body.clone()).await {
            tracing::warn!(%error, "could not send a new-message notice");
        }
    }
}
