//! The sign-up page: one island, three steps (who you are, three questions, the account).
//! What was typed stays in the page between steps; the sign-up's token too, never a URL.
use leptos::prelude::*;

use super::{
    api::{AnswerSignUp, CreateSignUpAccount, StartSignUp},
    Question, QuestionKind, Quiz, Verified,
};
use crate::{
    auth::pages::NewPasswordFields,
    error::AppError,
    i18n::*,
    problem::Problem,
    ui::{
        errors::{field_error, form_error},
        form::{FormMessage, TextField},
    },
};

#[component]
pub fn SignUpPage() -> impl IntoView {
    crate::site::with_org(|org| view! { <SignUpForm phone=org.support_phone hours=org.support_hours /> })
}

/// The clinic's support line is a prop: an island sees no context from the page around it.
#[island(lazy)]
fn SignUpForm(phone: String, hours: String) -> impl IntoView {
    let i18n = crate::ui::island_i18n();
    let start = ServerAction::<StartSignUp>::new();
    let answer = ServerAction::<AnswerSignUp>::new();
    let create = ServerAction::<CreateSignUpAccount>::new();
    let started: Signal<Option<Result<Quiz, AppError>>> = start.value().into();
    let answered: Signal<Option<Result<Verified, AppError>>> = answer.value().into();
    let created: Signal<Option<Result<(), AppError>>> = create.value().into();
    let quiz = move || started.get().and_then(|r| r.ok());
    let verified = move || answered.get().and_then(|r| r.ok());
    let token = move || quiz().map(|q| q.token).unwrap_or_default();
    // One answer for every failure to verify (and for a sign-up that ran out of time).
    let ended = move || {
        [answered.get().map(|r| r.err()), created.get().map(|r| r.err())].into_iter().flatten().flatten().any(
            |e| matches!(e.field_problem("form"), Some(Problem::SignUpNotVerified | Problem::SignUpExpired)),
        )
    };
    // A memo: the step's view is rebuilt only when the step changes, not at every answer
    // (a field error at step 1 must leave what was typed in place).
    let step = Memo::new(move |_| {
        if ended() {
            Step::Ended
        } else if verified().is_some() {
            Step::Account
        } else if quiz().is_some() {
            Step::Questions
        } else {
            Step::Applicant
        }
    });
    view! {
        <section class="card narrow">
            <h1>{t!(i18n, signup.title)}</h1>
            {move || { let step = step.get(); untrack(|| match step {
                Step::Applicant => view! { <ApplicantForm start=start /> }.into_any(),
                Step::Questions => view! {
                    <QuestionsForm answer=answer token=token() questions=quiz().map(|q| q.questions).unwrap_or_default() />
                }.into_any(),
                Step::Account => view! {
                    <p>{verified().map(|v| t_string!(i18n, signup.verified, name = v.given_name).to_string())}</p>
                    <ActionForm action=create>
                        <FormMessage message=form_error(created, &["username", "password", "password_confirm"]) />
                        <input type="hidden" name="token" prop:value=token />
                        <TextField name="username" autocomplete="username" maxlength=64
                            error=field_error(created, "username") hint_id="username-hint">
                            {t!(i18n, enroll.username)}
                        </TextField>
                        <p class="hint" id="username-hint">{t!(i18n, enroll.username_hint)}</p>
                        <NewPasswordFields result=created>{t!(i18n, enroll.password)}</NewPasswordFields>
                        <button type="submit" class="primary" disabled=move || create.pending().get()>
                            {t!(i18n, signup.create)}
                        </button>
                    </ActionForm>
                }.into_any(),
                Step::Ended => {
                    let problem = answered.get().and_then(|r| r.err()).or_else(|| created.get().and_then(|r| r.err()));
                    let text = problem.and_then(|e| e.field_problem("form")).map(|p| crate::ui::errors::problem_text(i18n, p));
                    let call = t_string!(i18n, signup.call_us, phone = phone.clone(), hours = hours.clone()).to_string();
                    view! {
                        <div role="alert" class="notice" data-testid="sign-up-ended">
                            <p>{text}</p>
                            <p>{call}</p>
                        </div>
                    }.into_any()
                }
            }) }}
            <ul class="links">
                <li><a href="/enroll">{t!(i18n, signup.have_code)}</a></li>
                <li><a href="/signin">{t!(i18n, common.back_to_sign_in)}</a></li>
            </ul>
        </section>
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Step {
    Applicant,
    Questions,
    Account,
    Ended,
}

/// Step 1. The fields keep what was typed when the server finds a problem with one.
#[component]
fn ApplicantForm(start: ServerAction<StartSignUp>) -> impl IntoView {
    let i18n = use_i18n();
    let started: Signal<Option<Result<Quiz, AppError>>> = start.value().into();
    const FIELDS: &[&str] = &["given_name", "family_name", "birth_date", "postal_code", "phone", "email"];
    view! {
        <p>{t!(i18n, signup.intro)}</p>
        <ActionForm action=start>
            <FormMessage message=form_error(started, FIELDS) />
            <TextField name="given_name" autocomplete="given-name" maxlength=100 error=field_error(started, "given_name")>
                {t!(i18n, signup.given_name)}
            </TextField>
            <TextField name="family_name" autocomplete="family-name" maxlength=100 error=field_error(started, "family_name")>
                {t!(i18n, signup.family_name)}
            </TextField>
            <TextField name="birth_date" kind="date" autocomplete="bday" error=field_error(started, "birth_date")>
                {t!(i18n, signup.birth_date)}
            </TextField>
            <TextField name="postal_code" autocomplete="postal-code" maxlength=12 error=field_error(started, "postal_code")>
                {t!(i18n, signup.postal_code)}
            </TextField>
            <TextField name="phone" kind="tel" autocomplete="tel" maxlength=24 error=field_error(started, "phone")>
                {t!(i18n, signup.phone)}
            </TextField>
            <TextField name="email" kind="email" autocomplete="email" maxlength=254
                error=field_error(started, "email") hint_id="email-hint">
                {t!(i18n, signup.email)}
            </TextField>
            <p class="hint" id="email-hint">{t!(i18n, signup.email_hint)}</p>
            <button type="submit" class="primary" disabled=move || start.pending().get()>
                {t!(i18n, signup.next)}
            </button>
        </ActionForm>
    }
}

/// Step 2: each question a group of radio buttons.
#[component]
fn QuestionsForm(
    answer: ServerAction<AnswerSignUp>,
    token: String,
    questions: Vec<Question>,
) -> impl IntoView {
    let i18n = use_i18n();
    let answered: Signal<Option<Result<Verified, AppError>>> = answer.value().into();
    view! {
        <p>{t!(i18n, signup.questions_intro)}</p>
        <ActionForm action=answer>
            <FormMessage message=form_error(answered, &["answer_0", "answer_1", "answer_2"]) />
            <input type="hidden" name="token" value=token />
            {questions.into_iter().enumerate().map(|(n, q)| {
                let name = format!("answer_{n}");
                let error_field = name.clone();
                view! {
                    <fieldset class="field" data-question=q.kind.slug()>
                        <legend>
                            <span class="hint">{t_string!(i18n, signup.question_n, n = n + 1).to_string()}</span>
                            " " {question_text(i18n, q.kind)}
                        </legend>
                        {q.choices.iter().enumerate().map(|(c, choice)| {
                            let id = format!("answer-{n}-{c}");
                            let label = match q.kind {
                                QuestionKind::VisitMonth { .. } => month_name(i18n, choice),
                                _ => choice.clone(),
                            };
                            view! {
                                <div class="choice">
                                    <input type="radio" name=name.clone() id=id.clone() value=c.to_string() required=true />
                                    <label for=id>{label}</label>
                                </div>
                            }
                        }).collect_view()}
                        {move || field_error(answered, &error_field).get().map(|m| view! { <p class="field-error">{m}</p> })}
                    </fieldset>
                }
            }).collect_view()}
            <button type="submit" class="primary" disabled=move || answer.pending().get()>
                {t!(i18n, signup.check)}
            </button>
        </ActionForm>
    }
}

fn question_text(i18n: leptos_i18n::I18nContext<Locale>, kind: QuestionKind) -> String {
    match kind {
        QuestionKind::VisitMonth { year } => t_string!(i18n, signup.q_visit_month, year = year).to_string(),
        QuestionKind::Provider => t_string!(i18n, signup.q_provider).to_string(),
        QuestionKind::Medication => t_string!(i18n, signup.q_medication).to_string(),
        QuestionKind::Immunization => t_string!(i18n, signup.q_immunization).to_string(),
    }
}

/// A month number ("3") in words; anything else as it came.
fn month_name(i18n: leptos_i18n::I18nContext<Locale>, number: &str) -> String {
    let name = match number {
        "1" => t_string!(i18n, signup.month_1),
        "2" => t_string!(i18n, signup.month_2),
        "3" => t_string!(i18n, signup.month_3),
        "4" => t_string!(i18n, signup.month_4),
        "5" => t_string!(i18n, signup.month_5),
        "6" => t_string!(i18n, signup.month_6),
        "7" => t_string!(i18n, signup.month_7),
        "8" => t_string!(i18n, signup.month_8),
        "9" => t_string!(i18n, signup.month_9),
        "10" => t_string!(i18n, signup.month_10),
        "11" => t_string!(i18n, signup.month_11),
        "12" => t_string!(i18n, signup.month_12),
        other => return other.to_owned(),
    };
    name.to_string()
}
