//! The door for connected apps (issue 18): an OAuth access token in place of a session.
//! The token names a grant (app, user, chart, FHIR types); the rules are the portal's own:
//! a proxy's token reads no more than the proxy grant allows today and nothing
//! confidential, and stops the moment that grant ends. Every read is audited under the
//! user who linked the app, naming the app, so "Who has seen my record" shows it.
use super::{grants, Reader, Section, Visibility};
use crate::{
    access::ChartScope,
    connected_apps::{kinds::FhirType, store},
    infra::{
        audit::{self, AuditEvent},
        AppState,
    },
};

/// Who reads through an app: the app, and what its grant allows today.
#[derive(Debug, Clone)]
pub struct AppReader {
    pub grant_id: i64,
    pub client_id: String,
    pub app_name: String,
    pub as_proxy: bool,
    pub visibility: Visibility,
    /// The portal sections the granted types fall in, narrowed by a proxy's grant.
    pub sections: Vec<Section>,
    pub types: Vec<FhirType>,
}

/// Why a token does not open the chart: FHIR answers 401 for the first, 403 for the second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenRefusal {
    /// No token, an unknown or expired one, a revoked grant or app, a proxy grant ended.
    NotValid,
    /// A good token that was not granted this type.
    NotGranted,
    Unavailable,
}

impl From<sqlx::Error> for TokenRefusal {
    fn from(e: sqlx::Error) -> Self {
        tracing::error!(error = %e, "app token check failed");
        TokenRefusal::Unavailable
    }
}

/// Opens the chart a bearer token was granted, for reading `wanted`; `what` and the
/// client's address go into the audit row.
pub async fn open_app_chart(
    state: &AppState,
    bearer: &str,
    wanted: FhirType,
    client_addr: &str,
    what: &str,
) -> Result<ChartScope, TokenRefusal> {
    let now = state.clock.now_ms();
    let grant = store::grant_of_access_token(&state.db, now, bearer).await?.ok_or(TokenRefusal::NotValid)?;
    let types = grant.types();
    let reader_sections = match sections_today(state, &grant).await? {
        Some(sections) => sections,
        None => {
            // The proxy grant ended (or the account is no longer the patient's): the app's
            // grant ends with it, whatever the token's age.
            store::revoke(&state.db, now, grant.grant_id, "access-ended").await?;
            return Err(TokenRefusal::NotValid);
        }
    };
    let section = wanted.kind().section();
    if !types.contains(&wanted) || !reader_sections.contains(&section) {
        return Err(TokenRefusal::NotGranted);
    }
    let sections: Vec<Section> =
        reader_sections.into_iter().filter(|s| types.iter().any(|t| t.kind().section() == *s)).collect();
    let as_proxy = grant.as_proxy == 1;
    let detail = format!("{}|{what}", grant.app_name);
    let event = AuditEvent {
        actor_user_id: Some(grant.user_id),
        action: "app-read",
        patient_id: Some(grant.patient_id),
        section: Some(section.as_str()),
        as_proxy,
        client_addr: Some(client_addr),
        detail: &detail,
    };
    audit::append(&state.db, now, event).await.map_err(|_| TokenRefusal::Unavailable)?;
    // "Last used" is kept to the minute: the grant row already read says whether it is due,
    // so a busy app's reads do not each queue an update on the writer.
    if grant.last_used_at.is_none_or(|at| at < now - 60_000) {
        store::touch(&state.db, now, grant.grant_id).await?;
    }
    let reader = AppReader {
        grant_id: grant.grant_id,
        client_id: grant.client_id,
        app_name: grant.app_name.clone(),
        as_proxy,
        visibility: if as_proxy { Visibility::NotConfidential } else { Visibility::Everything },
        sections,
        types,
    };
    Ok(ChartScope::new(grant.patient_id, grant.user_id, grant.app_name, Reader::App(reader), state.clone()))
}

/// Whether an app's grant still stands on the access it was linked through (for a refresh
/// or an introspection, which read no chart); when not, it is revoked now.
pub async fn app_grant_stands(state: &AppState, grant: &store::GrantRow) -> Result<bool, sqlx::Error> {
    if sections_today(state, grant).await?.is_some() {
        return Ok(true);
    }
    store::revoke(&state.db, state.clock.now_ms(), grant.grant_id, "access-ended").await?;
    Ok(false)
}

/// The sections the grant's user may read of its chart today: every one for their own
/// chart, for a proxy those of the proxy grants the app was linked through (one of them
/// still in force); None when they no longer may.
async fn sections_today(
    state: &AppState,
    grant: &store::GrantRow,
) -> Result<Option<Vec<Section>>, sqlx::Error> {
    if grant.as_proxy == 0 {
        let own = crate::auth::store::patient_of_user(&state.db, grant.user_id).await?;
        return Ok((own == Some(grant.patient_id)).then(|| Section::GRANTABLE.to_vec()));
    }
    let (clock, policy) = (&state.clock, &state.config.org.teen_proxy_sections);
    let in_force = grants::in_force(
        &state.db,
        grant.user_id,
        Some(grant.patient_id),
        clock.now_ms(),
        clock.today(),
        policy,
    )
    .await?;
    let linked_through = grant.proxy_grant_ids();
    Ok(in_force
        .into_iter()
        .next()
        .filter(|g| g.grant_ids.iter().any(|id| linked_through.contains(id)))
        .map(|g| g.sections))
}
