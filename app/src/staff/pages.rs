//! The staff page for activation codes: find the patient, issue, read the code out once.
use leptos::prelude::*;

use crate::ui::when::When;

use super::{
    api::{ActivationLetter, EmailEnrollmentLink, FindPatients, IssueActivationCode},
    IssuedCodeView, PatientMatch,
};
use crate::{
    error::AppError,
    i18n::*,
    ui::{
        errors::{error_text, field_error, form_error, url_result},
        form::{FormMessage, TextField},
    },
    MeResource,
};

/// Staff-only: others get a plain refusal (the server refuses their calls regardless).
#[component]
pub fn ActivationCodesPage() -> impl IntoView {
    let i18n = use_i18n();
    let me = expect_context::<MeResource>().0;
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                let allowed = matches!(me.await, Ok(Some(ref m)) if m.role.may_issue_activation_codes());
                if allowed {
                    // A letter that could not be printed comes back in the URL.
                    let letter = url_result::<ActivationLetter, ()>();
                    view! {
                        <FormMessage message=form_error(letter, &[]) />
                        <IssueCodes />
                    }
                    .into_any()
                } else {
                    view! {
                        <h1>{t!(i18n, codes.title)}</h1>
                        <p class="form-error">{t!(i18n, err.forbidden)}</p>
                    }
                    .into_any()
                }
            })}
        </Suspense>
    }
}

#[island(lazy)]
fn IssueCodes() -> impl IntoView {
    let i18n = crate::ui::island_i18n();
    let search = ServerAction::<FindPatients>::new();
    let issue = ServerAction::<IssueActivationCode>::new();
    let found: Signal<Option<Result<Vec<PatientMatch>, AppError>>> = search.value().into();
    let issued: Signal<Option<Result<IssuedCodeView, AppError>>> = issue.value().into();
    view! {
        <h1>{t!(i18n, codes.title)}</h1>
        <p>{t!(i18n, codes.intro)}</p>
        <ActionForm action=search attr:role="search">
            <FormMessage message=form_error(found, &["query"]) />
            <TextField name="query" maxlength=100 error=field_error(found, "query")>{t!(i18n, codes.search)}</TextField>
            <button type="submit" class="primary">{t!(i18n, codes.find)}</button>
        </ActionForm>
        <div role="status" class="issued">
            {move || match issued.get() {
                Some(Ok(code)) => {
                    let until = crate::ui::when::readable(&code.expires_on, i18n.get_locale_untracked(), crate::ui::when::Weekday::Shown);
                    Some(view! {
                        <div class="code-box">
                            <p>{t_string!(i18n, codes.issued_for, name = code.patient_name.clone()).to_string()}</p>
                            <p class="code" data-testid="activation-code">{code.code.clone()}</p>
                            <p>{t_string!(i18n, codes.expires, date = until).to_string()}</p>
                            <CodeDelivery code=code.clone() />
                        </div>
                    }.into_any())
                }
                Some(Err(e)) => Some(view! { <p class="form-error">{error_text(i18n, &e)}</p> }.into_any()),
                None => None,
            }}
        </div>
        {move || found.get().and_then(|r| r.ok()).map(|rows| {
            if rows.is_empty() {
                return view! { <p>{t!(i18n, codes.none_found)}</p> }.into_any();
            }
            view! {
                <table class="data">
                    <caption>{t!(i18n, codes.results)}</caption>
                    <thead><tr>
                        <th scope="col">{t!(i18n, codes.name)}</th>
                        <th scope="col">"MRN"</th>
                        <th scope="col">{t!(i18n, codes.birth_date)}</th>
                        <th scope="col">{t!(i18n, codes.action)}</th>
                    </tr></thead>
                    <tbody>
                        {rows.into_iter().map(|p| {
                            let id = p.id;
                            let label = format!("{} {}", t_string!(i18n, codes.issue), p.name);
                            view! {
                                <tr>
                                    <td><a href=format!("/staff/personal/{id}")>{p.name.clone()}</a></td>
                                    <td>{p.mrn.clone()}</td>
                                    <td><When iso=p.birth_date.clone() plain=true /></td>
                                    <td>{if p.enrolled {
                                        view! { <span>{t!(i18n, codes.enrolled)}</span> }.into_any()
                                    } else {
                                        view! {
                                            <button type="button" aria-label=label
                                                on:click=move |_| { issue.dispatch(IssueActivationCode { patient_id: id }); }>
                                                {t!(i18n, codes.issue)}
                                            </button>
                                        }.into_any()
                                    }}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        })}
    }
}

/// The other ways to give an issued code: printed as a letter (a plain form post that
/// downloads the PDF), or e-mailed as an enrollment link to the address on the chart.
#[component]
fn CodeDelivery(code: IssuedCodeView) -> impl IntoView {
    let i18n = use_i18n();
    let send = ServerAction::<EmailEnrollmentLink>::new();
    let sent: Signal<Option<Result<String, AppError>>> = send.value().into();
    const LETTER_PATH: &str = <ActivationLetter as server_fn::ServerFn>::PATH;
    let (patient_id, raw_code) = (code.patient_id.to_string(), code.code.clone());
    let (letter_patient, letter_code) = (patient_id.clone(), raw_code.clone());
    let email_part = match code.email_hint.clone() {
        Some(to) => view! {
            <ActionForm action=send>
                <input type="hidden" name="patient_id" value=patient_id />
                <input type="hidden" name="code" value=raw_code />
                <button type="submit" disabled=move || send.pending().get()>
                    {t_string!(i18n, codes.email_link, to = to).to_string()}
                </button>
            </ActionForm>
        }
        .into_any(),
        None => view! { <p>{t!(i18n, codes.no_email)}</p> }.into_any(),
    };
    view! {
        <div class="actions">
            <form method="post" action=LETTER_PATH>
                <input type="hidden" name="patient_id" value=letter_patient />
                <input type="hidden" name="code" value=letter_code />
                <button type="submit">{t!(i18n, codes.print_letter)}</button>
            </form>
            {email_part}
        </div>
        <p role="status">
            {move || match sent.get() {
                Some(Ok(to)) => Some(t_string!(i18n, codes.link_sent, to = to).to_string()),
                Some(Err(e)) => Some(error_text(i18n, &e)),
                None => None,
            }}
        </p>
    }
}

/// Finds a chart (by MRN, or family name) and lets staff pick one: `picked` then holds
/// (patient id, name). Used where staff act on one chart (proxy grants, confidential items).
#[component]
pub fn PatientPicker(picked: RwSignal<Option<(i64, String)>>) -> impl IntoView {
    let i18n = use_i18n();
    let search = ServerAction::<FindPatients>::new();
    let found: Signal<Option<Result<Vec<PatientMatch>, AppError>>> = search.value().into();
    view! {
        <ActionForm action=search attr:role="search">
            <FormMessage message=form_error(found, &["query"]) />
            <TextField name="query" maxlength=100 error=field_error(found, "query")>{t!(i18n, codes.search)}</TextField>
            <button type="submit">{t!(i18n, codes.find)}</button>
        </ActionForm>
        {move || found.get().and_then(|r| r.ok()).map(|rows| view! {
            <ul class="plain">
                {rows.into_iter().map(|p| {
                    let label = format!("{} · MRN {} · {}", p.name, p.mrn, crate::ui::when::plain_words(i18n, &p.birth_date));
                    let (pid, name) = (p.id, p.name.clone());
                    view! { <li><button type="button" on:click=move |_| picked.set(Some((pid, name.clone())))>{label}</button></li> }
                }).collect_view()}
            </ul>
        })}
    }
}
