//! The patient-side door: the chart a request may read, as a type only this module makes.
use super::{grants, ChartChoice, Charts, Relationship, Section, CHART_COLOURS};
use crate::{
    auth::{session, Role},
    error::AppError,
    infra::{
        audit::{self, AuditEvent},
        state, AppState, Db,
    },
};

/// What a reader may see of the items a clinician marked confidential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// The patient themself, and staff.
    Everything,
    /// Every proxy, whatever the grant.
    NotConfidential,
}

impl Visibility {
    /// For SQL: an item is shown when its `confidential` flag (0 or 1) is at most this.
    pub fn max_flag(self) -> i64 {
        match self {
            Visibility::Everything => 1,
            Visibility::NotConfidential => 0,
        }
    }
}

/// How the reader is related to the chart they have open.
#[derive(Debug, Clone)]
pub enum Reader {
    Patient,
    Proxy(grants::InForce),
    /// A staff member, through `StaffAccess::open_chart` (audited there).
    Staff(Role),
    /// A staff member making something for another reader, seeing no more than that reader
    /// may see now (HIM making a requested copy: a proxy's holds nothing confidential and
    /// only the sections their grant shows today), through `StaffAccess::open_chart_for`
    /// (audited there).
    StaffFor(Role, Visibility, Vec<Section>),
    /// Portico's own background work (`access::open_for_job`, audited there), seeing what
    /// the people it works for may see: a job that mails proxies reads as a proxy does.
    Job(Visibility),
    /// A clinician elsewhere with a share code (`access::open_shared`, audited there): no
    /// account; the share's sections at the sharer's visibility.
    Share(Visibility, Vec<Section>),
    /// A connected app with an access token (`access::open_app_chart`, audited there):
    /// reads only, the granted types, as the user who linked it may today.
    App(super::AppReader),
}

/// One chart, and who is reading it. The fields are private and the constructors live in
/// `access`: a store function that takes `&ChartScope` cannot be reached for a chart the
/// reader was not let into, and the read is already in the audit log.
#[derive(Clone)]
pub struct ChartScope {
    patient_id: i64,
    reader_user_id: i64,
    reader_name: String,
    reader: Reader,
    state: AppState,
}

impl ChartScope {
    pub(super) fn new(
        patient_id: i64,
        reader_user_id: i64,
        reader_name: String,
        reader: Reader,
        state: AppState,
    ) -> Self {
        ChartScope { patient_id, reader_user_id, reader_name, reader, state }
    }

    /// The chart: every query of a store function is bounded by it.
    pub fn patient_id(&self) -> i64 {
        self.patient_id
    }

    pub fn reader_user_id(&self) -> i64 {
        self.reader_user_id
    }

    /// The reader's name, as shown to the care team (a proxy's own name on their message).
    pub fn reader_name(&self) -> &str {
        &self.reader_name
    }

    pub fn reader(&self) -> &Reader {
        &self.reader
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    pub fn db(&self) -> &Db {
        &self.state.db
    }

    pub fn as_proxy(&self) -> bool {
        match &self.reader {
            Reader::Proxy(_) => true,
            Reader::App(app) => app.as_proxy,
            _ => false,
        }
    }

    pub fn visibility(&self) -> Visibility {
        match self.reader {
            Reader::Patient | Reader::Staff(_) => Visibility::Everything,
            Reader::Proxy(_) => Visibility::NotConfidential,
            Reader::Job(visibility) | Reader::StaffFor(_, visibility, _) | Reader::Share(visibility, _) => {
                visibility
            }
            Reader::App(ref app) => app.visibility,
        }
    }

    /// Whether this reader may open `section` of the chart (a proxy: if granted).
    pub fn may(&self, section: Section) -> bool {
        match &self.reader {
            Reader::Patient | Reader::Staff(_) | Reader::Job(_) => true,
            Reader::Proxy(grant) => grant.sections.contains(&section),
            Reader::StaffFor(_, _, sections) | Reader::Share(_, sections) => sections.contains(&section),
            Reader::App(app) => app.sections.contains(&section),
        }
    }

    /// The proxy's relationship, when a proxy is reading.
    pub fn relationship(&self) -> Option<Relationship> {
        match &self.reader {
            Reader::Patient
            | Reader::Staff(_)
            | Reader::StaffFor(..)
            | Reader::Job(_)
            | Reader::Share(..)
            | Reader::App(_) => None,
            Reader::Proxy(grant) => Some(grant.relationship),
        }
    }

    /// Records a change made in this chart (a request, a message, a result released…).
    pub async fn audit_write(&self, section: Section, action: &str, detail: &str) -> Result<(), AppError> {
        // A share's reader has no account and writes nothing (its reads are audited by the
        // share door itself).
        // An app reads only.
        if matches!(self.reader, Reader::Share(..) | Reader::App(_)) {
            return Err(AppError::Forbidden);
        }
        let who = (self.reader_user_id, self.as_proxy());
        audit_access(&self.state, who, self.patient_id, section, action, detail).await
    }
}

/// The chart the signed-in person has open, for `section`; audit-logged as a read.
/// `what` names the function for the log ("results.list").
pub async fn require(section: Section, what: &str) -> Result<ChartScope, AppError> {
    let account = account().await?;
    let chart = account.open_chart().await?;
    if !chart.may(section) {
        return Err(AppError::Forbidden);
    }
    chart.audit_write(section, "chart-read", what).await?;
    Ok(chart)
}

/// Anyone signed in, staff too: the door for what belongs to the login itself (its
/// password, the devices signed in to it, the e-mails it gets), never to a chart. It
/// holds the session, so the account acted on is always the caller's own.
pub struct SignedIn {
    session: session::Session,
    state: AppState,
}

pub async fn signed_in() -> Result<SignedIn, AppError> {
    let state = state()?;
    let session = session::current(&state).await?;
    Ok(SignedIn { session, state })
}

impl SignedIn {
    pub fn user_id(&self) -> i64 {
        self.session.user_id
    }

    /// The session making this request.
    pub fn session_id(&self) -> i64 {
        self.session.id
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Records an event of the login (a password changed, a device signed out).
    pub async fn audit_event(&self, action: &str, detail: &str) -> Result<(), AppError> {
        audit::user_event(&self.state.db, self.state.clock.now_ms(), self.session.user_id, action, detail)
            .await?;
        Ok(())
    }
}

/// The signed-in patient or proxy (not staff): the door for what belongs to the account
/// rather than to the chart it has open (the switcher, requests for access, Sharing).
pub struct Account {
    session: session::Session,
    state: AppState,
}

pub async fn account() -> Result<Account, AppError> {
    let state = state()?;
    let session = session::current(&state).await?;
    if session.role != Role::Patient {
        // Staff read charts through `access::staff`, never through a patient's door.
        return Err(AppError::Forbidden);
    }
    Ok(Account { session, state })
}

impl Account {
    pub fn user_id(&self) -> i64 {
        self.session.user_id
    }

    /// The user's own chart, if they are a patient (a caregiver's account has none).
    pub fn own_patient_id(&self) -> Option<i64> {
        self.session.patient_id
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    pub fn db(&self) -> &Db {
        &self.state.db
    }

    /// The user's own chart, whichever chart the session has open, for what only the
    /// patient decides or sees: who may see the chart, and who has. Audited as a read.
    pub async fn own_chart(&self, what: &str) -> Result<ChartScope, AppError> {
        let own = self.session.patient_id.ok_or(AppError::Forbidden)?;
        let chart = self.scope(own, Reader::Patient);
        chart.audit_write(Section::Sharing, "chart-read", what).await?;
        Ok(chart)
    }

    /// Opens `patient_id` (the user's own, or one granted now) for linking an app to it,
    /// without making it the session's open chart. Nothing is read through it: the link
    /// itself is audited once made (`ChartScope::audit_write`).
    pub async fn chart_to_link(&self, patient_id: i64) -> Result<ChartScope, AppError> {
        let reader = if self.session.patient_id == Some(patient_id) {
            Reader::Patient
        } else {
            let grant =
                self.in_force(Some(patient_id)).await?.into_iter().next().ok_or(AppError::NotFound)?;
            Reader::Proxy(grant)
        };
        Ok(self.scope(patient_id, reader))
    }

    fn scope(&self, patient_id: i64, reader: Reader) -> ChartScope {
        let name = self.session.display_name.clone();
        ChartScope::new(patient_id, self.session.user_id, name, reader, self.state.clone())
    }

    /// Records an event of the account that concerns one chart (a grant ended by its proxy).
    pub async fn audit_on(
        &self,
        patient_id: i64,
        as_proxy: bool,
        section: Section,
        action: &str,
        detail: &str,
    ) -> Result<(), AppError> {
        audit_access(&self.state, (self.session.user_id, as_proxy), patient_id, section, action, detail).await
    }

    /// Records an event of the account that concerns no chart yet (a request for access).
    pub async fn audit_event(&self, action: &str, detail: &str) -> Result<(), AppError> {
        audit::user_event(&self.state.db, self.state.clock.now_ms(), self.session.user_id, action, detail)
            .await?;
        Ok(())
    }

    /// Resolves the session's open chart, checking the grant again: a grant ended since
    /// the last request closes the chart now (the session goes back to the user's own, and
    /// the error says why).
    async fn open_chart(&self) -> Result<ChartScope, AppError> {
        let (state, session) = (&self.state, &self.session);
        let wanted = session.active_patient_id.filter(|id| Some(*id) != session.patient_id);
        let Some(wanted) = wanted else {
            return match session.patient_id {
                Some(own) => Ok(self.scope(own, Reader::Patient)),
                // An account with no chart of its own (a caregiver) opens its first grant,
                // and keeps it open in the session: when that grant ends, the next request
                // is told so (AccessEnded) rather than quietly opening another chart.
                None => {
                    let granted = self.in_force(None).await?;
                    let first = granted.into_iter().next().ok_or(AppError::Forbidden)?;
                    session::set_active_chart(state, session.id, Some(first.patient_id)).await?;
                    Ok(self.scope(first.patient_id, Reader::Proxy(first)))
                }
            };
        };
        match self.in_force(Some(wanted)).await?.into_iter().next() {
            Some(grant) => Ok(self.scope(wanted, Reader::Proxy(grant))),
            None => {
                session::set_active_chart(state, session.id, None).await?;
                audit_access(state, (session.user_id, true), wanted, Section::Home, "proxy-access-ended", "")
                    .await?;
                Err(AppError::AccessEnded)
            }
        }
    }

    async fn in_force(&self, patient_id: Option<i64>) -> Result<Vec<grants::InForce>, AppError> {
        let (db, clock) = (&self.state.db, &self.state.clock);
        let policy = &self.state.config.org.teen_proxy_sections;
        Ok(grants::in_force(db, self.session.user_id, patient_id, clock.now_ms(), clock.today(), policy)
            .await?)
    }

    /// The charts for the header's switcher: the user's own (if any) and each one granted now.
    pub async fn charts(&self) -> Result<Charts, AppError> {
        let (active, access_ended) = match self.open_chart().await {
            Ok(chart) => (Some(chart.patient_id), false),
            Err(AppError::AccessEnded) => (self.session.patient_id, true),
            Err(AppError::Forbidden) => (None, false),
            Err(e) => return Err(e),
        };
        let mut choices = Vec::new();
        if let Some(own) = self.session.patient_id {
            let name = crate::patients::store::patient_by_id(&self.state.db, own)
                .await?
                .map(|p| format!("{} {}", p.given_name, p.family_name))
                .unwrap_or_else(|| self.session.display_name.clone());
            choices.push(ChartChoice {
                patient_id: own,
                name,
                relationship: None,
                colour: colour_of(own),
                sections: Section::GRANTABLE.to_vec(),
            });
        }
        for grant in self.in_force(None).await? {
            choices.push(ChartChoice {
                patient_id: grant.patient_id,
                name: grant.patient_name,
                relationship: Some(grant.relationship),
                colour: colour_of(grant.patient_id),
                sections: grant.sections,
            });
        }
        Ok(Charts { choices, active, access_ended })
    }

    /// Opens `patient_id` (the user's own, or one granted now) for the rest of the session.
    pub async fn switch_chart(&mut self, patient_id: i64) -> Result<(), AppError> {
        let own = self.session.patient_id == Some(patient_id);
        if !own && self.in_force(Some(patient_id)).await?.is_empty() {
            return Err(AppError::NotFound);
        }
        let active = (!own).then_some(patient_id);
        session::set_active_chart(&self.state, self.session.id, active).await?;
        self.session.active_patient_id = active;
        let who = (self.session.user_id, !own);
        audit_access(&self.state, who, patient_id, Section::Home, "chart-switch", "").await
    }
}

/// The charts of a session, for `current_user` (which answers staff too: no charts).
pub async fn charts_of(state: &AppState, session: &session::Session) -> Result<Charts, AppError> {
    if session.role != Role::Patient {
        return Ok(Charts { choices: Vec::new(), active: None, access_ended: false });
    }
    Account { session: session.clone(), state: state.clone() }.charts().await
}

/// A chart's colour follows the chart, not its place in the list, so it does not
/// change when another grant starts or ends.
fn colour_of(patient_id: i64) -> u8 {
    (patient_id.rem_euclid(i64::from(CHART_COLOURS))) as u8
}

/// One audit row for an access to (or change of) `patient_id`'s chart by `who`
/// (user id, acting as a proxy or not).
pub(super) async fn audit_access(
    state: &AppState,
    (user_id, as_proxy): (i64, bool),
    patient_id: i64,
    section: Section,
    action: &str,
    detail: &str,
) -> Result<(), AppError> {
    let addr = crate::infra::client_addr();
    let event = AuditEvent {
        actor_user_id: Some(user_id),
        action,
        patient_id: Some(patient_id),
        section: Some(section.as_str()),
        as_proxy,
        client_addr: Some(&addr),
        detail,
    };
    audit::append(&state.db, state.clock.now_ms(), event).await?;
    Ok(())
}
