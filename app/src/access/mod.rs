//! THE authorization rule. Every server function that touches a chart starts with
//! `access::require(Section::…)`: session → user → active chart (→ grant, with proxy
//! access). The chart is never taken from an argument; the store then looks every id up
//! *within* `chart.patient_id`; and `require` writes the audit row, so no chart is read
//! without a trace.
use serde::{Deserialize, Serialize};

/// The parts of a chart, as audited (and, with proxy access, as granted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Section {
    Home,
    Visits,
    Results,
    Medications,
    HealthSummary,
    Reminders,
    Messages,
}

impl Section {
    pub fn as_str(self) -> &'static str {
        match self {
            Section::Home => "home",
            Section::Visits => "visits",
            Section::Results => "results",
            Section::Medications => "medications",
            Section::HealthSummary => "health-summary",
            Section::Reminders => "reminders",
            Section::Messages => "messages",
        }
    }
}

#[cfg(feature = "ssr")]
pub use server::*;

#[cfg(feature = "ssr")]
mod server {
    use super::Section;
    use crate::{
        auth::{session, Role},
        error::AppError,
        infra::{
            audit::{self, AuditEvent},
            state, AppState,
        },
    };

    /// Whose chart a request may read, and who is reading it.
    #[derive(Clone)]
    pub struct Chart {
        pub patient_id: i64,
        pub reader_user_id: i64,
        pub as_proxy: bool,
        pub state: AppState,
    }

    impl Chart {
        /// Records a change made in this chart (a request, a message…).
        pub async fn audit_write(
            &self,
            section: Section,
            action: &str,
            detail: &str,
        ) -> Result<(), AppError> {
            audit_chart(&self.state, self, section, action, detail).await
        }
    }

    /// The active chart of the signed-in person, for `section`; audit-logged as a read.
    /// `what` names the function for the log ("results.list").
    pub async fn require(section: Section, what: &str) -> Result<Chart, AppError> {
        let state = state()?;
        let session = session::current(&state).await?;
        // Until proxy access arrives, the active chart is the patient's own. Staff read
        // charts through their own functions (require_staff), never through this one.
        let patient_id =
            session.patient_id.filter(|_| session.role == Role::Patient).ok_or(AppError::Forbidden)?;
        let chart = Chart { patient_id, reader_user_id: session.user_id, as_proxy: false, state };
        audit_chart(&chart.state, &chart, section, "chart-read", what).await?;
        Ok(chart)
    }

    async fn audit_chart(
        state: &AppState,
        chart: &Chart,
        section: Section,
        action: &str,
        detail: &str,
    ) -> Result<(), AppError> {
        let who = (chart.reader_user_id, chart.as_proxy);
        audit_access(state, who, chart.patient_id, section, action, detail).await
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
