//! Who gets a notice, and each person's choices. Recipients come from the chart (its own
//! account, and each proxy whose grant covers the section now) minus those who turned the
//! kind off.
use super::NoticeKind;
use crate::{
    access::{ChartScope, Section},
    infra::{mail_language::MailLanguage, Db},
};

/// The kinds `user_id` turned off.
pub async fn turned_off(db: &Db, user_id: i64) -> Result<Vec<NoticeKind>, sqlx::Error> {
    let kinds: Vec<String> = sqlx::query_scalar("SELECT kind FROM notice_optouts WHERE user_id = $1")
        .bind(user_id)
        .fetch_all(&db.read)
        .await?;
    Ok(kinds.iter().filter_map(|k| NoticeKind::parse(k)).collect())
}

/// Replaces `user_id`'s choices: every kind not in `on` is off.
pub async fn set_choices(db: &Db, user_id: i64, on: &[NoticeKind]) -> Result<(), sqlx::Error> {
    let mut tx = db.write.begin().await?;
    sqlx::query("DELETE FROM notice_optouts WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
    for kind in NoticeKind::ALL.into_iter().filter(|k| !on.contains(k)) {
        sqlx::query("INSERT INTO notice_optouts (user_id, kind) VALUES ($1, $2)")
            .bind(user_id)
            .bind(kind.as_str())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await
}

/// Whether `user_id` gets notices of `kind`.
pub async fn wants(db: &Db, user_id: i64, kind: NoticeKind) -> Result<bool, sqlx::Error> {
    let off: Option<i64> =
        sqlx::query_scalar("SELECT user_id FROM notice_optouts WHERE user_id = $1 AND kind = $2")
            .bind(user_id)
            .bind(kind.as_str())
            .fetch_optional(&db.read)
            .await?;
    Ok(off.is_none())
}

/// The addresses told about something new in `section` of the chart: the chart's own
/// account, and each proxy who may read that section now unless the item is confidential;
/// minus everyone who turned `kind` off; each address with its owner's mail language.
/// Sorted, without duplicates.
pub async fn chart_recipients(
    chart: &ChartScope,
    kind: NoticeKind,
    section: Section,
    confidential: bool,
) -> Result<Vec<(String, MailLanguage)>, sqlx::Error> {
    let (db, state) = (chart.db(), chart.state());
    let mut people: Vec<(i64, Option<String>)> = sqlx::query_as(
        "SELECT id, email FROM users WHERE patient_id = $1 AND email_confirmed_at IS NOT NULL",
    )
    .bind(chart.patient_id())
    .fetch_all(&db.read)
    .await?;
    if !confidential {
        let (now, today) = (state.clock.now_ms(), state.clock.today());
        let policy = &state.config.org.teen_proxy_sections;
        for proxy in crate::access::grants::proxies_of(db, chart.patient_id(), now, today, policy).await? {
            if proxy.sections.contains(&section) {
                people.push((proxy.user_id, proxy.email));
            }
        }
    }
    addresses_wanting(db, people, kind).await
}

/// Of `people` (user, confirmed address), the addresses of those who get notices of
/// `kind`, each with its owner's mail language. Sorted, without duplicates.
pub async fn addresses_wanting(
    db: &Db,
    people: Vec<(i64, Option<String>)>,
    kind: NoticeKind,
) -> Result<Vec<(String, MailLanguage)>, sqlx::Error> {
    let mut addresses = Vec::new();
    for (user_id, email) in people {
        let Some(email) = email.filter(|e| !e.is_empty()) else { continue };
        if wants(db, user_id, kind).await? {
            addresses.push((email, MailLanguage::of_user(db, user_id).await?));
        }
    }
    addresses.sort_by(|a, b| a.0.cmp(&b.0));
    addresses.dedup_by(|a, b| a.0 == b.0);
    Ok(addresses)
}

/// `user_id`'s address, when they have one and get notices of `kind`.
pub async fn user_recipient(
    db: &Db,
    user_id: i64,
    kind: NoticeKind,
) -> Result<Option<(String, MailLanguage)>, sqlx::Error> {
    let email: Option<Option<String>> =
        sqlx::query_scalar("SELECT email FROM users WHERE id = $1 AND email_confirmed_at IS NOT NULL")
            .bind(user_id)
            .fetch_optional(&db.read)
            .await?;
    let Some(email) = email.flatten().filter(|e| !e.is_empty()) else { return Ok(None) };
    if !wants(db, user_id, kind).await? {
        return Ok(None);
    }
    Ok(Some((email, MailLanguage::of_user(db, user_id).await?)))
}
