//! Patients, providers and care teams: who people are, for every capability that needs a
//! name, an MRN, a birth date or a patient's clinicians. What is *in* a chart lives with its
//! capability (visits, results…) and is reached only through `access`.
#[cfg(feature = "ssr")]
pub mod store;
