//! The two page frames: signed out (public pages) and signed in (the portal).
use leptos::prelude::*;
use leptos_router::{
    components::{Outlet, Redirect, A},
    hooks::use_location,
};

use super::{idle_timer::IdleTimer, language::LanguageSwitcher, notices::EmergencyNotice};
use crate::{
    access::{ChartChoice, Charts, Me, Relationship, Section},
    auth::Role,
    error::AppError,
    i18n::*,
    site::with_org,
    MeResource,
};

/// The organisation and product name, linking to `href` (home when signed in).
#[component]
fn Brand(href: &'static str) -> impl IntoView {
    view! {
        <A href=href attr:class="brand">
            <span class="brand-name">{with_org(|org| org.name)}</span>
            <span class="brand-product">"Portico"</span>
        </A>
    }
}

#[component]
fn Footer() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <footer class="site-footer">
            <nav aria-label=move || t_string!(i18n, nav.footer).to_string()>
                <A href="/help">{t!(i18n, nav.help)}</A>
                <A href="/contact">{t!(i18n, nav.contact)}</A>
                <A href="/privacy">{t!(i18n, nav.privacy)}</A>
            </nav>
            <EmergencyNotice />
        </footer>
    }
}

/// Signed-out pages: sign-in, enrollment, password reset, help, contact, privacy.
#[component]
pub fn PublicLayout() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <a class="skip-link" href="#main">{t!(i18n, nav.skip)}</a>
        <header class="site-header">
            <Brand href="/signin" />
            <LanguageSwitcher />
        </header>
        <main id="main" tabindex="-1">
            <Outlet />
        </main>
        <Footer />
    }
}

/// Signed-in pages. The session is checked on the server before anything renders; a
/// missing or expired one goes to the sign-in page (with the idle message if that was why).
#[component]
pub fn PortalLayout() -> impl IntoView {
    let me = expect_context::<MeResource>().0;
    let i18n = use_i18n();
    view! {
        <Suspense fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(me)) => view! { <SignedIn me /> }.into_any(),
                    Ok(None) => view! { <Redirect path="/signin" /> }.into_any(),
                    Err(AppError::IdleTimeout { minutes }) => {
                        let path = format!("/signin?reason=idle&minutes={minutes}");
                        view! { <Redirect path /> }.into_any()
                    }
                    Err(_) => view! { <p class="form-error">{t!(i18n, err.unavailable)}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SignedIn(me: Me) -> impl IntoView {
    let i18n = use_i18n();
    // Pages under the portal read who is signed in from context, already resolved: no
    // second Suspense around them.
    provide_context(me.clone());
    let is_staff = me.role.is_staff();
    let issues_codes = me.role.may_issue_activation_codes();
    let billing_office = me.role == Role::Billing;
    let admin = me.role == Role::Admin;
    let clinician = me.role.is_clinician();
    let answers_messages = me.role.answers_messages();
    let him = me.role == Role::Him;
    // The charts come with "who is signed in", read for every page the server renders: a
    // switch, or a chart found closed, shows in the next page's frame.
    let charts = me.charts.clone().unwrap_or_default();
    let open_sections = charts.active_choice().map(|c| c.sections.clone()).unwrap_or_default();
    let may = move |section: Section| open_sections.contains(&section);
    // A grant without Home (a caregiver for medications and messages only) opens on the
    // first part of the chart it covers, not on a refusal.
    let first_section = charts.active_choice().and_then(|c| c.sections.first().copied());
    let redirect = (!is_staff && !may(Section::Home) && use_location().pathname.get_untracked() == "/")
        .then_some(first_section)
        .flatten()
        .map(|first| view! { <Redirect path=section_path(first) /> });
    view! {
        {redirect}
        <a class="skip-link" href="#main">{t!(i18n, nav.skip)}</a>
        <header class="site-header signed-in">
            <Brand href="/" />
            <div class="who">
                <span class="who-name">{me.display_name.clone()}</span>
                {is_staff.then(|| view! { <span class="who-role">{role_label(me.role)}</span> })}
            </div>
            <a class="account-link" href="/account"
                aria-current=move || use_location().pathname.get().starts_with("/account").then_some("page")>
                {t!(i18n, nav.account)}
            </a>
            <LanguageSwitcher />
            <SignOutForm />
        </header>
        {(!is_staff).then(|| view! { <ChartSwitcher charts /> })}
        <nav class="menu" aria-label=move || t_string!(i18n, nav.menu).to_string()>
            <ul>
                // One entry per part of the chart, in `Section` order: Home always (a grant
                // without it opens on its first section), the granted ones, and Sharing for
                // every patient or proxy (the account's, not the chart's).
                {Section::GRANTABLE.into_iter().chain([Section::Sharing])
                    .filter(|&s| match s {
                        Section::Home => true,
                        Section::Sharing => !is_staff,
                        s => may(s),
                    })
                    .map(|s| view! {
                        <li><MenuLink href=section_path(s)>
                            {move || section_label(i18n, s)}
                            {(s == Section::Messages).then(|| view! { <UnreadBadge /> })}
                        </MenuLink></li>
                    })
                    .collect_view()}
                {answers_messages.then(|| view! {
                    <li><MenuLink href="/staff/messages">{t!(i18n, nav.staff_messages)}</MenuLink></li>
                })}
                {clinician.then(|| view! {
                    <li><MenuLink href="/staff/results">{t!(i18n, nav.staff_results)}</MenuLink></li>
                    <li><MenuLink href="/staff/renewals">{t!(i18n, nav.staff_renewals)}</MenuLink></li>
                    <li><MenuLink href="/staff/confidential">{t!(i18n, nav.staff_confidential)}</MenuLink></li>
                })}
                {(clinician || him).then(|| view! {
                    <li><MenuLink href="/staff/documents">{t!(i18n, nav.staff_documents)}</MenuLink></li>
                })}
                {him.then(|| view! {
                    <li><MenuLink href="/staff/proxy">{t!(i18n, nav.staff_proxy)}</MenuLink></li>
                    <li><MenuLink href="/staff/records">{t!(i18n, nav.staff_records)}</MenuLink></li>
                    <li><MenuLink href="/staff/break-glass">{t!(i18n, nav.staff_break_glass)}</MenuLink></li>
                    <li><MenuLink href="/staff/corrections">{t!(i18n, nav.staff_corrections)}</MenuLink></li>
                })}
                {billing_office.then(|| view! {
                    <li><MenuLink href="/staff/billing">{t!(i18n, nav.staff_billing)}</MenuLink></li>
                })}
                {admin.then(|| view! {
                    <li><MenuLink href=crate::connected_apps::ADMIN_PATH>{t!(i18n, apps.nav)}</MenuLink></li>
                })}
                {issues_codes.then(|| view! {
                    <li><MenuLink href="/staff/activation-codes">{t!(i18n, nav.activation_codes)}</MenuLink></li>
                })}
            </ul>
        </nav>
        <main id="main" tabindex="-1">
            <Outlet />
        </main>
        <Footer />
        <IdleTimer minutes=me.idle_minutes />
    }
}

/// "You are viewing Emma Quinn's chart", in the chart's colour, and a button per chart the
/// person may open. Each button posts the switch (checked and recorded by the server, which
/// then sends Home of the new chart); the page's navigation (frontend/client.js) makes that a
/// fetch and a patch of this document, so there is no page load, and without it the form
/// still works.
#[component]
fn ChartSwitcher(charts: Charts) -> impl IntoView {
    let i18n = use_i18n();
    let Some(active) = charts.active_choice().cloned() else { return None };
    let several = charts.choices.len() > 1;
    // A refused switch: the server sends the browser back with the error in the URL.
    let error = crate::ui::errors::url_result::<crate::proxy::api::SwitchChart, Charts>()
        .get_untracked()
        .and_then(|r| r.err());
    const SWITCH_PATH: &str = <crate::proxy::api::SwitchChart as server_fn::ServerFn>::PATH;
    Some(view! {
        <div class=format!("chart-bar chart-colour-{}", active.colour)>
            <p class="chart-banner" data-testid="chart-banner">
                {t!(i18n, nav.viewing_chart, name = active.name.clone())}
            </p>
            {charts.access_ended.then(|| view! { <p class="form-error" role="alert">{t!(i18n, err.access_ended)}</p> })}
            {several.then(|| view! {
                <nav class="chart-switcher" aria-label=t_string!(i18n, nav.charts).to_string()>
                    <form method="post" action=SWITCH_PATH>
                        <ul>
                            // The open chart is marked, not a button: opening it again
                            // would only record another switch.
                            {charts.choices.clone().into_iter().map(|choice| {
                                let class = format!("chart-choice chart-colour-{}", choice.colour);
                                let label = choice_label(i18n, &choice);
                                if choice.patient_id == active.patient_id {
                                    view! {
                                        <li><span class=format!("{class} current") aria-current="true">
                                            <span class="swatch" aria-hidden="true"></span>{label}
                                        </span></li>
                                    }.into_any()
                                } else {
                                    view! {
                                        <li><button type="submit" name="patient_id" value=choice.patient_id.to_string() class=class>
                                            <span class="swatch" aria-hidden="true"></span>{label}
                                        </button></li>
                                    }.into_any()
                                }
                            }).collect_view()}
                        </ul>
                    </form>
                </nav>
            })}
            {error.map(|e| view! { <p class="form-error" role="alert">{crate::ui::errors::error_text(i18n, &e)}</p> })}
        </div>
    })
}

/// "Emma Quinn (parent)" for a granted chart; "Jordan Quinn (you)" for one's own.
fn choice_label(i18n: leptos_i18n::I18nContext<Locale>, choice: &ChartChoice) -> String {
    match choice.relationship {
        None => t_string!(i18n, nav.own_chart, name = choice.name.clone()).to_string(),
        Some(r) => format!("{} ({})", choice.name, relationship_label(i18n, r)),
    }
}

/// A relationship in the reader's words.
pub fn relationship_label(i18n: leptos_i18n::I18nContext<Locale>, r: Relationship) -> String {
    match r {
        Relationship::Parent => t_string!(i18n, proxy.rel_parent),
        Relationship::LegalGuardian => t_string!(i18n, proxy.rel_legal_guardian),
        Relationship::Caregiver => t_string!(i18n, proxy.rel_caregiver),
        Relationship::HealthcareAgent => t_string!(i18n, proxy.rel_healthcare_agent),
        Relationship::Spouse => t_string!(i18n, proxy.rel_spouse),
        Relationship::AdultChild => t_string!(i18n, proxy.rel_adult_child),
    }
    .to_string()
}

/// Where a section's page is.
pub fn section_path(s: Section) -> &'static str {
    match s {
        Section::Home => "/",
        Section::Visits => "/visits",
        Section::Results => "/results",
        Section::Medications => "/medications",
        Section::HealthSummary => "/health-summary",
        Section::Reminders => "/reminders",
        Section::Messages => "/messages",
        Section::Documents => "/documents",
        Section::Billing => "/billing",
        Section::Sharing => "/sharing",
    }
}

/// A section's name, as in the menu.
pub fn section_label(i18n: leptos_i18n::I18nContext<Locale>, s: Section) -> String {
    match s {
        Section::Home => t_string!(i18n, nav.home),
        Section::Visits => t_string!(i18n, nav.visits),
        Section::Results => t_string!(i18n, nav.results),
        Section::Medications => t_string!(i18n, nav.medications),
        Section::HealthSummary => t_string!(i18n, nav.health_summary),
        Section::Reminders => t_string!(i18n, nav.reminders),
        Section::Messages => t_string!(i18n, nav.messages),
        Section::Documents => t_string!(i18n, nav.documents),
        Section::Billing => t_string!(i18n, nav.billing),
        Section::Sharing => t_string!(i18n, nav.sharing),
    }
    .to_string()
}

/// How many threads have a reply not yet opened, after the menu's "Messages"; rendered
/// with every page. On a thread's page that thread is being read by the same request (in
/// parallel with this count), so it is not counted.
#[component]
fn UnreadBadge() -> impl IntoView {
    let i18n = use_i18n();
    let path = use_location().pathname.get_untracked();
    let opening = path.strip_prefix("/messages/").and_then(|id| id.parse::<i64>().ok());
    let unread = Resource::new(|| (), move |_| crate::messages::api::unread_messages(opening));
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match unread.await {
                    Ok(count) if count > 0 => Some(view! {
                        " "<span class="badge">{count}<span class="visually-hidden">{t!(i18n, nav.unread)}</span></span>
                    }),
                    _ => None,
                }
            })}
        </Suspense>
    }
}

/// A menu entry: a client-side route, marked as the current page when it is.
#[component]
fn MenuLink(href: &'static str, children: Children) -> impl IntoView {
    let location = use_location();
    // A page under an entry (a result under Test Results) marks the entry too.
    let current = move || {
        let path = location.pathname.get();
        let inside = href != "/" && path.strip_prefix(href).is_some_and(|rest| rest.starts_with('/'));
        (path == href || inside).then_some("page")
    };
    view! {
        <a href=href aria-current=current>{children()}</a>
    }
}

fn role_label(role: Role) -> impl IntoView {
    let i18n = use_i18n();
    move || role_text(i18n, role)
}

/// A role in the reader's words.
pub fn role_text(i18n: leptos_i18n::I18nContext<Locale>, role: Role) -> String {
    match role {
        Role::Patient => t_string!(i18n, roles.patient).to_string(),
        Role::Clinician => t_string!(i18n, roles.clinician).to_string(),
        Role::Him => t_string!(i18n, roles.him).to_string(),
        Role::Billing => t_string!(i18n, roles.billing).to_string(),
        Role::Support => t_string!(i18n, roles.support).to_string(),
        Role::Admin => t_string!(i18n, roles.admin).to_string(),
    }
}

/// A plain form (frontend/client.js tells the other tabs, then lets the browser post it):
/// signing out must work even when the wasm has not loaded.
#[component]
fn SignOutForm() -> impl IntoView {
    let i18n = use_i18n();
    const SIGN_OUT_PATH: &str = <crate::auth::api::SignOut as server_fn::ServerFn>::PATH;
    view! {
        <form method="post" action=SIGN_OUT_PATH class="sign-out-form" data-sign-out="">
            <button type="submit" class="sign-out">{t!(i18n, nav.sign_out)}</button>
        </form>
    }
}
