//! Health Summary: current medications, allergies, immunizations and health issues.
pub mod api;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod store;

use serde::{Deserialize, Serialize};

use crate::medications::Medication;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Allergy {
    pub substance: String,
    pub reaction: String,
    pub severity: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Immunization {
    pub name: String,
    pub cvx: String,
    pub given_on: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Problem {
    pub name: String,
    pub code: String,
    pub onset: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthSummary {
    pub medications: Vec<Medication>,
    pub allergies: Vec<Allergy>,
    pub immunizations: Vec<Immunization>,
    /// Active health issues.
    pub problems: Vec<Problem>,
}
