//! SQL for proxy requests, grants and the patient's access log. Ids are always looked up
//! together with who may touch them (the requester, the chart's patient, the proxy); HIM
//! functions come here only after the role check.
use super::{AccessEntry, GrantView, ProxyRequest, RequestKind};
use crate::{
    access::{ChartScope, Relationship, Section, StaffAccess, Unseen},
    infra::{Clock, Db},
};

// ---------------------------------------------------------------- requests

pub struct NewRequest<'a> {
    pub requester_id: i64,
    pub kind: RequestKind,
    pub patient_name: &'a str,
    pub birth_date: &'a str,
    pub relationship: Relationship,
    /// The signed authorization of an adult request: (media type, file name, bytes).
    pub form: Option<(&'a str, &'a str, &'a [u8])>,
    pub now: i64,
    pub due_at: i64,
    pub idempotency_key: &'a crate::input::IdempotencyKey,
}

/// Stores a request; the same key again answers with the first request's id.
pub async fn insert_request(db: &Db, new: &NewRequest<'_>) -> Result<i64, sqlx::Error> {
    if let Some(id) = request_by_key(db, new.requester_id, new.idempotency_key.as_str()).await? {
        return Ok(id);
    }
    let (media_type, file_name, bytes) = match new.form {
        Some((m, n, b)) => (Some(m), Some(n), Some(b.to_vec())),
        None => (None, None, None),
    };
    let inserted = sqlx::query_scalar(
        "INSERT INTO proxy_requests (requester_id, kind, patient_name, birth_date, relationship, attested_at, \
         form_media_type, form_file_name, form_bytes, created_at, due_at, idempotency_key) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $6, $10, $11) RETURNING id",
    )
    .bind(new.requester_id)
    .bind(new.kind.as_str())
    .bind(new.patient_name)
    .bind(new.birth_date)
    .bind(new.relationship.as_str())
    .bind(new.now)
    .bind(media_type)
    .bind(file_name)
    .bind(bytes)
    .bind(new.due_at)
    .bind(new.idempotency_key.as_str())
    .fetch_one(&db.write)
    .await;
    match inserted {
        // A retry that raced its first attempt.
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            request_by_key(db, new.requester_id, new.idempotency_key.as_str())
                .await?
                .ok_or(sqlx::Error::RowNotFound)
        }
        other => other,
    }
}

async fn request_by_key(db: &Db, requester_id: i64, key: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM proxy_requests WHERE requester_id = $1 AND idempotency_key = $2")
        .bind(requester_id)
        .bind(key)
        .fetch_optional(&db.write)
        .await
}

/// Requests this account made since `since` (the daily limit).
pub async fn requests_since(db: &Db, requester_id: i64, since: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM proxy_requests WHERE requester_id = $1 AND created_at > $2")
        .bind(requester_id)
        .bind(since)
        .fetch_one(&db.read)
        .await
}

macro_rules! request_columns {
    () => {
        "r.id, r.kind, r.patient_name, r.birth_date, r.relationship, r.status, \
    r.created_at, r.due_at, r.decided_at, r.decision_reason, r.form_media_type, r.matched_patient_id, \
    u.display_name AS requester"
    };
}

/// A request as stored (`view.rs` words it).
#[derive(Debug, sqlx::FromRow)]
pub struct RequestRow {
    pub id: i64,
    pub kind: String,
    pub patient_name: String,
    pub birth_date: String,
    pub relationship: String,
    pub status: String,
    pub created_at: i64,
    pub due_at: i64,
    pub decided_at: Option<i64>,
    pub decision_reason: Option<String>,
    pub form_media_type: Option<String>,
    pub matched_patient_id: Option<i64>,
    pub requester: String,
}

/// The requests an account made, newest first.
pub async fn requests_of(
    db: &Db,
    requester_id: i64,
    clock: &Clock,
) -> Result<Vec<ProxyRequest>, sqlx::Error> {
    let rows: Vec<RequestRow> = sqlx::query_as(concat!(
        "SELECT ",
        request_columns!(),
        " FROM proxy_requests r JOIN users u ON u.id = r.requester_id \
         WHERE r.requester_id = $1 ORDER BY r.created_at DESC, r.id DESC LIMIT 50"
    ))
    .bind(requester_id)
    .fetch_all(&db.read)
    .await?;
    Ok(rows.into_iter().map(|r| r.view(clock)).collect())
}

/// HIM's queue: pending requests, the soonest due first, each with the chart it was
/// matched to, if any (for `StaffAccess::show`).
pub async fn pending(
    staff: &StaffAccess,
    clock: &Clock,
    limit: i64,
) -> Result<Unseen<ProxyRequest>, sqlx::Error> {
    let rows: Vec<RequestRow> = sqlx::query_as(concat!(
        "SELECT ",
        request_columns!(),
        " FROM proxy_requests r JOIN users u ON u.id = r.requester_id \
         WHERE r.status = 'pending' ORDER BY r.due_at, r.id LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(&staff.db().read)
    .await?;
    Ok(Unseen::new(rows.into_iter().map(|r| (r.matched_patient_id, r.view(clock))).collect()))
}

/// One request, with the id of the patient it was matched to.
pub async fn request(
    db: &Db,
    id: i64,
    clock: &Clock,
) -> Result<Option<(ProxyRequest, Option<i64>)>, sqlx::Error> {
    let row: Option<RequestRow> = sqlx::query_as(concat!(
        "SELECT ",
        request_columns!(),
        " FROM proxy_requests r JOIN users u ON u.id = r.requester_id WHERE r.id = $1"
    ))
    .bind(id)
    .fetch_optional(&db.read)
    .await?;
    Ok(row.map(|r| (r.matched_patient_id, r)).map(|(matched, r)| (r.view(clock), matched)))
}

/// The requester of a request (for its requester's own checks).
pub async fn requester_of(db: &Db, id: i64) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT requester_id FROM proxy_requests WHERE id = $1")
        .bind(id)
        .fetch_optional(&db.read)
        .await
}

/// Patients born on `birth_date` with a name sharing a word with `name` (HIM then picks).
pub async fn candidates(
    db: &Db,
    name: &str,
    birth_date: &str,
) -> Result<Vec<crate::staff::PatientMatch>, sqlx::Error> {
    let rows: Vec<(i64, String, String, String, String, i64)> = sqlx::query_as(
        "SELECT p.id, p.mrn, p.given_name, p.family_name, p.birth_date, \
         CAST(CASE WHEN EXISTS (SELECT 1 FROM users u WHERE u.patient_id = p.id) THEN 1 ELSE 0 END AS BIGINT) AS enrolled \
         FROM patients p WHERE p.birth_date = $1 ORDER BY p.family_name, p.given_name LIMIT 200",
    )
    .bind(birth_date)
    .fetch_all(&db.read)
    .await?;
    let words: Vec<String> = name.split_whitespace().map(|w| w.to_lowercase()).collect();
    let mut found = Vec::new();
    for (id, mrn, given, family, birth_date, enrolled) in rows {
        let shares_a_word = [&given, &family].iter().any(|part| words.contains(&part.to_lowercase()));
        if shares_a_word {
            let name = format!("{family}, {given}");
            found.push(crate::staff::PatientMatch { id, mrn, name, birth_date, enrolled: enrolled != 0 });
        }
    }
    Ok(found)
}

/// The signed authorization of a request: (the chart it was matched to, media type, bytes).
pub async fn form_of(db: &Db, id: i64) -> Result<Option<(Option<i64>, String, Vec<u8>)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT matched_patient_id, form_media_type, form_bytes FROM proxy_requests \
         WHERE id = $1 AND form_bytes IS NOT NULL",
    )
    .bind(id)
    .fetch_optional(&db.read)
    .await
}

/// An approved adult request's signed authorization, on file for the chart it opened.
#[derive(Debug, sqlx::FromRow)]
pub struct SignedForm {
    pub id: i64,
    pub proxy_name: String,
    pub decided_at: i64,
    pub form_media_type: String,
}

/// Whose signed forms a reader of the chart reaches: the patient every one of their chart
/// (0), a proxy only their own (an authorization names the proxy, not another's business).
fn forms_reader(chart: &ChartScope) -> i64 {
    match chart.reader() {
        crate::access::Reader::Patient => 0,
        crate::access::Reader::Proxy(_) => chart.reader_user_id(),
        // Nobody else reads forms here (no user has this id).
        _ => -1,
    }
}

/// The signed authorizations on file for the chart (Documents: "Proxy authorizations").
pub async fn signed_forms(chart: &ChartScope) -> Result<Vec<SignedForm>, sqlx::Error> {
    sqlx::query_as(
        "SELECT r.id, u.display_name AS proxy_name, r.decided_at, r.form_media_type FROM proxy_requests r \
         JOIN users u ON u.id = r.requester_id WHERE r.matched_patient_id = $1 AND r.status = 'approved' AND r.kind = 'adult' \
         AND r.form_bytes IS NOT NULL AND r.decided_at IS NOT NULL AND ($2 = 0 OR r.requester_id = $2) \
         ORDER BY r.decided_at DESC, r.id DESC",
    )
    .bind(chart.patient_id())
    .bind(forms_reader(chart))
    .fetch_all(&chart.db().read)
    .await
}

/// One of `signed_forms`' files: (media type, bytes).
pub async fn signed_form_file(chart: &ChartScope, id: i64) -> Result<Option<(String, Vec<u8>)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT form_media_type, form_bytes FROM proxy_requests WHERE id = $1 AND matched_patient_id = $2 \
         AND status = 'approved' AND kind = 'adult' AND form_bytes IS NOT NULL AND ($3 = 0 OR requester_id = $3)",
    )
    .bind(id)
    .bind(chart.patient_id())
    .bind(forms_reader(chart))
    .fetch_optional(&chart.db().read)
    .await
}

pub enum Decision<'a> {
    Approve { patient_id: i64, sections: &'a [Section], ends_at: Option<i64> },
    Deny { reason: &'a str },
}

/// Decides a pending request (once: a second decision finds nothing pending). An approval
/// creates the grant in the same transaction. Returns the grant's id (0 for a denial), or
/// None when the request was not pending.
pub async fn decide(
    db: &Db,
    id: i64,
    decision: Decision<'_>,
    by: i64,
    now: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let mut tx = db.write.begin().await?;
    let (status, patient, reason) = match &decision {
        Decision::Approve { patient_id, .. } => ("approved", Some(*patient_id), None),
        Decision::Deny { reason } => ("denied", None, Some(*reason)),
    };
    let row: Option<(i64, String, String)> = sqlx::query_as(
        "UPDATE proxy_requests SET status = $1, matched_patient_id = $2, decision_reason = $3, decided_by = $4, \
         decided_at = $5 WHERE id = $6 AND status = 'pending' RETURNING requester_id, kind, relationship",
    )
    .bind(status)
    .bind(patient)
    .bind(reason)
    .bind(by)
    .bind(now)
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((requester_id, kind, relationship)) = row else { return Ok(None) };
    let mut grant_id = 0;
    if let Decision::Approve { patient_id, sections, ends_at } = decision {
        grant_id = sqlx::query_scalar(
            "INSERT INTO proxy_grants (proxy_user_id, patient_id, kind, relationship, sections, starts_at, \
             approved_by, request_id, created_at, ends_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $6, $9) \
             RETURNING id",
        )
        .bind(requester_id)
        .bind(patient_id)
        .bind(kind)
        .bind(relationship)
        .bind(Section::join(sections))
        .bind(now)
        .bind(by)
        .bind(id)
        .bind(ends_at)
        .fetch_one(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(Some(grant_id))
}

// ---------------------------------------------------------------- grants

pub struct NewGrant<'a> {
    pub proxy_user_id: i64,
    pub patient_id: i64,
    pub kind: RequestKind,
    pub relationship: Relationship,
    pub sections: &'a [Section],
    pub starts_at: i64,
    pub ends_at: Option<i64>,
    pub approved_by: Option<i64>,
    pub now: i64,
}

/// A grant made outside the request flow (an accepted invitation, the demo data, tests);
/// `exec` is the pool or the caller's transaction.
pub async fn insert_grant<'c, E>(exec: E, g: &NewGrant<'_>) -> Result<i64, sqlx::Error>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    sqlx::query_scalar(
        "INSERT INTO proxy_grants (proxy_user_id, patient_id, kind, relationship, sections, starts_at, ends_at, \
         approved_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(g.proxy_user_id)
    .bind(g.patient_id)
    .bind(g.kind.as_str())
    .bind(g.relationship.as_str())
    .bind(Section::join(g.sections))
    .bind(g.starts_at)
    .bind(g.ends_at)
    .bind(g.approved_by)
    .bind(g.now)
    .fetch_one(exec)
    .await
}

macro_rules! grant_columns {
    () => {
        "g.id, g.kind, g.relationship, g.sections, g.starts_at, g.ends_at, g.ended_at, \
    pu.display_name AS proxy_name, p.given_name, p.family_name, p.birth_date, a.display_name AS approver"
    };
}
macro_rules! grant_joins {
    () => {
        "JOIN users pu ON pu.id = g.proxy_user_id JOIN patients p ON p.id = g.patient_id \
    LEFT JOIN users a ON a.id = g.approved_by"
    };
}

/// A grant as stored, with the names it is shown with (`view.rs` decides what it allows
/// today and words it).
#[derive(Debug, sqlx::FromRow)]
pub struct GrantRow {
    pub id: i64,
    pub kind: String,
    pub relationship: String,
    pub sections: String,
    pub starts_at: i64,
    pub ends_at: Option<i64>,
    pub ended_at: Option<i64>,
    pub proxy_name: String,
    pub given_name: String,
    pub family_name: String,
    pub birth_date: String,
    pub approver: Option<String>,
}

/// Grants on a chart that are not ended (in force, or starting later); `holder` limits
/// them to one proxy's.
async fn grants_where(
    db: &Db,
    of: GrantsOf,
    id: i64,
    now: i64,
    clock: &Clock,
    teen_policy: &[Section],
) -> Result<Vec<GrantView>, sqlx::Error> {
    macro_rules! grants_where {
        ($column:literal) => {
            concat!(
                "SELECT ",
                grant_columns!(),
                " FROM proxy_grants g ",
                grant_joins!(),
                " WHERE ",
                $column,
                " = $1 AND g.ended_at IS NULL AND (g.ends_at IS NULL OR g.ends_at > $2) ORDER BY g.starts_at, g.id"
            )
        };
    }
    let sql = match of {
        GrantsOf::Patient => grants_where!("g.patient_id"),
        GrantsOf::Proxy => grants_where!("g.proxy_user_id"),
    };
    let rows: Vec<GrantRow> = sqlx::query_as(sql).bind(id).bind(now).fetch_all(&db.read).await?;
    Ok(rows.into_iter().map(|r| r.view(now, clock, teen_policy)).collect())
}

/// Whose grants `grants_where` lists: a chart's, or a proxy's.
#[derive(Clone, Copy)]
enum GrantsOf {
    Patient,
    Proxy,
}

/// Who may see the chart (grants not ended or expired).
pub async fn grants_on(chart: &ChartScope, now: i64, clock: &Clock) -> Result<Vec<GrantView>, sqlx::Error> {
    grants_where(
        chart.db(),
        GrantsOf::Patient,
        chart.patient_id(),
        now,
        clock,
        &chart.state().config.org.teen_proxy_sections,
    )
    .await
}

/// The charts `user_id` holds grants to.
pub async fn grants_held(
    db: &Db,
    user_id: i64,
    now: i64,
    clock: &Clock,
    teen_policy: &[Section],
) -> Result<Vec<GrantView>, sqlx::Error> {
    grants_where(db, GrantsOf::Proxy, user_id, now, clock, teen_policy).await
}

/// (proxy user, patient) of a grant not yet ended.
pub async fn grant_parties(db: &Db, id: i64) -> Result<Option<(i64, i64)>, sqlx::Error> {
    sqlx::query_as("SELECT proxy_user_id, patient_id FROM proxy_grants WHERE id = $1 AND ended_at IS NULL")
        .bind(id)
        .fetch_optional(&db.read)
        .await
}

/// Ends a grant now (once).
pub async fn end_grant(db: &Db, id: i64, by: i64, reason: &str, now: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE proxy_grants SET ended_at = $1, ended_by = $2, end_reason = $3 WHERE id = $4 AND ended_at IS NULL",
    )
    .bind(now)
    .bind(by)
    .bind(reason)
    .bind(id)
    .execute(&db.write)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Replaces the sections a grant covers.
pub async fn set_sections(db: &Db, id: i64, sections: &[Section]) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE proxy_grants SET sections = $1 WHERE id = $2 AND ended_at IS NULL")
        .bind(Section::join(sections))
        .bind(id)
        .execute(&db.write)
        .await?;
    Ok(done.rows_affected() == 1)
}

// ---------------------------------------------------------------- restrictions

pub struct NewRestriction<'a> {
    pub grant_id: i64,
    pub sections: &'a [Section],
    pub note: &'a str,
    pub now: i64,
    pub due_at: i64,
    pub idempotency_key: &'a crate::input::IdempotencyKey,
}

/// Stores a request to narrow a grant on the scope's chart, by its reader (the teen); the
/// same key again answers with the first request's id. None: another request for the grant
/// is already waiting (the database allows one).
pub async fn insert_restriction(
    chart: &ChartScope,
    new: &NewRestriction<'_>,
) -> Result<Option<i64>, sqlx::Error> {
    let requester = chart.reader_user_id();
    let key = new.idempotency_key.as_str();
    if let Some(id) = restriction_by_key(chart.db(), requester, key).await? {
        return Ok(Some(id));
    }
    let inserted = sqlx::query_scalar(
        "INSERT INTO restriction_requests (grant_id, patient_id, requester_id, sections, note, created_at, due_at, \
         idempotency_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(new.grant_id)
    .bind(chart.patient_id())
    .bind(requester)
    .bind(Section::join(new.sections))
    .bind(new.note)
    .bind(new.now)
    .bind(new.due_at)
    .bind(key)
    .fetch_one(&chart.db().write)
    .await;
    match inserted {
        // A retry that raced its first attempt, or a second request for the grant.
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            restriction_by_key(chart.db(), requester, key).await
        }
        other => other.map(Some),
    }
}

async fn restriction_by_key(db: &Db, requester_id: i64, key: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM restriction_requests WHERE requester_id = $1 AND idempotency_key = $2")
        .bind(requester_id)
        .bind(key)
        .fetch_optional(&db.write)
        .await
}

/// Restriction requests the scope's reader made since `since` (the daily limit).
pub async fn restrictions_since(chart: &ChartScope, since: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM restriction_requests WHERE requester_id = $1 AND created_at > $2",
    )
    .bind(chart.reader_user_id())
    .bind(since)
    .fetch_one(&chart.db().read)
    .await
}

/// One restriction request as stored, with the names it is shown with.
#[derive(sqlx::FromRow)]
pub struct RestrictionRow {
    pub id: i64,
    pub grant_id: i64,
    pub patient_id: i64,
    pub given_name: String,
    pub family_name: String,
    pub proxy_name: String,
    pub sections: String,
    pub note: String,
    pub status: String,
    pub created_at: i64,
    pub due_at: i64,
    pub decided_at: Option<i64>,
    pub decision_reason: Option<String>,
}

macro_rules! restriction_select {
    ($where:literal) => {
        concat!(
            "SELECT r.id, r.grant_id, r.patient_id, p.given_name, p.family_name, pu.display_name AS proxy_name, \
             r.sections, r.note, r.status, r.created_at, r.due_at, r.decided_at, r.decision_reason \
             FROM restriction_requests r JOIN patients p ON p.id = r.patient_id \
             JOIN proxy_grants g ON g.id = r.grant_id JOIN users pu ON pu.id = g.proxy_user_id WHERE ",
            $where
        )
    };
}

/// The restriction requests on the scope's chart, newest first.
pub async fn restrictions_on(chart: &ChartScope) -> Result<Vec<super::Restriction>, sqlx::Error> {
    let rows: Vec<RestrictionRow> = sqlx::query_as(restriction_select!(
        "r.patient_id = $1 ORDER BY r.created_at DESC, r.id DESC LIMIT 50"
    ))
    .bind(chart.patient_id())
    .fetch_all(&chart.db().read)
    .await?;
    let clock = &chart.state().clock;
    Ok(rows.into_iter().map(|r| r.view(clock)).collect())
}

/// HIM's queue: pending restriction requests, the soonest due first (for `StaffAccess::show`).
pub async fn pending_restrictions(
    staff: &StaffAccess,
    limit: i64,
) -> Result<Unseen<super::Restriction>, sqlx::Error> {
    let rows: Vec<RestrictionRow> =
        sqlx::query_as(restriction_select!("r.status = 'pending' ORDER BY r.due_at, r.id LIMIT $1"))
            .bind(limit)
            .fetch_all(&staff.db().read)
            .await?;
    let clock = &staff.state().clock;
    Ok(Unseen::new(rows.into_iter().map(|r| (Some(r.patient_id), r.view(clock))).collect()))
}

/// The chart a pending restriction request belongs to (HIM opens it before deciding).
pub async fn restriction_chart(db: &Db, id: i64) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT patient_id FROM restriction_requests WHERE id = $1 AND status = 'pending'")
        .bind(id)
        .fetch_optional(&db.read)
        .await
}

/// What HIM's decision did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decided {
    /// Declined: the grant is unchanged.
    Declined,
    /// The grant covers fewer sections now.
    Narrowed { grant_id: i64 },
    /// Nothing was left: the grant ended.
    Ended { grant_id: i64 },
    /// Applied, but the grant had already ended: only the request is closed.
    GrantGone,
}

/// HIM's decision on a pending request on the scope's chart: `Some(reason)` declines it,
/// `None` applies it (the grant loses the sections, in the same transaction). None when
/// the request is not pending on this chart.
pub async fn decide_restriction(
    chart: &ChartScope,
    id: i64,
    decline: Option<&str>,
    by: i64,
    now: i64,
) -> Result<Option<Decided>, sqlx::Error> {
    let mut tx = chart.db().write.begin().await?;
    let status = if decline.is_some() { "declined" } else { "applied" };
    let row: Option<(i64, String)> = sqlx::query_as(
        "UPDATE restriction_requests SET status = $1, decision_reason = $2, decided_by = $3, decided_at = $4 \
         WHERE id = $5 AND patient_id = $6 AND status = 'pending' RETURNING grant_id, sections",
    )
    .bind(status)
    .bind(decline)
    .bind(by)
    .bind(now)
    .bind(id)
    .bind(chart.patient_id())
    .fetch_optional(&mut *tx)
    .await?;
    let Some((grant_id, sections)) = row else { return Ok(None) };
    let hide = Section::parse_list(&sections);
    let decided = match decline {
        Some(_) => Decided::Declined,
        None => narrow_grant(&mut tx, chart.patient_id(), grant_id, &hide, by, now).await?,
    };
    tx.commit().await?;
    Ok(Some(decided))
}

/// Takes `hide` off a grant on `patient_id`'s chart; ends it when nothing is left.
async fn narrow_grant(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    patient_id: i64,
    grant_id: i64,
    hide: &[Section],
    by: i64,
    now: i64,
) -> Result<Decided, sqlx::Error> {
    let sections: Option<String> = sqlx::query_scalar(
        "SELECT sections FROM proxy_grants WHERE id = $1 AND patient_id = $2 AND ended_at IS NULL",
    )
    .bind(grant_id)
    .bind(patient_id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(sections) = sections else { return Ok(Decided::GrantGone) };
    let left: Vec<Section> =
        Section::parse_list(&sections).into_iter().filter(|s| !hide.contains(s)).collect();
    if left.is_empty() {
        sqlx::query("UPDATE proxy_grants SET ended_at = $1, ended_by = $2, end_reason = $3 WHERE id = $4")
            .bind(now)
            .bind(by)
            .bind("restricted at the patient's request")
            .bind(grant_id)
            .execute(&mut **tx)
            .await?;
        return Ok(Decided::Ended { grant_id });
    }
    sqlx::query("UPDATE proxy_grants SET sections = $1 WHERE id = $2")
        .bind(Section::join(&left))
        .bind(grant_id)
        .execute(&mut **tx)
        .await?;
    Ok(Decided::Narrowed { grant_id })
}

// ---------------------------------------------------------------- access log

/// One audit row of the chart, with who wrote it.
#[derive(Debug, sqlx::FromRow)]
pub struct AccessRow {
    pub seq: i64,
    pub at: i64,
    pub actor_user_id: Option<i64>,
    pub action: String,
    pub section: Option<String>,
    pub as_proxy: i64,
    pub display_name: Option<String>,
    pub role: Option<String>,
    /// What the row says of itself (a connected app's name, for its reads).
    pub detail: String,
}

/// Accesses to the chart, newest first, before audit row `before` (paging); "you" is the
/// scope's reader (the patient: the page is theirs alone).
pub async fn access_log(chart: &ChartScope, before: i64) -> Result<Vec<AccessEntry>, sqlx::Error> {
    let (db, patient_id, patient_user) = (chart.db(), chart.patient_id(), chart.reader_user_id());
    let clock = &chart.state().clock;
    let rows: Vec<AccessRow> = sqlx::query_as(
        "SELECT a.seq, a.at, a.actor_user_id, a.action, a.section, a.as_proxy, u.display_name, u.role, a.detail \
         FROM audit_log a LEFT JOIN users u ON u.id = a.actor_user_id \
         WHERE a.patient_id = $1 AND a.seq < $2 ORDER BY a.seq DESC LIMIT $3",
    )
    .bind(patient_id)
    .bind(before)
    .bind(super::ACCESS_LOG_PAGE)
    .fetch_all(&db.read)
    .await?;
    Ok(rows.into_iter().map(|r| r.view(patient_user, clock)).collect())
}
