//! What a connected app may read, in the two vocabularies that meet at the consent screen:
//! FHIR resource types (what the app asks for, in its scopes) and the portal's sections
//! (what a proxy grant covers, and what the patient reads as "Your lab results").
use serde::{Deserialize, Serialize};

use crate::access::Section;

/// The FHIR R4 resource types the patient-access API serves (US Core 6.1's for a patient).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum FhirType {
    Patient,
    Observation,
    DiagnosticReport,
    AllergyIntolerance,
    MedicationRequest,
    Immunization,
    Condition,
    Encounter,
    DocumentReference,
    Practitioner,
}

impl FhirType {
    pub const ALL: [FhirType; 10] = [
        FhirType::Patient,
        FhirType::Observation,
        FhirType::DiagnosticReport,
        FhirType::AllergyIntolerance,
        FhirType::MedicationRequest,
        FhirType::Immunization,
        FhirType::Condition,
        FhirType::Encounter,
        FhirType::DocumentReference,
        FhirType::Practitioner,
    ];

    pub fn name(self) -> &'static str {
        match self {
            FhirType::Patient => "Patient",
            FhirType::Observation => "Observation",
            FhirType::DiagnosticReport => "DiagnosticReport",
            FhirType::AllergyIntolerance => "AllergyIntolerance",
            FhirType::MedicationRequest => "MedicationRequest",
            FhirType::Immunization => "Immunization",
            FhirType::Condition => "Condition",
            FhirType::Encounter => "Encounter",
            FhirType::DocumentReference => "DocumentReference",
            FhirType::Practitioner => "Practitioner",
        }
    }

    pub fn parse(name: &str) -> Option<FhirType> {
        FhirType::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The kind of data the patient ticks for this type on the consent screen.
    pub fn kind(self) -> DataKind {
        match self {
            FhirType::Patient | FhirType::Practitioner => DataKind::Basics,
            FhirType::Observation | FhirType::DiagnosticReport => DataKind::LabResults,
            FhirType::AllergyIntolerance | FhirType::Condition | FhirType::Immunization => {
                DataKind::HealthSummary
            }
            FhirType::MedicationRequest => DataKind::Medications,
            FhirType::Encounter => DataKind::Visits,
            FhirType::DocumentReference => DataKind::Documents,
        }
    }

    /// Joins a list for storage ("Observation,Patient").
    pub fn join(types: &[FhirType]) -> String {
        types.iter().map(|t| t.name()).collect::<Vec<_>>().join(",")
    }

    /// Reads a stored list; unknown names are dropped (never widened).
    pub fn parse_list(stored: &str) -> Vec<FhirType> {
        stored.split(',').filter_map(FhirType::parse).collect()
    }
}

/// One line of the consent screen: a kind of data in plain words, the unit a patient
/// grants or unticks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum DataKind {
    /// Name, birth date, sex, contact (Patient) and the names of the clinicians in the
    /// record (Practitioner).
    Basics,
    LabResults,
    Medications,
    /// Allergies, health issues and immunizations.
    HealthSummary,
    Visits,
    Documents,
}

impl DataKind {
    pub const ALL: [DataKind; 6] = [
        DataKind::Basics,
        DataKind::LabResults,
        DataKind::Medications,
        DataKind::HealthSummary,
        DataKind::Visits,
        DataKind::Documents,
    ];

    /// The portal section a reader must hold on the chart for this kind (a proxy whose
    /// grant lacks it cannot pass it on to an app). Basics need only the chart itself.
    pub fn section(self) -> Section {
        match self {
            DataKind::Basics => Section::Home,
            DataKind::LabResults => Section::Results,
            DataKind::Medications => Section::Medications,
            DataKind::HealthSummary => Section::HealthSummary,
            DataKind::Visits => Section::Visits,
            DataKind::Documents => Section::Documents,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DataKind::Basics => "basics",
            DataKind::LabResults => "lab-results",
            DataKind::Medications => "medications",
            DataKind::HealthSummary => "health-summary",
            DataKind::Visits => "visits",
            DataKind::Documents => "documents",
        }
    }

    pub fn parse(s: &str) -> Option<DataKind> {
        DataKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The FHIR types this kind covers.
    pub fn types(self) -> Vec<FhirType> {
        FhirType::ALL.into_iter().filter(|t| t.kind() == self).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_belongs_to_one_kind_and_names_round_trip() {
        for t in FhirType::ALL {
            assert_eq!(FhirType::parse(t.name()), Some(t));
            assert!(t.kind().types().contains(&t));
        }
        let covered: usize = DataKind::ALL.iter().map(|k| k.types().len()).sum();
        assert_eq!(covered, FhirType::ALL.len());
        assert_eq!(
            FhirType::parse_list("Observation,Nope,Patient"),
            vec![FhirType::Observation, FhirType::Patient]
        );
    }
}
