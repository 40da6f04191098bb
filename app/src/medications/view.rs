//! What a reader sees of stored medications and renewal requests: dates in the clinic's
//! zone, a renewal's status as one value. (The store holds data; formats are made here.)
use super::{
    store::{MedicationRow, QueueRow},
    Medication, Renewal, RenewalQueueRow, RenewalStatus,
};
use crate::infra::Clock;

impl MedicationRow {
    pub fn view(self, clock: &Clock) -> Medication {
        let status = match self.status.as_deref() {
            Some("approved") => RenewalStatus::Approved { refills: self.refills_granted.unwrap_or(0) },
            Some("denied") => RenewalStatus::Denied { reason: self.denial_reason.unwrap_or_default() },
            _ => RenewalStatus::Pending,
        };
        let renewal = self.renewal_id.map(|id| Renewal {
            id,
            requested_on: clock.date_of(self.requested_at.unwrap_or_default()),
            pharmacy: self.pharmacy.unwrap_or_default(),
            status,
        });
        Medication {
            id: self.id,
            name: self.name,
            dose: self.dose,
            sig: self.sig,
            prescriber: self.prescriber,
            start_date: self.start_date,
            end_date: self.end_date,
            refills_remaining: self.refills_remaining,
            renewal,
        }
    }
}

/// Every row, as the reader sees it.
pub fn medications(rows: Vec<MedicationRow>, clock: &Clock) -> Vec<Medication> {
    rows.into_iter().map(|r| r.view(clock)).collect()
}

impl QueueRow {
    pub fn view(self, clock: &Clock) -> RenewalQueueRow {
        RenewalQueueRow {
            id: self.id,
            patient: format!("{}, {}", self.family_name, self.given_name),
            mrn: self.mrn,
            medication: format!("{} {}", self.name, self.dose),
            sig: self.sig,
            refills_remaining: self.refills_remaining,
            pharmacy: self.pharmacy,
            comment: self.comment,
            requested_on: clock.date_of(self.requested_at),
            requested_by_proxy: self.proxy_name,
        }
    }
}
