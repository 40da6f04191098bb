//! Standing notices: not for emergencies (911), behavioural-health crises (988).
use leptos::prelude::*;

use crate::i18n::*;

#[component]
pub fn EmergencyNotice() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <aside class="emergency" aria-label=move || t_string!(i18n, emergency.label).to_string()>
            <p>
                <strong>{t!(i18n, emergency.not_for_emergencies)}</strong>
                " "
                {t!(i18n, emergency.crisis)}
            </p>
        </aside>
    }
}
