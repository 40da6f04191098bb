//! The signed-in home page.
use leptos::prelude::*;
use leptos_router::components::A;

use crate::{i18n::*, MeResource};

#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    let me = expect_context::<MeResource>().0;
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                me.await.ok().flatten().map(|me| {
                    // Patients by first name; staff by their full name ("Dr. Alex Rivera").
                    let first = if me.role.is_staff() {
                        me.display_name.clone()
                    } else {
                        me.display_name.split_whitespace().next().unwrap_or_default().to_owned()
                    };
                    let staff = me.role.may_issue_activation_codes();
                    view! {
                        <h1>{t!(i18n, home.greeting, name = first.clone())}</h1>
                        <p>{t!(i18n, home.intro)}</p>
                        {staff.then(|| view! {
                            <p><A href="/staff/activation-codes">{t!(i18n, nav.activation_codes)}</A></p>
                        })}
                        <section class="card">
                            <h2>{t!(i18n, home.support_title)}</h2>
                            <p>{t!(i18n, home.support_text)}</p>
                        </section>
                    }
                })
            })}
        </Suspense>
    }
}
