//! The share door's second key: a share as a SMART Health Link, read by a health app that
//! scanned its `shlink:/` QR code (`share::link_api`). The link names the share by a random
//! id and carries the key the app decrypts with; its passcode is the patient's date of
//! birth, as for the code. Opening it is what opening the code is: the same throttles, the
//! same count of views, a row in the patient's "Who has seen my record", the chart seen
//! only as the share shows it, and a share that ended, expired or no longer works is gone.
//!
//! The app may ask for the record at a short-lived address instead of inside the answer
//! (its `embeddedLengthMax`): that address carries a ticket this door signed, good for
//! `LINK_FILE_MINUTES` and only while the share works.
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};

use super::shared::{
    audit_share, birth_date_matches, live_share, record_view, shared_chart, still_shows, visibility_of,
    FoundBy, FoundShare, ShareTerms,
};
use crate::{
    access::ChartScope,
    error::AppError,
    infra::{crypto, throttle, AppState, Db},
};

/// How long the address of one answer's record works (the specification's "short-lived").
pub const LINK_FILE_MINUTES: i64 = 60;

/// How a share's link is stored: a keyed digest of its id, as for codes.
pub fn share_link_hash(db: &Db, link_id: &str) -> String {
    hex::encode(db.audit_key.derive("share-link", link_id))
}

/// The key links' keys are sealed under (derived from the server's, outside the database).
fn link_keys(db: &Db) -> [u8; 32] {
    db.audit_key.derive("share-link-keys", "v1")
}

/// A link's key as stored: sealed, so a copy of the database cannot decrypt an answer.
pub fn seal_link_key(db: &Db, key: &[u8; 32]) -> String {
    crypto::seal(&link_keys(db), &URL_SAFE_NO_PAD.encode(key))
}

fn open_link_key(db: &Db, sealed: Option<&str>) -> Option<[u8; 32]> {
    let encoded = crypto::open(&link_keys(db), sealed?)?;
    URL_SAFE_NO_PAD.decode(encoded).ok()?.try_into().ok()
}

/// A link opened: the chart as the share shows it, and the key its answer is encrypted with.
pub struct OpenedLink {
    pub chart: ChartScope,
    pub terms: ShareTerms,
    pub key: [u8; 32],
}

pub enum LinkOpening {
    Opened(OpenedLink),
    /// The passcode was wrong (or the share has had too many wrong ones today): how many
    /// tries are left, which the specification asks the server to say.
    WrongPasscode {
        remaining_attempts: i64,
    },
}

/// Opens a share's link for an app: the link's id, the passcode the app's user typed (the
/// patient's date of birth, YYYY-MM-DD) and the app's own description of who asks
/// (`recipient`, shown to the patient with the view). A link that is unknown, ended,
/// expired, or no longer shows anything is `NotFound`.
pub async fn open_share_link(
    link_id: &str,
    passcode: &str,
    recipient: &str,
) -> Result<LinkOpening, AppError> {
    let state = crate::infra::state()?;
    let now = state.clock.now_ms();
    let network = crate::infra::client_network();
    let attempt = throttle::reserve(&state.db, now, throttle::SHARE_OPEN_PER_ADDRESS, &network).await?;
    let share = live_share(&state.db, FoundBy::Link(&share_link_hash(&state.db, link_id)), now)
        .await?
        .ok_or(AppError::NotFound)?;
    let birth_date = crate::dates::parse_date(passcode).map(|d| d.to_string()).unwrap_or_default();
    match birth_date_matches(&state, &share, &birth_date, now).await {
        Ok(true) => {}
        Ok(false) | Err(AppError::TooManyAttempts { .. }) => {
            let limit = throttle::SHARE_OPEN_PER_CODE;
            let used = throttle::failures(&state.db, now, limit, &share.id.to_string()).await?;
            return Ok(LinkOpening::WrongPasscode { remaining_attempts: (limit.max_failures - used).max(0) });
        }
        Err(other) => return Err(other),
    }
    let sections = still_shows(&state, &share, now).await?.ok_or(AppError::NotFound)?;
    let key = open_link_key(&state.db, share.link_key.as_deref()).ok_or(AppError::NotFound)?;
    throttle::release(&state.db, attempt).await?;
    // No browser holds this view: its token is thrown away, and it is over at once.
    let token_hash = crypto::sha256_hex(&crypto::random_token(32));
    let client = format!("SMART Health Link: {recipient}");
    record_view(&state.db, share.id, &token_hash, now, now, &client).await?;
    opened(&state, &share, sections, key, "share.link", now).await.map(LinkOpening::Opened)
}

/// The ticket for the address of one answer's record: the share and until when, signed.
pub fn link_file_ticket(db: &Db, share_id: i64, until_ms: i64) -> String {
    let claim = format!("{share_id}.{until_ms}");
    let mac = hex::encode(db.audit_key.derive("share-link-file", &claim));
    format!("{claim}.{mac}")
}

/// The share a ticket names, while the ticket lasts and the share still works; anything
/// else (a forged or stale ticket, an ended share) is `NotFound`.
pub async fn open_share_link_file(ticket: &str) -> Result<OpenedLink, AppError> {
    let state = crate::infra::state()?;
    let now = state.clock.now_ms();
    let (claim, _mac) = ticket.rsplit_once('.').ok_or(AppError::NotFound)?;
    let (share_id, until_ms) = claim.split_once('.').ok_or(AppError::NotFound)?;
    let (Ok(share_id), Ok(until_ms)) = (share_id.parse::<i64>(), until_ms.parse::<i64>()) else {
        return Err(AppError::NotFound);
    };
    let expected = link_file_ticket(&state.db, share_id, until_ms);
    if !crypto::constant_time_eq(&expected, ticket) || until_ms <= now {
        return Err(AppError::NotFound);
    }
    let share = share_by_id(&state.db, share_id, now).await?.ok_or(AppError::NotFound)?;
    let sections = still_shows(&state, &share, now).await?.ok_or(AppError::NotFound)?;
    let key = open_link_key(&state.db, share.link_key.as_deref()).ok_or(AppError::NotFound)?;
    opened(&state, &share, sections, key, "share.link-file", now).await
}

async fn share_by_id(db: &Db, share_id: i64, now: i64) -> Result<Option<FoundShare>, AppError> {
    let found = sqlx::query_as(
        "SELECT s.id, s.patient_id, s.created_by, s.max_confidential, s.scope, s.visit_ids, s.expires_at, \
         p.birth_date, s.link_key FROM record_shares s JOIN patients p ON p.id = s.patient_id \
         WHERE s.id = $1 AND s.link_hash IS NOT NULL AND s.ended_at IS NULL AND s.expires_at > $2",
    )
    .bind(share_id)
    .bind(now)
    .fetch_optional(&db.read)
    .await?;
    Ok(found)
}

/// The read, on the chart's audit log, and the chart as the share shows it.
async fn opened(
    state: &AppState,
    share: &FoundShare,
    sections: Vec<super::Section>,
    key: [u8; 32],
    what: &str,
    now: i64,
) -> Result<OpenedLink, AppError> {
    let visibility = visibility_of(share.max_confidential);
    let detail = format!("{what} share={}", share.id);
    audit_share(&state.db, now, share.patient_id, visibility, "share-viewed", &detail).await?;
    let (chart, terms) = shared_chart(state, share, sections);
    Ok(OpenedLink { chart, terms, key })
}
