//! Staff tools. For now: find a patient and issue an activation code.
pub mod api;
pub mod pages;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatientMatch {
    pub id: i64,
    pub mrn: String,
    pub name: String,
    pub birth_date: String,
    pub enrolled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedCodeView {
    pub patient_name: String,
    /// Shown once; only its hash is kept.
    pub code: String,
    /// YYYY-MM-DD (UTC).
    pub expires_on: String,
}
