//! The two page frames: signed out (public pages) and signed in (the portal).
use leptos::prelude::*;
use leptos_router::{
    components::{Outlet, Redirect, A},
    hooks::use_location,
};

use super::{idle_timer::IdleTimer, language::LanguageSwitcher, notices::EmergencyNotice};
use crate::{
    auth::{Me, Role},
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
    provide_context(ThreadOpened(RwSignal::new(0)));
    let sign_out = move |_| {
        #[cfg(feature = "hydrate")]
        crate::ui::session_channel::sign_out_clicked();
    };
    let chart = me.chart_name.clone();
    let is_staff = me.role.is_staff();
    let issues_codes = me.role.may_issue_activation_codes();
    let clinician = me.role.is_clinician();
    let answers_messages = me.role.answers_messages();
    view! {
        <a class="skip-link" href="#main">{t!(i18n, nav.skip)}</a>
        <header class="site-header signed-in">
            <Brand href="/" />
            <div class="who">
                <span class="who-name">{me.display_name.clone()}</span>
                {is_staff.then(|| view! { <span class="who-role">{role_label(me.role)}</span> })}
            </div>
            <LanguageSwitcher />
            <button type="button" class="sign-out" on:click=sign_out>{t!(i18n, nav.sign_out)}</button>
        </header>
        {chart.map(|name| view! {
            <p class="chart-banner">{t!(i18n, nav.viewing_chart, name = name.clone())}</p>
        })}
        <nav class="menu" aria-label=move || t_string!(i18n, nav.menu).to_string()>
            <ul>
                <li><MenuLink href="/">{t!(i18n, nav.home)}</MenuLink></li>
                {(!is_staff).then(|| view! {
                    <li><MenuLink href="/visits">{t!(i18n, nav.visits)}</MenuLink></li>
                    <li><MenuLink href="/results">{t!(i18n, nav.results)}</MenuLink></li>
                    <li><MenuLink href="/medications">{t!(i18n, nav.medications)}</MenuLink></li>
                    <li><MenuLink href="/health-summary">{t!(i18n, nav.health_summary)}</MenuLink></li>
                    <li><MenuLink href="/reminders">{t!(i18n, nav.reminders)}</MenuLink></li>
                    <li><MenuLink href="/messages">{t!(i18n, nav.messages)}<UnreadBadge /></MenuLink></li>
                })}
                {answers_messages.then(|| view! {
                    <li><MenuLink href="/staff/messages">{t!(i18n, nav.staff_messages)}</MenuLink></li>
                })}
                {clinician.then(|| view! {
                    <li><MenuLink href="/staff/results">{t!(i18n, nav.staff_results)}</MenuLink></li>
                    <li><MenuLink href="/staff/renewals">{t!(i18n, nav.staff_renewals)}</MenuLink></li>
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

/// Bumped by the thread page once a thread (and so its replies) has been read: the menu's
/// unread count is fetched again after that, not in a race with it.
#[derive(Clone, Copy)]
pub struct ThreadOpened(pub RwSignal<u32>);

/// How many threads have a reply not yet opened, after the menu's "Messages"; fetched
/// again on every navigation, so reading a thread clears it.
#[component]
fn UnreadBadge() -> impl IntoView {
    let i18n = use_i18n();
    let location = use_location();
    let opened = use_context::<ThreadOpened>().map(|o| o.0);
    let unread = Resource::new(
        move || (location.pathname.get(), opened.map(|o| o.get())),
        |_| crate::messages::api::unread_messages(),
    );
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match unread.await {
                    Ok(count) if count > 0 => Some(view! {
                        " "<span class="badge">{count}<span class="visually-hidden">{t!(i18n, nav.unread)}</span></span>
                    }),
                    _ => None,
                }
            })}
        </Transition>
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
    move || match role {
        Role::Patient => t_string!(i18n, roles.patient).to_string(),
        Role::Clinician => t_string!(i18n, roles.clinician).to_string(),
        Role::Him => t_string!(i18n, roles.him).to_string(),
        Role::Billing => t_string!(i18n, roles.billing).to_string(),
        Role::Support => t_string!(i18n, roles.support).to_string(),
        Role::Admin => t_string!(i18n, roles.admin).to_string(),
    }
}
