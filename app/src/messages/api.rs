//! Patient-side messaging functions. The chart is the session's; thread and attachment ids
//! are looked up within it, so another chart's id is simply not found.
use leptos::prelude::*;
use server_fn::codec::{ByteStream, GetUrl, MultipartData, MultipartFormData, Streaming};

use super::{Inbox, Recipient, Sent, ThreadView};
#[cfg(feature = "ssr")]
use crate::access::{self, Section};
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::problem::Problem;

#[server(endpoint = "messages/inbox")]
pub async fn load_inbox() -> Result<Inbox, AppError> {
    let chart = access::require(Section::Messages, "messages.inbox").await?;
    Ok(super::store::inbox(&chart).await?)
}

/// Threads with a reply not yet opened, for the menu.
#[server(endpoint = "messages/unread")]
pub async fn unread_messages(#[server(default)] opening: Option<i64>) -> Result<i64, AppError> {
    let chart = access::require(Section::Messages, "messages.unread").await?;
    Ok(super::store::unread_count(&chart, opening).await?)
}

#[server(endpoint = "messages/recipients")]
pub async fn message_recipients() -> Result<Vec<Recipient>, AppError> {
    let chart = access::require(Section::Messages, "messages.recipients").await?;
    let providers = super::store::recipient_providers(&chart, chart.state().clock.now_ms()).await?;
    let mut recipients = super::view::recipients(providers, &chart.state().config.org.contacts);
    // Billing's threads are the chart's billing: not for a proxy without it.
    if !chart.may(Section::Billing) {
        recipients.retain(|r| r.pool != super::Pool::Billing);
    }
    Ok(recipients)
}

/// One thread, whole; opening it marks the replies read.
#[server(endpoint = "messages/thread")]
pub async fn load_thread(id: i64) -> Result<ThreadView, AppError> {
    let chart = access::require(Section::Messages, &format!("messages.thread id={id}")).await?;
    let mut thread = super::store::patient_thread(&chart, id).await?.ok_or(AppError::NotFound)?;
    let contacts = &chart.state().config.org.contacts;
    thread.office_phone = thread.summary.department.as_deref().and_then(|d| contacts.phone_of(d));
    thread.scheduling_url = contacts.scheduling_url.clone();
    if chart.may(Section::Billing) {
        thread.billing_account = billing_account_of(&chart, id).await?;
    }
    Ok(thread)
}

/// The guarantor account a billing thread is about, as the Billing Summary shows it.
#[cfg(feature = "ssr")]
pub(super) async fn billing_account_of(
    chart: &access::ChartScope,
    thread_id: i64,
) -> Result<Option<crate::billing::AccountSummary>, AppError> {
    match super::store::billing_account_of(chart, thread_id).await? {
        Some(account_id) => {
            let detail = format!("messages.thread billing account={account_id}");
            chart.audit_write(Section::Billing, "chart-read", &detail).await?;
            Ok(Some(crate::billing::api::summary_of(chart, account_id).await?))
        }
        None => Ok(None),
    }
}

/// Sends a new message (fields `to`, `subject`) or a reply (field `thread`), with `body`,
/// the form's idempotency `key` and up to three `attachment` files. Answers only once the
/// message is committed; the same key again answers with the same message.
#[server(endpoint = "messages/send", input = MultipartFormData)]
pub async fn send_message(data: MultipartData) -> Result<Sent, AppError> {
    use super::{store, BODY_MAX_CHARS, SUBJECT_MAX_CHARS};
    use crate::input::{bounded, IdempotencyKey};
    // Who, before reading up to 30 MB of someone's upload.
    let chart = access::require(Section::Messages, "messages.send").await?;
    let form = super::upload::read(data.into_inner().ok_or(AppError::Unavailable)?).await?;
    let key =
        IdempotencyKey::parse(&form.key).ok_or_else(|| AppError::invalid("form", Problem::BadRequest))?;
    let state = chart.state();
    let now = state.clock.now_ms();
    let (route, subject, thread_id, pool) = if form.thread.is_empty() {
        let route = store::route_of(&chart, &form.to, now)
            .await?
            .ok_or_else(|| AppError::invalid("to", Problem::MessagesToRequired))?;
        let subject = bounded(
            &form.subject,
            SUBJECT_MAX_CHARS,
            Some(Problem::MessagesSubjectRequired),
            Problem::MessagesSubjectTooLong,
        )
        .map_err(|p| AppError::invalid("subject", p))?;
        let pool = route.0;
        (Some(route), subject, None, pool)
    } else {
        let id: i64 = form.thread.parse().map_err(|_| AppError::NotFound)?;
        let pool = store::thread_pool(&chart, id).await?.ok_or(AppError::NotFound)?;
        (None, String::new(), Some(id), pool)
    };
    let billing_account_id = about_account(&chart, &form.account, pool, thread_id).await?;
    let body = bounded(
        &form.body,
        BODY_MAX_CHARS,
        Some(Problem::MessagesBodyRequired),
        Problem::MessagesBodyTooLong,
    )
    .map_err(|p| AppError::invalid("body", p))?;
    let outcome = store::send(
        &state.db,
        &store::Outgoing {
            patient_id: chart.patient_id(),
            author_id: chart.reader_user_id(),
            from_patient: true,
            proxy_relationship: chart.relationship(),
            new_thread: route.as_ref().map(|r| (r, subject.as_str())),
            billing_account_id,
            thread_id,
            body: &body,
            schedule_reason: None,
            files: &form.files,
            idempotency_key: &key,
            now,
            hourly_limit: state.config.messages_per_hour,
        },
    )
    .await?;
    let (thread_id, message_id) = match outcome {
        store::Outcome::Sent { thread_id, message_id } => {
            let detail = format!("thread={thread_id} message={message_id} attachments={}", form.files.len());
            chart.audit_write(Section::Messages, "message-sent", &detail).await?;
            (thread_id, message_id)
        }
        store::Outcome::Repeated { thread_id, message_id } => (thread_id, message_id),
        store::Outcome::RateLimited { retry_after_secs } => {
            return Err(AppError::TooManyAttempts { retry_after_secs })
        }
    };
    let promise = super::ReplyPromise::for_pool(pool, &state.config.org.promises, reply_around(state, now));
    Ok(Sent { thread_id, message_id, promise })
}

/// The guarantor account a new billing thread is about ("Contact customer service" on the
/// account): one of the chart's, for a reader who may see its billing. None: no account.
#[cfg(feature = "ssr")]
async fn about_account(
    chart: &access::ChartScope,
    typed: &str,
    pool: super::Pool,
    thread_id: Option<i64>,
) -> Result<Option<i64>, AppError> {
    if typed.is_empty() {
        return Ok(None);
    }
    let id: i64 = typed.parse().map_err(|_| AppError::invalid("to", Problem::BadRequest))?;
    if pool != super::Pool::Billing || thread_id.is_some() {
        return Err(AppError::invalid("to", Problem::BadRequest));
    }
    if !chart.may(Section::Billing) {
        return Err(AppError::Forbidden);
    }
    let account = crate::billing::store::account(chart, id).await?.ok_or(AppError::NotFound)?;
    Ok(Some(account.id))
}

/// Three business days after `now` (weekends and the clinic's holidays skipped): when a
/// care team's reply generally comes.
#[cfg(feature = "ssr")]
fn reply_around(state: &crate::infra::AppState, now: i64) -> String {
    let today = state.clock.local_date(now);
    crate::dates::business_days_after(today, &state.config.holidays, super::REPLY_BUSINESS_DAYS).to_string()
}

/// An attachment of the chart, always as a download (never shown inline: a file is only
/// ever what its bytes say, and even an image is not rendered in our origin).
#[server(endpoint = "messages/attachment", input = GetUrl, output = Streaming)]
pub async fn message_attachment(id: i64) -> Result<ByteStream<AppError>, AppError> {
    let chart = access::require(Section::Messages, &format!("messages.attachment id={id}")).await?;
    let (media_type, bytes) =
        super::store::patient_attachment(&chart, id).await?.ok_or(AppError::NotFound)?;
    Ok(download(id, &media_type, bytes))
}

/// The response of an attachment download: its checked type and a server-chosen file name.
#[cfg(feature = "ssr")]
pub fn download(id: i64, media_type: &str, bytes: Vec<u8>) -> ByteStream<AppError> {
    let extension = match media_type {
        "image/png" => "png",
        "image/jpeg" => "jpg",
        _ => "pdf",
    };
    crate::infra::download::file(&format!("portico-{id}.{extension}"), media_type, bytes)
}
