//! The account's rows: its password and its sessions. Every statement names the user, so
//! no session of someone else is ever listed or ended.
use crate::infra::Db;

#[derive(sqlx::FromRow)]
pub struct AccountRow {
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub password_hash: String,
    pub password_changed_at: i64,
    pub email_confirmed_at: Option<i64>,
}

pub async fn account(db: &Db, user_id: i64) -> Result<AccountRow, sqlx::Error> {
    sqlx::query_as(
        "SELECT username, display_name, email, password_hash, password_changed_at, email_confirmed_at \
         FROM users WHERE id = $1",
    )
    .bind(user_id)
    .fetch_one(&db.read)
    .await
}

/// Sets a new password hash; with `keep_session`, ends every other session of the user.
pub async fn set_password(
    db: &Db,
    user_id: i64,
    hash: &str,
    now: i64,
    keep_session: Option<i64>,
) -> Result<(), sqlx::Error> {
    let mut tx = db.write.begin().await?;
    sqlx::query("UPDATE users SET password_hash = $1, password_changed_at = $2 WHERE id = $3")
        .bind(hash)
        .bind(now)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    if let Some(current) = keep_session {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id <> $2")
            .bind(user_id)
            .bind(current)
            .execute(&mut *tx)
            .await?;
    }
    // A sign-in left half-way was begun with the old password: it ends either way.
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND stage <> 'full'")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

#[derive(sqlx::FromRow)]
pub struct SessionRow {
    pub id: i64,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub client_addr: Option<String>,
    pub user_agent: String,
}

/// The user's sessions, the most recently active first.
pub async fn sessions(db: &Db, user_id: i64) -> Result<Vec<SessionRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, created_at, last_seen_at, client_addr, user_agent FROM sessions \
         WHERE user_id = $1 ORDER BY last_seen_at DESC, id DESC",
    )
    .bind(user_id)
    .fetch_all(&db.read)
    .await
}

/// Ends one of the user's sessions. False when it is not theirs or already ended.
pub async fn end_session(db: &Db, user_id: i64, session_id: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM sessions WHERE id = $1 AND user_id = $2")
        .bind(session_id)
        .bind(user_id)
        .execute(&db.write)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Ends every session of the user but `keep`. Returns how many ended.
pub async fn end_other_sessions(db: &Db, user_id: i64, keep: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id <> $2")
        .bind(user_id)
        .bind(keep)
        .execute(&db.write)
        .await?;
    Ok(done.rows_affected())
}
