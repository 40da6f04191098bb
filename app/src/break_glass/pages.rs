//! The clinician's break-the-glass form (shown where a chart outside their care
//! relationships was refused) and HIM's review page.
use leptos::prelude::*;

use crate::ui::when::When;

use super::{
    api::{break_glass_list, BreakGlass, MarkBreakGlassReviewed},
    Entry, Reason, NOTE_MAX_CHARS,
};
use crate::{
    error::AppError,
    i18n::*,
    problem::Problem,
    ui::{
        errors::{field_error, form_error, url_result},
        form::{FormMessage, PostButton, TextArea, TextField},
        loaded::Loaded,
    },
};

/// Whether `result` is a refusal that breaking the glass would lift.
pub fn needs_break_glass<T>(result: &Option<Result<T, AppError>>) -> bool {
    matches!(result, Some(Err(e)) if e.field_problem("patient") == Some(Problem::AccessBreakGlassRequired))
}

/// "Break the glass": the reason, a note, and a plain statement that it is audited. With
/// `patient_id` the chart is the one already picked; without, the clinician types its MRN.
/// `done` runs once access is granted (the page then retries what it was doing).
#[component]
pub fn BreakGlassForm(#[prop(optional)] patient_id: Option<i64>, done: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<BreakGlass>::new();
    let result: Signal<Option<Result<i64, AppError>>> = action.value().into();
    let note = RwSignal::new(String::new());
    Effect::new(move |_| {
        if matches!(result.get(), Some(Ok(_))) {
            done.run(());
        }
    });
    view! {
        <section class="break-glass" aria-labelledby="break-glass-title">
            <h2 id="break-glass-title">{t!(i18n, break_glass.title)}</h2>
            <p>{t!(i18n, break_glass.intro)}</p>
            <ActionForm action=action>
                <FormMessage message=form_error(result, &["reason", "note", "mrn"]) />
                {match patient_id {
                    Some(id) => view! { <input type="hidden" name="patient_id" value=id.to_string() /> }.into_any(),
                    None => view! {
                        <TextField name="mrn" id="break-glass-mrn" maxlength=20 error=field_error(result, "mrn")>"MRN"</TextField>
                    }.into_any(),
                }}
                <fieldset class="field">
                    <legend>{t!(i18n, break_glass.reason)}</legend>
                    {Reason::ALL.into_iter().map(|reason| {
                        let id = format!("break-glass-{}", reason.as_str());
                        view! {
                            <div class="choice">
                                <input type="radio" name="reason" id=id.clone() value=reason.as_str() required=true />
                                <label for=id>{reason_text(i18n, reason)}</label>
                            </div>
                        }
                    }).collect_view()}
                    {move || field_error(result, "reason").get().map(|m| view! { <p class="field-error">{m}</p> })}
                </fieldset>
                <TextArea name="note" id="break-glass-note" max_chars=NOTE_MAX_CHARS required=false rows=3 bind=note
                    error=field_error(result, "note")>{t!(i18n, break_glass.note)}</TextArea>
                <button type="submit" class="primary">{t!(i18n, break_glass.submit)}</button>
            </ActionForm>
        </section>
    }
}

pub fn reason_text(i18n: leptos_i18n::I18nContext<Locale>, reason: Reason) -> String {
    match reason {
        Reason::Emergency => t_string!(i18n, break_glass.reason_emergency),
        Reason::Covering => t_string!(i18n, break_glass.reason_covering),
        Reason::Coordination => t_string!(i18n, break_glass.reason_coordination),
        Reason::Other => t_string!(i18n, break_glass.reason_other),
    }
    .to_string()
}

/// HIM: every break-the-glass access, the unreviewed first.
#[component]
pub fn BreakGlassReviewPage() -> impl IntoView {
    let i18n = use_i18n();
    let list = Resource::new(|| (), |_| break_glass_list());
    const REVIEWED_PATH: &str = <MarkBreakGlassReviewed as server_fn::ServerFn>::PATH;
    let refused = url_result::<MarkBreakGlassReviewed, ()>();
    view! {
        <h1>{t!(i18n, break_glass.review_title)}</h1>
        <p>{t!(i18n, break_glass.review_intro)}</p>
        <FormMessage message=form_error(refused, &[]) />
        <Loaded resource=list render={move |rows: Vec<Entry>| {
            if rows.is_empty() {
                return view! { <p class="empty">{t!(i18n, break_glass.review_empty)}</p> }.into_any();
            }
            view! {
                <table class="data">
                    <caption class="visually-hidden">{t!(i18n, break_glass.review_title)}</caption>
                    <thead><tr>
                        <th scope="col">{t!(i18n, break_glass.col_when)}</th>
                        <th scope="col">{t!(i18n, break_glass.col_staff)}</th>
                        <th scope="col">{t!(i18n, break_glass.col_patient)}</th>
                        <th scope="col">{t!(i18n, break_glass.col_reason)}</th>
                        <th scope="col">{t!(i18n, break_glass.col_review)}</th>
                    </tr></thead>
                    <tbody>
                        {rows.into_iter().map(|e| {
                            let id = e.id;
                            let label = format!("{} {} {}", t_string!(i18n, break_glass.mark_reviewed), e.staff, e.patient);
                            view! {
                                <tr>
                                    <td><When iso=e.at.clone() /></td>
                                    <td>{e.staff.clone()}</td>
                                    <td>{format!("{} (MRN {})", e.patient, e.mrn)}</td>
                                    <td>{reason_text(i18n, e.reason)}{(!e.note.is_empty()).then(|| view! { <br /><span class="note">{e.note.clone()}</span> })}</td>
                                    <td>{match e.reviewed_by.clone() {
                                        Some(by) => view! { <span>{t_string!(i18n, break_glass.reviewed_by, name = by).to_string()}</span> }.into_any(),
                                        None => view! {
                                            <PostButton action=REVIEWED_PATH fields=vec![("id", id.to_string())] label>
                                                {t!(i18n, break_glass.mark_reviewed)}
                                            </PostButton>
                                        }.into_any(),
                                    }}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }} />
    }
}
