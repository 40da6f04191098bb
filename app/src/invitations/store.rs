//! SQL for invitations: create, find an open one by its token, accept it (with a new
//! account or an existing one) together with the grant it describes.
use crate::{
    access::{ChartScope, Relationship, Section},
    auth::store::{insert_user, is_unique_violation, NewUser},
    infra::Db,
    proxy::{
        store::{insert_grant, NewGrant},
        RequestKind,
    },
};

pub struct NewInvitation<'a> {
    pub token_hash: &'a str,
    pub patient_id: i64,
    /// The patient who invited, or the HIM staff member who recorded a paper authorization.
    pub invited_by: i64,
    pub name: &'a str,
    pub email: &'a str,
    pub kind: RequestKind,
    pub relationship: Relationship,
    pub sections: &'a [Section],
    pub ends_at: Option<i64>,
}

pub async fn insert(db: &Db, inv: &NewInvitation<'_>, now: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO invitations (token_hash, patient_id, invited_by, name, email, relationship, sections, \
         ends_at, created_at, expires_at, kind) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(inv.token_hash)
    .bind(inv.patient_id)
    .bind(inv.invited_by)
    .bind(inv.name)
    .bind(inv.email)
    .bind(inv.relationship.as_str())
    .bind(Section::join(inv.sections))
    .bind(inv.ends_at)
    .bind(now)
    .bind(now + super::INVITATION_TTL_MS)
    .bind(inv.kind.as_str())
    .fetch_one(&db.write)
    .await
}

/// An invitation that can still be accepted, with the shared chart's name.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OpenInvitation {
    pub id: i64,
    pub patient_id: i64,
    pub invited_by: i64,
    pub name: String,
    pub email: String,
    pub kind: String,
    pub relationship: String,
    pub sections: String,
    pub ends_at: Option<i64>,
    pub given_name: String,
    pub family_name: String,
}

pub async fn open_invitation(
    db: &Db,
    token_hash: &str,
    now: i64,
) -> Result<Option<OpenInvitation>, sqlx::Error> {
    sqlx::query_as(
        "SELECT i.id, i.patient_id, i.invited_by, i.name, i.email, i.kind, i.relationship, i.sections, i.ends_at, \
         p.given_name, p.family_name FROM invitations i JOIN patients p ON p.id = i.patient_id \
         WHERE i.token_hash = $1 AND i.accepted_at IS NULL AND i.voided_at IS NULL AND i.expires_at > $2",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(&db.read)
    .await
}

/// Who accepts: an account that exists, or one to create.
pub enum Invitee<'a> {
    Existing(i64),
    New(NewUser<'a>),
}

pub enum Accepted {
    /// The grant was made for this user.
    Grant {
        user_id: i64,
    },
    /// Accepted (or voided, or expired) meanwhile.
    Gone,
    UsernameTaken,
}

/// Marks the invitation accepted, creates the account if it is a new one, and makes the
/// grant, in one transaction: exactly one of two simultaneous acceptances goes through.
pub async fn accept(
    db: &Db,
    inv: &OpenInvitation,
    invitee: &Invitee<'_>,
    now: i64,
) -> Result<Accepted, sqlx::Error> {
    let mut tx = db.write.begin().await?;
    let user_id = match invitee {
        Invitee::Existing(id) => *id,
        Invitee::New(user) => match insert_user(&mut *tx, user, now).await {
            Ok(id) => id,
            Err(e) if is_unique_violation(&e) => return Ok(Accepted::UsernameTaken),
            Err(e) => return Err(e),
        },
    };
    let claimed = sqlx::query(
        "UPDATE invitations SET accepted_at = $1, accepted_user_id = $2 WHERE id = $3 \
         AND accepted_at IS NULL AND voided_at IS NULL AND expires_at > $1",
    )
    .bind(now)
    .bind(user_id)
    .bind(inv.id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if claimed != 1 {
        return Ok(Accepted::Gone);
    }
    let sections = Section::parse_list(&inv.sections);
    let grant = NewGrant {
        proxy_user_id: user_id,
        patient_id: inv.patient_id,
        kind: RequestKind::parse(&inv.kind).unwrap_or(RequestKind::Adult),
        relationship: Relationship::parse(&inv.relationship).unwrap_or(Relationship::Caregiver),
        sections: &sections,
        starts_at: now,
        ends_at: inv.ends_at,
        approved_by: Some(inv.invited_by),
        now,
    };
    insert_grant(&mut *tx, &grant).await?;
    tx.commit().await?;
    Ok(Accepted::Grant { user_id })
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WaitingRow {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub expires_at: i64,
}

/// This chart's invitations still open, oldest first.
pub async fn waiting_on(chart: &ChartScope, now: i64) -> Result<Vec<WaitingRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, name, email, expires_at FROM invitations WHERE patient_id = $1 AND accepted_at IS NULL \
         AND voided_at IS NULL AND expires_at > $2 ORDER BY id",
    )
    .bind(chart.patient_id())
    .bind(now)
    .fetch_all(&chart.db().read)
    .await
}

/// Withdraws one of this chart's open invitations: its link stops working. False when it
/// is not this chart's, or was accepted or withdrawn already.
pub async fn withdraw(chart: &ChartScope, id: i64, now: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE invitations SET voided_at = $1 WHERE id = $2 AND patient_id = $3 AND accepted_at IS NULL \
         AND voided_at IS NULL",
    )
    .bind(now)
    .bind(id)
    .bind(chart.patient_id())
    .execute(&chart.db().write)
    .await?;
    Ok(done.rows_affected() == 1)
}
