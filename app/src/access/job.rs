//! The door for Portico's own background work: one chart read with no person behind the
//! request (the daily reminder notices), audited as the system's read of that chart, with
//! no actor and no client address.
use super::{Reader, Section, Visibility};
use crate::{
    access::ChartScope,
    error::AppError,
    infra::{
        audit::{self, AuditEvent},
        AppState,
    },
};

/// Opens `patient_id`'s chart for a job that sees what `visibility` allows (a job that
/// mails proxies must read as a proxy does). `what` names the job in the audit log.
pub async fn open_for_job(
    state: &AppState,
    patient_id: i64,
    visibility: Visibility,
    section: Section,
    what: &str,
) -> Result<ChartScope, AppError> {
    let event = AuditEvent {
        actor_user_id: None,
        action: "chart-read",
        patient_id: Some(patient_id),
        section: Some(section.as_str()),
        // Read as a proxy reads (nothing confidential): the log says so.
        as_proxy: visibility == Visibility::NotConfidential,
        client_addr: None,
        detail: what,
    };
    audit::append(&state.db, state.clock.now_ms(), event).await?;
    // No reader id: a job's scope is for reading; nothing written through it names a user.
    Ok(ChartScope::new(patient_id, 0, "Portico".to_owned(), Reader::Job(visibility), state.clone()))
}
