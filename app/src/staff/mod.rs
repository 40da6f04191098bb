//! Staff tools: find a patient, issue an activation code and give it to them: read out,
//! e-mailed as an enrollment link, or printed as a letter.
pub mod api;
#[cfg(feature = "ssr")]
pub mod letter;
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
    pub patient_id: i64,
    pub patient_name: String,
    /// Shown once; only its hash is kept.
    pub code: String,
    /// YYYY-MM-DD, the clinic's date.
    pub expires_on: String,
    /// The chart's e-mail address, masked ("j•••@example.org"), when it has one: where an
    /// enrollment link can be sent.
    pub email_hint: Option<String>,
}
