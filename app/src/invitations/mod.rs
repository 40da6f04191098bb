//! Accounts for caregivers who are not patients (issue 14, part 4). An adult patient
//! invites someone from Sharing ("Invite someone to see my chart": name, e-mail,
//! relationship, sections, end date); the person gets an e-mail with a one-time link
//! (single use, 14 days). Opening it, they create an account with no chart of its own (the
//! link confirms their address) or, signed in already, accept; either way the grant the
//! invitation describes is made, and the chart appears in their switcher.
pub mod api;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod store;

use serde::{Deserialize, Serialize};

use crate::access::{Relationship, Section};

/// How long an invitation link works.
pub const INVITATION_TTL_MS: i64 = 14 * crate::dates::DAY_MS;
/// Invitations one patient may send a day (each is an e-mail to an address they typed).
pub const INVITATIONS_PER_DAY: i64 = 5;

#[cfg(feature = "ssr")]
pub const INVITATIONS_LIMIT: crate::infra::throttle::Limit = crate::infra::throttle::Limit {
    scope: "invitation-sent",
    max_failures: INVITATIONS_PER_DAY,
    window_ms: crate::dates::DAY_MS,
};

/// An invitation its patient sent that is still open (not accepted, withdrawn or past its
/// 14 days): listed on the invitation page, where it can be withdrawn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitingInvitation {
    pub id: i64,
    pub name: String,
    pub email: String,
    /// The last day the link works, in the clinic's calendar.
    pub until: String,
}

/// What the invitation page shows the person who opened the link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationView {
    /// The patient whose chart is shared.
    pub chart_name: String,
    /// The invitee, as the patient wrote it.
    pub invited_name: String,
    pub relationship: Relationship,
    pub sections: Vec<Section>,
    /// The last day of access, in the clinic's calendar, when there is one.
    pub ends_on: Option<String>,
    /// Whether the page is seen by someone signed in (who accepts with one button).
    pub signed_in_as: Option<String>,
}
