//! The clinician's renewal queue.
use leptos::prelude::*;

use super::{
    staff_api::{renewal_queue, DecideRenewal},
    RenewalQueueRow, DENIAL_REASON_MAX_CHARS, MAX_REFILLS,
};
use crate::{
    i18n::*,
    ui::{
        errors::{form_error, url_result},
        form::{FormMessage, TextField},
        loaded::Loaded,
    },
};

#[component]
pub fn RenewalQueuePage() -> impl IntoView {
    let i18n = use_i18n();
    // The decisions are plain form posts: the server sends this page back, the decided
    // request gone from the queue, or the error in the URL.
    let decide = ServerAction::<DecideRenewal>::new();
    let queue = Resource::new(|| (), |_| renewal_queue());
    let result = url_result::<DecideRenewal, ()>();
    view! {
        <h1>{t!(i18n, renewals.title)}</h1>
        // The URL says what was wrong, not on which card: the message goes above them all.
        <FormMessage message=form_error(result, &[]) />
        <Loaded resource=queue render=move |rows| {
            if rows.is_empty() {
                return view! { <p class="empty">{t!(i18n, renewals.empty)}</p> }.into_any();
            }
            view! {
                <ul class="renewal-queue">
                    {rows.into_iter().map(|r| view! { <RenewalItem r decide /> }).collect_view()}
                </ul>
            }.into_any()
        } />
    }
}

#[component]
fn RenewalItem(r: RenewalQueueRow, decide: ServerAction<DecideRenewal>) -> impl IntoView {
    let i18n = use_i18n();
    let id = r.id;
    let (heading, labelled_by) = (format!("renewal-{id}"), format!("renewal-{id}"));
    view! {
        <li class="card" aria-labelledby=labelled_by>
            <h2 id=heading>{format!("{} — {} ({})", r.medication, r.patient, r.mrn)}</h2>
            <p>{r.sig.clone()}</p>
            <p class="muted">{t_string!(i18n, renewals.details, date = crate::ui::when::words(i18n, &r.requested_on), pharmacy = r.pharmacy.clone(), refills = r.refills_remaining).to_string()}</p>
            {r.requested_by_proxy.clone().map(|name| view! { <p>{t!(i18n, renewals.by_proxy, name = name)}</p> })}
            {(!r.comment.is_empty()).then(|| view! { <blockquote>{r.comment.clone()}</blockquote> })}
            <div class="decisions">
                <ActionForm action=decide>
                    <input type="hidden" name="id" value=id />
                    <input type="hidden" name="approve" value="true" />
                    <div class="field">
                        <label for=format!("refills-{id}")>{t!(i18n, renewals.refills)}</label>
                        <input id=format!("refills-{id}") name="refills" type="number" min="0" max=MAX_REFILLS value="3" required />
                    </div>
                    <button type="submit" class="primary">{t!(i18n, renewals.approve)}</button>
                </ActionForm>
                <ActionForm action=decide>
                    <input type="hidden" name="id" value=id />
                    <input type="hidden" name="approve" value="false" />
                    <TextField name="reason" id=format!("reason-{id}") maxlength=DENIAL_REASON_MAX_CHARS>
                        {t!(i18n, renewals.reason)}
                    </TextField>
                    <button type="submit">{t!(i18n, renewals.deny)}</button>
                </ActionForm>
            </div>
        </li>
    }
}
