//! The identity-verification seam. A clinic that buys a commercial identity service (a
//! knowledge-based quiz, a document and selfie check) implements `IdentityVerifier` over
//! it and sets it in `AppState::identity`; Portico ships `chart_quiz::ChartQuiz`, which
//! asks about the matched chart.
use futures::future::BoxFuture;

use super::Question;
use crate::{error::AppError, infra::AppState};

/// The person asking for an account, as they typed it (already checked for form).
#[derive(Debug, Clone)]
pub struct Applicant {
    pub given_name: String,
    pub family_name: String,
    pub birth_date: time::Date,
    /// Upper-case, without spaces.
    pub postal_code: String,
    /// Digits only.
    pub phone: String,
    pub email: String,
}

/// The questions for the applicant, and what the verifier needs later to mark them: kept
/// with the sign-up on the server (never sent to the browser), opaque to the caller.
pub struct Challenge {
    pub questions: Vec<Question>,
    pub kept: String,
}

pub trait IdentityVerifier: Send + Sync {
    /// Questions for `applicant`. `chart` is the one record the applicant matched in this
    /// clinic, or `None` when there is none they may sign up for: the questions then must
    /// look the same and be impossible to pass, so that they do not say which it was.
    fn start<'a>(
        &'a self,
        state: &'a AppState,
        applicant: &'a Applicant,
        chart: Option<i64>,
    ) -> BoxFuture<'a, Result<Challenge, AppError>>;

    /// The chart the applicant proved to be theirs, when every answer (an index into each
    /// question's choices) was right; `None` otherwise.
    fn check<'a>(
        &'a self,
        state: &'a AppState,
        kept: &'a str,
        answers: &'a [usize],
    ) -> BoxFuture<'a, Result<Option<i64>, AppError>>;
}
