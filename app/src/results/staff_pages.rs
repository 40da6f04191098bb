//! The clinician's results page: enter a result (released at once, or held with a
//! reason), and the queue of results not yet reviewed or held.
use leptos::prelude::*;

use crate::ui::when::When;

use super::{
    catalog::PANELS,
    staff_api::{results_queue, EnterResult, MarkResultReviewed, ReleaseResult},
};
use crate::{
    break_glass::pages::{needs_break_glass, BreakGlassForm},
    i18n::*,
    ui::{
        errors::{field_error, form_error, url_result},
        form::{FormMessage, PostButton, TextField},
        loaded::Loaded,
    },
};

#[component]
pub fn StaffResultsPage() -> impl IntoView {
    let i18n = use_i18n();
    let queue = Resource::new(|| (), |_| results_queue());
    const RELEASE_PATH: &str = <ReleaseResult as server_fn::ServerFn>::PATH;
    const REVIEW_PATH: &str = <MarkResultReviewed as server_fn::ServerFn>::PATH;
    // A refused release or review comes back in the URL.
    let (release_refused, review_refused) =
        (url_result::<ReleaseResult, ()>(), url_result::<MarkResultReviewed, ()>());
    let refused = Signal::derive(move || release_refused.get().or_else(|| review_refused.get()));
    view! {
        <h1>{t!(i18n, staff_results.title)}</h1>
        <FormMessage message=form_error(refused, &[]) />
        <EnterResultForm />
        <Loaded resource=queue render=move |rows| {
            if rows.is_empty() {
                return view! { <p class="empty">{t!(i18n, staff_results.queue_empty)}</p> }.into_any();
            }
            view! {
                <table class="data">
                    <caption>{t!(i18n, staff_results.queue)}</caption>
                    <thead><tr>
                        <th scope="col">{t!(i18n, codes.name)}</th>
                        <th scope="col">"MRN"</th>
                        <th scope="col">{t!(i18n, results.title)}</th>
                        <th scope="col">{t!(i18n, results.collected)}</th>
                        <th scope="col">{t!(i18n, staff_results.status)}</th>
                        <th scope="col">{t!(i18n, codes.action)}</th>
                    </tr></thead>
                    <tbody>
                        {rows.into_iter().map(|r| {
                            let id = r.id;
                            let status = match (&r.held_reason, r.released) {
                                (Some(reason), false) => t_string!(i18n, staff_results.held, reason = reason.clone()).to_string(),
                                _ => t_string!(i18n, staff_results.released).to_string(),
                            };
                            let release_label = format!("{} {} ({})", t_string!(i18n, staff_results.release), r.name, r.patient);
                            let review_label = format!("{} {} ({})", t_string!(i18n, staff_results.mark_reviewed), r.name, r.patient);
                            view! {
                                <tr>
                                    <td>{r.patient.clone()}</td>
                                    <td>{r.mrn.clone()}</td>
                                    <td>{r.name.clone()}</td>
                                    <td><When iso=r.collected_on.clone() /></td>
                                    <td>{status}</td>
                                    <td class="actions">
                                        // Plain forms: the server records the change and
                                        // sends this page again, without the row's button.
                                        {(!r.released).then(|| view! {
                                            <PostButton action=RELEASE_PATH fields=vec![("id", id.to_string())] label=release_label>
                                                {t!(i18n, staff_results.release)}
                                            </PostButton>
                                        })}
                                        {(!r.reviewed).then(|| view! {
                                            <PostButton action=REVIEW_PATH fields=vec![("id", id.to_string())] label=review_label>
                                                {t!(i18n, staff_results.mark_reviewed)}
                                            </PostButton>
                                        })}
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        } />
    }
}

/// Enter a result (released at once, or held with a reason). Saved, the page is rendered
/// again with the queue as it now stands; this form keeps its "Saved".
#[island(lazy)]
fn EnterResultForm() -> impl IntoView {
    let i18n = crate::ui::island_i18n();
    let enter = ServerAction::<EnterResult>::new();
    let entered: Signal<Option<Result<i64, crate::error::AppError>>> = enter.value().into();
    let panel = RwSignal::new(PANELS[0].loinc.to_owned());
    crate::ui::nav::reload_when(move || matches!(entered.get(), Some(Ok(_))));
    view! {
        <section class="card">
            <h2>{t!(i18n, staff_results.enter)}</h2>
            <ActionForm action=enter>
                <FormMessage message=form_error(entered, &["mrn", "panel", "hold_reason", "values[*"]) />
                <TextField name="mrn" maxlength=20 error=field_error(entered, "mrn")>"MRN"</TextField>
                <div class="field">
                    <label for="panel">{t!(i18n, staff_results.panel)}</label>
                    <select id="panel" name="panel" on:change=move |ev| panel.set(event_target_value(&ev))>
                        {PANELS.iter().map(|p| view! { <option value=p.loinc>{p.name}</option> }).collect_view()}
                    </select>
                </div>
                {move || {
                    let chosen = super::catalog::panel(&panel.get()).unwrap_or(&PANELS[0]);
                    chosen.analytes.iter().enumerate().map(|(i, a)| {
                        let name = format!("values[{i}]");
                        view! {
                            <TextField name=name.clone() maxlength=12 error=field_error(entered, name.clone())>
                                {format!("{} ({})", a.name, a.unit)}
                            </TextField>
                        }
                    }).collect_view()
                }}
                <TextField name="hold_reason" required=false maxlength=500 error=field_error(entered, "hold_reason")>
                    {t!(i18n, staff_results.hold_reason)}
                </TextField>
                <button type="submit" class="primary">{t!(i18n, staff_results.save)}</button>
            </ActionForm>
            <p role="status">{move || matches!(entered.get(), Some(Ok(_))).then(|| t_string!(i18n, staff_results.saved).to_string())}</p>
            // Not a patient this clinician cares for: a reason opens the chart, then "Save" again.
            {move || needs_break_glass(&entered.get()).then(|| view! {
                <BreakGlassForm done=Callback::new(move |_| enter.value().set(None)) />
            })}
        </section>
    }
}
