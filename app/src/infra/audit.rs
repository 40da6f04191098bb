//! The audit log: append-only (triggers refuse UPDATE and DELETE; on PostgreSQL the
//! server's own role may only INSERT and SELECT it) and chained with a keyed MAC
//! (HMAC-SHA-256, the key in a file outside the database, `PORTICO_AUDIT_KEY_FILE`). Someone
//! who can write the database but not read the key cannot edit a row and recompute the
//! chain after it; deleting the newest rows is caught by comparing the head with one
//! anchored elsewhere (`portico audit head`, then `portico audit verify --anchor`).
use std::{fmt, io, path::Path};

use hmac::{Hmac, Mac};
use sha2::Sha256;

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

/// The chain's secret: 32 random bytes, hex in a file readable by the server alone.
#[derive(Clone)]
pub struct AuditKey([u8; 32]);

impl fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuditKey(…)")
    }
}

impl AuditKey {
    pub fn from_bytes(bytes: [u8; 32]) -> AuditKey {
        AuditKey(bytes)
    }

    /// Reads the key from `path`.
    pub fn load(path: &Path) -> io::Result<AuditKey> {
        let text = std::fs::read_to_string(path)?;
        let bytes = hex::decode(text.trim())
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "not 64 hexadecimal digits"))?;
        Ok(AuditKey(bytes))
    }

    /// Writes a new random key to `path` (which must not exist), readable by its owner only.
    pub fn create(path: &Path) -> io::Result<AuditKey> {
        use rand::RngCore;
        use std::{io::Write, os::unix::fs::OpenOptionsExt};
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
        writeln!(file, "{}", hex::encode(bytes))?;
        file.sync_all()?;
        Ok(AuditKey(bytes))
    }

    fn mac(&self, prev: &str, seq: i64, at: i64, ev: &AuditEvent<'_>) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes a key of any length");
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
        // Unit separators between fields: ("ab", "c") and ("a", "bc") differ.
        for field in fields {
            mac.update(field.as_bytes());
            mac.update(&[0x1f]);
        }
        hex::encode(mac.finalize().into_bytes())
    }
}

/// Appends one event.
pub async fn append(db: &Db, at: i64, ev: AuditEvent<'_>) -> Result<(), sqlx::Error> {
    append_all(db, at, std::slice::from_ref(&ev)).await
}

/// Appends events in one transaction (a staff view that shows ten patients writes ten rows
/// and one commit). The head row's UPDATE serialises concurrent appenders on both
/// databases (a row lock on PostgreSQL, the single writer on SQLite).
pub async fn append_all(db: &Db, at: i64, events: &[AuditEvent<'_>]) -> Result<(), sqlx::Error> {
    if events.is_empty() {
        return Ok(());
    }
    let mut tx = db.write.begin().await?;
    let (last, mut prev): (i64, String) =
        sqlx::query_as("UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash")
            .bind(events.len() as i64)
            .fetch_one(&mut *tx)
            .await?;
    for (seq, ev) in (last - events.len() as i64 + 1..).zip(events) {
        let hash = db.audit_key.mac(&prev, seq, at, ev);
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
        prev = hash;
    }
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1").bind(&prev).execute(&mut *tx).await?;
    tx.commit().await
}

/// The newest link: an operator copies it somewhere the database's writers cannot reach,
/// and later passes it to `verify` to prove no row at or before it was removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub seq: i64,
    pub hash: String,
}

impl fmt::Display for Head {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.seq, self.hash)
    }
}

impl Head {
    /// Reads "SEQ:HASH", as `Display` writes it.
    pub fn parse(text: &str) -> Option<Head> {
        let (seq, hash) = text.trim().split_once(':')?;
        let valid = hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit());
        Some(Head { seq: seq.parse().ok()?, hash: hash.to_ascii_lowercase() }).filter(|_| valid)
    }
}

pub async fn head(db: &Db) -> Result<Head, sqlx::Error> {
    let (seq, hash) =
        sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(&db.read).await?;
    Ok(Head { seq, hash })
}

/// One link of the chain, as stored.
#[derive(sqlx::FromRow)]
struct StoredRow {
    seq: i64,
    at: i64,
    actor_user_id: Option<i64>,
    action: String,
    patient_id: Option<i64>,
    section: Option<String>,
    as_proxy: i64,
    client_addr: Option<String>,
    detail: String,
    prev_hash: String,
    hash: String,
}

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every link checks; `rows` links up to `head`.
    Intact { rows: i64, head: Head },
    /// The first link that does not check, and why.
    Broken { seq: i64, reason: &'static str },
}

/// Walks the whole chain with the key: each row's MAC, each row's link to the one before,
/// no gap in the sequence, the head row at the last link, and, when given, the `anchor`
/// (a head copied earlier) still in the chain.
pub async fn verify(db: &Db, anchor: Option<&Head>) -> Result<Verdict, sqlx::Error> {
    let rows: Vec<StoredRow> = sqlx::query_as(
        "SELECT seq, at, actor_user_id, action, patient_id, section, as_proxy, client_addr, \
         detail, prev_hash, hash FROM audit_log ORDER BY seq",
    )
    .fetch_all(&db.read)
    .await?;
    let mut prev = Head { seq: 0, hash: GENESIS_HASH.to_owned() };
    for row in &rows {
        let seq = row.seq;
        let ev = AuditEvent {
            actor_user_id: row.actor_user_id,
            action: &row.action,
            patient_id: row.patient_id,
            section: row.section.as_deref(),
            as_proxy: row.as_proxy != 0,
            client_addr: row.client_addr.as_deref(),
            detail: &row.detail,
        };
        let (stored_prev, stored) = (&row.prev_hash, &row.hash);
        if seq != prev.seq + 1 {
            return Ok(Verdict::Broken { seq: prev.seq + 1, reason: "a row is missing" });
        }
        if *stored_prev != prev.hash {
            return Ok(Verdict::Broken { seq, reason: "the link to the row before does not match" });
        }
        if db.audit_key.mac(&prev.hash, seq, row.at, &ev) != *stored {
            return Ok(Verdict::Broken { seq, reason: "the row was changed (its MAC does not match)" });
        }
        if anchor.is_some_and(|a| a.seq == seq && a.hash != *stored) {
            return Ok(Verdict::Broken { seq, reason: "the anchored head is not in the chain" });
        }
        prev = Head { seq, hash: stored.clone() };
    }
    if anchor.is_some_and(|a| a.seq > prev.seq) {
        return Ok(Verdict::Broken {
            seq: prev.seq + 1,
            reason: "rows up to the anchored head were removed",
        });
    }
    if head(db).await? != prev {
        return Ok(Verdict::Broken { seq: prev.seq + 1, reason: "the head row does not name the last row" });
    }
    Ok(Verdict::Intact { rows: rows.len() as i64, head: prev })
}

/// `Ok(None)` when the chain is intact, else the first bad sequence number.
pub async fn verify_chain(db: &Db) -> Result<Option<i64>, sqlx::Error> {
    Ok(match verify(db, None).await? {
        Verdict::Intact { .. } => None,
        Verdict::Broken { seq, .. } => Some(seq),
    })
}
