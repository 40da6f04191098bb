//! Personal information (issue 14, part 2): what a patient keeps up to date themself on
//! their own chart (preferred name, address, phone, emergency contact, preferred language)
//! and the demographics of USCDI, stored as their standard codes so that the FHIR API can
//! give them as they are: race and ethnicity (the OMB categories, CDC Race & Ethnicity
//! codes, several races allowed), sexual orientation and gender identity (SNOMED CT), and
//! pronouns (LOINC). Every question can be left unanswered or answered "choose not to
//! answer" (HL7 NullFlavor ASKU). Legal name and date of birth are not edited here.
pub mod api;
pub mod correction_pages;
#[cfg(feature = "ssr")]
pub mod correction_store;
pub mod corrections;
pub mod pages;
pub mod staff_api;
#[cfg(feature = "ssr")]
pub mod store;

use serde::{Deserialize, Serialize};

/// Longest preferred name, city, region, emergency contact name or relationship.
pub const TEXT_MAX_CHARS: usize = 100;
/// Longest street address.
pub const ADDRESS_MAX_CHARS: usize = 200;

/// "Asked but declined" (HL7 v3 NullFlavor ASKU): an answer, unlike an empty field.
pub const DECLINED: &str = "ASKU";

/// A coded answer: its code (what is stored) and its name in English (its words on the
/// page come from the locale, by code).
pub struct Code {
    pub code: &'static str,
    pub system: &'static str,
}

const CDC_RACE: &str = "urn:oid:2.16.840.1.113883.6.238";
const SNOMED: &str = "http://snomed.info/sct";
const LOINC: &str = "http://loinc.org";
const NULL_FLAVOR: &str = "http://terminology.hl7.org/CodeSystem/v3-NullFlavor";

const fn code(code: &'static str, system: &'static str) -> Code {
    Code { code, system }
}

/// OMB race categories (several may be chosen), then "choose not to answer".
pub const RACES: &[Code] = &[
    code("1002-5", CDC_RACE), // American Indian or Alaska Native
    code("2028-9", CDC_RACE), // Asian
    code("2054-5", CDC_RACE), // Black or African American
    code("2076-8", CDC_RACE), // Native Hawaiian or Other Pacific Islander
    code("2106-3", CDC_RACE), // White
    code(DECLINED, NULL_FLAVOR),
];

/// OMB ethnicity categories.
pub const ETHNICITIES: &[Code] = &[
    code("2135-2", CDC_RACE), // Hispanic or Latino
    code("2186-5", CDC_RACE), // Not Hispanic or Latino
    code(DECLINED, NULL_FLAVOR),
];

/// USCDI sexual orientation (SNOMED CT, with "something else", "don't know", declined).
pub const SEXUAL_ORIENTATIONS: &[Code] = &[
    code("20430005", SNOMED), // Heterosexual (straight)
    code("38628009", SNOMED), // Homosexual (lesbian or gay)
    code("42035005", SNOMED), // Bisexual
    code("OTH", NULL_FLAVOR), // Something else
    code("UNK", NULL_FLAVOR), // Don't know
    code(DECLINED, NULL_FLAVOR),
];

/// USCDI gender identity (SNOMED CT).
pub const GENDER_IDENTITIES: &[Code] = &[
    code("446151000124109", SNOMED), // Identifies as male
    code("446141000124107", SNOMED), // Identifies as female
    code("33791000087105", SNOMED),  // Identifies as non-binary
    code("OTH", NULL_FLAVOR),        // Something else
    code(DECLINED, NULL_FLAVOR),
];

/// Pronouns (LOINC answer list LL5144-2).
pub const PRONOUNS: &[Code] = &[
    code("LA29518-0", LOINC), // he/him/his
    code("LA29519-8", LOINC), // she/her/hers
    code("LA29520-6", LOINC), // they/them/their
    code("OTH", NULL_FLAVOR), // something else
    code(DECLINED, NULL_FLAVOR),
];

/// Preferred languages offered (BCP 47 tags). The interface follows when it has the
/// language (English, Spanish); staff see every choice, to arrange an interpreter.
pub const LANGUAGES: &[(&str, &str)] = &[
    ("en", "English"),
    ("es", "Español"),
    ("zh", "中文"),
    ("vi", "Tiếng Việt"),
    ("tl", "Tagalog"),
    ("ar", "العربية"),
    ("ru", "Русский"),
    ("ko", "한국어"),
    ("fr", "Français"),
    ("ht", "Kreyòl ayisyen"),
    ("pt", "Português"),
    ("so", "Soomaali"),
    ("ase", "American Sign Language"),
];

/// The system of a code in `set`, when the code is one of it.
pub fn system_of(set: &[Code], code: &str) -> Option<&'static str> {
    set.iter().find(|c| c.code == code).map(|c| c.system)
}

/// The personal information page's content: what the patient may change, and (read
/// only) their legal name and date of birth, which the clinic corrects.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonalInfo {
    pub legal_name: String,
    pub birth_date: String,
    pub preferred_name: String,
    pub address_line: String,
    pub city: String,
    pub region: String,
    pub postal_code: String,
    pub phone: String,
    pub emergency_name: String,
    pub emergency_relationship: String,
    pub emergency_phone: String,
    /// A BCP 47 tag from `LANGUAGES`, or empty.
    pub language: String,
    /// Codes from `RACES` (several, or `DECLINED` alone).
    pub races: Vec<String>,
    pub ethnicity: String,
    pub sexual_orientation: String,
    pub gender_identity: String,
    pub pronouns: String,
}
