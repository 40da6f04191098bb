//! What a reader sees of stored requests, grants and audit rows: dates in the clinic's
//! zone, names put together, and what a grant allows *today* (ages from the clock). The
//! store holds data; wording and formats are made here.
use super::{
    store::{AccessRow, GrantRow, RequestRow, RestrictionRow},
    AccessEntry, Accessor, GrantView, ProxyRequest, RequestKind, RequestStatus, Restriction,
    RestrictionStatus,
};
use crate::{
    access::{grants, Relationship, Section},
    auth::Role,
    infra::Clock,
};

impl RequestRow {
    pub fn view(self, clock: &Clock) -> ProxyRequest {
        let status = RequestStatus::parse(&self.status);
        let due_on = clock.date_of(self.due_at);
        ProxyRequest {
            id: self.id,
            kind: RequestKind::parse(&self.kind).unwrap_or(RequestKind::Minor),
            requester: self.requester,
            patient_name: self.patient_name,
            birth_date: self.birth_date,
            relationship: Relationship::parse(&self.relationship).unwrap_or(Relationship::Parent),
            status,
            submitted_on: clock.date_of(self.created_at),
            overdue: status == RequestStatus::Pending && due_on < clock.today().to_string(),
            due_on,
            decided_on: self.decided_at.map(|ms| clock.date_of(ms)),
            reason: self.decision_reason,
            has_form: self.form_media_type.is_some(),
        }
    }
}

impl GrantRow {
    /// As of `now`: in force or not, and what it opens at the patient's age today.
    pub fn view(self, now: i64, clock: &Clock, teen_policy: &[Section]) -> GrantView {
        let kind = RequestKind::parse(&self.kind).unwrap_or(RequestKind::Minor);
        let sections = Section::parse_list(&self.sections);
        // A birth date that cannot be read fails closed: the grant shows as not in force.
        let now_allows = crate::dates::age_from(&self.birth_date, clock.today())
            .and_then(|age| grants::sections_at_age(kind.as_str(), &sections, age, teen_policy));
        let in_window = self.starts_at <= now && self.ends_at.is_none_or(|end| end > now);
        GrantView {
            id: self.id,
            proxy_name: self.proxy_name,
            patient_name: format!("{} {}", self.given_name, self.family_name),
            relationship: Relationship::parse(&self.relationship).unwrap_or(Relationship::Caregiver),
            kind,
            in_force: self.ended_at.is_none() && in_window && now_allows.is_some(),
            teen_view: now_allows.as_ref().is_some_and(|(_, teen)| *teen),
            sections_now: now_allows.map(|(now, _)| now).unwrap_or_default(),
            sections,
            starts_on: clock.date_of(self.starts_at),
            ends_on: self.ends_at.map(|ms| clock.date_of(ms)),
            approved_by: self.approver,
        }
    }
}

impl AccessRow {
    /// "You" is `patient_user` reading their own chart; staff by name and role; anyone else
    /// a proxy.
    pub fn view(self, patient_user: i64, clock: &Clock) -> AccessEntry {
        let name = self.display_name.unwrap_or_default();
        let role = self.role.as_deref().and_then(Role::parse);
        let who = match role {
            _ if self.action == "share-viewed" || self.action == "share-open-failed" => Accessor::ShareCode,
            _ if self.action.starts_with("guest-") => Accessor::GuestPayer,
            // A connected app's read (`access::open_app_chart`): the app, and who linked it.
            _ if self.action == "app-read" => Accessor::App {
                app: self.detail.split_once('|').map_or(self.detail.as_str(), |(app, _)| app).to_string(),
                linked_by: name,
            },
            _ if self.actor_user_id == Some(patient_user) && self.as_proxy == 0 => Accessor::You,
            Some(role) if role.is_staff() => Accessor::Staff { name, role },
            _ => Accessor::Proxy { name },
        };
        AccessEntry {
            seq: self.seq,
            at: clock.local_date_time(self.at),
            who,
            section: self.section.as_deref().and_then(Section::parse),
            action: self.action,
        }
    }
}

impl RestrictionRow {
    pub fn view(self, clock: &Clock) -> Restriction {
        let status = RestrictionStatus::parse(&self.status);
        let due_on = clock.date_of(self.due_at);
        Restriction {
            id: self.id,
            grant_id: self.grant_id,
            patient_name: format!("{} {}", self.given_name, self.family_name),
            proxy_name: self.proxy_name,
            sections: Section::parse_list(&self.sections),
            note: self.note,
            status,
            submitted_on: clock.date_of(self.created_at),
            overdue: status == RestrictionStatus::Pending && due_on < clock.today().to_string(),
            due_on,
            decided_on: self.decided_at.map(|ms| clock.date_of(ms)),
            reason: self.decision_reason,
        }
    }
}
