//! The signed-in person's own account, whatever their role: their password, the devices
//! signed in to it, and (notices) which e-mails they get. Nothing here reads a chart.
pub mod api;
#[cfg(feature = "ssr")]
pub mod device_words;
pub mod email_api;
pub mod email_pages;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod store;

use serde::{Deserialize, Serialize};

/// Wrong current passwords on "Change password" per account and hour: whoever holds an
/// unlocked session cannot use this form to guess the password at leisure.
pub const PASSWORD_CHANGES_PER_HOUR: i64 = 10;

#[cfg(feature = "ssr")]
pub const PASSWORD_CHANGE_LIMIT: crate::infra::throttle::Limit = crate::infra::throttle::Limit {
    scope: "password-change",
    max_failures: PASSWORD_CHANGES_PER_HOUR,
    window_ms: 60 * 60 * 1000,
};

/// The account page's summary.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccountSummary {
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    /// When the password was last set, in the clinic's time zone.
    pub password_changed: String,
}

/// The account's e-mail address and where its confirmation stands.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EmailStatus {
    pub email: Option<String>,
    pub confirmed: bool,
    /// An address a code was sent to and is waiting for (a change, or the unconfirmed one).
    pub pending: Option<String>,
}

/// One session signed in to this account.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SignedInDevice {
    pub id: i64,
    /// The browser and the system it runs on, in words ("Chrome", "Android"); empty when
    /// the browser did not say.
    pub browser: String,
    pub system: String,
    pub address: String,
    pub started: String,
    pub last_active: String,
    /// The session of the page showing the list.
    pub this_one: bool,
}
