//! The one error type every server function returns.
//!
//! Variants say what a person can act on. Internal failures are logged with detail on the
//! server and reach the browser only as `Unavailable`, so no SQL or stack text ever leaks.
use serde::{Deserialize, Serialize};
use server_fn::error::ServerFnErrorErr;
use server_fn::{codec::JsonEncoding, error::FromServerFnError};

use crate::problem::Problem;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("You are not signed in.")]
    NotSignedIn,
    /// The session ended because of inactivity; `minutes` is the limit that applied.
    #[error("You were signed out after {minutes} minutes of inactivity.")]
    IdleTimeout { minutes: u32 },
    #[error("You do not have access to this.")]
    Forbidden,
    /// The chart this session had open is no longer shared with this person (a grant
    /// ended or expired); the session is back on their own chart.
    #[error("Your access to this chart has ended.")]
    AccessEnded,
    #[error("Not found.")]
    NotFound,
    /// Bad input: shown next to `field` (see `problem.rs`).
    #[error("{field}: {problem}")]
    Invalid { field: String, problem: Problem },
    #[error("Too many attempts. Try again in {retry_after_secs} seconds.")]
    TooManyAttempts { retry_after_secs: u64 },
    #[error("This request was refused because it did not come from Portico.")]
    CrossSite,
    #[error("Portico is unavailable right now. Please try again shortly.")]
    Unavailable,
    /// More work is waiting than the server takes on (e.g. the password-hashing queue is
    /// full): refused at once, to be tried again after `retry_after_secs`.
    #[error("Portico is busy. Please try again in a few seconds.")]
    Busy { retry_after_secs: u64 },
}

impl AppError {
    pub fn invalid(field: &str, problem: Problem) -> Self {
        AppError::Invalid { field: field.to_owned(), problem }
    }

    /// The problem with `field`, when this error belongs next to that field.
    pub fn field_problem(&self, field: &str) -> Option<Problem> {
        match self {
            AppError::Invalid { field: f, problem } if f == field => Some(*problem),
            _ => None,
        }
    }

    pub fn status_code(&self) -> u16 {
        match self {
            AppError::NotSignedIn | AppError::IdleTimeout { .. } => 401,
            AppError::Forbidden | AppError::AccessEnded | AppError::CrossSite => 403,
            AppError::NotFound => 404,
            AppError::Invalid { .. } => 422,
            AppError::TooManyAttempts { .. } => 429,
            AppError::Unavailable | AppError::Busy { .. } => 503,
        }
    }

    /// What the `Retry-After` header of this error's answer says, when it says anything.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            AppError::TooManyAttempts { retry_after_secs } | AppError::Busy { retry_after_secs } => {
                Some(*retry_after_secs)
            }
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // Malformed arguments are the caller's fault, not an outage.
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => {
                AppError::invalid("form", Problem::BadRequest)
            }
            _ => AppError::Unavailable,
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        tracing::error!(error = %err, "database error");
        AppError::Unavailable
    }
}
