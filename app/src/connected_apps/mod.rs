//! Connected apps (issue 18): health apps a patient links to their chart through SMART on
//! FHIR. An admin registers an app (`portico admin register-app`); the app sends the
//! patient to `/oauth/authorize`; the patient signs in, sees the consent screen
//! (`/connect`) and allows some or all of what the app asks; the app exchanges the code
//! for tokens at `/oauth/token` and reads `/fhir/r4/…` with them, through the door
//! `access::open_app_chart`. "Linked apps" in the account menu lists and revokes them.
use serde::{Deserialize, Serialize};

use crate::access::Relationship;

pub mod admin_api;
pub mod admin_pages;
pub mod api;
pub mod kinds;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod client_assertion;
#[cfg(feature = "ssr")]
pub mod fhir;
#[cfg(feature = "ssr")]
pub mod fhir_documents;
#[cfg(feature = "ssr")]
pub mod fhir_store;
#[cfg(feature = "ssr")]
pub mod id_token;
#[cfg(feature = "ssr")]
pub mod oauth;
#[cfg(feature = "ssr")]
pub mod pkce;
#[cfg(feature = "ssr")]
pub mod registry;
#[cfg(feature = "ssr")]
pub mod scopes;
#[cfg(feature = "ssr")]
pub mod store;

use kinds::DataKind;

/// The consent screen.
pub const CONSENT_PATH: &str = "/connect";
/// A registered app's limits (the form's and `registry::check`'s).
pub const APP_NAME_MAX_CHARS: usize = 100;
pub const URL_MAX_CHARS: usize = 500;
pub const REDIRECT_URIS_MAX: usize = 10;

/// The administrators' page of registered apps.
pub const ADMIN_PATH: &str = "/staff/apps";
/// The account page listing linked apps.
pub const LINKED_APPS_PATH: &str = "/account/apps";
/// The FHIR API's base, the `aud` an app must name.
pub const FHIR_BASE_PATH: &str = "/fhir/r4";
/// The cookie that carries an authorize request through sign-in to the consent screen.
pub const CONSENT_COOKIE: &str = "portico_connect";
/// The page that sends the browser back to the app with the answer. The consent form
/// posts to our own origin and lands here (a form's redirect to another site is blocked by
/// the page's `form-action 'self'`); this page then moves on to the app.
pub const CONSENT_DONE_PATH: &str = "/connect/done";
/// The answer's address, from the consent form to `CONSENT_DONE_PATH` (a minute).
pub const CONSENT_DONE_COOKIE: &str = "portico_connect_done";

/// What the consent screen shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConsentView {
    /// Which request this screen answers: the form sends it back, and an answer for
    /// another request (one started since in another tab) is refused.
    pub request_id: i64,
    pub app_name: String,
    /// Where the answer goes (the app's redirect URI's host).
    pub app_host: String,
    pub registered_by: String,
    pub logo_url: Option<String>,
    pub terms_url: String,
    pub privacy_url: String,
    /// What the app asks for, in plain words (each un-tickable).
    pub kinds: Vec<DataKind>,
    /// With `offline_access`: until the patient revokes it; otherwise one hour.
    pub until_revoked: bool,
    /// With `openid`: the app is told who allowed it (an ID token), not only the data.
    pub learns_who_you_are: bool,
    /// The charts this user may link: their own and those they hold a grant for that
    /// covers at least one of the kinds asked.
    pub charts: Vec<ConsentChart>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConsentChart {
    pub patient_id: i64,
    pub name: String,
    /// None for the user's own chart.
    pub relationship: Option<Relationship>,
    /// Which of the asked kinds this user may pass on for this chart.
    pub kinds: Vec<DataKind>,
}

/// One line of "Linked apps".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkedApp {
    pub grant_id: i64,
    pub app_name: String,
    /// Who linked it, when not this login (a proxy, on the patient's own chart).
    pub linked_by: Option<String>,
    pub chart_name: String,
    pub own_chart: bool,
    pub kinds: Vec<DataKind>,
    pub until_revoked: bool,
    /// Local date and time, as the clock shows them.
    pub linked: String,
    pub last_used: Option<String>,
}
