//! Public information pages: help (our FAQ), contact, privacy.
use leptos::prelude::*;
use leptos_router::components::A;

use crate::{auth::rules, i18n::*, site::with_org};

/// The clinic's teen policy in words: what a parent sees from 13 (PORTICO_TEEN_PROXY_SECTIONS).
fn teen_policy_text(i18n: leptos_i18n::I18nContext<Locale>, sections: &[crate::access::Section]) -> String {
    if sections.is_empty() {
        return t_string!(i18n, help.teen_policy_none).to_string();
    }
    let names: Vec<String> = sections.iter().map(|s| crate::ui::layout::section_label(i18n, *s)).collect();
    let sections = names.join(", ");
    t_string!(i18n, help.teen_policy, sections).to_string()
}

#[component]
fn Faq(id: &'static str, question: AnyView, children: Children) -> impl IntoView {
    view! {
        <section class="faq" aria-labelledby=id>
            <h2 id=id>{question}</h2>
            {children()}
        </section>
    }
}

#[component]
pub fn HelpPage() -> impl IntoView {
    let i18n = use_i18n();
    let web = rules::IDLE_WEB_MINUTES;
    let app = rules::IDLE_APP_MINUTES;
    view! {
        <h1>{t!(i18n, help.title)}</h1>
        <Faq id="q-what" question=t!(i18n, help.what_q).into_any()>
            <p>{t!(i18n, help.what_a)}</p>
            <p>{t!(i18n, help.record_note)}</p>
        </Faq>
        <Faq id="q-fee" question=t!(i18n, help.fee_q).into_any()><p>{t!(i18n, help.fee_a)}</p></Faq>
        <Faq id="q-signup" question=t!(i18n, help.signup_q).into_any()>
            <p>{t!(i18n, help.signup_a)}</p>
            <p><A href="/enroll">{t!(i18n, signin.sign_up)}</A></p>
        </Faq>
        <Faq id="q-code" question=t!(i18n, help.code_q).into_any()><p>{t!(i18n, help.code_a)}</p></Faq>
        <Faq id="q-code-works" question=t!(i18n, help.code_works_q).into_any()>
            <p>{t!(i18n, help.code_works_a)}</p>
            <p><A href="/enroll">{t!(i18n, signin.sign_up)}</A>" · "<A href="/signup">{t!(i18n, signin.sign_up_online)}</A></p>
        </Faq>
        <Faq id="q-forgot" question=t!(i18n, help.forgot_q).into_any()>
            <p>{t!(i18n, help.forgot_a)}</p>
            <p><A href="/forgot-password">{t!(i18n, signin.forgot)}</A></p>
        </Faq>
        <Faq id="q-two-step" question=t!(i18n, help.two_step_q).into_any()>
            <p>{t!(i18n, help.two_step_a)}</p>
            <p>{t!(i18n, two_step.why_no_question)}</p>
        </Faq>
        <Faq id="q-logout" question=t!(i18n, help.logout_q).into_any()>
            <p>{t!(i18n, help.logout_a, web, app)}</p>
        </Faq>
        <Faq id="q-proxy" question=t!(i18n, help.proxy_q).into_any()>
            <p>{t!(i18n, help.proxy_a)}</p>
            <p data-testid="teen-policy">{with_org(move |org| teen_policy_text(i18n, &org.teen_proxy_sections))}</p>
        </Faq>
        <Faq id="q-sharing" question=t!(i18n, help.sharing_q).into_any()>
            <p>{t!(i18n, help.sharing_a)}</p>
            <p><A href="/sharing">{t!(i18n, nav.sharing)}</A></p>
        </Faq>
        <Faq id="q-spouse" question=t!(i18n, help.spouse_q).into_any()>
            <p>{t!(i18n, help.spouse_a)}</p>
            <p><A href="/sharing/invite">{t!(i18n, nav.sharing)}</A></p>
        </Faq>
        <Faq id="q-seen" question=t!(i18n, help.seen_q).into_any()>
            <p>{t!(i18n, help.seen_a)}</p>
            <p><A href="/sharing/access-log">{t!(i18n, nav.sharing)}</A></p>
        </Faq>
        <Faq id="q-confidential" question=t!(i18n, help.confidential_q).into_any()>
            <p>{t!(i18n, help.confidential_a)}</p>
        </Faq>
        <Faq id="q-family" question=t!(i18n, help.family_q).into_any()><p>{t!(i18n, help.family_a)}</p></Faq>
        <Faq id="q-results" question=t!(i18n, help.results_q).into_any()>
            <p>{t!(i18n, help.results_a)}</p>
            <p><A href="/results">{t!(i18n, nav.results)}</A></p>
        </Faq>
        <Faq id="q-avs" question=t!(i18n, help.avs_q).into_any()>
            <p>{t!(i18n, help.avs_a)}</p>
            <p><A href="/visits">{t!(i18n, nav.visits)}</A></p>
        </Faq>
        <Faq id="q-docs" question=t!(i18n, help.docs_q).into_any()>
            <p>{t!(i18n, help.docs_a)}</p>
            <p><A href="/visits">{t!(i18n, nav.visits)}</A>" · "<A href="/messages/new">{t!(i18n, nav.messages)}</A></p>
        </Faq>
        <Faq id="q-reply" question=t!(i18n, help.reply_q).into_any()>
            <p>{t!(i18n, help.reply_a)}</p>
            <p><A href="/messages">{t!(i18n, nav.messages)}</A></p>
        </Faq>
        <Faq id="q-urgent" question=t!(i18n, help.urgent_q).into_any()><p>{t!(i18n, help.urgent_a)}</p></Faq>
        <Faq id="q-wrong" question=t!(i18n, help.wrong_q).into_any()><p>{t!(i18n, help.wrong_a)}</p></Faq>
        <Faq id="q-personal" question=t!(i18n, help.personal_q).into_any()>
            <p>{t!(i18n, help.personal_a)}</p>
            <p><A href="/account">{t!(i18n, nav.account)}</A></p>
        </Faq>
        <Faq id="q-demographics" question=t!(i18n, help.demographics_q).into_any()>
            <p>{t!(i18n, help.demographics_a)}</p>
            <p><A href="/account/personal">{t!(i18n, personal.link)}</A></p>
        </Faq>
        <Faq id="q-app" question=t!(i18n, help.app_q).into_any()><p>{t!(i18n, help.app_a)}</p></Faq>
        <Faq id="q-pay" question=t!(i18n, help.pay_q).into_any()>
            <p>{t!(i18n, help.pay_a)}</p>
            <p><A href="/contact">{t!(i18n, nav.contact)}</A></p>
        </Faq>
        <Faq id="q-secure" question=t!(i18n, help.secure_q).into_any()>
            <p>{t!(i18n, help.secure_a)}</p>
            <p><A href="/account">{t!(i18n, nav.account)}</A></p>
        </Faq>
        <Faq id="q-privacy" question=t!(i18n, help.privacy_q).into_any()>
            <p>{t!(i18n, help.privacy_a)}</p>
            <p><A href="/privacy">{t!(i18n, nav.privacy)}</A></p>
        </Faq>
        <Faq id="q-need" question=t!(i18n, help.need_q).into_any()><p>{t!(i18n, help.need_a)}</p></Faq>
        <Faq id="q-contact" question=t!(i18n, help.contact_q).into_any()>
            <p>{t!(i18n, help.contact_a)} " " <A href="/contact">{t!(i18n, nav.contact)}</A></p>
        </Faq>
    }
}

#[component]
pub fn ContactPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h1>{t!(i18n, contact.title)}</h1>
        {with_org(move |org| {
            let tel = format!("tel:{}", org.support_phone.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect::<String>());
            view! {
                <p>{t!(i18n, contact.intro, org = org.name.clone())}</p>
                <dl class="contact">
                    <dt>{t!(i18n, contact.phone)}</dt>
                    <dd><a href=tel>{org.support_phone.clone()}</a></dd>
                    <dt>{t!(i18n, contact.hours)}</dt>
                    <dd>{org.support_hours.clone()}</dd>
                </dl>
                <OtherContacts contacts=org.contacts.clone() />
            }
        })}
        <p>{t!(i18n, contact.codes)}</p>
    }
}

#[component]
pub fn PrivacyPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h1>{t!(i18n, privacy.title)}</h1>
        <p>{t!(i18n, privacy.p1)}</p>
        <p>{t!(i18n, privacy.p2)}</p>
        <p>{t!(i18n, privacy.p3)}</p>
        <p>{t!(i18n, privacy.p4)}</p>
    }
}

/// Billing, Release of Information and each department's office, when configured.
#[component]
fn OtherContacts(contacts: crate::site::Contacts) -> impl IntoView {
    let i18n = use_i18n();
    let line = |label: String, phone: String| {
        view! { <dt>{label}</dt><dd><a href=crate::site::tel_link(&phone)>{phone.clone()}</a></dd> }
    };
    let billing =
        contacts.billing_phone.clone().map(|p| line(t_string!(i18n, contact.billing).to_string(), p));
    let records =
        contacts.records_phone.clone().map(|p| line(t_string!(i18n, contact.records).to_string(), p));
    let offices = contacts.departments.clone();
    let any = billing.is_some() || records.is_some() || !offices.is_empty();
    any.then(|| {
        view! {
            <h2>{t!(i18n, contact.other_title)}</h2>
            <dl class="contact">
                {billing}
                {records}
                {offices.into_iter().map(|d| line(d.department, d.phone)).collect_view()}
            </dl>
        }
    })
}
