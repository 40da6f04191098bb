//! What a reader sees of stored results: dates in the clinic's zone, values and ranges as
//! text, flags as one value. The store holds data; wording and formats are made here.
use super::{
    format_range, format_value,
    store::{ComponentRow, QueueRow, ReportRow, SummaryRow},
    Component, Flag, ResultDetail, ResultSummary, StaffResultRow,
};
use crate::infra::Clock;

impl SummaryRow {
    pub fn view(self, clock: &Clock) -> ResultSummary {
        ResultSummary {
            id: self.id,
            name: self.name,
            collected_on: clock.date_of(self.collected_at),
            is_new: self.patient_seen_at.is_none(),
            abnormal: self.abnormal != 0,
        }
    }
}

impl ReportRow {
    pub fn view(self, components: Vec<Component>, clock: &Clock) -> ResultDetail {
        ResultDetail {
            id: self.id,
            name: self.name,
            collected_on: clock.date_of(self.collected_at),
            released_on: clock.date_of(self.released_at.unwrap_or_default()),
            ordered_by: self.ordered_by,
            awaiting_review: self.reviewed_at.is_none(),
            from_hospital_or_emergency: self.hospital != 0,
            components,
        }
    }
}

impl ComponentRow {
    pub fn view(self) -> Component {
        Component {
            value: self.value_num.map(format_value).or(self.value_text).unwrap_or_default(),
            range: format_range(self.ref_low, self.ref_high, self.ref_text.as_deref()),
            flag: self.flag.as_deref().and_then(Flag::parse),
            has_trend: self.value_num.is_some() && self.has_trend != 0,
            loinc: self.loinc,
            name: self.name,
            unit: self.unit,
        }
    }
}

impl QueueRow {
    pub fn view(self, clock: &Clock) -> StaffResultRow {
        StaffResultRow {
            id: self.id,
            patient: format!("{}, {}", self.family_name, self.given_name),
            mrn: self.mrn,
            name: self.name,
            collected_on: clock.date_of(self.collected_at),
            released: self.released_at.is_some(),
            held_reason: self.held_reason,
            reviewed: self.reviewed_at.is_some(),
        }
    }
}
