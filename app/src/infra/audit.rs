//! The audit log: append-only (triggers refuse UPDATE and DELETE; on PostgreSQL the
//! server's own role may only INSERT and SELECT it) and chained with a keyed MAC
//! (HMAC-SHA-256, the key in a file outside the database, `PORTICO_AUDIT_KEY_FILE`). Someone
//! who can write the database but not read the key cannot edit a row and recompute the
//! chain after it; deleting the newest rows is caught by comparing the head with one
//! anchored elsewhere (`portico audit head`, then `portico audit verify --anchor`).
use std::{
    fmt, io,
    panic::AssertUnwindSafe,
    path::Path,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
};

use futures::FutureExt;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use sqlx::AnyPool;
use tokio::sync::{mpsc, oneshot};

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

    /// A keyed digest of `data` for another purpose than the chain (`purpose` keeps the
    /// uses apart): sign-up seeds its questions with it, so that they are the same at
    /// every try yet cannot be computed by someone without the key.
    pub fn derive(&self, purpose: &str, data: &str) -> [u8; 32] {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes a key of any length");
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(data.as_bytes());
        mac.finalize().into_bytes().into()
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

/// Appends one event; returns once the row is durable.
pub async fn append(db: &Db, at: i64, ev: AuditEvent<'_>) -> Result<(), sqlx::Error> {
    append_all(db, at, std::slice::from_ref(&ev)).await
}

/// Appends events (a staff view that shows ten patients writes ten rows) and returns once
/// they are durable: no chart read is answered before its audit row is committed. The rows
/// go through the writer (`Writer`), which commits the rows of many concurrent callers in
/// one transaction.
/// An event a signed-in person caused that concerns no chart (their login's settings, a
/// request not yet matched to a chart), from the request's client address.
pub async fn user_event(
    db: &Db,
    at: i64,
    user_id: i64,
    action: &str,
    detail: &str,
) -> Result<(), sqlx::Error> {
    let addr = crate::infra::client_addr();
    let event = AuditEvent {
        actor_user_id: Some(user_id),
        action,
        client_addr: Some(&addr),
        detail,
        ..Default::default()
    };
    append(db, at, event).await
}

pub async fn append_all(db: &Db, at: i64, events: &[AuditEvent<'_>]) -> Result<(), sqlx::Error> {
    if events.is_empty() {
        return Ok(());
    }
    db.audit.append(events.iter().map(|ev| Row::of(at, ev)).collect()).await
}

/// A commit takes waiting callers until it holds this many rows (the last one taken may
/// bring a few more); the rest go into the next one.
pub const MAX_ROWS_PER_COMMIT: usize = 512;
/// Rows per INSERT statement (`COLUMNS` values each: well under both databases' parameter
/// limits).
const ROWS_PER_INSERT: usize = 64;
/// Callers that may wait for the writer at once before new ones wait to be queued.
const QUEUE_DEPTH: usize = 4096;

/// Group commit for the audit log. Every append used to be its own transaction: one fsync
/// per chart read, and on PostgreSQL every appender queued on the `audit_head` row lock
/// through its own commit. One task now owns the chain's head: it takes every request
/// waiting in its queue, appends their rows in order (the chain stays one sequence) in one
/// transaction, commits, and only then answers each caller. While it commits, new requests
/// queue up for the next round, so the busier the server, the more rows one fsync covers.
#[derive(Clone, Debug)]
pub struct Writer {
    queue: mpsc::Sender<Request>,
    commits: Arc<AtomicU64>,
}

#[derive(Debug)]
struct Request {
    rows: Vec<Row>,
    done: oneshot::Sender<Result<(), String>>,
}

/// One event, owned, with its time: what the writer needs to append it.
#[derive(Debug)]
struct Row {
    at: i64,
    actor_user_id: Option<i64>,
    action: String,
    patient_id: Option<i64>,
    section: Option<String>,
    as_proxy: bool,
    client_addr: Option<String>,
    detail: String,
}

impl Row {
    fn of(at: i64, ev: &AuditEvent<'_>) -> Row {
        Row {
            at,
            actor_user_id: ev.actor_user_id,
            action: ev.action.to_owned(),
            patient_id: ev.patient_id,
            section: ev.section.map(str::to_owned),
            as_proxy: ev.as_proxy,
            client_addr: ev.client_addr.map(str::to_owned),
            detail: ev.detail.to_owned(),
        }
    }

    fn event(&self) -> AuditEvent<'_> {
        AuditEvent {
            actor_user_id: self.actor_user_id,
            action: &self.action,
            patient_id: self.patient_id,
            section: self.section.as_deref(),
            as_proxy: self.as_proxy,
            client_addr: self.client_addr.as_deref(),
            detail: &self.detail,
        }
    }
}

impl Writer {
    /// Starts the writer on the current Tokio runtime. It ends when every `Db` holding
    /// this writer is dropped.
    pub fn start(write: AnyPool, key: Arc<AuditKey>) -> Writer {
        let (queue, requests) = mpsc::channel(QUEUE_DEPTH);
        let commits = Arc::new(AtomicU64::new(0));
        tokio::spawn(run_writer(requests, write, key, commits.clone()));
        Writer { queue, commits }
    }

    /// False once the writer has stopped (then no chart can be read: /healthz says so).
    pub fn is_running(&self) -> bool {
        !self.queue.is_closed()
    }

    /// Transactions committed so far (each holds the rows of one or more callers).
    pub fn commits(&self) -> u64 {
        self.commits.load(Ordering::Relaxed)
    }

    async fn append(&self, rows: Vec<Row>) -> Result<(), sqlx::Error> {
        let (done, committed) = oneshot::channel();
        let stopped = || sqlx::Error::WorkerCrashed;
        self.queue.send(Request { rows, done }).await.map_err(|_| stopped())?;
        match committed.await.map_err(|_| stopped())? {
            Ok(()) => Ok(()),
            Err(reason) => Err(sqlx::Error::Io(io::Error::other(format!("audit commit failed: {reason}")))),
        }
    }
}

async fn run_writer(
    mut requests: mpsc::Receiver<Request>,
    write: AnyPool,
    key: Arc<AuditKey>,
    commits: Arc<AtomicU64>,
) {
    while let Some(first) = requests.recv().await {
        let mut batch = vec![first];
        let mut rows = batch[0].rows.len();
        while rows < MAX_ROWS_PER_COMMIT {
            let Ok(next) = requests.try_recv() else { break };
            rows += next.rows.len();
            batch.push(next);
        }
        // A panic while committing answers this batch with an error instead of ending the
        // writer, which would leave every later chart read without its audit row.
        let outcome = match AssertUnwindSafe(commit(&write, &key, &batch)).catch_unwind().await {
            Ok(committed) => committed.map_err(|e| e.to_string()),
            Err(_) => Err("the audit writer panicked while committing".to_owned()),
        };
        match &outcome {
            Ok(()) => _ = commits.fetch_add(1, Ordering::Relaxed),
            Err(reason) => tracing::error!("audit commit of {rows} rows failed: {reason}"),
        }
        for request in batch {
            // A caller that has gone away (its request was cancelled) needs no answer.
            let _ = request.done.send(outcome.clone());
        }
    }
}

/// Appends the rows of every request in `batch`, in order, in one transaction.
async fn commit(write: &AnyPool, key: &AuditKey, batch: &[Request]) -> Result<(), sqlx::Error> {
    let rows: Vec<&Row> = batch.iter().flat_map(|request| &request.rows).collect();
    let mut tx = write.begin().await?;
    let (last, mut prev): (i64, String) =
        sqlx::query_as("UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash")
            .bind(rows.len() as i64)
            .fetch_one(&mut *tx)
            .await?;
    let mut seq = last - rows.len() as i64;
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let statement = insert_statement(chunk.len());
        let mut insert = sqlx::query(&statement);
        for row in chunk {
            seq += 1;
            let hash = key.mac(&prev, seq, row.at, &row.event());
            insert = insert
                .bind(seq)
                .bind(row.at)
                .bind(row.actor_user_id)
                .bind(row.action.as_str())
                .bind(row.patient_id)
                .bind(row.section.as_deref())
                .bind(row.as_proxy as i64)
                .bind(row.client_addr.as_deref())
                .bind(row.detail.as_str())
                .bind(std::mem::replace(&mut prev, hash.clone()))
                .bind(hash);
        }
        insert.execute(&mut *tx).await?;
    }
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1").bind(&prev).execute(&mut *tx).await?;
    tx.commit().await
}

const INSERT_ROWS: &str = "INSERT INTO audit_log (seq, at, actor_user_id, action, patient_id, \
     section, as_proxy, client_addr, detail, prev_hash, hash) VALUES ";
const COLUMNS: usize = 11;

/// `INSERT_ROWS` and `($1, …, $11), ($12, …), …` for `rows` rows: numbered placeholders
/// only, every value bound. (sqlx's QueryBuilder writes `?` for the Any driver, which
/// PostgreSQL does not take.)
fn insert_statement(rows: usize) -> String {
    let tuples: Vec<String> = (0..rows)
        .map(|row| {
            let params: Vec<String> = (1..=COLUMNS).map(|col| format!("${}", row * COLUMNS + col)).collect();
            ["(", &params.join(","), ")"].concat()
        })
        .collect();
    [INSERT_ROWS, &tuples.join(",")].concat()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_row_has_its_own_numbered_placeholders() {
        let sql = insert_statement(2);
        assert!(sql.starts_with(INSERT_ROWS));
        let values = &sql[INSERT_ROWS.len()..];
        let expected: Vec<String> = (1..=22).map(|n| format!("${n}")).collect();
        assert_eq!(values, format!("({}),({})", expected[..11].join(","), expected[11..].join(",")));
    }
}
