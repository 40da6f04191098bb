//! THE authorization rule, and the only two doors to a chart.
//!
//! - Patients and proxies: `access::require(Section, what)` returns a [`ChartScope`]:
//!   session → user → the chart the session has open (their own, or one they hold a proxy
//!   grant to, checked again on every request) → the section. The chart is never taken from
//!   an argument. Every patient-side store function takes `&ChartScope`, which only this
//!   module can make, looks every id up *within* its chart, shows a proxy nothing marked
//!   confidential; `require` has already written the audit row.
//! - Staff: `access::staff(Need)` returns a [`StaffAccess`]; its methods are the only way
//!   staff code reaches a patient's data (`open_chart` gives a `ChartScope` for one chart,
//!   `show` releases rows of many patients' charts), and each writes the audit row on the
//!   patient's own chart.
//!
//! `server/tests/integration/source_rules.rs` fails the build when a server function reaches
//! a store without one of the doors, or a store read takes a bare patient id.
pub mod api;
#[cfg(feature = "ssr")]
mod app_token;
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
    /// The document center: visit records, documents on file, forms.
    Documents,
    /// The guarantor accounts this chart's person pays for (not the chart's own record:
    /// an account may cover other patients).
    Billing,
    /// Who may see the chart, and who has: the patient's own, never a proxy's.
    Sharing,
}

impl Section {
    /// Every section a proxy grant can cover ("all", by default).
    pub const GRANTABLE: [Section; 9] = [
        Section::Home,
        Section::Visits,
        Section::Results,
        Section::Medications,
        Section::HealthSummary,
        Section::Reminders,
        Section::Messages,
        Section::Documents,
        Section::Billing,
    ];

    /// A narrower teen policy some states require: no medication list (where much of what
    /// a teen may consent to alone shows first). The document center stays: its visit
    /// records hold what Visits shows, and a proxy never gets what is confidential. The default policy is every section, as
    /// the seed says ("full access … except information that has been restricted"); items a
    /// clinician marked confidential are hidden from every proxy, at any age, either way.
    pub const TEEN_VIEW_WITHOUT_MEDICATIONS: [Section; 8] = [
        Section::Home,
        Section::Visits,
        Section::Results,
        Section::HealthSummary,
        Section::Reminders,
        Section::Messages,
        Section::Documents,
        Section::Billing,
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
            Section::Documents => "documents",
            Section::Billing => "billing",
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

    /// A clinic's list of sections ("home,visits,…"); an unknown or non-grantable name is
    /// refused (a typo must not quietly widen or narrow what parents see).
    pub fn parse_policy(s: &str) -> Result<Vec<Section>, String> {
        let mut list = Vec::new();
        for name in s.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let section = Section::parse(name)
                .filter(|s| Section::GRANTABLE.contains(s))
                .ok_or_else(|| format!("{name:?} is not one of {}", Section::join(&Section::GRANTABLE)))?;
            if !list.contains(&section) {
                list.push(section);
            }
        }
        Ok(Section::GRANTABLE.into_iter().filter(|s| list.contains(s)).collect())
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
mod guest;
#[cfg(feature = "ssr")]
mod job;
#[cfg(feature = "ssr")]
pub mod reach;
#[cfg(feature = "ssr")]
mod scope;
#[cfg(feature = "ssr")]
mod shared;
#[cfg(feature = "ssr")]
mod shared_link;
#[cfg(feature = "ssr")]
mod staff;
#[cfg(feature = "ssr")]
pub use app_token::*;
#[cfg(feature = "ssr")]
pub use guest::*;
#[cfg(feature = "ssr")]
pub use job::*;
#[cfg(feature = "ssr")]
pub use scope::*;
#[cfg(feature = "ssr")]
pub use shared::*;
#[cfg(feature = "ssr")]
pub use shared_link::*;
#[cfg(feature = "ssr")]
pub use staff::*;

/// The signed-in person, as the browser sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub username: String,
    pub display_name: String,
    pub role: crate::auth::Role,
    /// The name on the chart being viewed (the patient's own, for now).
    pub chart_name: Option<String>,
    pub idle_minutes: u32,
    /// The charts a patient or proxy may open, and the one open now (None for staff).
    pub charts: Option<Charts>,
}
