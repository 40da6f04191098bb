//! The staff door. Staff are not bound to one chart, so a patient (or an object that names
//! one) is an argument of their functions; what keeps that safe is that the argument can
//! only be turned into data through `StaffAccess`, whose methods write the audit row on
//! that patient's own chart.
use super::{
    scope::{audit_access, ChartScope, Reader, Visibility},
    Section,
};
use crate::{
    auth::{session, Role},
    error::AppError,
    infra::{
        audit::{self, AuditEvent},
        state, AppState, Db,
    },
    problem::Problem,
};

/// What a staff function needs of the signed-in member's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Enter, release and review results; decide renewals; mark items confidential.
    Clinician,
    /// Health Information Management: proxy requests and grants.
    Him,
    /// A messaging inbox: clinicians (their care team) and the customer-service pools.
    AnswersMessages,
    /// Find patients and hand out activation codes (front desk, clinic, phone support).
    IssuesCodes,
    /// Post a document to a chart (a discharge summary, an operative report, a letter):
    /// HIM, and clinicians (within their patients, `open_chart`'s reach).
    PostsDocuments,
    /// The billing office: guarantor accounts, their ledgers, adjustments and refunds.
    Billing,
    /// The portal's administrators: registering health apps (connected apps).
    Admin,
}

impl Need {
    pub fn admits(self, role: Role) -> bool {
        match self {
            Need::Clinician => role.is_clinician(),
            Need::Him => role == Role::Him,
            Need::AnswersMessages => role.answers_messages(),
            Need::IssuesCodes => role.may_issue_activation_codes(),
            Need::PostsDocuments => role == Role::Him || role.is_clinician(),
            Need::Billing => role == Role::Billing,
            Need::Admin => role == Role::Admin,
        }
    }
}

/// A signed-in staff member whose role meets a `Need`.
pub struct StaffAccess {
    user_id: i64,
    session_id: i64,
    name: String,
    role: Role,
    state: AppState,
}

/// The signed-in staff member, if their role meets `need`; refused otherwise.
pub async fn staff(need: Need) -> Result<StaffAccess, AppError> {
    let state = state()?;
    let session = session::current(&state).await?;
    if !session.role.is_staff() || !need.admits(session.role) {
        return Err(AppError::Forbidden);
    }
    Ok(StaffAccess {
        user_id: session.user_id,
        session_id: session.id,
        name: session.display_name,
        role: session.role,
        state,
    })
}

/// Rows from several patients' charts, fetched for a staff view and not yet shown: the
/// only way to the rows is `StaffAccess::show`, which logs each patient on their chart.
/// Each row carries the chart it comes from (`None`: it names no chart yet, e.g. a proxy
/// request not matched to one).
#[must_use = "rows reach staff only through StaffAccess::show, which audits them"]
pub struct Unseen<T> {
    rows: Vec<(Option<i64>, T)>,
}

impl<T> Unseen<T> {
    pub fn new(rows: Vec<(Option<i64>, T)>) -> Self {
        Unseen { rows }
    }

    /// The distinct charts the rows come from, in first-seen order.
    fn patients(&self) -> Vec<i64> {
        let mut seen = Vec::new();
        for id in self.rows.iter().filter_map(|(id, _)| *id) {
            if !seen.contains(&id) {
                seen.push(id);
            }
        }
        seen
    }
}

impl StaffAccess {
    pub fn user_id(&self) -> i64 {
        self.user_id
    }

    pub fn role(&self) -> Role {
        self.role
    }

    /// The session: a clinician's break-the-glass access lasts for it.
    pub fn session_id(&self) -> i64 {
        self.session_id
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// For the staff-side queries that find which chart an object belongs to (a report,
    /// a thread, a grant): they return a patient id, which means nothing until
    /// `open_chart` turns it into a scope.
    pub fn db(&self) -> &Db {
        &self.state.db
    }

    /// One patient's chart, for `section`: audited as a read of that chart ("chart-read",
    /// `what` naming the function). Staff see confidential items. A clinician reaches only
    /// the patients they care for (`reach`), or one they broke the glass for this session;
    /// otherwise the answer asks for a reason (`access.break_glass_required`).
    pub async fn open_chart(
        &self,
        patient_id: i64,
        section: Section,
        what: &str,
    ) -> Result<ChartScope, AppError> {
        if self.role == Role::Clinician {
            let (db, now) = (&self.state.db, self.state.clock.now_ms());
            if !super::reach::clinician_may_open(db, self.user_id, self.session_id, patient_id, now).await? {
                return Err(AppError::invalid("patient", Problem::AccessBreakGlassRequired));
            }
        }
        let chart = self.scope(patient_id);
        chart.audit_write(section, "chart-read", what).await?;
        Ok(chart)
    }

    /// `open_chart`, reading no more than `reader_user_id` may see of the chart now: all of
    /// it for the patient's own account; for a proxy, what their grant shows today (its
    /// sections, at the patient's age, nothing confidential). None when that reader may no
    /// longer open the chart at all. For what staff make for that reader (a requested copy).
    pub async fn open_chart_for(
        &self,
        patient_id: i64,
        reader_user_id: i64,
        section: Section,
        what: &str,
    ) -> Result<Option<ChartScope>, AppError> {
        let (db, clock) = (&self.state.db, &self.state.clock);
        let own = crate::auth::store::patient_of_user(db, reader_user_id).await? == Some(patient_id);
        let (visibility, sections) = if own {
            (Visibility::Everything, Section::GRANTABLE.to_vec())
        } else {
            let policy = &self.state.config.org.teen_proxy_sections;
            let granted = super::grants::in_force(
                db,
                reader_user_id,
                Some(patient_id),
                clock.now_ms(),
                clock.today(),
                policy,
            )
            .await?;
            match granted.into_iter().next() {
                Some(grant) => (Visibility::NotConfidential, grant.sections),
                None => return Ok(None),
            }
        };
        let chart = self.open_chart(patient_id, section, what).await?;
        let reader = Reader::StaffFor(self.role, visibility, sections);
        Ok(Some(ChartScope::new(
            chart.patient_id(),
            self.user_id,
            self.name.clone(),
            reader,
            self.state.clone(),
        )))
    }

    fn scope(&self, patient_id: i64) -> ChartScope {
        let reader = Reader::Staff(self.role);
        ChartScope::new(patient_id, self.user_id, self.name.clone(), reader, self.state.clone())
    }

    /// Releases a staff view's rows: one audit row per patient shown, on that patient's
    /// chart, all in one transaction (not one per field, not one per row).
    pub async fn show<T>(&self, unseen: Unseen<T>, section: Section, what: &str) -> Result<Vec<T>, AppError> {
        let addr = crate::infra::client_addr();
        let patients = unseen.patients();
        let events: Vec<AuditEvent<'_>> = patients
            .iter()
            .map(|id| AuditEvent {
                actor_user_id: Some(self.user_id),
                action: "chart-read",
                patient_id: Some(*id),
                section: Some(section.as_str()),
                as_proxy: false,
                client_addr: Some(&addr),
                detail: what,
            })
            .collect();
        audit::append_all(&self.state.db, self.state.clock.now_ms(), &events).await?;
        Ok(unseen.rows.into_iter().map(|(_, row)| row).collect())
    }

    /// Records a staff event that concerns no one chart (a request denied before it was
    /// matched to a chart).
    pub async fn audit_event(&self, action: &str, detail: &str) -> Result<(), AppError> {
        audit::user_event(&self.state.db, self.state.clock.now_ms(), self.user_id, action, detail).await?;
        Ok(())
    }

    /// Records a staff event on one chart without reading it (an activation code issued).
    pub async fn audit_on(
        &self,
        patient_id: i64,
        section: Section,
        action: &str,
        detail: &str,
    ) -> Result<(), AppError> {
        audit_access(&self.state, (self.user_id, false), patient_id, section, action, detail).await
    }
}
