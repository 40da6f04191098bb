use leptos::prelude::*;

use super::{api::list_reminders, Reminder, ReminderKind, ReminderStatus};
use crate::{i18n::*, ui::loaded::Loaded};

pub fn kind_text(i18n: leptos_i18n::I18nContext<Locale>, kind: ReminderKind) -> String {
    match kind {
        ReminderKind::FluVaccine => t_string!(i18n, reminders.flu).to_string(),
        ReminderKind::Tetanus => t_string!(i18n, reminders.tetanus).to_string(),
        ReminderKind::Pneumococcal => t_string!(i18n, reminders.pneumococcal).to_string(),
        ReminderKind::HbA1c => t_string!(i18n, reminders.hba1c).to_string(),
        ReminderKind::Cholesterol => t_string!(i18n, reminders.cholesterol).to_string(),
    }
}

pub fn status_text(i18n: leptos_i18n::I18nContext<Locale>, status: &ReminderStatus) -> String {
    match status {
        ReminderStatus::Done { next_due: Some(date) } => {
            t_string!(i18n, reminders.done_next, date = crate::ui::when::words(i18n, date)).to_string()
        }
        ReminderStatus::Done { next_due: None } => t_string!(i18n, reminders.done).to_string(),
        ReminderStatus::Due { since } => {
            t_string!(i18n, reminders.due, date = crate::ui::when::words(i18n, since)).to_string()
        }
        ReminderStatus::Overdue { since } => {
            t_string!(i18n, reminders.overdue, date = crate::ui::when::words(i18n, since)).to_string()
        }
    }
}

#[component]
pub fn RemindersPage() -> impl IntoView {
    let i18n = use_i18n();
    let reminders = Resource::new(|| (), |_| list_reminders());
    let show = move |list: Vec<Reminder>| {
        if list.is_empty() {
            view! { <p class="empty">{t!(i18n, reminders.none)}</p> }.into_any()
        } else {
            view! { <ReminderList list /> }.into_any()
        }
    };
    view! {
        <h1>{t!(i18n, reminders.title)}</h1>
        <Loaded resource=reminders render=show />
    }
}

#[component]
pub fn ReminderList(list: Vec<Reminder>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ul class="reminders">
            {list.into_iter().map(|r| {
                let class = match r.status {
                    ReminderStatus::Overdue { .. } => "reminder overdue",
                    ReminderStatus::Due { .. } => "reminder due",
                    ReminderStatus::Done { .. } => "reminder done",
                };
                // Nothing on record: "due now", not a due date decades back computed from birth.
                let status = if r.last_done.is_none() && r.needs_action() {
                    t_string!(i18n, reminders.none_on_record).to_string()
                } else {
                    status_text(i18n, &r.status)
                };
                view! {
                    <li class=class>
                        <strong>{kind_text(i18n, r.kind)}</strong>
                        " — " {status}
                        {r.last_done.clone().map(|d| view! { <span class="muted">{t_string!(i18n, reminders.last, date = crate::ui::when::words(i18n, &d)).to_string()}</span> })}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}
