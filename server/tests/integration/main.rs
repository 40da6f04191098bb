//! One integration-test binary (linking a Leptos server is the slow, large part: one
//! link instead of one per file). Each module is a capability's scenarios.
#[macro_use]
#[path = "../common/mod.rs"]
mod common;

mod access_matrix;
mod account;
mod audit_chain;
mod billing;
mod cli;
mod code_delivery;
mod connected_apps;
mod documents;
mod guest_pay;
mod health_record;
mod http_surface;
mod identity;
mod invitations;
mod messaging;
mod messaging_crash;
mod notices;
mod passkeys;
mod payments;
mod payments_crash;
mod personal;
mod proxy;
mod proxy_fixture;
mod share_codes;
mod share_links;
mod sign_up;
mod signin_limits;
mod soft_authenticator;
mod source_rules;
mod staff_reach;
mod stripe;
mod synthetic;
mod teen_restriction;
mod two_step;
