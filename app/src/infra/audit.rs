//! The audit log: append-only (triggers refuse UPDATE and DELETE) and hash-chained, so a
//! row removed or edited behind the application's back breaks the chain visibly.
use sha2::{Digest, Sha256};
use sqlx::Row;

use super::Db;

/// One event. `patient_id` is the chart it concerns, if any.
#[derive(Debug, Default, Clone)]
pub struct AuditEvent<'a> {
    pub actor_user_id: Option<i64>,
    pub action: &'a str,
    pub patient_id: Option<i64>,
    pub section: Option<&'a str>,
    pub as_proxy: bool,
    pub client_addr: Option<&'a str>,
    pub detail: &'a str,
}

pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[allow(clippy::too_many_arguments)]
fn chain_hash(prev: &str, seq: i64, at: i64, ev: &AuditEvent<'_>) -> String {
    let mut h = Sha256::new();
    let fields = [
        prev.to_owned(),
        seq.to_string(),
        at.to_string(),
        ev.actor_user_id.map(|v| v.to_string()).unwrap_or_default(),
        ev.action.to_owned(),
        ev.patient_id.map(|v| v.to_string()).unwrap_or_default(),
        ev.section.unwrap_or_default().to_owned(),
        (ev.as_proxy as i64).to_string(),
        ev.client_addr.unwrap_or_default().to_owned(),
        ev.detail.to_owned(),
    ];
    for field in fields {
        h.update(field.as_bytes());
        h.update([0x1f]);
    }
    hex::encode(h.finalize())
}

/// Appends one event. The head row's UPDATE serialises concurrent appenders on both
/// databases (a row lock on PostgreSQL, the single writer on SQLite).
pub async fn append(db: &Db, at: i64, ev: AuditEvent<'_>) -> Result<(), sqlx::Error> {
    let mut tx = db.write.begin().await?;
    let head = sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
        .fetch_one(&mut *tx)
        .await?;
    let seq: i64 = head.try_get("seq")?;
    let prev: String = head.try_get("hash")?;
    let hash = chain_hash(&prev, seq, at, &ev);
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor_user_id, action, patient_id, section, as_proxy, \
         client_addr, detail, prev_hash, hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)",
    )
    .bind(seq)
    .bind(at)
    .bind(ev.actor_user_id)
    .bind(ev.action)
    .bind(ev.patient_id)
    .bind(ev.section)
    .bind(ev.as_proxy as i64)
    .bind(ev.client_addr)
    .bind(ev.detail)
    .bind(&prev)
    .bind(&hash)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1").bind(&hash).execute(&mut *tx).await?;
    tx.commit().await
}

/// Recomputes the whole chain; `Ok(None)` when intact, else the first bad sequence number.
pub async fn verify_chain(db: &Db) -> Result<Option<i64>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT seq, at, actor_user_id, action, patient_id, section, as_proxy, client_addr, \
         detail, prev_hash, hash FROM audit_log ORDER BY seq",
    )
    .fetch_all(&db.read)
    .await?;
    let mut prev = GENESIS_HASH.to_owned();
    for row in rows {
        let seq: i64 = row.try_get("seq")?;
        let action: String = row.try_get("action")?;
        let section: Option<String> = row.try_get("section")?;
        let addr: Option<String> = row.try_get("client_addr")?;
        let detail: String = row.try_get("detail")?;
        let ev = AuditEvent {
            actor_user_id: row.try_get("actor_user_id")?,
            action: &action,
            patient_id: row.try_get("patient_id")?,
            section: section.as_deref(),
            as_proxy: row.try_get::<i64, _>("as_proxy")? != 0,
            client_addr: addr.as_deref(),
            detail: &detail,
        };
        let stored_prev: String = row.try_get("prev_hash")?;
        let stored: String = row.try_get("hash")?;
        if stored_prev != prev || chain_hash(&prev, seq, row.try_get("at")?, &ev) != stored {
            return Ok(Some(seq));
        }
        prev = stored;
    }
    Ok(None)
}
