//! What HIM reads of a stored access: the time at the clinic, the patient as "Family, Given".
use super::{store::EntryRow, Entry, Reason};

impl EntryRow {
    pub fn view(self, clock: &crate::infra::Clock) -> Entry {
        Entry {
            id: self.id,
            at: clock.local_date_time(self.at),
            staff: self.staff_name,
            patient: format!("{}, {}", self.family_name, self.given_name),
            mrn: self.mrn,
            reason: Reason::parse(&self.reason).unwrap_or(Reason::Other),
            note: self.note,
            reviewed_by: self.reviewer,
        }
    }
}
