//! Registered apps, the requests waiting on a consent screen, grants, codes and tokens.
//! Every secret handed out (client secret, request handle, code, token) is random and kept
//! only as its SHA-256: the database names which grant a token belongs to, not the token.
use crate::{
    access::ChartScope,
    infra::{
        crypto::{random_token, sha256_hex},
        Db,
    },
};

use super::kinds::FhirType;

/// How long a consent screen's request stays answerable.
pub const REQUEST_LIFETIME_MS: i64 = 10 * 60 * 1000;
/// How long an authorization code may wait to be exchanged (RFC 6749 advises ≤ 10 minutes).
pub const CODE_LIFETIME_MS: i64 = 60 * 1000;
/// An access token's life (the issue: at most one hour).
pub const ACCESS_TOKEN_LIFETIME_MS: i64 = 60 * 60 * 1000;
/// A refresh token's life without use; each use gives a new one.
pub const REFRESH_TOKEN_LIFETIME_MS: i64 = 90 * 24 * 60 * 60 * 1000;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AppRow {
    pub id: i64,
    pub client_id: String,
    pub name: String,
    pub kind: String,
    pub secret_hash: Option<String>,
    pub redirect_uris: String,
    pub logo_url: Option<String>,
    pub terms_url: String,
    pub privacy_url: String,
    pub registered_by: String,
    /// The public keys of an app that signs its token requests (private_key_jwt).
    pub jwks: Option<String>,
}

impl AppRow {
    pub fn is_confidential(&self) -> bool {
        self.kind == "confidential"
    }

    /// Exact match (SMART: no prefix or pattern matching), but for a desktop app's
    /// loopback address, whose port is the one free when it runs (RFC 8252 §7.3).
    pub fn allows_redirect(&self, uri: &str) -> bool {
        self.redirect_uris.lines().any(|allowed| allowed == uri || same_loopback_but_port(allowed, uri))
    }

    /// A confidential client's secret, compared in constant time through its digest. An app
    /// that registered keys has no secret anyone knows, and is never let in by one.
    pub fn secret_matches(&self, secret: &str) -> bool {
        self.jwks.is_none()
            && self
                .secret_hash
                .as_deref()
                .is_some_and(|hash| crate::infra::crypto::constant_time_eq(hash, &sha256_hex(secret)))
    }
}

fn same_loopback_but_port(allowed: &str, uri: &str) -> bool {
    let (Ok(allowed), Ok(uri)) = (url::Url::parse(allowed), url::Url::parse(uri)) else { return false };
    let loopback = |u: &url::Url| u.scheme() == "http" && matches!(u.host_str(), Some("127.0.0.1" | "[::1]"));
    loopback(&allowed)
        && loopback(&uri)
        && allowed.host_str() == uri.host_str()
        && allowed.path() == uri.path()
        && allowed.query() == uri.query()
        && uri.fragment().is_none()
}

/// What an admin registers.
#[derive(Debug, Clone)]
pub struct NewApp {
    pub name: String,
    pub confidential: bool,
    pub redirect_uris: Vec<String>,
    pub logo_url: Option<String>,
    pub terms_url: String,
    pub privacy_url: String,
    pub registered_by: String,
    /// Public keys (a checked JWKS): the app signs its token requests (private_key_jwt)
    /// and gets no secret. Only for a confidential app.
    pub jwks: Option<String>,
}

/// The client id, and the secret of a confidential app: shown once, never stored.
#[derive(Debug, Clone)]
pub struct Registered {
    pub client_id: String,
    pub secret: Option<String>,
}

/// Registers an app under a new random client id, or under `client_id` (the demo app's,
/// printed in the README).
pub async fn register(
    db: &Db,
    now: i64,
    app: &NewApp,
    client_id: Option<&str>,
) -> Result<Registered, sqlx::Error> {
    let client_id = client_id.map_or_else(|| random_token(16), str::to_string);
    let secret = app.confidential.then(|| random_token(32));
    sqlx::query(
        "INSERT INTO smart_apps (client_id, name, kind, secret_hash, redirect_uris, logo_url, terms_url, \
         privacy_url, registered_by, registered_at, jwks) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&client_id)
    .bind(&app.name)
    .bind(if app.confidential { "confidential" } else { "public" })
    .bind(secret.as_deref().map(sha256_hex))
    .bind(app.redirect_uris.join("\n"))
    .bind(app.logo_url.as_deref())
    .bind(&app.terms_url)
    .bind(&app.privacy_url)
    .bind(&app.registered_by)
    .bind(now)
    .bind(app.jwks.as_deref())
    .execute(&db.write)
    .await?;
    // An app with keys is told no secret (its digest only fills the table's CHECK).
    let secret = secret.filter(|_| app.jwks.is_none());
    Ok(Registered { client_id, secret })
}

/// An enabled app by its client id.
pub async fn app_by_client_id(db: &Db, client_id: &str) -> Result<Option<AppRow>, sqlx::Error> {
    sqlx::query_as(concat!(
        "SELECT id, client_id, name, kind, secret_hash, redirect_uris, logo_url, terms_url, privacy_url, \
         registered_by, jwks FROM smart_apps WHERE client_id = $1 AND disabled_at IS NULL"
    ))
    .bind(client_id)
    .fetch_optional(&db.read)
    .await
}

/// An enabled app by its id.
pub async fn app_by_id(db: &Db, app_id: i64) -> Result<Option<AppRow>, sqlx::Error> {
    sqlx::query_as(concat!(
        "SELECT id, client_id, name, kind, secret_hash, redirect_uris, logo_url, terms_url, privacy_url, \
         registered_by, jwks FROM smart_apps WHERE id = $1 AND disabled_at IS NULL"
    ))
    .bind(app_id)
    .fetch_optional(&db.read)
    .await
}

/// Every registered app, for the admin's list.
pub async fn apps(db: &Db) -> Result<Vec<AppRow>, sqlx::Error> {
    sqlx::query_as(concat!(
        "SELECT id, client_id, name, kind, secret_hash, redirect_uris, logo_url, terms_url, privacy_url, \
         registered_by, jwks FROM smart_apps WHERE disabled_at IS NULL ORDER BY name, id"
    ))
    .fetch_all(&db.read)
    .await
}

/// An authorize request, as the consent screen needs it.
#[derive(Debug, Clone)]
pub struct NewRequest<'a> {
    pub app_id: i64,
    pub redirect_uri: &'a str,
    pub state: &'a str,
    pub scope: &'a str,
    pub code_challenge: &'a str,
    pub nonce: Option<&'a str>,
}

/// Keeps the request and returns its handle (for the consent page's address).
pub async fn save_request(db: &Db, now: i64, request: &NewRequest<'_>) -> Result<String, sqlx::Error> {
    let handle = random_token(24);
    sqlx::query(
        "INSERT INTO smart_requests (request_hash, app_id, redirect_uri, state, scope, code_challenge, nonce, \
         created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(sha256_hex(&handle))
    .bind(request.app_id)
    .bind(request.redirect_uri)
    .bind(request.state)
    .bind(request.scope)
    .bind(request.code_challenge)
    .bind(request.nonce)
    .bind(now)
    .bind(now + REQUEST_LIFETIME_MS)
    .execute(&db.write)
    .await?;
    Ok(handle)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RequestRow {
    pub id: i64,
    pub app_id: i64,
    pub redirect_uri: String,
    pub state: String,
    pub scope: String,
    pub code_challenge: String,
    pub nonce: Option<String>,
}

/// A request not yet answered nor expired.
pub async fn open_request(db: &Db, now: i64, handle: &str) -> Result<Option<RequestRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, app_id, redirect_uri, state, scope, code_challenge, nonce FROM smart_requests \
         WHERE request_hash = $1 AND answered_at IS NULL AND expires_at > $2",
    )
    .bind(sha256_hex(handle))
    .bind(now)
    .fetch_optional(&db.read)
    .await
}

/// Marks the request answered; false when another tab answered it first.
pub async fn answer_request(db: &Db, now: i64, request_id: i64) -> Result<bool, sqlx::Error> {
    let done =
        sqlx::query("UPDATE smart_requests SET answered_at = $1 WHERE id = $2 AND answered_at IS NULL")
            .bind(now)
            .bind(request_id)
            .execute(&db.write)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// What the patient allowed.
#[derive(Debug, Clone)]
pub struct NewGrant<'a> {
    pub app_id: i64,
    pub types: &'a [FhirType],
    pub scope: &'a str,
    pub offline: bool,
}

/// Records the grant on the chart the door opened, and a code for the app to exchange.
pub async fn grant_with_code(
    chart: &ChartScope,
    now: i64,
    grant: &NewGrant<'_>,
    request: &RequestRow,
) -> Result<String, sqlx::Error> {
    let db = chart.db();
    let mut tx = db.write.begin().await?;
    let (grant_id,): (i64,) = sqlx::query_as(
        "INSERT INTO smart_grants (app_id, user_id, patient_id, types, scope, offline, as_proxy, proxy_grants, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(grant.app_id)
    .bind(chart.reader_user_id())
    .bind(chart.patient_id())
    .bind(FhirType::join(grant.types))
    .bind(grant.scope)
    .bind(grant.offline as i64)
    .bind(chart.as_proxy() as i64)
    .bind(proxy_grants(chart))
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let code = random_token(32);
    sqlx::query(
        "INSERT INTO smart_codes (code_hash, grant_id, redirect_uri, code_challenge, nonce, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(sha256_hex(&code))
    .bind(grant_id)
    .bind(&request.redirect_uri)
    .bind(&request.code_challenge)
    .bind(request.nonce.as_deref())
    .bind(now + CODE_LIFETIME_MS)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(code)
}

/// The proxy grants a proxy's chart scope stands on, for storage ("12,15"); empty for
/// the patient's own.
fn proxy_grants(chart: &ChartScope) -> String {
    match chart.reader() {
        crate::access::Reader::Proxy(grant) => {
            grant.grant_ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
        }
        _ => String::new(),
    }
}

/// A grant in force, with its app, as a token or code names it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GrantRow {
    pub grant_id: i64,
    pub app_id: i64,
    pub client_id: String,
    pub app_name: String,
    pub user_id: i64,
    pub patient_id: i64,
    pub types: String,
    pub scope: String,
    pub offline: i64,
    pub as_proxy: i64,
    pub proxy_grants: String,
    pub last_used_at: Option<i64>,
}

impl GrantRow {
    pub fn types(&self) -> Vec<FhirType> {
        FhirType::parse_list(&self.types)
    }

    /// The proxy grants it was linked through.
    pub fn proxy_grant_ids(&self) -> Vec<i64> {
        self.proxy_grants.split(',').filter_map(|id| id.parse().ok()).collect()
    }
}

macro_rules! grant_select {
    () => {
        "SELECT g.id AS grant_id, g.app_id, a.client_id, a.name AS app_name, g.user_id, g.patient_id, \
         g.types, g.scope, g.offline, g.as_proxy, g.proxy_grants, g.last_used_at FROM smart_grants g \
         JOIN smart_apps a ON a.id = g.app_id "
    };
}

/// The code's grant, when the code was never used, has not expired, and its grant and app
/// are in force. A second use of a code revokes what the first gave (RFC 6749 §4.1.2).
pub enum CodeUse {
    First { grant: GrantRow, redirect_uri: String, code_challenge: String, nonce: Option<String> },
    Reused,
    Unknown,
}

#[derive(sqlx::FromRow)]
struct CodeRow {
    id: i64,
    grant_id: i64,
    redirect_uri: String,
    code_challenge: String,
    nonce: Option<String>,
    expires_at: i64,
    used_at: Option<i64>,
}

pub async fn use_code(db: &Db, now: i64, code: &str) -> Result<CodeUse, sqlx::Error> {
    let row: Option<CodeRow> = sqlx::query_as(
        "SELECT id, grant_id, redirect_uri, code_challenge, nonce, expires_at, used_at FROM smart_codes \
         WHERE code_hash = $1",
    )
    .bind(sha256_hex(code))
    .fetch_optional(&db.write)
    .await?;
    let Some(row) = row else { return Ok(CodeUse::Unknown) };
    // Taken at most once even with two exchanges at the same moment: the update decides.
    let taken = sqlx::query("UPDATE smart_codes SET used_at = $1 WHERE id = $2 AND used_at IS NULL")
        .bind(now)
        .bind(row.id)
        .execute(&db.write)
        .await?
        .rows_affected()
        == 1;
    if !taken || row.used_at.is_some() {
        revoke(db, now, row.grant_id, "code-reused").await?;
        return Ok(CodeUse::Reused);
    }
    if row.expires_at <= now {
        return Ok(CodeUse::Unknown);
    }
    match grant_in_force(db, row.grant_id).await? {
        Some(grant) => Ok(CodeUse::First {
            grant,
            redirect_uri: row.redirect_uri,
            code_challenge: row.code_challenge,
            nonce: row.nonce,
        }),
        None => Ok(CodeUse::Unknown),
    }
}

async fn grant_in_force(db: &Db, grant_id: i64) -> Result<Option<GrantRow>, sqlx::Error> {
    sqlx::query_as(concat!(
        grant_select!(),
        "WHERE g.id = $1 AND g.revoked_at IS NULL AND a.disabled_at IS NULL"
    ))
    .bind(grant_id)
    .fetch_optional(&db.read)
    .await
}

/// Tokens just issued (the only time they exist in clear).
#[derive(Debug, Clone)]
pub struct Issued {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub expires_in_s: i64,
}

pub async fn issue_tokens(db: &Db, now: i64, grant: &GrantRow) -> Result<Issued, sqlx::Error> {
    let access_token = random_token(32);
    insert_token(db, now, grant.grant_id, "access", &access_token, ACCESS_TOKEN_LIFETIME_MS).await?;
    let refresh_token = if grant.offline == 1 {
        let token = random_token(32);
        insert_token(db, now, grant.grant_id, "refresh", &token, REFRESH_TOKEN_LIFETIME_MS).await?;
        Some(token)
    } else {
        None
    };
    Ok(Issued { access_token, refresh_token, expires_in_s: ACCESS_TOKEN_LIFETIME_MS / 1000 })
}

async fn insert_token(
    db: &Db,
    now: i64,
    grant_id: i64,
    kind: &str,
    token: &str,
    lifetime_ms: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO smart_tokens (token_hash, grant_id, kind, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(sha256_hex(token))
    .bind(grant_id)
    .bind(kind)
    .bind(now)
    .bind(now + lifetime_ms)
    .execute(&db.write)
    .await?;
    Ok(())
}

/// A refresh token's use: the grant (the caller issues new tokens), or a reuse (the grant
/// is revoked: a refresh token seen twice has been copied), or nothing.
pub enum RefreshUse {
    Rotated(GrantRow),
    Reused,
    Unknown,
}

#[derive(sqlx::FromRow)]
struct TokenRow {
    id: i64,
    grant_id: i64,
    expires_at: i64,
}

pub async fn use_refresh(db: &Db, now: i64, token: &str) -> Result<RefreshUse, sqlx::Error> {
    let row: Option<TokenRow> = sqlx::query_as(
        "SELECT id, grant_id, expires_at FROM smart_tokens WHERE token_hash = $1 AND kind = 'refresh'",
    )
    .bind(sha256_hex(token))
    .fetch_optional(&db.write)
    .await?;
    let Some(row) = row else { return Ok(RefreshUse::Unknown) };
    let taken = sqlx::query("UPDATE smart_tokens SET used_at = $1 WHERE id = $2 AND used_at IS NULL")
        .bind(now)
        .bind(row.id)
        .execute(&db.write)
        .await?
        .rows_affected()
        == 1;
    if !taken {
        revoke(db, now, row.grant_id, "refresh-reused").await?;
        return Ok(RefreshUse::Reused);
    }
    if row.expires_at <= now {
        return Ok(RefreshUse::Unknown);
    }
    Ok(grant_in_force(db, row.grant_id).await?.map_or(RefreshUse::Unknown, RefreshUse::Rotated))
}

/// The grant an access token (not expired) stands for, when the grant and its app are in
/// force. Read on every API request: a revoke takes effect on the next one.
pub async fn grant_of_access_token(db: &Db, now: i64, token: &str) -> Result<Option<GrantRow>, sqlx::Error> {
    sqlx::query_as(concat!(
        grant_select!(),
        "JOIN smart_tokens t ON t.grant_id = g.id WHERE t.token_hash = $1 AND t.kind = 'access' \
         AND t.expires_at > $2 AND g.revoked_at IS NULL AND a.disabled_at IS NULL"
    ))
    .bind(sha256_hex(token))
    .bind(now)
    .fetch_optional(&db.read)
    .await
}

/// Any token (access or refresh) of a grant in force, for introspection.
pub async fn grant_of_any_token(
    db: &Db,
    now: i64,
    token: &str,
) -> Result<Option<(GrantRow, String, i64)>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        grant: GrantRow,
        kind: String,
        expires_at: i64,
    }
    let row: Option<Row> = sqlx::query_as(concat!(
        "SELECT g.id AS grant_id, g.app_id, a.client_id, a.name AS app_name, g.user_id, g.patient_id, \
         g.types, g.scope, g.offline, g.as_proxy, g.proxy_grants, g.last_used_at, t.kind, t.expires_at \
         FROM smart_grants g \
         JOIN smart_apps a ON a.id = g.app_id JOIN smart_tokens t ON t.grant_id = g.id \
         WHERE t.token_hash = $1 AND t.expires_at > $2 AND t.used_at IS NULL AND g.revoked_at IS NULL \
         AND a.disabled_at IS NULL"
    ))
    .bind(sha256_hex(token))
    .bind(now)
    .fetch_optional(&db.read)
    .await?;
    Ok(row.map(|r| (r.grant, r.kind, r.expires_at)))
}

/// Notes the grant's last use (for the linked-apps page), at most once a minute per grant
/// so a busy app does not write on every read.
pub async fn touch(db: &Db, now: i64, grant_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE smart_grants SET last_used_at = $1 WHERE id = $2 \
         AND (last_used_at IS NULL OR last_used_at < $3)",
    )
    .bind(now)
    .bind(grant_id)
    .bind(now - 60_000)
    .execute(&db.write)
    .await?;
    Ok(())
}

/// Ends a grant: its tokens stop working on their next use.
pub async fn revoke(db: &Db, now: i64, grant_id: i64, why: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE smart_grants SET revoked_at = $1, revoked_why = $2 WHERE id = $3 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(why)
    .bind(grant_id)
    .execute(&db.write)
    .await?;
    Ok(())
}

/// A grant as its user sees it on the linked-apps page.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LinkedRow {
    pub grant_id: i64,
    pub app_name: String,
    pub patient_id: i64,
    pub given_name: String,
    pub family_name: String,
    pub types: String,
    pub offline: i64,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub user_id: i64,
    pub linked_by: String,
}

macro_rules! linked_select {
    () => {
        "SELECT g.id AS grant_id, a.name AS app_name, g.patient_id, p.given_name, p.family_name, g.types, \
         g.offline, g.created_at, g.last_used_at, g.user_id, u.display_name AS linked_by FROM smart_grants g \
         JOIN smart_apps a ON a.id = g.app_id JOIN patients p ON p.id = g.patient_id \
         JOIN users u ON u.id = g.user_id WHERE g.revoked_at IS NULL "
    };
}

/// The grants in force a user gave, on any chart.
pub async fn linked_by_user(db: &Db, user_id: i64) -> Result<Vec<LinkedRow>, sqlx::Error> {
    sqlx::query_as(concat!(linked_select!(), "AND g.user_id = $1 ORDER BY g.created_at DESC, g.id DESC"))
        .bind(user_id)
        .fetch_all(&db.read)
        .await
}

/// The grants in force on a chart, whoever gave them (a patient sees the apps their
/// proxies linked to their chart, and may end them).
pub async fn linked_to_chart(chart: &ChartScope) -> Result<Vec<LinkedRow>, sqlx::Error> {
    sqlx::query_as(concat!(linked_select!(), "AND g.patient_id = $1 ORDER BY g.created_at DESC, g.id DESC"))
        .bind(chart.patient_id())
        .fetch_all(&chart.db().read)
        .await
}

/// Revokes a grant on this chart (the patient's own, whoever linked it); false when there
/// is none in force by that id.
pub async fn revoke_on_chart(chart: &ChartScope, now: i64, grant_id: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE smart_grants SET revoked_at = $1, revoked_why = 'patient' \
         WHERE id = $2 AND patient_id = $3 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(grant_id)
    .bind(chart.patient_id())
    .execute(&chart.db().write)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Revokes one of the user's own grants; false when it is not theirs or already ended.
pub async fn revoke_by_user(db: &Db, now: i64, user_id: i64, grant_id: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE smart_grants SET revoked_at = $1, revoked_why = 'patient' \
         WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(grant_id)
    .bind(user_id)
    .execute(&db.write)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Forgets what can no longer be used: requests, codes and tokens past their life. A spent
/// refresh token is kept until then: its reuse must still be recognised (and end the
/// grant). Grants stay (the audit log names them).
pub async fn prune(db: &Db, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM smart_requests WHERE expires_at <= $1").bind(now).execute(&db.write).await?;
    sqlx::query("DELETE FROM smart_codes WHERE expires_at <= $1").bind(now).execute(&db.write).await?;
    sqlx::query("DELETE FROM smart_tokens WHERE expires_at <= $1").bind(now).execute(&db.write).await?;
    sqlx::query("DELETE FROM smart_assertions WHERE expires_at <= $1").bind(now).execute(&db.write).await?;
    Ok(())
}

/// Spends a client assertion's `jti` for this app until `expires_at`: false when it was
/// already spent (a replayed assertion).
pub async fn spend_assertion(db: &Db, app_id: i64, jti: &str, expires_at: i64) -> Result<bool, sqlx::Error> {
    let spent = sqlx::query(
        "INSERT INTO smart_assertions (jti_hash, app_id, expires_at) VALUES ($1, $2, $3) \
         ON CONFLICT (jti_hash) DO NOTHING",
    )
    .bind(sha256_hex(&format!("{app_id}:{jti}")))
    .bind(app_id)
    .bind(expires_at)
    .execute(&db.write)
    .await?;
    Ok(spent.rows_affected() == 1)
}
