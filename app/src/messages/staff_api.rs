//! Staff inboxes: a clinician sees their department's care-team threads and those written
//! to them; billing, support and HIM staff see their customer-service pool. Every thread id
//! is looked up within that scope (another pool's thread is not found), and every thread a
//! staff member opens or answers is audited against the patient.
use leptos::prelude::*;
use server_fn::codec::{ByteStream, GetUrl, Streaming};

#[cfg(feature = "ssr")]
use super::store::StaffScope;
use super::{ThreadSummary, ThreadView};
#[cfg(feature = "ssr")]
use crate::access::{self, ChartScope, Need, Section, StaffAccess};
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::problem::Problem;

/// The signed-in staff member and the threads their role covers.
#[cfg(feature = "ssr")]
async fn staff_scope() -> Result<(StaffAccess, StaffScope), AppError> {
    let staff = access::staff(Need::AnswersMessages).await?;
    let scope = StaffScope::of(&staff).ok_or(AppError::Forbidden)?;
    Ok((staff, scope))
}

/// `view`: "open" (the pools' open threads), "mine" (claimed by or written to me), "done".
#[server(endpoint = "staff/messages/inbox")]
pub async fn staff_inbox(view: String) -> Result<Vec<ThreadSummary>, AppError> {
    use super::store::StaffView;
    let view = match view.as_str() {
        "open" => StaffView::Open,
        "mine" => StaffView::Mine,
        "done" => StaffView::Done,
        _ => return Err(AppError::invalid("view", Problem::BadRequest)),
    };
    let (staff, scope) = staff_scope().await?;
    let unseen = super::store::staff_inbox(&staff, scope, view).await?;
    staff.show(unseen, Section::Messages, "staff.messages.inbox").await
}

/// One thread of the staff member's pools, marked read by the staff side.
#[server(endpoint = "staff/messages/thread")]
pub async fn staff_thread(id: i64) -> Result<ThreadView, AppError> {
    let (staff, scope) = staff_scope().await?;
    let chart = thread_chart(&staff, scope, id, &format!("staff.messages.thread id={id}")).await?;
    let mut thread = super::store::staff_thread(&chart, scope, id).await?.ok_or(AppError::NotFound)?;
    // Billing staff answer about the account: it is shown beside the thread.
    thread.billing_account = super::api::billing_account_of(&chart, id).await?;
    Ok(thread)
}

#[server(endpoint = "staff/messages/claim")]
pub async fn claim_thread(id: i64) -> Result<(), AppError> {
    let (staff, scope) = staff_scope().await?;
    let chart = thread_chart(&staff, scope, id, &format!("staff.messages.claim id={id}")).await?;
    if !super::store::claim(&chart, scope, id).await? {
        return Err(AppError::invalid("form", Problem::MessagesThreadDone));
    }
    chart.audit_write(Section::Messages, "thread-claimed", &format!("thread={id}")).await
}

#[server(endpoint = "staff/messages/done")]
pub async fn mark_thread_done(id: i64) -> Result<(), AppError> {
    let (staff, scope) = staff_scope().await?;
    let chart = thread_chart(&staff, scope, id, &format!("staff.messages.done id={id}")).await?;
    // Done already (another tab, a colleague): nothing changed, nothing more to log.
    if super::store::mark_done(&chart, scope, id).await? {
        chart.audit_write(Section::Messages, "thread-done", &format!("thread={id}")).await?;
    }
    Ok(())
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
    use crate::input::{bounded, IdempotencyKey};
    let schedule_reason = match schedule.as_str() {
        "" => None,
        other => Some(
            ScheduleReason::parse(other).ok_or_else(|| AppError::invalid("schedule", Problem::BadRequest))?,
        ),
    };
    let required = schedule_reason.is_none().then_some(Problem::MessagesBodyRequired);
    let body = bounded(&body, BODY_MAX_CHARS, required, Problem::MessagesBodyTooLong)
        .map_err(|p| AppError::invalid("body", p))?;
    let key = IdempotencyKey::parse(&key).ok_or_else(|| AppError::invalid("form", Problem::BadRequest))?;
    let (staff, scope) = staff_scope().await?;
    let chart = thread_chart(&staff, scope, id, &format!("staff.messages.reply id={id}")).await?;
    let state = staff.state();
    let outcome = store::send(
        chart.db(),
        &store::Outgoing {
            patient_id: chart.patient_id(),
            author_id: staff.user_id(),
            from_patient: false,
            proxy_relationship: None,
            new_thread: None,
            billing_account_id: None,
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
            chart.audit_write(Section::Messages, "message-sent", &detail).await?;
            // The notice goes out on its own: a slow or absent mail server must not hold
            // up (or fail) an answer that is already committed.
            tokio::spawn(async move { notify_patient(&chart, id).await });
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
    let (staff, scope) = staff_scope().await?;
    let (patient, media_type, bytes) =
        super::store::staff_attachment(staff.db(), scope, id).await?.ok_or(AppError::NotFound)?;
    // Logged on the chart before a byte leaves.
    staff.open_chart(patient, Section::Messages, &format!("staff.messages.attachment id={id}")).await?;
    Ok(super::api::download(id, &media_type, bytes))
}

/// The chart of a thread in scope, opened (and logged) for the staff member; not found
/// otherwise (whether it exists in another pool is not told).
#[cfg(feature = "ssr")]
async fn thread_chart(
    staff: &StaffAccess,
    scope: StaffScope,
    id: i64,
    what: &str,
) -> Result<ChartScope, AppError> {
    let patient =
        super::store::staff_thread_patient(staff.db(), scope, id).await?.ok_or(AppError::NotFound)?;
    staff.open_chart(patient, Section::Messages, what).await
}

/// "You have a new message" (notices): no name, no subject, no text — only that one is
/// waiting; to the patient, and to proxies who may read messages unless the thread is
/// confidential. Sent after the reply is committed; a failure is logged and loses nothing.
#[cfg(feature = "ssr")]
async fn notify_patient(chart: &ChartScope, thread_id: i64) {
    let confidential = match super::store::thread_is_confidential(chart, thread_id).await {
        Ok(confidential) => confidential,
        Err(error) => return tracing::warn!(%error, "could not read whom to notify"),
    };
    crate::notices::send::to_chart(
        chart,
        crate::notices::NoticeKind::Message,
        Section::Messages,
        confidential,
    )
    .await;
}
