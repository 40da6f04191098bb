//! THE authorization rule. Every server function that touches a chart starts with
//! `access::require(Section::…)`: session → user → the chart the session has open (their
//! own, or one they hold a proxy grant to, checked again on every request) → the section.
//! The chart is never taken from an argument; the store then looks every id up *within*
//! `chart.patient_id`, shows a proxy nothing marked confidential, and `require` writes the
//! audit row, so no chart is read without a trace.
#[cfg(feature = "ssr")]
pub mod grants;

use serde::{Deserialize, Serialize};

/// The parts of a chart, as audited and as granted to a proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Section {
    Home,
    Visits,
    Results,
    Medications,
    HealthSummary,
    Reminders,
    Messages,
    /// Who may see the chart, and who has: the patient's own, never a proxy's.
    Sharing,
}

impl Section {
    /// Every section a proxy grant can cover ("all", by default).
    pub const GRANTABLE: [Section; 7] = [
        Section::Home,
        Section::Visits,
        Section::Results,
        Section::Medications,
        Section::HealthSummary,
        Section::Reminders,
        Section::Messages,
    ];

    /// What a parent keeps once their child turns 13: appointments, results, the health
    /// summary, reminders and messages with the care team; not the medication list (where
    /// much of what a teen may consent to alone shows first). Items a clinician marked
    /// confidential are hidden from every proxy, at any age.
    pub const TEEN_VIEW: [Section; 6] = [
        Section::Home,
        Section::Visits,
        Section::Results,
        Section::HealthSummary,
        Section::Reminders,
        Section::Messages,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Section::Home => "home",
            Section::Visits => "visits",
            Section::Results => "results",
            Section::Medications => "medications",
            Section::HealthSummary => "health-summary",
            Section::Reminders => "reminders",
            Section::Messages => "messages",
            Section::Sharing => "sharing",
        }
    }

    pub fn parse(s: &str) -> Option<Section> {
        Section::GRANTABLE.into_iter().chain([Section::Sharing]).find(|x| x.as_str() == s)
    }

    /// Sections as stored in a grant: "home,visits,…" (unknown names are dropped).
    /// In menu order, whatever order they were stored in.
    pub fn parse_list(s: &str) -> Vec<Section> {
        let named: Vec<&str> = s.split(',').map(str::trim).collect();
        Section::GRANTABLE.into_iter().filter(|x| named.contains(&x.as_str())).collect()
    }

    pub fn join(list: &[Section]) -> String {
        list.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(",")
    }
}

/// How a proxy is related to the patient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Relationship {
    Parent,
    LegalGuardian,
    Caregiver,
    HealthcareAgent,
    Spouse,
    AdultChild,
}

impl Relationship {
    pub const ALL: [Relationship; 6] = [
        Relationship::Parent,
        Relationship::LegalGuardian,
        Relationship::Caregiver,
        Relationship::HealthcareAgent,
        Relationship::Spouse,
        Relationship::AdultChild,
    ];
    /// Who may ask for a minor's chart.
    pub const FOR_MINORS: [Relationship; 2] = [Relationship::Parent, Relationship::LegalGuardian];

    pub fn as_str(self) -> &'static str {
        match self {
            Relationship::Parent => "parent",
            Relationship::LegalGuardian => "legal-guardian",
            Relationship::Caregiver => "caregiver",
            Relationship::HealthcareAgent => "healthcare-agent",
            Relationship::Spouse => "spouse",
            Relationship::AdultChild => "adult-child",
        }
    }

    pub fn parse(s: &str) -> Option<Relationship> {
        Relationship::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// One chart in the header's switcher.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChartChoice {
    pub patient_id: i64,
    pub name: String,
    /// `None`: the user's own chart.
    pub relationship: Option<Relationship>,
    /// Index into the switcher's palette (style/): the same chart keeps its colour.
    pub colour: u8,
    /// What the user may open in it (every section, for their own chart).
    pub sections: Vec<Section>,
}

/// The charts a signed-in patient or proxy may open, and the one open now.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Charts {
    pub choices: Vec<ChartChoice>,
    pub active: Option<i64>,
    /// Set when the chart the session had open was closed since the last request (a grant
    /// ended): the page says so once.
    pub access_ended: bool,
}

impl Charts {
    pub fn active_choice(&self) -> Option<&ChartChoice> {
        self.choices.iter().find(|c| Some(c.patient_id) == self.active)
    }
}

/// The number of colours in the switcher's palette (`.chart-colour-N` in style/).
pub const CHART_COLOURS: u8 = 6;

#[cfg(feature = "ssr")]
pub use server::*;

#[cfg(feature = "ssr")]
mod server {
    use super::{grants, ChartChoice, Charts, Relationship, Section, CHART_COLOURS};
    use crate::{
        auth::{session, Role},
        error::AppError,
        infra::{
            audit::{self, AuditEvent},
            state, AppState,
        },
    };

    /// What a reader may see of the items a clinician marked confidential.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Visibility {
        /// The patient themself (and staff, through their own functions).
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
    }

    /// Whose chart a request may read, and who is reading it.
    #[derive(Clone)]
    pub struct Chart {
        pub patient_id: i64,
        pub reader_user_id: i64,
        pub reader_name: String,
        pub reader: Reader,
        pub state: AppState,
    }

    impl Chart {
        pub fn as_proxy(&self) -> bool {
            matches!(self.reader, Reader::Proxy(_))
        }

        pub fn visibility(&self) -> Visibility {
            match self.reader {
                Reader::Patient => Visibility::Everything,
                Reader::Proxy(_) => Visibility::NotConfidential,
            }
        }

        /// Whether this reader may open `section` of the chart (a proxy: if granted).
        pub fn may(&self, section: Section) -> bool {
            match &self.reader {
                Reader::Patient => true,
                Reader::Proxy(grant) => grant.sections.contains(&section),
            }
        }

        /// The proxy's relationship, when a proxy is reading.
        pub fn relationship(&self) -> Option<Relationship> {
            match &self.reader {
                Reader::Patient => None,
                Reader::Proxy(grant) => Some(grant.relationship),
            }
        }

        /// Records a change made in this chart (a request, a message…).
        pub async fn audit_write(
            &self,
            section: Section,
            action: &str,
            detail: &str,
        ) -> Result<(), AppError> {
            let who = (self.reader_user_id, self.as_proxy());
            audit_access(&self.state, who, self.patient_id, section, action, detail).await
        }
    }

    /// The chart the signed-in person has open, for `section`; audit-logged as a read.
    /// `what` names the function for the log ("results.list").
    pub async fn require(section: Section, what: &str) -> Result<Chart, AppError> {
        let state = state()?;
        let session = session::current(&state).await?;
        let chart = open_chart(&state, &session).await?;
        if !chart.may(section) {
            return Err(AppError::Forbidden);
        }
        chart.audit_write(section, "chart-read", what).await?;
        Ok(chart)
    }

    /// The signed-in patient's own chart, whichever chart the session has open, for what
    /// only the patient decides or sees: who may see the chart, and who has.
    pub async fn own_chart(what: &str) -> Result<(Chart, session::Session), AppError> {
        let state = state()?;
        let session = session::current(&state).await?;
        let own = session.patient_id.filter(|_| session.role == Role::Patient).ok_or(AppError::Forbidden)?;
        let chart = Chart {
            patient_id: own,
            reader_user_id: session.user_id,
            reader_name: session.display_name.clone(),
            reader: Reader::Patient,
            state,
        };
        chart.audit_write(Section::Sharing, "chart-read", what).await?;
        Ok((chart, session))
    }

    /// Resolves the session's open chart, checking the grant again: a grant ended since
    /// the last request closes the chart now (the session goes back to the user's own, and
    /// the error says why).
    pub async fn open_chart(state: &AppState, session: &session::Session) -> Result<Chart, AppError> {
        if session.role != Role::Patient {
            // Staff read charts through their own functions (require_staff), never this one.
            return Err(AppError::Forbidden);
        }
        let reader = |patient_id, reader| Chart {
            patient_id,
            reader_user_id: session.user_id,
            reader_name: session.display_name.clone(),
            reader,
            state: state.clone(),
        };
        let wanted = session.active_patient_id.filter(|id| Some(*id) != session.patient_id);
        let Some(wanted) = wanted else {
            return match session.patient_id {
                Some(own) => Ok(reader(own, Reader::Patient)),
                // An account with no chart of its own (a caregiver) opens its first grant,
                // and keeps it open in the session: when that grant ends, the next request
                // is told so (AccessEnded) rather than quietly opening another chart.
                None => {
                    let granted = in_force(state, session.user_id, None).await?;
                    let first = granted.into_iter().next().ok_or(AppError::Forbidden)?;
                    session::set_active_chart(state, session.id, Some(first.patient_id)).await?;
                    Ok(reader(first.patient_id, Reader::Proxy(first)))
                }
            };
        };
        match in_force(state, session.user_id, Some(wanted)).await?.into_iter().next() {
            Some(grant) => Ok(reader(wanted, Reader::Proxy(grant))),
            None => {
                session::set_active_chart(state, session.id, None).await?;
                audit_access(state, (session.user_id, true), wanted, Section::Home, "proxy-access-ended", "")
                    .await?;
                Err(AppError::AccessEnded)
            }
        }
    }

    async fn in_force(
        state: &AppState,
        user_id: i64,
        patient_id: Option<i64>,
    ) -> Result<Vec<grants::InForce>, AppError> {
        let now = state.clock.now_ms();
        Ok(grants::in_force(&state.db, user_id, patient_id, now, state.clock.today()).await?)
    }

    /// The charts for the header's switcher: the user's own (if any) and each one granted now.
    pub async fn charts(state: &AppState, session: &session::Session) -> Result<Charts, AppError> {
        if session.role != Role::Patient {
            return Ok(Charts { choices: Vec::new(), active: None, access_ended: false });
        }
        let (active, access_ended) = match open_chart(state, session).await {
            Ok(chart) => (Some(chart.patient_id), false),
            Err(AppError::AccessEnded) => (session.patient_id, true),
            Err(AppError::Forbidden) => (None, false),
            Err(e) => return Err(e),
        };
        let mut choices = Vec::new();
        if let Some(own) = session.patient_id {
            let name = crate::auth::store::patient_by_id(&state.db, own)
                .await?
                .map(|p| format!("{} {}", p.given_name, p.family_name))
                .unwrap_or_else(|| session.display_name.clone());
            choices.push(ChartChoice {
                patient_id: own,
                name,
                relationship: None,
                colour: colour_of(own),
                sections: Section::GRANTABLE.to_vec(),
            });
        }
        for grant in in_force(state, session.user_id, None).await? {
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

    /// A chart's colour follows the chart, not its place in the list, so it does not
    /// change when another grant starts or ends.
    fn colour_of(patient_id: i64) -> u8 {
        (patient_id.rem_euclid(i64::from(CHART_COLOURS))) as u8
    }

    /// Opens `patient_id` (the user's own, or one granted now) for the rest of the session.
    pub async fn switch_chart(
        state: &AppState,
        session: &session::Session,
        patient_id: i64,
    ) -> Result<(), AppError> {
        if session.role != Role::Patient {
            return Err(AppError::Forbidden);
        }
        let own = session.patient_id == Some(patient_id);
        if !own && in_force(state, session.user_id, Some(patient_id)).await?.is_empty() {
            return Err(AppError::NotFound);
        }
        session::set_active_chart(state, session.id, (!own).then_some(patient_id)).await?;
        let who = (session.user_id, !own);
        audit_access(state, who, patient_id, Section::Home, "chart-switch", "").await
    }

    /// One audit row for an access to (or change of) `patient_id`'s chart by `who`
    /// (user id, acting as a proxy or not).
    async fn audit_access(
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

    /// A staff member allowed by `allowed` (their role); refused otherwise.
    pub async fn require_staff(allowed: fn(Role) -> bool) -> Result<(AppState, session::Session), AppError> {
        let state = state()?;
        let session = session::current(&state).await?;
        if !allowed(session.role) {
            return Err(AppError::Forbidden);
        }
        Ok((state, session))
    }

    /// Records a staff member's access to or change of a patient's chart.
    pub async fn audit_staff(
        state: &AppState,
        staff: &session::Session,
        patient_id: i64,
        section: Section,
        action: &str,
        detail: &str,
    ) -> Result<(), AppError> {
        audit_access(state, (staff.user_id, false), patient_id, section, action, detail).await
    }
}
