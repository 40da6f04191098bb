//! The third door: a clinician elsewhere reading what a patient shared with a share code.
//! They have no account and no session: opening the code (`share::viewer_api`) leaves a
//! view token in their browser, and this door turns that token into a `ChartScope` that
//! sees only what the share holds (its sections, at the sharer's visibility: a proxy's
//! share holds nothing confidential), for as long as the share and the view last. Every
//! read is an audit row on the chart ("share-viewed", no actor, the client's address), so
//! it is in the patient's "Who has seen my record".
use time::Date;

use super::{grants, Reader, Section, Visibility};
use crate::{
    access::ChartScope,
    error::AppError,
    infra::{
        audit::{self, AuditEvent},
        crypto, throttle, AppState, Db,
    },
    problem::Problem,
};

/// How long one opening of a code lasts in the clinician's browser (never past the share's
/// own end): a visit's worth of reading, then the code again.
pub const SHARE_VIEW_MINUTES: i64 = 30;
/// The longest user agent kept with a view (the patient sees it).
const USER_AGENT_MAX_CHARS: usize = 200;

/// A share opened: the view token for the clinician's browser, and how long it lasts.
pub struct OpenedShare {
    pub token: String,
    pub max_age_secs: i64,
}

/// How a share code is stored: a keyed digest (HMAC-SHA-256 under the server's key, kept
/// outside the database), so that a copy of the database alone cannot be searched for the
/// 60-bit codes.
pub fn share_code_hash(db: &Db, code: &str) -> String {
    hex::encode(db.audit_key.derive("share-code", code))
}

/// At most this many openings of one code: each is a row the patient reads.
pub const MAX_VIEWS_PER_SHARE: i64 = 200;

/// A live share found by its code or its link, with what decides whether it still works.
#[derive(sqlx::FromRow)]
pub(super) struct FoundShare {
    pub(super) id: i64,
    pub(super) patient_id: i64,
    pub(super) created_by: i64,
    pub(super) max_confidential: i64,
    pub(super) scope: String,
    pub(super) visit_ids: String,
    pub(super) expires_at: i64,
    pub(super) birth_date: String,
    pub(super) link_key: Option<String>,
}

impl FoundShare {
    fn facts(&self) -> ShareFacts<'_> {
        ShareFacts {
            id: self.id,
            patient_id: self.patient_id,
            created_by: self.created_by,
            visibility: visibility_of(self.max_confidential),
            scope: &self.scope,
        }
    }
}

/// Opens a share with its code and the patient's date of birth (together the clinician's
/// credential; the code alone is not enough). A wrong code, a wrong date, and a share that
/// ended, expired or no longer works all get the same answer, and count against the
/// client's network (`throttle::SHARE_OPEN_PER_ADDRESS`). Wrong dates on a real code also
/// count against the code (`throttle::SHARE_OPEN_PER_CODE`, from any network) and are in
/// the patient's "Who has seen my record".
pub async fn open_share_code(code: &str, birth_date: &str) -> Result<OpenedShare, AppError> {
    let state = crate::infra::state()?;
    let now = state.clock.now_ms();
    let network = crate::infra::client_network();
    let attempt = throttle::reserve(&state.db, now, throttle::SHARE_OPEN_PER_ADDRESS, &network).await?;
    let found = live_share(&state.db, FoundBy::Code(&share_code_hash(&state.db, code)), now).await?;
    // Every refusal below keeps the network's attempt: it counts.
    let wrong = || AppError::invalid("code", Problem::ShareCodeWrong);
    let share = found.ok_or_else(wrong)?;
    if !birth_date_matches(&state, &share, birth_date, now).await? {
        return Err(wrong());
    }
    if still_shows(&state, &share, now).await?.is_none() {
        return Err(wrong());
    }
    throttle::release(&state.db, attempt).await?;
    let token = crypto::random_token(32);
    let expires_at = share.expires_at.min(now + SHARE_VIEW_MINUTES * 60_000);
    let agent = crate::infra::request_parts()
        .and_then(|p| {
            p.headers.get(http::header::USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_owned)
        })
        .unwrap_or_default();
    record_view(&state.db, share.id, &crypto::sha256_hex(&token), now, expires_at, &agent).await?;
    Ok(OpenedShare { token, max_age_secs: (expires_at - now) / 1000 })
}

/// How a share is found: by its code's digest or by its link's.
#[derive(Clone, Copy)]
pub(super) enum FoundBy<'a> {
    Code(&'a str),
    Link(&'a str),
}

/// The share the digest names, while it is neither ended nor expired.
pub(super) async fn live_share(db: &Db, by: FoundBy<'_>, now: i64) -> Result<Option<FoundShare>, AppError> {
    macro_rules! live_share_by {
        ($column:literal) => {
            concat!(
                "SELECT s.id, s.patient_id, s.created_by, s.max_confidential, s.scope, s.visit_ids, s.expires_at, ",
                "p.birth_date, s.link_key FROM record_shares s JOIN patients p ON p.id = s.patient_id WHERE s.",
                $column,
                " = $1 AND s.ended_at IS NULL AND s.expires_at > $2"
            )
        };
    }
    let (sql, digest) = match by {
        FoundBy::Code(digest) => (live_share_by!("code_hash"), digest),
        FoundBy::Link(digest) => (live_share_by!("link_hash"), digest),
    };
    Ok(sqlx::query_as(sql).bind(digest).bind(now).fetch_optional(&db.read).await?)
}

/// Whether the birth date given is the patient's. A wrong one counts against the share
/// from any network (`throttle::SHARE_OPEN_PER_CODE`: past it nothing opens the share for
/// a day, refused as `TooManyAttempts`) and is in the patient's "Who has seen my record".
async fn birth_date_matches(
    state: &AppState,
    share: &FoundShare,
    birth_date: &str,
    now: i64,
) -> Result<bool, AppError> {
    let code_key = share.id.to_string();
    let per_code = throttle::reserve(&state.db, now, throttle::SHARE_OPEN_PER_CODE, &code_key).await?;
    if !crypto::constant_time_eq(&share.birth_date, birth_date) {
        let detail = format!("share.open share={}", share.id);
        let visibility = visibility_of(share.max_confidential);
        audit_share(&state.db, now, share.patient_id, visibility, "share-open-failed", &detail).await?;
        return Ok(false);
    }
    throttle::release(&state.db, per_code).await?;
    Ok(true)
}

/// The sections the share shows now, or None when it shows nothing any more or has been
/// opened `MAX_VIEWS_PER_SHARE` times.
pub(super) async fn still_shows(
    state: &AppState,
    share: &FoundShare,
    now: i64,
) -> Result<Option<Vec<Section>>, AppError> {
    let sections = sections_now(state, &share.facts(), now).await?;
    if sections.is_empty() || views_of(&state.db, share.id).await? >= MAX_VIEWS_PER_SHARE {
        return Ok(None);
    }
    Ok(Some(sections))
}

/// Whether a character of a client's own words (a user agent, an app's name) is kept: not
/// a control, nor one that reorders or hides text (bidirectional overrides, zero-width
/// characters), which could disguise the name the patient reads.
fn shown_as_is(c: char) -> bool {
    !c.is_control()
        && !matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// One opening, for the patient to see: when, from where, with what (a browser's user
/// agent, or the app a SMART Health Link names).
pub(super) async fn record_view(
    db: &Db,
    share_id: i64,
    token_hash: &str,
    now: i64,
    expires_at: i64,
    client: &str,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO record_share_views (share_id, token_hash, opened_at, expires_at, client_addr, user_agent) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(share_id)
    .bind(token_hash)
    .bind(now)
    .bind(expires_at)
    .bind(crate::infra::client_addr())
    .bind(client.chars().filter(|&c| shown_as_is(c)).take(USER_AGENT_MAX_CHARS).collect::<String>())
    .execute(&db.write)
    .await?;
    Ok(())
}

/// Forgets this browser's view at once (the clinician closed the record): the token no
/// longer opens anything, even where a copy of the cookie survives.
pub async fn close_share_view(token: Option<&str>) -> Result<(), AppError> {
    let (Some(token), Ok(state)) = (token, crate::infra::state()) else { return Ok(()) };
    sqlx::query("UPDATE record_share_views SET expires_at = $1 WHERE token_hash = $2 AND expires_at > $1")
        .bind(state.clock.now_ms())
        .bind(crypto::sha256_hex(token))
        .execute(&state.db.write)
        .await?;
    Ok(())
}

async fn views_of(db: &Db, share_id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM record_share_views WHERE share_id = $1")
        .bind(share_id)
        .fetch_one(&db.read)
        .await
}

pub(super) fn visibility_of(max_confidential: i64) -> Visibility {
    if max_confidential == 0 {
        Visibility::NotConfidential
    } else {
        Visibility::Everything
    }
}

/// What decides whether a share still works.
struct ShareFacts<'a> {
    id: i64,
    patient_id: i64,
    created_by: i64,
    visibility: Visibility,
    scope: &'a str,
}

/// The sections the share shows now: its scope's, narrowed to what a proxy who made it may
/// still see. A proxy's share works only while their grant includes Documents; once it
/// does not, the share is ended for good (a grant given back later does not revive it).
async fn sections_now(state: &AppState, share: &ShareFacts<'_>, now: i64) -> Result<Vec<Section>, AppError> {
    let mut sections = scope_sections(share.scope);
    if share.visibility == Visibility::NotConfidential {
        let today = state.clock.today();
        let granted = proxy_sections(state, share.created_by, share.patient_id, now, today).await?;
        sections.retain(|s| granted.contains(s));
        if !granted.contains(&Section::Documents) {
            sections.clear();
        }
    }
    if sections.is_empty() {
        sqlx::query("UPDATE record_shares SET ended_at = $1 WHERE id = $2 AND ended_at IS NULL")
            .bind(now)
            .bind(share.id)
            .execute(&state.db.write)
            .await?;
    }
    Ok(sections)
}

/// The refusal for a view that is over: the page asks for a new code.
fn gone() -> AppError {
    AppError::invalid("share", Problem::ShareEnded)
}

/// What a share lets its reader see: the parts, and for a share of visits, which ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareTerms {
    pub share_id: i64,
    pub sections: Vec<Section>,
    /// Empty for a summary share.
    pub visit_ids: Vec<i64>,
    pub expires_at: i64,
}

#[derive(sqlx::FromRow)]
struct OpenView {
    share_id: i64,
    patient_id: i64,
    created_by: i64,
    max_confidential: i64,
    scope: String,
    visit_ids: String,
    share_expires_at: i64,
}

/// The shared chart the view token names, refused as over (`Problem::ShareEnded`) when the
/// token is unknown, or its view or share has expired or was ended (the page says the
/// share is over, never why).
pub async fn open_shared(token: Option<&str>, what: &str) -> Result<(ChartScope, ShareTerms), AppError> {
    let state = crate::infra::state()?;
    let state = &state;
    let token = token.ok_or_else(gone)?;
    let now = state.clock.now_ms();
    let view: OpenView = sqlx::query_as(
        "SELECT s.id AS share_id, s.patient_id, s.created_by, s.max_confidential, s.scope, s.visit_ids, \
         s.expires_at AS share_expires_at FROM record_share_views v JOIN record_shares s ON s.id = v.share_id \
         WHERE v.token_hash = $1 AND v.expires_at > $2 AND s.expires_at > $2 AND s.ended_at IS NULL",
    )
    .bind(crypto::sha256_hex(token))
    .bind(now)
    .fetch_optional(&state.db.read)
    .await?
    .ok_or_else(gone)?;
    let visibility = visibility_of(view.max_confidential);
    let facts = ShareFacts {
        id: view.share_id,
        patient_id: view.patient_id,
        created_by: view.created_by,
        visibility,
        scope: &view.scope,
    };
    let sections = sections_now(state, &facts, now).await?;
    if sections.is_empty() {
        return Err(gone());
    }
    let terms = ShareTerms {
        share_id: view.share_id,
        sections,
        visit_ids: view.visit_ids.split(',').filter_map(|id| id.trim().parse().ok()).collect(),
        expires_at: view.share_expires_at,
    };
    let detail = format!("{what} share={}", terms.share_id);
    audit_share(&state.db, now, view.patient_id, visibility, "share-viewed", &detail).await?;
    let reader = Reader::Share(visibility, terms.sections.clone());
    Ok((ChartScope::new(view.patient_id, 0, String::new(), reader, state.clone()), terms))
}

/// The chart as a share found by its code or link shows it: `sections`, at the sharer's
/// visibility.
pub(super) fn shared_chart(
    state: &AppState,
    share: &FoundShare,
    sections: Vec<Section>,
) -> (ChartScope, ShareTerms) {
    let terms = ShareTerms {
        share_id: share.id,
        sections,
        visit_ids: share.visit_ids.split(',').filter_map(|id| id.trim().parse().ok()).collect(),
        expires_at: share.expires_at,
    };
    let reader = Reader::Share(visibility_of(share.max_confidential), terms.sections.clone());
    (ChartScope::new(share.patient_id, 0, String::new(), reader, state.clone()), terms)
}

/// The sections a share of `scope` may show (before the sharer's own grant narrows them).
pub fn scope_sections(scope: &str) -> Vec<Section> {
    match scope {
        "summary" => vec![Section::HealthSummary, Section::Medications],
        "visits" => vec![Section::Visits, Section::Results],
        _ => Vec::new(),
    }
}

async fn proxy_sections(
    state: &AppState,
    proxy_user_id: i64,
    patient_id: i64,
    now: i64,
    today: Date,
) -> Result<Vec<Section>, AppError> {
    let policy = &state.config.org.teen_proxy_sections;
    let charts = grants::in_force(&state.db, proxy_user_id, Some(patient_id), now, today, policy).await?;
    Ok(charts.into_iter().next().map(|c| c.sections).unwrap_or_default())
}

/// An opening of a share, or a failed one, on the chart: no actor (no account), the
/// client's address, which share; "as proxy" when a proxy made it.
pub(super) async fn audit_share(
    db: &Db,
    now: i64,
    patient_id: i64,
    visibility: Visibility,
    action: &str,
    detail: &str,
) -> Result<(), AppError> {
    let addr = crate::infra::client_addr();
    let event = AuditEvent {
        actor_user_id: None,
        action,
        patient_id: Some(patient_id),
        section: Some(Section::Documents.as_str()),
        as_proxy: visibility == Visibility::NotConfidential,
        client_addr: Some(&addr),
        detail,
    };
    audit::append(db, now, event).await?;
    Ok(())
}
