//! Medications: current medications, each with its renewal status and, when no request is
//! pending, a form to request a renewal.
use leptos::prelude::*;

use super::{
    api::{list_medications, RequestRenewal},
    Medication, RenewalStatus, COMMENT_MAX_CHARS, PHARMACY_MAX_CHARS,
};
use crate::{
    error::AppError,
    i18n::*,
    ui::{
        errors::{field_error, form_error},
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
                t_string!(i18n, meds.pending, date = r.requested_on.clone()).to_string()
            }
            RenewalStatus::Approved { refills } => {
                t_string!(i18n, meds.approved, date = r.requested_on.clone(), refills).to_string()
            }
            RenewalStatus::Denied { reason } => {
                t_string!(i18n, meds.denied, date = r.requested_on.clone(), reason = reason.clone())
                    .to_string()
            }
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
            {(!pending).then(|| view! { <RenewalRequest id=m.id /> })}
        </li>
    }
}

/// "Request renewal" and its form. Sent, the page is rendered again with the request
/// pending (and without this form).
#[island(lazy)]
fn RenewalRequest(id: i64) -> impl IntoView {
    let i18n = crate::ui::island_i18n();
    let request = ServerAction::<RequestRenewal>::new();
    crate::ui::nav::reload_when(move || matches!(request.value().get(), Some(Ok(_))));
    let open = RwSignal::new(false);
    let key = RwSignal::new(String::new());
    Effect::new(move |_| key.set(idempotency_key()));
    let result: Signal<Option<Result<super::Renewal, AppError>>> = request.value().into();
    let form_id = format!("renew-{id}");
    view! {
        <button type="button" aria-expanded=move || open.get().to_string() aria-controls=form_id.clone()
            on:click=move |_| open.update(|o| *o = !*o)>
            {t!(i18n, meds.request)}
        </button>
        <div id=form_id.clone() hidden=move || !open.get()>
            <ActionForm action=request>
                <FormMessage message=form_error(result, &["pharmacy", "comment"]) />
                <input type="hidden" name="medication_id" value=id />
                <input type="hidden" name="key" prop:value=key />
                <TextField name="pharmacy" id=format!("pharmacy-{id}") maxlength=PHARMACY_MAX_CHARS error=field_error(result, "pharmacy")>
                    {t!(i18n, meds.pharmacy)}
                </TextField>
                <TextField name="comment" id=format!("comment-{id}") required=false maxlength=COMMENT_MAX_CHARS error=field_error(result, "comment")>
                    {t!(i18n, meds.comment)}
                </TextField>
                <button type="submit" class="primary" disabled=move || request.pending().get()>
                    {t!(i18n, meds.send)}
                </button>
            </ActionForm>
        </div>
    }
}
