//! Sign up without an activation code (issue 14, part 1), for patients 18 and older.
//!
//! 1. The applicant gives their legal name, date of birth, postal code, phone and e-mail.
//!    The clinic looks for exactly one chart with that name and birth date and one more
//!    matching fact (the postal code or the phone).
//! 2. An identity verifier (`verifier::IdentityVerifier`, the seam where a clinic plugs a
//!    commercial identity service) asks three multiple-choice questions. The built-in one
//!    (`chart_quiz`) builds them from the matched chart with decoys from other records;
//!    when no chart matched, the chart already has an account, or it was quizzed too often
//!    today, it asks decoy questions nobody can pass. So neither the questions nor the
//!    answer say whether a chart matched.
//! 3. All three right: the applicant chooses a username and a password; the account opens
//!    that chart, and its e-mail address is confirmed with a mailed code
//!    (`auth::email_code`). Anything else: one answer, "call us", with the clinic's number.
pub mod api;
#[cfg(feature = "ssr")]
pub mod chart_quiz;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod verifier;

use serde::{Deserialize, Serialize};

/// Online sign-up is for adults; a younger patient's parent or guardian asks for proxy
/// access, and a teenager gets an activation code from the clinic.
pub const MIN_SIGN_UP_AGE: i32 = crate::dates::ADULT_AGE;
/// Questions asked, each with `CHOICES` answers, one of them right.
pub const QUESTIONS: usize = 3;
pub const CHOICES: usize = 4;
/// How long a sign-up may take from the first form to the new account.
pub const SIGN_UP_TTL_MS: i64 = 30 * crate::dates::MINUTE_MS;
/// Step 1 answers no sooner than this (it takes well under it on a busy server), so its
/// timing says nothing about whether a chart matched.
pub const START_ANSWER_FLOOR_MS: u64 = 400;
pub const NAME_MAX_CHARS: usize = 100;
pub const POSTAL_CODE_MAX_CHARS: usize = 10;
/// A phone number's digits (E.164 allows 15).
pub const PHONE_MIN_DIGITS: usize = 7;
pub const PHONE_MAX_DIGITS: usize = 15;

/// What a question asks about; the page words it in the reader's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum QuestionKind {
    /// "In which month of {year} did you have a visit with us?" Choices are month numbers.
    VisitMonth { year: i32 },
    /// "Which of these providers have you seen?"
    Provider,
    /// "Which of these medications has been prescribed for you?"
    Medication,
    /// "Which of these vaccines have you had?"
    Immunization,
}

impl QuestionKind {
    /// A stable name for the page (and the tests) to tell the questions apart.
    pub fn slug(self) -> &'static str {
        match self {
            QuestionKind::VisitMonth { .. } => "visit-month",
            QuestionKind::Provider => "provider",
            QuestionKind::Medication => "medication",
            QuestionKind::Immunization => "immunization",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub kind: QuestionKind,
    pub choices: Vec<String>,
}

/// Step 1's answer: the questions, and the token that names this sign-up in the next
/// steps (held by the page, never in a URL).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quiz {
    pub token: String,
    pub questions: Vec<Question>,
}

/// Step 2's answer when every answer was right.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verified {
    pub given_name: String,
}

/// A postal code as compared: upper-case, no spaces; letters, digits and one dash, 3 to
/// `POSTAL_CODE_MAX_CHARS` long (US ZIP, ZIP+4, Canadian, UK…).
pub fn normalize_postal_code(input: &str) -> Option<String> {
    let code: String = input.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
    let ok = (3..=POSTAL_CODE_MAX_CHARS).contains(&code.chars().count())
        && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    ok.then_some(code)
}

/// A phone number as compared: its digits only (a leading US "1" dropped), as typed with
/// any spaces, dashes, dots or brackets.
pub fn normalize_phone(input: &str) -> Option<String> {
    if !input.chars().all(|c| c.is_ascii_digit() || " -.()+".contains(c)) {
        return None;
    }
    let digits: String = input.chars().filter(char::is_ascii_digit).collect();
    let digits = match digits.strip_prefix('1') {
        Some(rest) if rest.len() == 10 => rest.to_owned(),
        _ => digits,
    };
    (PHONE_MIN_DIGITS..=PHONE_MAX_DIGITS).contains(&digits.len()).then_some(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postal_codes_and_phones_read_as_typed() {
        assert_eq!(normalize_postal_code(" 97201 ").as_deref(), Some("97201"));
        assert_eq!(normalize_postal_code("k1a 0b1").as_deref(), Some("K1A0B1"));
        assert_eq!(normalize_postal_code("97201-1234").as_deref(), Some("97201-1234"));
        assert_eq!(normalize_postal_code("12"), None);
        assert_eq!(normalize_postal_code("97201-12345"), None);
        assert_eq!(normalize_postal_code("972#1"), None);
        assert_eq!(normalize_phone("(503) 555-0142").as_deref(), Some("5035550142"));
        assert_eq!(normalize_phone("+1 503.555.0142").as_deref(), Some("5035550142"));
        assert_eq!(normalize_phone("555-01"), None);
        assert_eq!(normalize_phone("503-555-0142 ext 2"), None);
        assert_eq!(normalize_phone("1234567890123456"), None);
    }
}
