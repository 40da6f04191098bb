//! The payment plan's part of an account page: the plan in force (and "End the plan"), or
//! the offer and a form to set one up. The same for the guarantor's "View account" and the
//! billing office's page of the account; each posts to its own functions. Plain forms.
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::{
    plan_api::{EndPlan, OfficeEndPlan, OfficeStartPlan, StartPlan},
    PlanState,
};
use crate::{
    i18n::*,
    ui::{
        errors::{field_error, form_error, url_result},
        form::{FormMessage, TextField},
        when::When,
    },
};

/// Whose page the plan is on: the guarantor's side or the billing office's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanDesk {
    Guarantor,
    Office,
}

#[component]
pub fn PlanSection(account_id: i64, state: PlanState, desk: PlanDesk) -> impl IntoView {
    let (start, end) = match desk {
        PlanDesk::Guarantor => {
            (<StartPlan as server_fn::ServerFn>::PATH, <EndPlan as server_fn::ServerFn>::PATH)
        }
        PlanDesk::Office => {
            (<OfficeStartPlan as server_fn::ServerFn>::PATH, <OfficeEndPlan as server_fn::ServerFn>::PATH)
        }
    };
    let result = match desk {
        PlanDesk::Guarantor => url_result::<StartPlan, ()>(),
        PlanDesk::Office => url_result::<OfficeStartPlan, ()>(),
    };
    let i18n = use_i18n();
    let done = use_query_map().read_untracked().get("done");
    let notice = match done.as_deref() {
        Some("plan") => Some(t_string!(i18n, billing.plan_started).to_string()),
        Some("plan-ended") => Some(t_string!(i18n, billing.plan_ended).to_string()),
        _ => None,
    };
    let body = match state {
        PlanState::NotOffered if notice.is_none() => return None,
        PlanState::NotOffered => view! { <p>{t!(i18n, billing.plan_none)}</p> }.into_any(),
        PlanState::InForce(plan) => view! {
            <p>
                {t_string!(i18n, billing.plan_in_force, monthly = plan.monthly.display(), day = plan.day).to_string()}
                " "{t!(i18n, billing.plan_next)}" "<When iso=plan.next_due.clone() />"."
            </p>
            <form method="post" action=end>
                <input type="hidden" name="account_id" value=account_id.to_string() />
                <button type="submit" class="secondary">{t!(i18n, billing.plan_end)}</button>
            </form>
        }
        .into_any(),
        PlanState::Offered(offer) => {
            let range = t_string!(
                i18n,
                billing.plan_offer,
                min = offer.min_monthly.display(),
                max = offer.max_monthly.display()
            )
            .to_string();
            view! {
                <p id="plan-offer">{range}</p>
                <form method="post" action=start class="stack" aria-describedby="plan-offer">
                    <FormMessage message=form_error(result, &["monthly", "day"]) />
                    <input type="hidden" name="account_id" value=account_id.to_string() />
                    <TextField name="monthly" inputmode="decimal" maxlength=16 error=field_error(result, "monthly")>
                        {t!(i18n, billing.plan_monthly)}
                    </TextField>
                    <DayField error=field_error(result, "day") />
                    <button type="submit" class="primary">{t!(i18n, billing.plan_start)}</button>
                </form>
            }
            .into_any()
        }
    };
    Some(view! {
        <section class="card" aria-labelledby="plan-title">
            <h2 id="plan-title">{t!(i18n, billing.plan_title)}</h2>
            <div role="status">{notice.map(|n| view! { <p class="notice">{n}</p> })}</div>
            {body}
        </section>
    })
}

/// The day of the month a plan's payment falls on (1 to 28: every month has them).
#[component]
fn DayField(error: Signal<Option<String>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="field">
            <label for="plan-day">{t!(i18n, billing.plan_day)}</label>
            <select id="plan-day" name="day" required
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=move || error.get().map(|_| "plan-day-error")>
                {(1..=28u8).map(|d| view! { <option value=d.to_string()>{d}</option> }).collect_view()}
            </select>
            {move || error.get().map(|m| view! { <p class="field-error" id="plan-day-error">{m}</p> })}
        </div>
    }
}
