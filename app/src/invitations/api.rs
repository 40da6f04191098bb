//! Invitation server functions. Sending is the inviting patient's (access::account, their
//! own chart, 18 or older); reading and accepting are the invitee's, whose credential is
//! the link's token (32 random bytes, stored hashed, one use, 14 days).
use leptos::prelude::*;

use super::{InvitationView, WaitingInvitation};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {
    super::store,
    crate::{
        access::{self, Relationship, Section},
        auth::{mail_text, rules, session, store as auth_store, two_step::Stage},
        infra::{crypto, state, AppState},
        problem::Problem,
    },
};

/// "Invite someone to see my chart". `sections`: the section names (`SectionNames`), at
/// least one; `ends_on`: the last day of access's next day (YYYY-MM-DD), or empty. Sent as
/// a plain form from its page, the browser comes back to it with "sent".
#[server(endpoint = "invitations/send")]
pub async fn send_invitation(
    name: String,
    email: String,
    relationship: String,
    #[server(default)] sections: crate::proxy::SectionNames,
    #[server(default)] ends_on: Option<String>,
) -> Result<(), AppError> {
    let account = access::account().await?;
    let state = account.state();
    let own = account.own_patient_id().ok_or(AppError::Forbidden)?;
    if !crate::proxy::api::patient_is_adult(state, own).await? {
        return Err(AppError::Forbidden);
    }
    // Someone of the patient's choosing, for an adult's chart: not "parent".
    let allowed: Vec<Relationship> =
        Relationship::ALL.into_iter().filter(|r| *r != Relationship::Parent).collect();
    let Checked { name, email, relationship, sections, ends_at } =
        checked(state, &name, &email, &relationship, &sections.0, ends_on.as_deref(), &allowed)?;
    let now = state.clock.now_ms();
    // Reserved before the invitation is made (never released): parallel requests cannot
    // pass the day's limit together.
    let _counted = crate::infra::throttle::reserve(
        &state.db,
        now,
        super::INVITATIONS_LIMIT,
        &account.user_id().to_string(),
    )
    .await?;
    let token = crypto::random_token(32);
    let new = store::NewInvitation {
        token_hash: &crypto::sha256_hex(&token),
        patient_id: own,
        invited_by: account.user_id(),
        name: &name,
        email: &email,
        kind: crate::proxy::RequestKind::Adult,
        relationship,
        sections: &sections,
        ends_at,
    };
    let id = store::insert(&state.db, &new, now).await?;
    account.audit_on(own, false, Section::Sharing, "invitation-sent", &format!("invitation={id}")).await?;
    mail_invitation(state, email, &token);
    if crate::ui::form::is_form_post() {
        leptos_axum::redirect("/sharing/invite?done=sent");
    }
    Ok(())
}

/// An invitation's fields, checked.
#[cfg(feature = "ssr")]
struct Checked {
    name: String,
    email: String,
    relationship: Relationship,
    sections: Vec<Section>,
    ends_at: Option<i64>,
}

/// Every field, each refused at its own field.
#[cfg(feature = "ssr")]
fn checked(
    state: &AppState,
    name: &str,
    email: &str,
    relationship: &str,
    sections: &str,
    ends_on: Option<&str>,
    allowed: &[Relationship],
) -> Result<Checked, AppError> {
    let required = Some(Problem::ProxyNameRequired);
    let name = crate::input::bounded(name, crate::proxy::NAME_MAX_CHARS, required, Problem::ProxyNameTooLong)
        .map_err(|p| AppError::invalid("name", p))?;
    let email = rules::normalize_email(email).map_err(|k| AppError::invalid("email", k))?;
    let relationship = Relationship::parse(relationship)
        .filter(|r| allowed.contains(r))
        .ok_or_else(|| AppError::invalid("relationship", Problem::ProxyRelationshipRequired))?;
    let sections = crate::proxy::api::parse_sections(sections)?;
    let ends_at = access::grants::parse_end(ends_on.unwrap_or(""), state.clock.today())
        .map_err(|p| AppError::invalid("ends_on", p))?
        .map(|day| state.clock.start_of_day(day));
    Ok(Checked { name, email, relationship, sections, ends_at })
}

/// HIM records an authorization signed on paper (or a guardianship, for a child's chart)
/// and invites its holder, who may have no account yet. Audited on the chart.
#[server(endpoint = "staff/invitations/send")]
pub async fn staff_send_invitation(
    patient_id: i64,
    name: String,
    email: String,
    relationship: String,
    #[server(default)] sections: crate::proxy::SectionNames,
    #[server(default)] ends_on: Option<String>,
) -> Result<(), AppError> {
    let staff = access::staff(access::Need::Him).await?;
    let chart = staff.open_chart(patient_id, Section::Sharing, "staff.invitation").await?;
    let state = staff.state();
    let patient =
        crate::patients::store::patient_by_id(&state.db, patient_id).await?.ok_or(AppError::NotFound)?;
    let age = crate::dates::age_from(&patient.birth_date, state.clock.today()).unwrap_or(0);
    let (kind, allowed): (crate::proxy::RequestKind, Vec<Relationship>) = if age < crate::dates::ADULT_AGE {
        (crate::proxy::RequestKind::Minor, Relationship::FOR_MINORS.to_vec())
    } else {
        (
            crate::proxy::RequestKind::Adult,
            Relationship::ALL.into_iter().filter(|r| *r != Relationship::Parent).collect(),
        )
    };
    let Checked { name, email, relationship, sections, ends_at } =
        checked(state, &name, &email, &relationship, &sections.0, ends_on.as_deref(), &allowed)?;
    let token = crypto::random_token(32);
    let new = store::NewInvitation {
        token_hash: &crypto::sha256_hex(&token),
        patient_id,
        invited_by: staff.user_id(),
        name: &name,
        email: &email,
        kind,
        relationship,
        sections: &sections,
        ends_at,
    };
    let id = store::insert(&state.db, &new, state.clock.now_ms()).await?;
    chart
        .audit_write(Section::Sharing, "invitation-sent", &format!("invitation={id}; authorization on paper"))
        .await?;
    mail_invitation(state, email, &token);
    if crate::ui::form::is_form_post() {
        leptos_axum::redirect(&format!("/staff/proxy/invite/{patient_id}?done=sent"));
    }
    Ok(())
}

/// The link, in an e-mail that names no one: whose chart it is shows only to whoever
/// opens the link.
#[cfg(feature = "ssr")]
fn mail_invitation(state: &AppState, to: String, token: &str) {
    // An http(s) public URL joins any path; one that cannot be a base (a misconfigured
    // PORTICO_PUBLIC_URL) sends no mail and is logged, never a panic.
    let Ok(mut link) = state.config.public_url.join("/invitation") else {
        return tracing::error!("the public URL cannot carry an invitation link");
    };
    link.query_pairs_mut().append_pair("token", token);
    // The invitee has no account yet: the language of the page the invitation was sent
    // from (the patient's, or the Medical Records clerk's).
    let lang = crate::infra::mail_language::MailLanguage::of_request();
    state.mail_later(to, mail_text::invitation(lang, &state.config.org, link.as_str()));
}

/// The patient's invitations still open (their own chart).
#[server(endpoint = "invitations/waiting")]
pub async fn waiting_invitations() -> Result<Vec<WaitingInvitation>, AppError> {
    let account = access::account().await?;
    let chart = adult_own_chart(&account, "invitations.waiting").await?;
    let clock = &account.state().clock;
    let rows = store::waiting_on(&chart, clock.now_ms()).await?;
    Ok(rows
        .into_iter()
        .map(|r| WaitingInvitation {
            id: r.id,
            name: r.name,
            email: r.email,
            until: clock.date_of(r.expires_at - 1),
        })
        .collect())
}

/// Withdraws an open invitation on the patient's own chart (anyone else's is not found).
#[server(endpoint = "invitations/withdraw")]
pub async fn withdraw_invitation(id: i64) -> Result<(), AppError> {
    let account = access::account().await?;
    let chart = adult_own_chart(&account, "invitations.withdraw").await?;
    if !store::withdraw(&chart, id, account.state().clock.now_ms()).await? {
        return Err(AppError::NotFound);
    }
    chart.audit_write(Section::Sharing, "invitation-withdrawn", &format!("invitation={id}")).await?;
    if crate::ui::form::is_form_post() {
        leptos_axum::redirect("/sharing/invite?done=withdrawn");
    }
    Ok(())
}

/// The signed-in patient's own chart when they are 18 or older: an adult decides who sees
/// it (a teen's invitations are HIM's, for a guardian, and not theirs to withdraw).
#[cfg(feature = "ssr")]
async fn adult_own_chart(account: &access::Account, what: &str) -> Result<access::ChartScope, AppError> {
    let own = account.own_patient_id().ok_or(AppError::Forbidden)?;
    if !crate::proxy::api::patient_is_adult(account.state(), own).await? {
        return Err(AppError::Forbidden);
    }
    account.own_chart(what).await
}

/// What an invitation link offers, for the page that opens it; "not found" once it was
/// used, replaced or is past its 14 days.
#[server(endpoint = "invitations/load")]
pub async fn load_invitation(token: String) -> Result<InvitationView, AppError> {
    let state = state()?;
    let now = state.clock.now_ms();
    let inv = open(&state, &token, now).await.map_err(|_| AppError::NotFound)?;
    let signed_in = session::current(&state).await.ok();
    // The page names the chart: whoever holds the link reads that much of it.
    let event = crate::infra::audit::AuditEvent {
        actor_user_id: signed_in.as_ref().map(|s| s.user_id),
        action: "invitation-opened",
        patient_id: Some(inv.patient_id),
        section: Some(Section::Sharing.as_str()),
        client_addr: Some(&crate::infra::client_addr()),
        detail: &format!("invitation={}", inv.id),
        ..Default::default()
    };
    crate::infra::audit::append(&state.db, now, event).await?;
    let signed_in_as = signed_in.map(|s| s.display_name);
    Ok(InvitationView {
        chart_name: format!("{} {}", inv.given_name, inv.family_name),
        invited_name: inv.name,
        relationship: Relationship::parse(&inv.relationship).unwrap_or(Relationship::Caregiver),
        sections: Section::parse_list(&inv.sections),
        // The grant stops at the start of that day: the last day with access is the one before.
        ends_on: inv.ends_at.map(|at| state.clock.date_of(at - 1)),
        signed_in_as,
    })
}

/// Accepts as the signed-in account: the chart joins its switcher.
#[server(endpoint = "invitations/accept")]
pub async fn accept_invitation(token: String) -> Result<(), AppError> {
    let account = access::account().await?;
    let state = account.state();
    let now = state.clock.now_ms();
    let inv = open(state, &token, now).await?;
    if account.own_patient_id() == Some(inv.patient_id) {
        return Err(AppError::invalid("form", Problem::ProxyOwnChart));
    }
    match store::accept(&state.db, &inv, &store::Invitee::Existing(account.user_id()), now).await? {
        store::Accepted::Grant { .. } => {}
        _ => return Err(AppError::invalid("form", Problem::InvitationGone)),
    }
    account.audit_on(inv.patient_id, true, Section::Sharing, "invitation-accepted", "").await?;
    if crate::ui::form::is_form_post() {
        leptos_axum::redirect("/");
    }
    Ok(())
}

/// Accepts with a new account of no chart of its own: the invitation's name and address
/// (confirmed by the link itself), a username and a password of the invitee's choosing.
#[server(endpoint = "invitations/create_account")]
pub async fn accept_with_new_account(
    token: String,
    username: String,
    password: String,
    password_confirm: String,
) -> Result<(), AppError> {
    let state = state()?;
    let now = state.clock.now_ms();
    let inv = open(&state, &token, now).await?;
    let words: Vec<&str> = std::iter::once(inv.email.as_str()).chain(inv.name.split_whitespace()).collect();
    let login =
        crate::auth::new_login::check_and_hash(&state, &username, &password, &password_confirm, &words)
            .await?;
    let (username, hash) = (login.username, login.password_hash);
    let user = auth_store::NewUser {
        username: &username,
        password_hash: &hash,
        email: Some(&inv.email),
        display_name: &inv.name,
        role: crate::auth::Role::Patient,
        patient_id: None,
        email_confirmed: true,
    };
    let user_id = match store::accept(&state.db, &inv, &store::Invitee::New(user), now).await? {
        store::Accepted::Grant { user_id } => user_id,
        store::Accepted::UsernameTaken => return Err(AppError::invalid("username", Problem::UsernameTaken)),
        store::Accepted::Gone => return Err(AppError::invalid("form", Problem::InvitationGone)),
    };
    let addr = crate::infra::client_addr();
    let event = crate::infra::audit::AuditEvent {
        actor_user_id: Some(user_id),
        action: "invitation-accepted",
        patient_id: Some(inv.patient_id),
        as_proxy: true,
        client_addr: Some(&addr),
        detail: "new account",
        ..Default::default()
    };
    crate::infra::audit::append(&state.db, now, event).await?;
    session::start(&state, user_id, rules::IDLE_WEB_MINUTES, Stage::Full).await?;
    leptos_axum::redirect("/");
    Ok(())
}

/// The invitation a token opens, while it still applies: not used, voided or past its 14
/// days, and, for a guardian's invitation to a child's chart, the child not yet 18 (an
/// adult decides who sees their chart).
#[cfg(feature = "ssr")]
async fn open(state: &AppState, token: &str, now: i64) -> Result<store::OpenInvitation, AppError> {
    let gone = || AppError::invalid("form", Problem::InvitationGone);
    let inv = store::open_invitation(&state.db, &crypto::sha256_hex(token), now).await?.ok_or_else(gone)?;
    let for_a_child = crate::proxy::RequestKind::parse(&inv.kind) == Some(crate::proxy::RequestKind::Minor);
    if for_a_child && crate::proxy::api::patient_is_adult(state, inv.patient_id).await? {
        return Err(gone());
    }
    Ok(inv)
}
