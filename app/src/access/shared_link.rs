//! The share door's second key: a share as a SMART Health Link, read by a health app that
//! scanned its `shlink:/` QR code (`share::link_api`). The link names the share by a random
//! id and carries the key the app decrypts with; its passcode is the patient's date of
//! birth, as for the code. Opening it is what opening the code is: the same throttles, the
//! same count of views, a row in the patient's "Who has seen my record", the chart seen
//! only as the share shows it, and a share that ended, expired or no longer works is gone.
//!
//! The app may ask for the record at a short-lived address instead of inside the answer
//! (its `embeddedLengthMax`): that address carries the opening's view token, good for one
//! fetch within `LINK_FILE_MINUTES` and only while the share works.
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};

use super::shared::{
    audit_share, live_share, record_view, shared_chart, still_shows, visibility_of, FoundBy, FoundShare,
    ShareTerms,
};
use crate::{
    access::ChartScope,
    error::AppError,
    infra::{crypto, throttle, AppState, Db},
};

/// How long the address of one answer's record works (the specification's "short-lived",
/// and single use).
pub const LINK_FILE_MINUTES: i64 = 5;

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
    /// The link opened, with its view's token (the address of the record, once).
    Opened(OpenedLink, String),
    /// The passcode was wrong: how many tries the link has left, which the specification
    /// asks the server to say (none: the link is gone).
    WrongPasscode { remaining_attempts: i64 },
}

/// Wrong passcodes a link takes over its whole life; at the last it is dropped (the code,
/// a separate credential, still works).
pub const LINK_PASSCODE_ATTEMPTS: i64 = 5;

/// Opens a share's link for an app: the link's id, the passcode the app's user typed (the
/// patient's date of birth, YYYY-MM-DD) and the app's own description of who asks
/// (`recipient`, shown to the patient with the view). A link that is unknown, ended,
/// expired, dropped, or no longer shows anything is `NotFound`. The view's token is good
/// for one fetch of the record within `LINK_FILE_MINUTES` (`open_share_link_file`); an
/// answer that embeds the record closes it at once (`close_link_view`).
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
    // A share that shows nothing any more is gone, whatever the passcode.
    let sections = still_shows(&state, &share, now).await?.ok_or(AppError::NotFound)?;
    if let Some(remaining_attempts) = wrong_passcode(&state, &share, passcode, now).await? {
        return Ok(LinkOpening::WrongPasscode { remaining_attempts });
    }
    let key = open_link_key(&state.db, share.link_key.as_deref()).ok_or(AppError::NotFound)?;
    throttle::release(&state.db, attempt).await?;
    let token = crypto::random_token(32);
    let until = share.expires_at.min(now + LINK_FILE_MINUTES * 60_000);
    let client = format!("SMART Health Link: {recipient}");
    record_view(&state.db, share.id, &link_view_hash(&token), now, until, &client).await?;
    let opened = opened(&state, &share, sections, key, "share.link", now).await?;
    Ok(LinkOpening::Opened(opened, token))
}

/// None when the passcode is the patient's birth date; else how many tries the link has
/// left. A try is counted before the passcode is compared (so a burst of guesses gets no
/// more than the limit) and given back when it was right; the last wrong one drops the
/// link. Wrong ones are in the patient's "Who has seen my record".
async fn wrong_passcode(
    state: &AppState,
    share: &FoundShare,
    passcode: &str,
    now: i64,
) -> Result<Option<i64>, AppError> {
    let counted: Option<i64> = sqlx::query_scalar(
        "UPDATE record_shares SET link_failures = link_failures + 1 WHERE id = $1 AND link_failures < $2 \
         RETURNING link_failures",
    )
    .bind(share.id)
    .bind(LINK_PASSCODE_ATTEMPTS)
    .fetch_optional(&state.db.write)
    .await?;
    let Some(failures) = counted else { return Err(AppError::NotFound) };
    let birth_date = crate::dates::parse_date(passcode).map(|d| d.to_string()).unwrap_or_default();
    if crypto::constant_time_eq(&share.birth_date, &birth_date) {
        sqlx::query("UPDATE record_shares SET link_failures = link_failures - 1 WHERE id = $1")
            .bind(share.id)
            .execute(&state.db.write)
            .await?;
        return Ok(None);
    }
    let detail = format!("share.link share={}", share.id);
    let visibility = visibility_of(share.max_confidential);
    audit_share(&state.db, now, share.patient_id, visibility, "share-open-failed", &detail).await?;
    if failures >= LINK_PASSCODE_ATTEMPTS {
        sqlx::query("UPDATE record_shares SET link_hash = NULL WHERE id = $1")
            .bind(share.id)
            .execute(&state.db.write)
            .await?;
    }
    Ok(Some(LINK_PASSCODE_ATTEMPTS - failures))
}

/// How a link's view token is stored: apart from the code's view tokens (a browser's
/// cookie), so that neither opens the other's door.
fn link_view_hash(token: &str) -> String {
    crypto::sha256_hex(&format!("share-link-file:{token}"))
}

/// Closes a link's view at once: its record went in the answer, nothing is left to fetch.
pub async fn close_link_view(token: &str) -> Result<(), AppError> {
    let state = crate::infra::state()?;
    sqlx::query("UPDATE record_share_views SET expires_at = $1 WHERE token_hash = $2")
        .bind(state.clock.now_ms())
        .bind(link_view_hash(token))
        .execute(&state.db.write)
        .await?;
    Ok(())
}

/// The share a link's view token names, once (the fetch closes the view), within
/// `LINK_FILE_MINUTES` and while the share still works; anything else is `NotFound`.
pub async fn open_share_link_file(token: &str) -> Result<OpenedLink, AppError> {
    let state = crate::infra::state()?;
    let now = state.clock.now_ms();
    let claimed: Option<i64> = sqlx::query_scalar(
        "UPDATE record_share_views SET expires_at = $1 WHERE token_hash = $2 AND expires_at > $1 RETURNING share_id",
    )
    .bind(now)
    .bind(link_view_hash(token))
    .fetch_optional(&state.db.write)
    .await?;
    let share_id = claimed.ok_or(AppError::NotFound)?;
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
