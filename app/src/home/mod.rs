//! The signed-in home page: for a patient, the next appointments, new results and the
//! reminders that need action; for staff, their work queues.
pub mod api;
#[cfg(feature = "ssr")]
pub mod store;

use leptos::prelude::*;
use leptos_router::components::A;
use serde::{Deserialize, Serialize};

use crate::{
    access::Me,
    i18n::*,
    reminders::{pages::ReminderList, Reminder},
    results::{pages::ResultList, ResultSummary},
    ui::loaded::Loaded,
    visits::{pages::VisitList, VisitSummary},
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HomeOverview {
    pub upcoming: Vec<VisitSummary>,
    pub new_results: Vec<ResultSummary>,
    pub new_result_count: i64,
    pub reminders: Vec<Reminder>,
}

#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    let me = expect_context::<Me>();
    // Patients by first name; staff by their full name ("Dr. Alex Rivera").
    let name = if me.role.is_staff() {
        me.display_name.clone()
    } else {
        me.display_name.split_whitespace().next().unwrap_or_default().to_owned()
    };
    let staff = me.role.is_staff();
    view! {
        <h1>{t!(i18n, home.greeting, name = name.clone())}</h1>
        {if staff { view! { <StaffHome me /> }.into_any() } else { view! { <PatientHome /> }.into_any() }}
        <section class="card">
            <h2>{t!(i18n, home.support_title)}</h2>
            <p>{t!(i18n, home.support_text)}</p>
        </section>
    }
}

#[component]
fn PatientHome() -> impl IntoView {
    let i18n = use_i18n();
    let overview = Resource::new(|| (), |_| api::load_home());
    view! {
        <Loaded resource=overview render=move |o| view! {
            <div class="home-cards">
                <section class="card">
                    <h2>{t!(i18n, home.upcoming)}</h2>
                    {if o.upcoming.is_empty() {
                        view! { <p class="empty">{t!(i18n, visits.no_upcoming)}</p> }.into_any()
                    } else {
                        view! { <VisitList visits=o.upcoming past=false /> }.into_any()
                    }}
                    <p><A href="/visits">{t!(i18n, home.all_visits)}</A></p>
                </section>
                <section class="card">
                    <h2>{t_string!(i18n, home.new_results, count = o.new_result_count).to_string()}</h2>
                    {if o.new_results.is_empty() {
                        view! { <p class="empty">{t!(i18n, home.no_new_results)}</p> }.into_any()
                    } else {
                        view! { <ResultList list=o.new_results /> }.into_any()
                    }}
                    <p><A href="/results">{t!(i18n, home.all_results)}</A></p>
                </section>
                <section class="card">
                    <h2>{t!(i18n, home.reminders)}</h2>
                    {if o.reminders.is_empty() {
                        view! { <p class="empty">{t!(i18n, home.no_reminders)}</p> }.into_any()
                    } else {
                        view! { <ReminderList list=o.reminders /> }.into_any()
                    }}
                    <p><A href="/reminders">{t!(i18n, home.all_reminders)}</A></p>
                </section>
            </div>
        } />
    }
}

#[component]
fn StaffHome(me: Me) -> impl IntoView {
    let i18n = use_i18n();
    let clinician = me.role.is_clinician();
    view! {
        <p>{t!(i18n, home.intro)}</p>
        <ul class="links">
            {clinician.then(|| view! {
                <li><A href="/staff/results">{t!(i18n, nav.staff_results)}</A></li>
                <li><A href="/staff/renewals">{t!(i18n, nav.staff_renewals)}</A></li>
            })}
            {me.role.may_issue_activation_codes().then(|| view! {
                <li><A href="/staff/activation-codes">{t!(i18n, nav.activation_codes)}</A></li>
            })}
            {(me.role == crate::auth::Role::Billing).then(|| view! {
                <li><A href="/staff/billing">{t!(i18n, nav.staff_billing)}</A></li>
            })}
        </ul>
    }
}
