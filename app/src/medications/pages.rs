//! Medications: current medications, each with its renewal status and, when no request is
//! pending, a form to request a renewal.
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::{
    api::{list_medications, RequestRenewal},
    Medication, RenewalStatus, COMMENT_MAX_CHARS, PHARMACY_MAX_CHARS,
};
use crate::{
    i18n::*,
    ui::{
        errors::{field_error, form_error, url_result},
        form::{idempotency_key, FormMessage, TextField},
        loaded::Loaded,
    },
};

#[component]
pub fn MedicationsPage() -> impl IntoView {
    let i18n = use_i18n();
    let meds = Resource::new(|| (), |_| list_medications());
    view! {
        <h1>{t!(i18n, meds.title)}</h1>
        <p>{t!(i18n, meds.intro)}</p>
        // A promise about renewals only when the clinic makes one (PORTICO_RENEWAL_PROMISE).
        {crate::site::with_org(|org| org.promises.renewal.map(|text| view! { <p>{text}</p> }))}
        <Loaded resource=meds render=move |list| {
            if list.is_empty() {
                return view! { <p class="empty">{t!(i18n, meds.none)}</p> }.into_any();
            }
            view! {
                <ul class="med-list">
                    {list.into_iter().map(|m| view! { <MedicationCard m /> }).collect_view()}
                </ul>
            }.into_any()
        } />
    }
}

#[component]
fn MedicationCard(m: Medication) -> impl IntoView {
    let i18n = use_i18n();
    let pending = matches!(m.renewal.as_ref().map(|r| &r.status), Some(RenewalStatus::Pending));
    let status = m.renewal.clone().map(|r| {
        let text = match r.status {
            RenewalStatus::Pending => {
                t_string!(i18n, meds.pending, date = crate::ui::when::words(i18n, &r.requested_on))
                    .to_string()
            }
            RenewalStatus::Approved { refills } => {
                t_string!(i18n, meds.approved, date = crate::ui::when::words(i18n, &r.requested_on), refills)
                    .to_string()
            }
            RenewalStatus::Denied { reason } => t_string!(
                i18n,
                meds.denied,
                date = crate::ui::when::words(i18n, &r.requested_on),
                reason = reason.clone()
            )
            .to_string(),
        };
        view! { <p class="renewal-status" role="status">{text}</p> }
    });
    let (heading_id, labelled_by) = (format!("med-{}", m.id), format!("med-{}", m.id));
    view! {
        <li class="med card" aria-labelledby=labelled_by>
            <h2 id=heading_id>{format!("{} {}", m.name, m.dose)}</h2>
            <p>{m.sig.clone()}</p>
            <p class="muted">
                {m.prescriber.clone().map(|p| format!("{p} · ")).unwrap_or_default()}
                {t_string!(i18n, meds.refills, count = m.refills_remaining).to_string()}
            </p>
            {status}
            {(!pending).then(|| view! {
                // Named with the medication: a list of links reads "Request renewal Atorvastatin…".
                <a class="button" href=format!("/medications/{}/renew", m.id) id=format!("renew-{}", m.id)
                    aria-labelledby=format!("renew-{} med-{}", m.id, m.id)>
                    {t!(i18n, meds.request)}
                </a>
            })}
        </li>
    }
}

/// A renewal request for one medication: a page of its own, sent as a plain form (no wasm:
/// the Medications page costs a phone nothing after Home). The server answers a sent
/// request with the Medications page, where the card now says it is pending; a refused one
/// comes back here with the error at its field.
#[component]
pub fn RenewalRequestPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<i64>().ok());
    let meds = Resource::new(|| (), |_| list_medications());
    view! {
        <p><a href="/medications">{t!(i18n, meds.back)}</a></p>
        <Loaded resource=meds render=move |list| {
            match list.into_iter().find(|m| Some(m.id) == id()) {
                None => {
                    crate::ui::set_not_found_status();
                    view! { <h1>{t!(i18n, meds.not_found)}</h1> }.into_any()
                }
                Some(m) => view! { <RenewalForm m /> }.into_any(),
            }
        } />
    }
}

const RENEW_PATH: &str = <RequestRenewal as server_fn::ServerFn>::PATH;

#[component]
fn RenewalForm(m: Medication) -> impl IntoView {
    let i18n = use_i18n();
    let result = url_result::<RequestRenewal, super::Renewal>();
    let pending = matches!(m.renewal.as_ref().map(|r| &r.status), Some(RenewalStatus::Pending));
    view! {
        <h1>{t!(i18n, meds.renew_title)}</h1>
        <h2>{format!("{} {}", m.name, m.dose)}</h2>
        <p>{m.sig.clone()}</p>
        {if pending {
            view! { <p role="status">{t!(i18n, meds.already_pending)}</p> }.into_any()
        } else {
            view! {
                <form method="post" action=RENEW_PATH class="card">
                    <FormMessage message=form_error(result, &["pharmacy", "comment"]) />
                    <input type="hidden" name="medication_id" value=m.id />
                    <input type="hidden" name="key" value=idempotency_key() />
                    <TextField name="pharmacy" maxlength=PHARMACY_MAX_CHARS autocomplete="off" error=field_error(result, "pharmacy")>
                        {t!(i18n, meds.pharmacy)}
                    </TextField>
                    <TextField name="comment" required=false maxlength=COMMENT_MAX_CHARS error=field_error(result, "comment")>
                        {t!(i18n, meds.comment)}
                    </TextField>
                    <button type="submit" class="primary">{t!(i18n, meds.send)}</button>
                </form>
            }.into_any()
        }}
    }
}
