//! What a reader sees of a stored visit: its time in the clinic's zone, and a note that
//! exists only for those allowed to read it. (The store holds data; wording and formats are
//! made here.)
use super::{
    store::{DocumentRow, VisitRow},
    VisitDocKind, VisitDocument, VisitSummary,
};
use crate::{access::Visibility, infra::Clock, site::Contacts};

impl VisitRow {
    pub fn summary(self, clock: &Clock, vis: Visibility, contacts: &Contacts) -> VisitSummary {
        let note_shown = self.note_confidential <= vis.max_flag();
        VisitSummary {
            department_phone: contacts.phone_of(&self.department),
            id: self.id,
            kind: self.kind,
            starts: clock.local_date_time(self.start_at),
            provider: self.provider,
            department: self.department,
            reason: self.reason,
            cancelled: self.status == "cancelled",
            has_summary: self.has_summary != 0,
            has_note: note_shown && self.has_note != 0,
        }
    }
}

impl DocumentRow {
    /// The document of `kind`, if it was written.
    pub fn document(
        self,
        kind: VisitDocKind,
        clock: &Clock,
        vis: Visibility,
        contacts: &Contacts,
    ) -> Option<VisitDocument> {
        let text = match kind {
            VisitDocKind::Summary => self.avs_text,
            VisitDocKind::Note => self.note_text,
        }?;
        Some(VisitDocument { visit: self.visit.summary(clock, vis, contacts), kind, text })
    }
}
