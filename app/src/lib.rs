//! Portico's application: shared by the server (feature `ssr`) and the browser (`hydrate`).
//! One folder per capability; see ARCHITECTURE in the README.
#![recursion_limit = "256"]

pub mod access;
pub mod account;
pub mod auth;
pub mod billing;
pub mod break_glass;
pub mod confidential;
pub mod connected_apps;
pub mod dates;
pub mod documents;
pub mod error;
pub mod home;
pub mod info;
#[cfg(feature = "ssr")]
pub mod infra;
pub mod input;
pub mod invitations;
pub mod medications;
pub mod messages;
pub mod notices;
pub mod patients;
pub mod personal;
pub mod problem;
pub mod proxy;
pub mod reminders;
pub mod results;
pub mod share;
pub mod signup;
pub mod site;
pub mod staff;
pub mod summary;
pub mod ui;
pub mod visits;

include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{ParentRoute, Route, Router, Routes},
    path, SsrMode,
};

use crate::{
    access::{api::current_user, Me},
    account::pages::{AccountPage, ChangePasswordPage, DevicesPage},
    auth::{
        api::SignIn,
        pages::{EnrollPage, ForgotPasswordPage, SignInPage},
        two_step_pages::{FirstPasswordPage, TwoStepPage, TwoStepSetupPage},
    },
    break_glass::pages::BreakGlassReviewPage,
    confidential::staff_pages::ConfidentialPage,
    error::AppError,
    home::HomePage,
    i18n::*,
    info::{ContactPage, HelpPage, PrivacyPage},
    medications::{
        pages::{MedicationsPage, RenewalRequestPage},
        staff_pages::RenewalQueuePage,
    },
    messages::{
        pages::{MessagesPage, NewMessagePage, ThreadPage},
        staff_pages::{StaffInboxPage, StaffThreadPage},
    },
    notices::pages::NoticesPage,
    proxy::{
        grant_pages::{GrantSectionsPage, RestrictionRequestPage},
        pages::{AccessLogPage, AdultRequestPage, MinorRequestPage, SharingPage},
        staff_pages::{ProxyQueuePage, ProxyRequestPage},
    },
    reminders::pages::RemindersPage,
    results::{
        pages::{ResultPage, ResultsPage, TrendPage},
        staff_pages::StaffResultsPage,
    },
    staff::pages::ActivationCodesPage,
    summary::pages::HealthSummaryPage,
    ui::layout::{PortalLayout, PublicLayout},
    visits::pages::{VisitDocumentPage, VisitsPage},
};

/// Who is signed in, read once for each page the server renders.
#[derive(Clone, Copy)]
pub struct MeResource(pub Resource<Result<Option<Me>, AppError>>);
#[derive(Clone, Copy)]
pub struct SignInAction(pub ServerAction<SignIn>);

/// The HTML document around the app, rendered on the server only.
pub fn shell(_options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_content_security_policy();
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="theme-color" content="#1d5c87" />
                <link rel="manifest" href="/manifest.webmanifest" />
                <link rel="icon" href="/favicon.ico" sizes="any" />
                <link rel="apple-touch-icon" href="/icons/icon-192.png" />
                {loads_wasm().then(client_scripts)}
                <RegisterServiceWorker />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The browser client (frontend/client.js: navigation, and the wasm that hydrates the
/// page's islands). Paths as scripts/build-site.sh writes them. Rendered instead of Leptos' `HydrationScripts` (see client.js for why).
fn client_scripts() -> impl IntoView {
    // Outside islands the server renders plain HTML, no hydration markers (what
    // `HydrationScripts islands=true` would set).
    if let Some(context) = Owner::current_shared_context() {
        context.set_is_hydrating(false);
    }
    // No preload of the wasm: the page is whole without it, and on a slow phone network it
    // must not compete with the page's own stylesheet and content (client.js fetches it
    // once the page has loaded).
    view! { <script type="module" src="/pkg/client.js"></script> }
}

/// Pages served as plain HTML forms, without the wasm app: the sign-in page, which every
/// patient loads first and often on a phone, is then a few kilobytes instead of the whole
/// client (its form posts to the server function and works without JavaScript; errors come
/// back in the URL and are shown at the form). Reached by a client-side link from a page
/// that already runs the app, the same route renders in the browser as usual.
pub const PAGES_WITHOUT_WASM: &[&str] = &["/signin"];

fn loads_wasm() -> bool {
    #[cfg(feature = "ssr")]
    if let Some(parts) = use_context::<http::request::Parts>() {
        return !PAGES_WITHOUT_WASM.contains(&parts.uri.path());
    }
    true
}

/// A CSP whose script nonce changes with every response (Leptos puts the same nonce on
/// its hydration scripts); wasm needs 'wasm-unsafe-eval', never 'unsafe-eval'.
#[cfg(feature = "ssr")]
fn set_content_security_policy() {
    let Some(nonce) = leptos::nonce::use_nonce() else { return };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
         manifest-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    );
    if let Some(slot) =
        use_context::<http::request::Parts>().and_then(|p| p.extensions.get::<infra::PageCsp>().cloned())
    {
        if let Ok(mut kept) = slot.0.lock() {
            *kept = Some(policy.clone());
        }
    }
    if let (Some(opts), Ok(value)) =
        (use_context::<leptos_axum::ResponseOptions>(), http::HeaderValue::from_str(&policy))
    {
        opts.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    site::provide_org();
    let sign_in = ServerAction::<SignIn>::new();
    let me = Resource::new(|| (), |_| current_user());
    provide_context(MeResource(me));
    provide_context(SignInAction(sign_in));

    view! {
        <I18nContextProvider ssr_lang_header_getter=ui::language::locale_options()>
            <Stylesheet id="leptos" href="/pkg/portico.css" />
            <Title text="Portico" />
            <Router>
                <Routes fallback=NotFound>
                    // Async SSR everywhere: each page waits for its (fast) data and is sent
                    // whole. Out-of-order streaming intermittently left a response hanging
                    // (leptos-rs/leptos#4851), seen once in CI on /signin.
                    <ParentRoute path=path!("") view=PublicLayout ssr=SsrMode::Async>
                        <Route path=path!("signin") view=SignInPage ssr=SsrMode::Async />
                        <Route path=path!("two-step") view=TwoStepPage ssr=SsrMode::Async />
                        <Route path=path!("two-step/setup") view=TwoStepSetupPage ssr=SsrMode::Async />
                        <Route path=path!("two-step/password") view=FirstPasswordPage ssr=SsrMode::Async />
                        <Route path=path!("enroll") view=EnrollPage ssr=SsrMode::Async />
                        <Route path=path!("signup") view=crate::signup::pages::SignUpPage ssr=SsrMode::Async />
                        <Route path=path!("invitation") view=crate::invitations::pages::InvitationPage ssr=SsrMode::Async />
                        <Route path=path!("forgot-password") view=ForgotPasswordPage ssr=SsrMode::Async />
                        <Route path=path!("help") view=HelpPage ssr=SsrMode::Async />
                        <Route path=path!("contact") view=ContactPage ssr=SsrMode::Async />
                        <Route path=path!("privacy") view=PrivacyPage ssr=SsrMode::Async />
                        <Route path=path!("share") view=crate::share::viewer_pages::OpenSharePage ssr=SsrMode::Async />
                        <Route path=path!("share/view") view=crate::share::viewer_pages::SharedRecordPage ssr=SsrMode::Async />
                        <Route path=path!("pay-as-guest") view=crate::billing::guest_pages::GuestStartPage ssr=SsrMode::Async />
                        <Route path=path!("pay-as-guest/account") view=crate::billing::guest_pages::GuestAccountPage ssr=SsrMode::Async />
                        <Route path=path!("pay-as-guest/payments/:id") view=crate::billing::guest_pages::GuestPaymentPage ssr=SsrMode::Async />
                    </ParentRoute>
                    <ParentRoute path=path!("") view=PortalLayout ssr=SsrMode::Async>
                        <Route path=path!("") view=HomePage ssr=SsrMode::Async />
                        <Route path=path!("account") view=AccountPage ssr=SsrMode::Async />
                        <Route path=path!("account/password") view=ChangePasswordPage ssr=SsrMode::Async />
                        <Route path=path!("account/devices") view=DevicesPage ssr=SsrMode::Async />
                        <Route path=path!("account/passkeys") view=crate::auth::passkeys::pages::PasskeysPage ssr=SsrMode::Async />
                        <Route path=path!("account/email") view=crate::account::email_pages::EmailPage ssr=SsrMode::Async />
                        <Route path=path!("account/personal") view=crate::personal::pages::PersonalPage ssr=SsrMode::Async />
                        <Route path=path!("account/notices") view=NoticesPage ssr=SsrMode::Async />
                        <Route path=path!("account/apps") view=crate::connected_apps::pages::LinkedAppsPage ssr=SsrMode::Async />
                        <Route path=path!("connect") view=crate::connected_apps::pages::ConsentPage ssr=SsrMode::Async />
                        <Route path=path!("staff/apps") view=crate::connected_apps::admin_pages::AppsAdminPage ssr=SsrMode::Async />
                        <Route path=path!("staff/activation-codes") view=ActivationCodesPage ssr=SsrMode::Async />
                        <Route path=path!("staff/personal/:id") view=crate::personal::pages::StaffPersonalPage ssr=SsrMode::Async />
                        <Route path=path!("staff/corrections") view=crate::personal::correction_pages::CorrectionQueuePage ssr=SsrMode::Async />
                        <Route path=path!("staff/results") view=StaffResultsPage ssr=SsrMode::Async />
                        <Route path=path!("staff/renewals") view=RenewalQueuePage ssr=SsrMode::Async />
                        <Route path=path!("visits") view=VisitsPage ssr=SsrMode::Async />
                        <Route path=path!("visits/:id/:doc") view=VisitDocumentPage ssr=SsrMode::Async />
                        <Route path=path!("results") view=ResultsPage ssr=SsrMode::Async />
                        <Route path=path!("results/trend/:loinc") view=TrendPage ssr=SsrMode::Async />
                        <Route path=path!("results/:id") view=ResultPage ssr=SsrMode::Async />
                        <Route path=path!("medications") view=MedicationsPage ssr=SsrMode::Async />
                        <Route path=path!("medications/:id/renew") view=RenewalRequestPage ssr=SsrMode::Async />
                        <Route path=path!("health-summary") view=HealthSummaryPage ssr=SsrMode::Async />
                        <Route path=path!("reminders") view=RemindersPage ssr=SsrMode::Async />
                        <Route path=path!("billing") view=crate::billing::pages::BillingSummaryPage ssr=SsrMode::Async />
                        <Route path=path!("billing/accounts/:id") view=crate::billing::pages::AccountPage ssr=SsrMode::Async />
                        <Route path=path!("billing/accounts/:id/pay") view=crate::billing::pay_pages::PayPage ssr=SsrMode::Async />
                        <Route path=path!("billing/payments/:id") view=crate::billing::pay_pages::PaymentPage ssr=SsrMode::Async />
                        <Route path=path!("documents") view=crate::documents::pages::DocumentsPage ssr=SsrMode::Async />
                        <Route path=path!("documents/visits") view=crate::documents::pages::VisitRecordsReadPage ssr=SsrMode::Async />
                        <Route path=path!("documents/request") view=crate::documents::request_pages::RecordRequestPage ssr=SsrMode::Async />
                        <Route path=path!("documents/share") view=crate::share::pages::SharePageView ssr=SsrMode::Async />
                        <Route path=path!("documents/export") view=crate::documents::export_pages::ExportPage ssr=SsrMode::Async />
                        <Route path=path!("staff/records") view=crate::documents::staff_pages::RecordRequestQueuePage ssr=SsrMode::Async />
                        <Route path=path!("staff/documents") view=crate::documents::staff_pages::PostDocumentPage ssr=SsrMode::Async />
                        <Route path=path!("messages") view=MessagesPage ssr=SsrMode::Async />
                        <Route path=path!("messages/new") view=NewMessagePage ssr=SsrMode::Async />
                        <Route path=path!("messages/:id") view=ThreadPage ssr=SsrMode::Async />
                        <Route path=path!("staff/messages") view=StaffInboxPage ssr=SsrMode::Async />
                        <Route path=path!("staff/messages/:id") view=StaffThreadPage ssr=SsrMode::Async />
                        <Route path=path!("sharing") view=SharingPage ssr=SsrMode::Async />
                        <Route path=path!("sharing/minor") view=MinorRequestPage ssr=SsrMode::Async />
                        <Route path=path!("sharing/invite") view=crate::invitations::pages::InvitePage ssr=SsrMode::Async />
                        <Route path=path!("sharing/adult") view=AdultRequestPage ssr=SsrMode::Async />
                        <Route path=path!("sharing/access-log") view=AccessLogPage ssr=SsrMode::Async />
                        <Route path=path!("sharing/grants/:id") view=GrantSectionsPage ssr=SsrMode::Async />
                        <Route path=path!("sharing/grants/:id/restrict") view=RestrictionRequestPage ssr=SsrMode::Async />
                        <Route path=path!("staff/proxy") view=ProxyQueuePage ssr=SsrMode::Async />
                        <Route path=path!("staff/proxy/:id") view=ProxyRequestPage ssr=SsrMode::Async />
                        <Route path=path!("staff/proxy/invite/:id") view=crate::invitations::pages::StaffInvitePage ssr=SsrMode::Async />
                        <Route path=path!("staff/confidential") view=ConfidentialPage ssr=SsrMode::Async />
                        <Route path=path!("staff/billing") view=crate::billing::office_pages::OfficeFindPage ssr=SsrMode::Async />
                        <Route path=path!("staff/billing/accounts/:id") view=crate::billing::office_pages::OfficeAccountPage ssr=SsrMode::Async />
                        <Route path=path!("staff/break-glass") view=BreakGlassReviewPage ssr=SsrMode::Async />
                    </ParentRoute>
                </Routes>
            </Router>
        </I18nContextProvider>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    ui::set_not_found_status();
    let i18n = use_i18n();
    view! {
        <main id="main" class="card narrow">
            <h1>{t!(i18n, common.not_found)}</h1>
            <p><a href="/">{t!(i18n, nav.home)}</a></p>
        </main>
        <ui::notices::EmergencyNotice />
    }
}

/// Registers the service worker (public/sw.js: it caches the static app shell and the
/// offline page, never a page or an answer with health information) from every page the
/// server sends, the sign-in page too, which has no wasm: a visitor's first page installs
/// it. A plain script under the page's CSP nonce, run once the page has loaded so that it
/// never competes with the page itself. (The wasm app registered it before, which left a
/// patient who had only seen the sign-in page without one, and measured signed in on Home,
/// registered nothing either.)
#[component]
fn RegisterServiceWorker() -> impl IntoView {
    let nonce = leptos::nonce::use_nonce();
    view! { <script nonce=nonce>{SERVICE_WORKER_REGISTRATION}</script> }
}

/// No `<`, `>` or `&`: the text of a script is written as is.
const SERVICE_WORKER_REGISTRATION: &str = "if ('serviceWorker' in navigator) { \
     addEventListener('load', function () { navigator.serviceWorker.register('/sw.js'); }); }";
