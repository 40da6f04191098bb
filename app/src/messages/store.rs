//! Messaging SQL. Patient-side functions take the reader's `ChartScope` and look every
//! thread up within its chart (a proxy never sees a thread a clinician marked confidential);
//! staff-side functions take a `StaffScope` and look every thread up within the pools it
//! covers. Nothing here updates or deletes a message (the database refuses).

use super::{AttachmentInfo, Inbox, MessageView, Pool, ScheduleReason, ThreadSummary, ThreadView};
use crate::{
    access::{ChartScope, Relationship, StaffAccess, Unseen, Visibility},
    auth::Role,
    infra::{Clock, Db},
};

/// Providers seen at a visit within this long count as "seen recently" and may be written to.
pub const SEEN_RECENTLY_MS: i64 = 365 * crate::dates::DAY_MS;

// ---------------------------------------------------------------- patient side

/// A provider the chart may write to.
#[derive(Debug, sqlx::FromRow)]
pub struct ProviderRow {
    pub id: i64,
    pub display_name: String,
    pub specialty: String,
    pub department: String,
    /// Their role on the care team; None for a provider seen recently.
    pub role: Option<String>,
}

/// The care team, then providers seen recently (`view::recipients` adds the pools). A
/// provider seen only at a confidential visit is not offered to a proxy (it would tell of
/// the visit).
pub async fn recipient_providers(chart: &ChartScope, now: i64) -> Result<Vec<ProviderRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT p.id, p.display_name, p.specialty, p.department, MIN(c.role) AS role FROM providers p \
         LEFT JOIN care_team c ON c.provider_id = p.id AND c.patient_id = $1 \
         WHERE c.patient_id IS NOT NULL OR p.id IN (SELECT e.provider_id FROM encounters e \
               WHERE e.patient_id = $1 AND e.status = 'finished' AND e.start_at >= $2 \
               AND e.note_confidential <= $3) \
         GROUP BY p.id, p.display_name, p.specialty, p.department ORDER BY MIN(c.role) IS NULL, p.display_name",
    )
    .bind(chart.patient_id())
    .bind(now - SEEN_RECENTLY_MS)
    .bind(chart.visibility().max_flag())
    .fetch_all(&chart.db().read)
    .await
}

/// Where a new thread goes: (pool, department, provider).
pub type Route = (Pool, Option<String>, Option<i64>);

/// Resolves a recipient key against the chart's own list; None when it is not on it.
pub async fn route_of(chart: &ChartScope, key: &str, now: i64) -> Result<Option<Route>, sqlx::Error> {
    if let Some(pool) = key.strip_prefix("pool-").and_then(Pool::parse).filter(|p| *p != Pool::Care) {
        // Billing's threads are the chart's billing: not for a proxy without it.
        let may = pool != Pool::Billing || chart.may(crate::access::Section::Billing);
        return Ok(may.then_some((pool, None, None)));
    }
    let Some(provider) = key.strip_prefix("provider-").and_then(|id| id.parse::<i64>().ok()) else {
        return Ok(None);
    };
    if !recipient_providers(chart, now).await?.iter().any(|p| p.id == provider) {
        return Ok(None);
    }
    let department = crate::patients::store::department_of(chart.db(), provider).await?;
    Ok(Some((Pool::Care, Some(department), Some(provider))))
}

// Every statement below is whole text at compile time (`concat!` of literals): ids, flags
// and pool names are bound parameters, never spliced into SQL.
macro_rules! summary_columns {
    () => {
        "t.id, t.patient_id, t.subject, t.pool, t.department, t.status, t.last_message_at, \
     t.last_patient_message_id, t.last_staff_message_id, t.patient_read_upto, t.staff_read_upto, \
     p.display_name AS provider_name, c.display_name AS claimed_name, \
     pt.given_name, pt.family_name, pt.mrn"
    };
}
macro_rules! summary_joins {
    () => {
        "LEFT JOIN providers p ON p.id = t.provider_id \
     LEFT JOIN users c ON c.id = t.claimed_by JOIN patients pt ON pt.id = t.patient_id"
    };
}
/// This reader's read mark on thread `t`, and the join it needs: `$r` is the proxy's user id,
/// or 0 for the patient, whose mark is on the thread itself (no proxy row has user 0).
macro_rules! reader_mark {
    ($r:literal) => {
        concat!("CASE WHEN ", $r, " = 0 THEN t.patient_read_upto ELSE COALESCE(r.read_upto, 0) END")
    };
}
macro_rules! reader_join {
    ($r:literal) => {
        concat!("LEFT JOIN proxy_thread_reads r ON r.thread_id = t.id AND r.user_id = ", $r)
    };
}
/// Thread summaries with the reader's mark (bound at `$r`), ready for a `WHERE`.
macro_rules! reader_summaries {
    ($r:literal) => {
        concat!(
            "SELECT ",
            summary_columns!(),
            ", ",
            reader_mark!($r),
            " AS reader_read_upto FROM message_threads t ",
            summary_joins!(),
            " ",
            reader_join!($r)
        )
    };
}
/// The threads a staff scope covers (`StaffScope::params`): a clinician's (`$u` their user
/// id, `$p` '') are the care-team threads of their department and those written to them; a
/// pool's (`$u` 0, `$p` the pool) are that pool's.
macro_rules! in_staff_scope {
    ($u:literal, $p:literal) => {
        concat!(
            "((t.pool = 'care' AND t.department IN (SELECT department FROM providers WHERE user_id = ",
            $u,
            ")) ",
            "OR t.provider_id IN (SELECT id FROM providers WHERE user_id = ",
            $u,
            ") OR t.pool = ",
            $p,
            ")"
        )
    };
}

/// Who reads the chart's threads: what they may see, and whose read mark is theirs. The
/// patient's mark is kept on the thread; each proxy has their own (`proxy_thread_reads`), so
/// a parent opening a reply leaves it unread for the teen, and for the other parent.
#[derive(Clone, Copy, PartialEq, Eq)]
struct PatientReader {
    vis: Visibility,
    /// The proxy's user id; None for the patient.
    proxy_user: Option<i64>,
    /// Whether the reader may see the chart's billing: the billing office's threads are
    /// billing records (accounts, balances), not for a proxy granted Messages alone.
    sees_billing: bool,
}

impl PatientReader {
    fn of(chart: &ChartScope) -> Self {
        PatientReader {
            vis: chart.visibility(),
            proxy_user: chart.as_proxy().then_some(chart.reader_user_id()),
            sees_billing: chart.may(crate::access::Section::Billing),
        }
    }

    /// 1 when the reader may see billing threads, bound where `($n = 1 OR pool <> 'billing')`.
    fn billing_flag(self) -> i64 {
        i64::from(self.sees_billing)
    }

    /// The id `reader_mark!`/`reader_join!` are bound to: the proxy's, or 0 for the patient.
    fn mark_id(self) -> i64 {
        self.proxy_user.unwrap_or(0)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Patient(PatientReader),
    Staff,
}

/// A thread as stored, with both sides' read marks (`view.rs` words it for one side).
#[derive(Debug, sqlx::FromRow)]
pub struct ThreadRow {
    pub id: i64,
    pub patient_id: i64,
    pub subject: String,
    pub pool: String,
    pub department: Option<String>,
    pub status: String,
    pub last_message_at: i64,
    pub last_patient_message_id: i64,
    pub last_staff_message_id: i64,
    pub staff_read_upto: i64,
    /// This reader's mark (patient-side statements only).
    #[sqlx(default)]
    pub reader_read_upto: i64,
    pub provider_name: Option<String>,
    pub claimed_name: Option<String>,
    pub given_name: String,
    pub family_name: String,
    pub mrn: String,
}

/// Which side reads a thread: its unread mark and whom it is "with" differ.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    Patient,
    Staff,
}

impl Side {
    fn reading(self) -> Reading {
        match self {
            Side::Patient(_) => Reading::Patient,
            Side::Staff => Reading::Staff,
        }
    }
}

/// The chart's threads, newest first, and how many have replies this reader has not opened.
pub async fn inbox(chart: &ChartScope) -> Result<Inbox, sqlx::Error> {
    let clock = &chart.state().clock;
    let (db, patient_id, reader) = (chart.db(), chart.patient_id(), PatientReader::of(chart));
    let rows: Vec<ThreadRow> = sqlx::query_as(concat!(
        reader_summaries!("$4"),
        " WHERE t.patient_id = $1 AND t.confidential <= $3 AND ($5 = 1 OR t.pool <> 'billing') \
         ORDER BY t.last_message_at DESC, t.id DESC LIMIT $2"
    ))
    .bind(patient_id)
    .bind(super::INBOX_LIMIT)
    .bind(reader.vis.max_flag())
    .bind(reader.mark_id())
    .bind(reader.billing_flag())
    .fetch_all(&db.read)
    .await?;
    let threads = rows.into_iter().map(|r| r.view(Reading::Patient, clock)).collect();
    Ok(Inbox { unread: unread_count(chart, None).await?, threads })
}

/// Threads with a reply this reader has not opened.
/// `opening`: a thread being opened (and so read) by the same page, not counted.
pub async fn unread_count(chart: &ChartScope, opening: Option<i64>) -> Result<i64, sqlx::Error> {
    let (db, patient_id, reader) = (chart.db(), chart.patient_id(), PatientReader::of(chart));
    sqlx::query_scalar(concat!(
        "SELECT COUNT(*) FROM message_threads t ",
        reader_join!("$3"),
        " WHERE t.patient_id = $1 AND t.last_staff_message_id > ",
        reader_mark!("$3"),
        " AND t.confidential <= $2 AND t.id <> $4 AND ($5 = 1 OR t.pool <> 'billing')"
    ))
    .bind(patient_id)
    .bind(reader.vis.max_flag())
    .bind(reader.mark_id())
    // Thread ids start at 1.
    .bind(opening.unwrap_or(0))
    .bind(reader.billing_flag())
    .fetch_one(&db.read)
    .await
}

/// The guarantor account a thread of the chart is about ("Contact customer service").
pub async fn billing_account_of(chart: &ChartScope, thread_id: i64) -> Result<Option<i64>, sqlx::Error> {
    let found: Option<Option<i64>> = sqlx::query_scalar(
        "SELECT billing_account_id FROM message_threads WHERE id = $1 AND patient_id = $2",
    )
    .bind(thread_id)
    .bind(chart.patient_id())
    .fetch_optional(&chart.db().read)
    .await?;
    Ok(found.flatten())
}

/// One thread of the chart, marked read by this reader.
pub async fn patient_thread(chart: &ChartScope, thread_id: i64) -> Result<Option<ThreadView>, sqlx::Error> {
    let reader = PatientReader::of(chart);
    let row: Option<ThreadRow> = sqlx::query_as(concat!(
        reader_summaries!("$4"),
        " WHERE t.id = $1 AND t.patient_id = $2 AND t.confidential <= $3 AND ($5 = 1 OR t.pool <> 'billing')"
    ))
    .bind(thread_id)
    .bind(chart.patient_id())
    .bind(reader.vis.max_flag())
    .bind(reader.mark_id())
    .bind(reader.billing_flag())
    .fetch_optional(&chart.db().read)
    .await?;
    open_thread(chart, thread_id, Side::Patient(reader), row).await
}

/// A thread found (`row`: by the chart's reader, or within a staff scope), whole, and
/// marked read by `side` up to the other side's last message.
async fn open_thread(
    chart: &ChartScope,
    thread_id: i64,
    side: Side,
    row: Option<ThreadRow>,
) -> Result<Option<ThreadView>, sqlx::Error> {
    let (db, clock) = (chart.db(), &chart.state().clock);
    let Some(row) = row else { return Ok(None) };
    let upto = row.last_staff_message_id;
    let summary = row.view(side.reading(), clock);
    match side {
        Side::Patient(PatientReader { proxy_user: Some(user), .. }) => {
            mark_proxy_read(&db.write, thread_id, user, upto).await?;
        }
        Side::Patient(_) => {
            sqlx::query("UPDATE message_threads SET patient_read_upto = last_staff_message_id WHERE id = $1")
                .bind(thread_id)
                .execute(&db.write)
                .await?;
        }
        Side::Staff => {
            sqlx::query("UPDATE message_threads SET staff_read_upto = last_patient_message_id WHERE id = $1")
                .bind(thread_id)
                .execute(&db.write)
                .await?;
        }
    }
    let messages = messages_of(db, thread_id, clock).await?;
    let thread = ThreadSummary { unread: false, ..summary };
    Ok(Some(ThreadView {
        summary: thread,
        messages,
        office_phone: None,
        scheduling_url: None,
        billing_account: None,
    }))
}

/// Moves a proxy's read mark on a thread forward (never back: a later reply may have been
/// read in another tab).
async fn mark_proxy_read<'c, E>(db: E, thread_id: i64, user_id: i64, upto: i64) -> Result<(), sqlx::Error>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    sqlx::query(
        "INSERT INTO proxy_thread_reads (thread_id, user_id, read_upto) VALUES ($1, $2, $3) \
         ON CONFLICT (thread_id, user_id) DO UPDATE SET read_upto = excluded.read_upto \
         WHERE proxy_thread_reads.read_upto < excluded.read_upto",
    )
    .bind(thread_id)
    .bind(user_id)
    .bind(upto)
    .execute(db)
    .await?;
    Ok(())
}

async fn messages_of(db: &Db, thread_id: i64, clock: &Clock) -> Result<Vec<MessageView>, sqlx::Error> {
    let rows: Vec<MessageRow> = sqlx::query_as(
        "SELECT m.id, m.from_patient, m.body, m.schedule_reason, m.sent_at, m.proxy_relationship, \
         u.display_name, pt.given_name, pt.family_name \
         FROM messages m JOIN users u ON u.id = m.author_id JOIN message_threads t ON t.id = m.thread_id \
         JOIN patients pt ON pt.id = t.patient_id WHERE m.thread_id = $1 ORDER BY m.id",
    )
    .bind(thread_id)
    .fetch_all(&db.read)
    .await?;
    let files: Vec<(i64, i64, String, String, i64)> = sqlx::query_as(
        "SELECT a.id, a.message_id, a.original_name, a.media_type, a.size_bytes FROM message_attachments a \
         JOIN messages m ON m.id = a.message_id WHERE m.thread_id = $1 ORDER BY a.id",
    )
    .bind(thread_id)
    .fetch_all(&db.read)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let attachments = files
                .iter()
                .filter(|(_, message_id, ..)| *message_id == row.id)
                .map(|(id, _, name, media_type, size_bytes)| AttachmentInfo {
                    id: *id,
                    name: name.clone(),
                    media_type: media_type.clone(),
                    size_bytes: *size_bytes,
                })
                .collect();
            row.view(attachments, clock)
        })
        .collect())
}

/// A message as stored, with the names of the chart it belongs to.
#[derive(Debug, sqlx::FromRow)]
pub struct MessageRow {
    pub id: i64,
    pub from_patient: i64,
    pub body: String,
    pub schedule_reason: Option<String>,
    pub sent_at: i64,
    pub proxy_relationship: Option<String>,
    pub display_name: String,
    pub given_name: String,
    pub family_name: String,
}

/// An attachment of the chart: (media type, bytes).
pub async fn patient_attachment(
    chart: &ChartScope,
    attachment_id: i64,
) -> Result<Option<(String, Vec<u8>)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT a.media_type, a.content FROM message_attachments a JOIN messages m ON m.id = a.message_id \
         JOIN message_threads t ON t.id = m.thread_id WHERE a.id = $1 AND a.patient_id = $2 AND t.confidential <= $3 \
         AND ($4 = 1 OR t.pool <> 'billing')",
    )
    .bind(attachment_id)
    .bind(chart.patient_id())
    .bind(chart.visibility().max_flag())
    .bind(PatientReader::of(chart).billing_flag())
    .fetch_optional(&chart.db().read)
    .await
}

// ---------------------------------------------------------------- sending

pub struct Outgoing<'a> {
    pub patient_id: i64,
    pub author_id: i64,
    pub from_patient: bool,
    /// A proxy writing for the patient: their relationship, kept with the message.
    pub proxy_relationship: Option<Relationship>,
    /// A new thread: where it goes and its subject. None: a reply in `thread_id`.
    pub new_thread: Option<(&'a Route, &'a str)>,
    /// A new billing thread about one of the chart's guarantor accounts ("Contact customer
    /// service" on the account), already found within the chart.
    pub billing_account_id: Option<i64>,
    pub thread_id: Option<i64>,
    pub body: &'a str,
    pub schedule_reason: Option<ScheduleReason>,
    pub files: &'a [super::upload::Upload],
    pub idempotency_key: &'a crate::input::IdempotencyKey,
    pub now: i64,
    /// Messages the patient's side may send per hour (ignored for staff).
    pub hourly_limit: i64,
}

#[derive(Debug, PartialEq)]
pub enum Outcome {
    Sent {
        thread_id: i64,
        message_id: i64,
    },
    /// The idempotency key was used before: the message it made, unchanged.
    Repeated {
        thread_id: i64,
        message_id: i64,
    },
    /// The patient's side has sent `hourly_limit` messages in the last hour; the oldest
    /// of them leaves the window in this many seconds.
    RateLimited {
        retry_after_secs: u64,
    },
}

/// Commits one message (and its thread, and its attachments) in one transaction.
/// The thread of a reply must already have been found within the chart or pool.
pub async fn send(db: &Db, out: &Outgoing<'_>) -> Result<Outcome, sqlx::Error> {
    if let Some((thread_id, message_id)) = by_key(db, out.author_id, out.idempotency_key.as_str()).await? {
        return Ok(Outcome::Repeated { thread_id, message_id });
    }
    match insert(db, out).await {
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            // A retry that raced its first attempt: both carried the key.
            let (thread_id, message_id) = by_key(db, out.author_id, out.idempotency_key.as_str())
                .await?
                .ok_or(sqlx::Error::RowNotFound)?;
            Ok(Outcome::Repeated { thread_id, message_id })
        }
        other => other,
    }
}

async fn insert(db: &Db, out: &Outgoing<'_>) -> Result<Outcome, sqlx::Error> {
    let mut tx = db.write.begin().await?;
    if out.from_patient {
        let window_start = out.now - 3_600_000;
        let recent: Vec<i64> = sqlx::query_scalar(
            "SELECT m.sent_at FROM messages m JOIN message_threads t ON t.id = m.thread_id \
             WHERE t.patient_id = $1 AND m.from_patient = 1 AND m.sent_at > $2 ORDER BY m.sent_at",
        )
        .bind(out.patient_id)
        .bind(window_start)
        .fetch_all(&mut *tx)
        .await?;
        if recent.len() as i64 >= out.hourly_limit {
            let retry_after_ms = recent[0] - window_start;
            return Ok(Outcome::RateLimited { retry_after_secs: (retry_after_ms.max(1000) / 1000) as u64 });
        }
    }
    let thread_id = match (out.new_thread, out.thread_id) {
        (Some(((pool, department, provider), subject)), _) => sqlx::query_scalar::<_, i64>(
            "INSERT INTO message_threads (patient_id, pool, department, provider_id, subject, created_at, \
                 last_message_at, billing_account_id) VALUES ($1, $2, $3, $4, $5, $6, $6, $7) RETURNING id",
        )
        .bind(out.patient_id)
        .bind(pool.as_str())
        .bind(department.as_deref())
        .bind(*provider)
        .bind(subject)
        .bind(out.now)
        .bind(out.billing_account_id)
        .fetch_one(&mut *tx)
        .await?,
        (None, Some(id)) => id,
        (None, None) => return Err(sqlx::Error::RowNotFound),
    };
    let message_id: i64 = sqlx::query_scalar(
        "INSERT INTO messages (thread_id, author_id, from_patient, body, schedule_reason, sent_at, idempotency_key, \
         proxy_relationship) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(thread_id)
    .bind(out.author_id)
    .bind(i64::from(out.from_patient))
    .bind(out.body)
    .bind(out.schedule_reason.map(ScheduleReason::as_str))
    .bind(out.now)
    .bind(out.idempotency_key.as_str())
    .bind(out.proxy_relationship.map(Relationship::as_str))
    .fetch_one(&mut *tx)
    .await?;
    // The writer has read everything up to their own message (a proxy: their own mark, the
    // patient's stays). A patient's message reopens a thread staff had marked done; a staff
    // reply claims an unclaimed one.
    let update = if out.from_patient && out.proxy_relationship.is_some() {
        mark_proxy_read(&mut *tx, thread_id, out.author_id, message_id).await?;
        "UPDATE message_threads SET last_message_at = $2, last_patient_message_id = $3, status = 'open' WHERE id = $1"
    } else if out.from_patient {
        "UPDATE message_threads SET last_message_at = $2, last_patient_message_id = $3, patient_read_upto = $3, \
         status = 'open' WHERE id = $1"
    } else {
        "UPDATE message_threads SET last_message_at = $2, last_staff_message_id = $3, staff_read_upto = $3, \
         claimed_by = COALESCE(claimed_by, $4) WHERE id = $1"
    };
    let mut update = sqlx::query(update).bind(thread_id).bind(out.now).bind(message_id);
    if !out.from_patient {
        update = update.bind(out.author_id);
    }
    update.execute(&mut *tx).await?;
    for file in out.files {
        sqlx::query(
            "INSERT INTO message_attachments (message_id, patient_id, media_type, size_bytes, original_name, content) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(message_id)
        .bind(out.patient_id)
        .bind(file.media_type)
        .bind(file.bytes.len() as i64)
        .bind(&file.name)
        .bind(&file.bytes)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(Outcome::Sent { thread_id, message_id })
}

async fn by_key(db: &Db, author_id: i64, key: &str) -> Result<Option<(i64, i64)>, sqlx::Error> {
    sqlx::query_as("SELECT thread_id, id FROM messages WHERE author_id = $1 AND idempotency_key = $2")
        .bind(author_id)
        .bind(key)
        .fetch_optional(&db.write)
        .await
}

/// The recipient pool of the chart's thread `thread_id`, when this reader may see it.
pub async fn thread_pool(chart: &ChartScope, thread_id: i64) -> Result<Option<super::Pool>, sqlx::Error> {
    let pool: Option<String> = sqlx::query_scalar(
        "SELECT pool FROM message_threads WHERE id = $1 AND patient_id = $2 AND confidential <= $3 \
         AND ($4 = 1 OR pool <> 'billing')",
    )
    .bind(thread_id)
    .bind(chart.patient_id())
    .bind(chart.visibility().max_flag())
    .bind(PatientReader::of(chart).billing_flag())
    .fetch_optional(&chart.db().read)
    .await?;
    Ok(pool.as_deref().and_then(super::Pool::parse))
}

/// Whether `thread_id` of the chart is confidential (its notice then goes to the patient
/// alone, never to a proxy).
pub async fn thread_is_confidential(chart: &ChartScope, thread_id: i64) -> Result<bool, sqlx::Error> {
    let confidential: i64 =
        sqlx::query_scalar("SELECT confidential FROM message_threads WHERE id = $1 AND patient_id = $2")
            .bind(thread_id)
            .bind(chart.patient_id())
            .fetch_one(&chart.db().read)
            .await?;
    Ok(confidential != 0)
}

// ---------------------------------------------------------------- staff side

/// Which threads a staff member may see, from their role: a clinician sees the care-team
/// threads of their department and those written to them; billing, support and HIM
/// staff see their customer-service pool.
#[derive(Debug, Clone, Copy)]
pub enum StaffScope {
    Clinician { user_id: i64 },
    Pool(Pool),
}

impl StaffScope {
    /// The threads `staff`'s role covers; None for a role without an inbox.
    pub fn of(staff: &StaffAccess) -> Option<StaffScope> {
        Some(match staff.role() {
            Role::Clinician => StaffScope::Clinician { user_id: staff.user_id() },
            Role::Billing => StaffScope::Pool(Pool::Billing),
            Role::Support => StaffScope::Pool(Pool::Support),
            Role::Him => StaffScope::Pool(Pool::Records),
            Role::Patient | Role::Admin => return None,
        })
    }

    /// What `in_staff_scope!` is bound to: (user id, pool name).
    fn params(self) -> (i64, &'static str) {
        match self {
            StaffScope::Clinician { user_id } => (user_id, ""),
            StaffScope::Pool(pool) => (0, pool.as_str()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffView {
    /// Open threads of the pools.
    Open,
    /// Open threads claimed by, or written to, this staff member.
    Mine,
    Done,
}

/// The threads of a staff view, each with its chart (for `StaffAccess::show`).
pub async fn staff_inbox(
    staff: &StaffAccess,
    scope: StaffScope,
    view: StaffView,
) -> Result<Unseen<ThreadSummary>, sqlx::Error> {
    let view_name = match view {
        StaffView::Open => "open",
        StaffView::Mine => "mine",
        StaffView::Done => "done",
    };
    let (scope_user, scope_pool) = scope.params();
    let rows: Vec<ThreadRow> = sqlx::query_as(concat!(
        "SELECT ",
        summary_columns!(),
        " FROM message_threads t ",
        summary_joins!(),
        " WHERE ",
        in_staff_scope!("$2", "$3"),
        " AND (($4 = 'open' AND t.status = 'open') OR ($4 = 'done' AND t.status = 'done') \
         OR ($4 = 'mine' AND t.status = 'open' AND (t.claimed_by = $5 \
             OR t.provider_id IN (SELECT id FROM providers WHERE user_id = $5)))) \
         ORDER BY t.last_message_at DESC, t.id DESC LIMIT $1"
    ))
    .bind(super::INBOX_LIMIT)
    .bind(scope_user)
    .bind(scope_pool)
    .bind(view_name)
    .bind(staff.user_id())
    .fetch_all(&staff.db().read)
    .await?;
    let clock = &staff.state().clock;
    Ok(Unseen::new(rows.into_iter().map(|r| (Some(r.patient_id), r.view(Reading::Staff, clock))).collect()))
}

/// The patient a thread in scope belongs to; None when it is not in scope (or not at all).
pub async fn staff_thread_patient(
    db: &Db,
    scope: StaffScope,
    thread_id: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let (scope_user, scope_pool) = scope.params();
    sqlx::query_scalar(concat!(
        "SELECT t.patient_id FROM message_threads t WHERE t.id = $1 AND ",
        in_staff_scope!("$2", "$3")
    ))
    .bind(thread_id)
    .bind(scope_user)
    .bind(scope_pool)
    .fetch_optional(&db.read)
    .await
}

/// A thread of the chart in scope, marked read by the staff side.
pub async fn staff_thread(
    chart: &ChartScope,
    scope: StaffScope,
    thread_id: i64,
) -> Result<Option<ThreadView>, sqlx::Error> {
    let (scope_user, scope_pool) = scope.params();
    let row: Option<ThreadRow> = sqlx::query_as(concat!(
        "SELECT ",
        summary_columns!(),
        " FROM message_threads t ",
        summary_joins!(),
        " WHERE t.id = $1 AND t.patient_id = $2 AND ",
        in_staff_scope!("$3", "$4")
    ))
    .bind(thread_id)
    .bind(chart.patient_id())
    .bind(scope_user)
    .bind(scope_pool)
    .fetch_optional(&chart.db().read)
    .await?;
    open_thread(chart, thread_id, Side::Staff, row).await
}

/// Claims an open thread in scope (taking it over from whoever had it).
pub async fn claim(chart: &ChartScope, scope: StaffScope, thread_id: i64) -> Result<bool, sqlx::Error> {
    let (scope_user, scope_pool) = scope.params();
    let done = sqlx::query(concat!(
        "UPDATE message_threads SET claimed_by = $1 WHERE id = $2 AND patient_id = $3 AND status = 'open' \
         AND id IN (SELECT t.id FROM message_threads t WHERE ",
        in_staff_scope!("$4", "$5"),
        ")"
    ))
    .bind(chart.reader_user_id())
    .bind(thread_id)
    .bind(chart.patient_id())
    .bind(scope_user)
    .bind(scope_pool)
    .execute(&chart.db().write)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks a thread in scope done; a new message from the patient reopens it.
pub async fn mark_done(chart: &ChartScope, scope: StaffScope, thread_id: i64) -> Result<bool, sqlx::Error> {
    let (scope_user, scope_pool) = scope.params();
    let done = sqlx::query(concat!(
        "UPDATE message_threads SET status = 'done' WHERE id = $1 AND patient_id = $2 AND status = 'open' \
         AND id IN (SELECT t.id FROM message_threads t WHERE ",
        in_staff_scope!("$3", "$4"),
        ")"
    ))
    .bind(thread_id)
    .bind(chart.patient_id())
    .bind(scope_user)
    .bind(scope_pool)
    .execute(&chart.db().write)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// An attachment of a thread in scope: (patient id, media type, bytes).
pub async fn staff_attachment(
    db: &Db,
    scope: StaffScope,
    attachment_id: i64,
) -> Result<Option<(i64, String, Vec<u8>)>, sqlx::Error> {
    let (scope_user, scope_pool) = scope.params();
    sqlx::query_as(concat!(
        "SELECT a.patient_id, a.media_type, a.content FROM message_attachments a \
         JOIN messages m ON m.id = a.message_id JOIN message_threads t ON t.id = m.thread_id \
         WHERE a.id = $1 AND ",
        in_staff_scope!("$2", "$3")
    ))
    .bind(attachment_id)
    .bind(scope_user)
    .bind(scope_pool)
    .fetch_optional(&db.read)
    .await
}
