//! "Invite someone to see my chart" (Sharing) and the page an invitation link opens.
//! Server-rendered plain forms, like the rest of Sharing: no wasm for either.
use leptos::prelude::*;

use crate::ui::when::When;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{
    api::{
        load_invitation, waiting_invitations, AcceptInvitation, AcceptWithNewAccount, SendInvitation,
        StaffSendInvitation, WithdrawInvitation,
    },
    InvitationView, WaitingInvitation,
};
use crate::{
    access::{Relationship, Section},
    i18n::*,
    ui::{
        errors::{field_error, form_error, url_result},
        form::{FormMessage, PostButton, TextField},
        layout::{relationship_label, section_label},
        loaded::Loaded,
    },
};

const SEND_PATH: &str = <SendInvitation as server_fn::ServerFn>::PATH;
const ACCEPT_PATH: &str = <AcceptInvitation as server_fn::ServerFn>::PATH;
const WITHDRAW_PATH: &str = <WithdrawInvitation as server_fn::ServerFn>::PATH;
const STAFF_SEND_PATH: &str = <StaffSendInvitation as server_fn::ServerFn>::PATH;
const CREATE_PATH: &str = <AcceptWithNewAccount as server_fn::ServerFn>::PATH;

#[component]
pub fn InvitePage() -> impl IntoView {
    let i18n = use_i18n();
    let result = url_result::<SendInvitation, ()>();
    let choices = Relationship::ALL.into_iter().filter(|r| *r != Relationship::Parent).collect();
    view! {
        <p><a href="/sharing">{t!(i18n, proxy.back_to_sharing)}</a></p>
        <h1 id="invite-title">{t!(i18n, invite.title)}</h1>
        <InviteForm action=SEND_PATH result patient_id=None choices />
        <Waiting />
    }
}

/// The patient's open invitations, each with "Withdraw".
#[component]
fn Waiting() -> impl IntoView {
    let i18n = use_i18n();
    let list = Resource::new(|| (), |_| waiting_invitations());
    let withdrawn = use_query_map().read_untracked().get("done").as_deref() == Some("withdrawn");
    view! {
        <section aria-labelledby="waiting-title">
            <h2 id="waiting-title">{t!(i18n, invite.waiting)}</h2>
            <div role="status">{withdrawn.then(|| view! { <p class="notice">{t!(i18n, invite.withdrawn)}</p> })}</div>
            <Loaded resource=list render={move |list: Vec<WaitingInvitation>| {
                if list.is_empty() {
                    return view! { <p class="empty">{t!(i18n, invite.none_waiting)}</p> }.into_any();
                }
                view! {
                    <ul class="link-list">
                        {list.into_iter().map(|w| {
                            let label = t_string!(i18n, invite.withdraw_label, name = w.name.clone()).to_string();
                            view! {
                                <li>
                                    {t_string!(i18n, invite.waiting_item, name = w.name, email = w.email, until = crate::ui::when::words(i18n, &w.until)).to_string()}
                                    " "
                                    <PostButton action=WITHDRAW_PATH fields=vec![("id", w.id.to_string())] label>
                                        {t!(i18n, invite.withdraw)}
                                    </PostButton>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }} />
        </section>
    }
}

/// HIM: invite the holder of an authorization signed on paper (a guardian, for a child's
/// chart) to the chart the URL names.
#[component]
pub fn StaffInvitePage() -> impl IntoView {
    let i18n = use_i18n();
    let id = use_params_map().read_untracked().get("id").and_then(|s| s.parse::<i64>().ok()).unwrap_or(0);
    let result = url_result::<StaffSendInvitation, ()>();
    view! {
        <p><a href="/staff/proxy">{t!(i18n, proxy_staff.back)}</a></p>
        <h1 id="invite-title">{t!(i18n, invite.staff_title)}</h1>
        <p>{t!(i18n, invite.staff_intro)}</p>
        <InviteForm action=STAFF_SEND_PATH result patient_id=Some(id) choices=Relationship::ALL.to_vec() />
    }
}

#[component]
fn InviteForm(
    action: &'static str,
    result: Signal<Option<Result<(), crate::error::AppError>>>,
    patient_id: Option<i64>,
    choices: Vec<Relationship>,
) -> impl IntoView {
    let i18n = use_i18n();
    let sent = use_query_map().read_untracked().get("done").as_deref() == Some("sent");
    const FIELDS: &[&str] = &["name", "email", "relationship", "sections", "ends_on"];
    view! {
        <div role="status">{sent.then(|| view! { <p class="notice">{t!(i18n, invite.sent)}</p> })}</div>
        <p>{t!(i18n, invite.intro)}</p>
        <form method="post" action=action class="card" aria-labelledby="invite-title">
            <FormMessage message=form_error(result, FIELDS) />
            {patient_id.map(|id| view! { <input type="hidden" name="patient_id" value=id /> })}
            <TextField name="name" autocomplete="off" maxlength=100 error=field_error(result, "name")>
                {t!(i18n, invite.name)}
            </TextField>
            <TextField name="email" kind="email" autocomplete="off" maxlength=254 error=field_error(result, "email")>
                {t!(i18n, invite.email)}
            </TextField>
            <RelationshipSelect choices error=field_error(result, "relationship") />
            <crate::proxy::grant_pages::SectionChecks legend=t_string!(i18n, invite.sections).to_string()
                sections=Section::GRANTABLE.to_vec() checked=Vec::new() error=field_error(result, "sections") />
            <TextField name="ends_on" kind="date" required=false error=field_error(result, "ends_on") hint_id="ends-on-hint">
                {t!(i18n, invite.ends_on)}
            </TextField>
            <p class="hint" id="ends-on-hint">{t!(i18n, invite.ends_on_hint)}</p>
            <button type="submit" class="primary">{t!(i18n, invite.send)}</button>
        </form>
    }
}

#[component]
fn RelationshipSelect(choices: Vec<Relationship>, error: Signal<Option<String>>) -> impl IntoView {
    let i18n = use_i18n();
    let message = error.get_untracked();
    view! {
        <div class="field">
            <label for="field-relationship">{t!(i18n, invite.relationship)}</label>
            <select id="field-relationship" name="relationship" required=true
                aria-invalid=message.is_some().then_some("true")
                aria-describedby=message.is_some().then_some("field-relationship-error")>
                {choices.into_iter().map(|r| view! { <option value=r.as_str()>{relationship_label(i18n, r)}</option> }).collect_view()}
            </select>
            {message.map(|m| view! { <p class="field-error" id="field-relationship-error">{m}</p> })}
        </div>
    }
}

/// What an invitation link opens: what is shared, then "Accept" (signed in) or a new
/// account (not signed in). A used or expired link says so.
#[component]
pub fn InvitationPage() -> impl IntoView {
    let i18n = use_i18n();
    let token = use_query_map().read_untracked().get("token").unwrap_or_default();
    let invitation = Resource::new(move || token.clone(), load_invitation);
    view! {
        <section class="card narrow">
            <Suspense fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match invitation.await {
                        Ok(inv) => view! { <Invitation inv /> }.into_any(),
                        Err(crate::error::AppError::NotFound) => {
                            crate::ui::set_not_found_status();
                            view! {
                                <h1>{t!(i18n, invite.gone_title)}</h1>
                                <p>{t!(i18n, invite.gone)}</p>
                                <p><a href="/signin">{t!(i18n, common.back_to_sign_in)}</a></p>
                            }.into_any()
                        }
                        Err(e) => view! { <p class="form-error">{crate::ui::errors::error_text(i18n, &e)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Invitation(inv: InvitationView) -> impl IntoView {
    let i18n = use_i18n();
    let token = use_query_map().read_untracked().get("token").unwrap_or_default();
    let accepted = url_result::<AcceptInvitation, ()>();
    let created = url_result::<AcceptWithNewAccount, ()>();
    let sections = inv.sections.iter().map(|s| section_label(i18n, *s)).collect::<Vec<_>>().join(", ");
    let relationship = relationship_label(i18n, inv.relationship);
    view! {
        <h1>{t_string!(i18n, invite.page_title, name = inv.chart_name.clone()).to_string()}</h1>
        <p>{t_string!(i18n, invite.what, invited = inv.invited_name.clone(), chart = inv.chart_name.clone(), relationship = relationship).to_string()}</p>
        <dl class="facts">
            <dt>{t!(i18n, invite.sections)}</dt><dd>{sections}</dd>
            <dt>{t!(i18n, invite.until)}</dt>
            <dd>{match inv.ends_on.clone() {
                Some(day) => view! { <When iso=day /> }.into_any(),
                None => t_string!(i18n, invite.until_ended).to_string().into_any(),
            }}</dd>
        </dl>
        {match inv.signed_in_as.clone() {
            Some(me) => view! {
                <form method="post" action=ACCEPT_PATH>
                    <FormMessage message=form_error(accepted, &[]) />
                    <input type="hidden" name="token" value=token.clone() />
                    <button type="submit" class="primary">{t_string!(i18n, invite.accept_as, name = me).to_string()}</button>
                </form>
            }.into_any(),
            None => view! {
                <h2 id="new-account">{t!(i18n, invite.new_account)}</h2>
                <form method="post" action=CREATE_PATH aria-labelledby="new-account">
                    <FormMessage message=form_error(created, &["username", "password", "password_confirm"]) />
                    <input type="hidden" name="token" value=token.clone() />
                    <TextField name="username" autocomplete="username" maxlength=64
                        error=field_error(created, "username") hint_id="username-hint">
                        {t!(i18n, enroll.username)}
                    </TextField>
                    <p class="hint" id="username-hint">{t!(i18n, enroll.username_hint)}</p>
                    <crate::auth::pages::NewPasswordFields result=created>{t!(i18n, enroll.password)}</crate::auth::pages::NewPasswordFields>
                    <button type="submit" class="primary">{t!(i18n, invite.create)}</button>
                </form>
                <p>{t!(i18n, invite.have_account)} " " <a href="/signin">{t!(i18n, signin.submit)}</a></p>
            }.into_any(),
        }}
    }
}
