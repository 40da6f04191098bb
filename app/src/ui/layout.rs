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
    // The charts come with "who is signed in", read for every page the server renders: a
    // switch, or a chart found closed, shows in the next page's frame.
    let charts = me.charts.clone().unwrap_or_default();
    let open_sections = charts.active_choice().map(|c| c.sections.clone()).unwrap_or_default();
    let may = |section: Section| open_sections.contains(&section);
    // A grant without Home (a caregiver for medications and messages only) opens on the
    // first part of the chart it covers, not on a refusal.
    let first_section = charts.active_choice().and_then(|c| c.sections.first().copied());
    let redirect = (!is_staff && !may(Section::Home) && use_location().pathname.get_untracked() == "/")
        .then_some(first_section)
        .flatten()
        .map(|first| view! { <Redirect path=section_path(first) /> });
    let opening = opening_thread();
    let menu = MenuFor {
        role: me.role,
        sections: open_sections.clone(),
        // Read only where the menu has Messages.
        unread: may(Section::Messages)
            .then(|| Resource::new(|| (), move |_| crate::messages::api::unread_messages(opening))),
    };
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
        <PhoneBar charts=charts.clone() menu=menu.clone() />
        {(!is_staff).then(|| view! { <ChartSwitcher charts /> })}
        <nav class="menu" aria-label=move || t_string!(i18n, nav.menu).to_string()>
            <ul>{menu_entries(&menu)}</ul>
        </nav>
        <main id="main" tabindex="-1">
            <Outlet />
        </main>
        <Footer />
        <IdleTimer minutes=me.idle_minutes />
    }
}

/// What the menu holds for this reader: the role's staff pages, the open chart's sections,
/// and the count of unread replies (read once for both menus, desktop and phone).
#[derive(Clone)]
struct MenuFor {
    role: Role,
    sections: Vec<Section>,
    unread: Option<Resource<Result<i64, AppError>>>,
}

/// The menu's entries, in the desktop bar and the phone menu alike.
fn menu_entries(menu: &MenuFor) -> impl IntoView {
    let i18n = use_i18n();
    let role = menu.role;
    let is_staff = role.is_staff();
    let clinician = role.is_clinician();
    let him = role == Role::Him;
    let unread = menu.unread;
    let sections = menu.sections.clone();
    view! {
        // One entry per part of the chart, in `Section` order: Home always (a grant
        // without it opens on its first section), the granted ones, and Sharing for
        // every patient or proxy (the account's, not the chart's).
        {Section::GRANTABLE.into_iter().chain([Section::Sharing])
            .filter(|s| match s {
                Section::Home => true,
                Section::Sharing => !is_staff,
                s => sections.contains(s),
            })
            .map(|s| view! {
                <li><MenuLink href=section_path(s)>
                    {move || section_label(i18n, s)}
                    {unread.filter(|_| s == Section::Messages).map(|unread| view! { <UnreadBadge unread /> })}
                </MenuLink></li>
            })
            .collect_view()}
        {role.answers_messages().then(|| view! {
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
        {(role == Role::Billing).then(|| view! {
            <li><MenuLink href="/staff/billing">{t!(i18n, nav.staff_billing)}</MenuLink></li>
        })}
        {(role == Role::Admin).then(|| view! {
            <li><MenuLink href=crate::connected_apps::ADMIN_PATH>{t!(i18n, apps.nav)}</MenuLink></li>
        })}
        {role.may_issue_activation_codes().then(|| view! {
            <li><MenuLink href="/staff/activation-codes">{t!(i18n, nav.activation_codes)}</MenuLink></li>
        })}
    }
}

/// On a phone (below 40rem wide: style/main.css) this bar stands in for the header, the
/// chart banner and switcher, and the menu, so that the first screen is the page's: the
/// organisation's name, whose chart is open (a disclosure listing the charts when there
/// are several) and a Menu disclosure with the menu, Account, the language and sign-out.
/// `<details>`, so it works before (and without) the wasm and the browser says whether it
/// is open; frontend/client.js moves focus into an opened one and closes it on Escape.
#[component]
fn PhoneBar(charts: Charts, menu: MenuFor) -> impl IntoView {
    let i18n = use_i18n();
    let active = (!menu.role.is_staff()).then(|| charts.active_choice().cloned()).flatten();
    let colour = active.as_ref().map_or(0, |a| a.colour);
    view! {
        <div class=format!("phone-bar chart-colour-{colour}")>
            <a href="/" class="phone-brand">{with_org(|org: crate::site::OrgInfo| org.short_name())}</a>
            {active.map(|active| view! { <PhoneChart charts active /> })}
            <details class="phone-menu" data-disclosure="">
                <summary>{t!(i18n, nav.menu)}</summary>
                <div class="phone-panel">
                    <nav aria-label=t_string!(i18n, nav.menu).to_string()>
                        <ul>{menu_entries(&menu)}</ul>
                    </nav>
                    <div class="phone-account">
                        <a href="/account">{t!(i18n, nav.account)}</a>
                        <LanguageSwitcher />
                        <SignOutForm />
                    </div>
                </div>
            </details>
        </div>
    }
}

/// Whose chart is open, as initials and a first name; with several charts, a disclosure
/// listing them (the same server-checked switch as the desktop's buttons).
#[component]
fn PhoneChart(charts: Charts, active: ChartChoice) -> impl IntoView {
    let i18n = use_i18n();
    let shown = |active: &ChartChoice| {
        let given = active.name.split_whitespace().next().unwrap_or_default().to_string();
        view! {
            <span class="initials" aria-hidden="true">{initials(&active.name)}</span>
            <span class="phone-chart-name" aria-hidden="true">{given}</span>
            <span class="visually-hidden">{t!(i18n, nav.viewing_chart, name = active.name.clone())}</span>
        }
    };
    if charts.choices.len() < 2 {
        return view! { <p class="phone-chart">{shown(&active)}</p> }.into_any();
    }
    view! {
        <details class="phone-charts" data-disclosure="">
            <summary>{shown(&active)}</summary>
            <div class="phone-panel">
                <nav aria-label=t_string!(i18n, nav.charts).to_string()>
                    {chart_choices(i18n, &charts, active.patient_id)}
                </nav>
            </div>
        </details>
    }
    .into_any()
}

/// "EQ" for Emma Quinn: the first letters of the first and last names.
fn initials(name: &str) -> String {
    let words: Vec<&str> = name.split_whitespace().collect();
    let first_letter = |w: &&str| w.chars().next();
    [words.first(), words.last().filter(|_| words.len() > 1)]
        .into_iter()
        .flatten()
        .filter_map(first_letter)
        .flat_map(char::to_uppercase)
        .collect()
}

/// The charts as a form of buttons, each posting the switch; the open one is marked, not
/// a button (opening it again would only record another switch).
fn chart_choices(i18n: leptos_i18n::I18nContext<Locale>, charts: &Charts, active_id: i64) -> impl IntoView {
    const SWITCH_PATH: &str = <crate::proxy::api::SwitchChart as server_fn::ServerFn>::PATH;
    view! {
        <form method="post" action=SWITCH_PATH>
            <ul>
                {charts.choices.clone().into_iter().map(|choice| {
                    let class = format!("chart-choice chart-colour-{}", choice.colour);
                    let label = choice_label(i18n, &choice);
                    if choice.patient_id == active_id {
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
    Some(view! {
        <div class=format!("chart-bar chart-colour-{}", active.colour)>
            <p class="chart-banner" data-testid="chart-banner">
                {t!(i18n, nav.viewing_chart, name = active.name.clone())}
            </p>
            {charts.access_ended.then(|| view! { <p class="form-error" role="alert">{t!(i18n, err.access_ended)}</p> })}
            {several.then(|| view! {
                <nav class="chart-switcher" aria-label=t_string!(i18n, nav.charts).to_string()>
                    {chart_choices(i18n, &charts, active.patient_id)}
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
fn UnreadBadge(unread: Resource<Result<i64, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
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

/// The thread this page opens, if it is one (its replies are being read, so not unread).
fn opening_thread() -> Option<i64> {
    let path = use_location().pathname.get_untracked();
    path.strip_prefix("/messages/").and_then(|id| id.parse::<i64>().ok())
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
