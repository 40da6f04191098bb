//! What a reader sees of stored threads and messages: whom a thread is with and whether it
//! is unread (for the side reading it), times in the clinic's zone, "sent by a proxy for…".
//! The store holds data; wording and formats are made here.
use super::{
    store::{MessageRow, ProviderRow, Reading, ThreadRow},
    AttachmentInfo, MessageView, Pool, Recipient, ScheduleReason, SentFor, ThreadSummary,
};
use crate::{access::Relationship, infra::Clock, site::Contacts};

/// Whom the chart may write to: its providers, then the customer-service pools.
pub fn recipients(providers: Vec<ProviderRow>, contacts: &Contacts) -> Vec<Recipient> {
    let providers = providers.into_iter().map(|p| Recipient {
        key: format!("provider-{}", p.id),
        name: p.display_name,
        detail: format!("{} · {}", p.role.unwrap_or(p.specialty), p.department),
        pool: Pool::Care,
        office: contacts
            .phone_of(&p.department)
            .map(|phone| crate::site::DepartmentPhone { department: p.department.clone(), phone }),
    });
    let pools = [Pool::Billing, Pool::Support, Pool::Records].into_iter().map(|pool| Recipient {
        key: format!("pool-{}", pool.as_str()),
        name: String::new(),
        detail: String::new(),
        pool,
        office: None,
    });
    providers.chain(pools).collect()
}

impl ThreadRow {
    pub fn view(self, reading: Reading, clock: &Clock) -> ThreadSummary {
        let department = self.department.clone();
        let (unread, with) = match reading {
            Reading::Patient => (
                self.last_staff_message_id > self.reader_read_upto,
                self.provider_name.or(self.department).unwrap_or_default(),
            ),
            Reading::Staff => (
                self.last_patient_message_id > self.staff_read_upto,
                format!("{} {} ({})", self.given_name, self.family_name, self.mrn),
            ),
        };
        ThreadSummary {
            id: self.id,
            subject: self.subject,
            with,
            pool: Pool::parse(&self.pool).unwrap_or(Pool::Support),
            department,
            last_message_at: clock.local_date_time(self.last_message_at),
            unread,
            done: self.status == "done",
            claimed_by: self.claimed_name,
        }
    }
}

impl MessageRow {
    pub fn view(self, attachments: Vec<AttachmentInfo>, clock: &Clock) -> MessageView {
        let sent_for = self.proxy_relationship.as_deref().and_then(Relationship::parse).map(|relationship| {
            SentFor { relationship, patient: format!("{} {}", self.given_name, self.family_name) }
        });
        MessageView {
            id: self.id,
            from_patient: self.from_patient == 1,
            author: self.display_name,
            body: self.body,
            schedule_reason: self.schedule_reason.as_deref().and_then(ScheduleReason::parse),
            sent_at: clock.local_date_time(self.sent_at),
            attachments,
            sent_for,
        }
    }
}
