//! Identity: activation-code enrollment, sign-in (a password, two-step sign-in, passkeys),
//! sessions, sign-out, password reset.
pub mod api;
#[cfg(feature = "ssr")]
pub mod current_password;
#[cfg(feature = "ssr")]
pub mod device;
#[cfg(feature = "ssr")]
pub mod email_code;
#[cfg(feature = "ssr")]
pub mod mail_text;
#[cfg(feature = "ssr")]
pub mod new_login;
pub mod pages;
pub mod passkeys;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod security_mail;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod strength;
pub mod two_step;
pub mod two_step_pages;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    Patient,
    Clinician,
    Him,
    Billing,
    Support,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Patient => "patient",
            Role::Clinician => "clinician",
            Role::Him => "him",
            Role::Billing => "billing",
            Role::Support => "support",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        [Role::Patient, Role::Clinician, Role::Him, Role::Billing, Role::Support, Role::Admin]
            .into_iter()
            .find(|r| r.as_str() == s)
    }

    pub fn is_staff(self) -> bool {
        self != Role::Patient
    }

    /// Clinicians enter, release and review results and decide renewals.
    pub fn is_clinician(self) -> bool {
        self == Role::Clinician
    }

    /// Staff with a messaging inbox: clinicians (their care team) and the customer-service
    /// pools (billing, technical support, medical records).
    pub fn answers_messages(self) -> bool {
        matches!(self, Role::Clinician | Role::Billing | Role::Support | Role::Him)
    }

    /// Staff who hand out activation codes at the front desk, in clinic or on the phone.
    pub fn may_issue_activation_codes(self) -> bool {
        matches!(self, Role::Clinician | Role::Him | Role::Support | Role::Admin)
    }
}

/// What the first enrollment step tells a person whose code and birth date matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollPreview {
    pub given_name: String,
}

/// A role as stored (`users.role`); one this build does not know is an error, never a default.
impl TryFrom<String> for Role {
    type Error = String;
    fn try_from(stored: String) -> Result<Role, String> {
        Role::parse(&stored).ok_or_else(|| format!("unknown role {stored:?}"))
    }
}
