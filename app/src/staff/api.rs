//! Staff server functions. Staff are not bound to one chart, so a patient id argument is
//! legitimate here; `access::staff` checks the role first, and every patient shown or
//! acted on is logged on their own chart.
use leptos::prelude::*;

use server_fn::codec::{ByteStream, Streaming};

use super::{IssuedCodeView, PatientMatch};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::problem::Problem;
#[cfg(feature = "ssr")]
use crate::{
    access::{self, Need, Section, Unseen},
    auth::{mail_text, rules, store},
    infra::{mail_language::MailLanguage, throttle, AppState},
};

pub const SEARCH_MIN_CHARS: usize = 2;
pub const SEARCH_MAX_CHARS: usize = 100;
pub const SEARCH_LIMIT: i64 = 25;

#[server(endpoint = "staff/find_patients")]
pub async fn find_patients(query: String) -> Result<Vec<PatientMatch>, AppError> {
    let staff = access::staff(Need::IssuesCodes).await?;
    let query = query.trim();
    let len = query.chars().count();
    if !(SEARCH_MIN_CHARS..=SEARCH_MAX_CHARS).contains(&len) {
        return Err(AppError::invalid("query", Problem::SearchTooShort));
    }
    let rows = crate::patients::store::search_patients(staff.db(), query, SEARCH_LIMIT).await?;
    // Each patient the search shows is logged on their chart (the query itself is not:
    // it may hold a name, and the log is no place for more PHI than it needs).
    let found = rows
        .into_iter()
        .map(|p| {
            let shown = PatientMatch {
                id: p.id,
                mrn: p.mrn,
                name: format!("{}, {}", p.family_name, p.given_name),
                birth_date: p.birth_date,
                enrolled: p.enrolled,
            };
            (Some(p.id), shown)
        })
        .collect();
    staff.show(Unseen::new(found), Section::Home, "staff.patient_search").await
}

#[server(endpoint = "staff/issue_activation_code")]
pub async fn issue_activation_code(patient_id: i64) -> Result<IssuedCodeView, AppError> {
    let staff = access::staff(Need::IssuesCodes).await?;
    let state = staff.state();
    let patient =
        crate::patients::store::patient_by_id(staff.db(), patient_id).await?.ok_or(AppError::NotFound)?;
    check_may_enroll(state, &patient)?;
    let now = state.clock.now_ms();
    let issued = store::issue_activation_code(staff.db(), patient.id, Some(staff.user_id()), now).await?;
    staff.audit_on(patient.id, Section::Home, "activation-code-issued", "").await?;
    Ok(IssuedCodeView {
        patient_id: patient.id,
        patient_name: format!("{} {}", patient.given_name, patient.family_name),
        code: issued.code,
        expires_on: state.clock.date_of(issued.expires_at),
        email_hint: patient.email.as_deref().map(mask_email),
    })
}

/// Enrolled patients use Forgot password; under-13s are reached through proxy access.
#[cfg(feature = "ssr")]
pub fn check_may_enroll(
    state: &AppState,
    patient: &crate::patients::store::PatientRow,
) -> Result<(), AppError> {
    if patient.enrolled {
        return Err(AppError::invalid("patient", Problem::PatientAlreadyEnrolled));
    }
    let birth = crate::dates::parse_date(&patient.birth_date).ok_or(AppError::Unavailable)?;
    if crate::dates::age_on(birth, state.clock.today()) < rules::MIN_ACCOUNT_AGE {
        return Err(AppError::invalid("patient", Problem::ActivationUnder13));
    }
    Ok(())
}

/// E-mails the patient an enrollment link holding the code just issued (the seed's "a new
/// activation code will be sent to you"), to the address on the chart. The mail names the
/// organisation and nothing of the patient's care; the page it opens still asks for the
/// date of birth. At most `ENROLLMENT_MAILS_PER_CHART` a day. Answers the masked address.
#[server(endpoint = "staff/email_enrollment_link")]
pub async fn email_enrollment_link(patient_id: i64, code: String) -> Result<String, AppError> {
    let staff = access::staff(Need::IssuesCodes).await?;
    let state = staff.state();
    let (patient, expires_at) = patient_and_live_code(state, patient_id, &code).await?;
    let to = patient.email.clone().ok_or(AppError::invalid("email", Problem::PatientNoEmail))?;
    let now = state.clock.now_ms();
    // Each mail counts against the chart's daily limit, sent or not.
    let _counted =
        throttle::reserve(staff.db(), now, throttle::ENROLLMENT_MAILS_PER_CHART, &patient.id.to_string())
            .await?;
    let lang = patient_language(&patient);
    let link = enroll_url(state, Some(&code))?;
    let valid_until = words_in(lang, &state.clock.date_of(expires_at));
    // Audited before it is queued: a mail that leaves is always on the record.
    staff.audit_on(patient.id, Section::Home, "activation-link-emailed", "").await?;
    state.mail_later(to.clone(), mail_text::enrollment_link(lang, &state.config.org, &link, &valid_until));
    Ok(mask_email(&to))
}

/// The activation letter for the code just issued, as a PDF download: a browser's own form
/// post (no wasm needed to print one). A refusal sends the browser back to the page with
/// the error in the URL.
#[server(endpoint = "staff/activation_letter", output = Streaming)]
pub async fn activation_letter(patient_id: i64, code: String) -> Result<ByteStream<AppError>, AppError> {
    let staff = access::staff(Need::IssuesCodes).await?;
    let state = staff.state();
    let (patient, expires_at) = patient_and_live_code(state, patient_id, &code).await?;
    let now = state.clock.now_ms();
    let _counted =
        throttle::reserve(staff.db(), now, throttle::ACTIVATION_LETTERS_PER_CHART, &patient.id.to_string())
            .await?;
    let lang = patient_language(&patient);
    let name = format!("{} {}", patient.given_name, patient.family_name);
    let facts = super::letter::LetterFacts {
        patient_name: &name,
        code: &rules::format_code(&rules::normalize_code(&code).unwrap_or_default()),
        valid_until: &words_in(lang, &state.clock.date_of(expires_at)),
        enroll_url: &enroll_url(state, None)?,
    };
    let pdf = super::letter::activation_letter(lang, &state.config.org, &facts);
    staff.audit_on(patient.id, Section::Home, "activation-letter-printed", "").await?;
    Ok(crate::infra::download::file("activation-letter.pdf", "application/pdf", pdf))
}

/// The patient (one who may enroll) and the end of `code`, which must be their open code:
/// the one just issued, not used, replaced or expired.
#[cfg(feature = "ssr")]
async fn patient_and_live_code(
    state: &AppState,
    patient_id: i64,
    code: &str,
) -> Result<(crate::patients::store::PatientRow, i64), AppError> {
    let patient =
        crate::patients::store::patient_by_id(&state.db, patient_id).await?.ok_or(AppError::NotFound)?;
    check_may_enroll(state, &patient)?;
    let normalized =
        rules::normalize_code(code).ok_or(AppError::invalid("code", Problem::ActivationFormat))?;
    let found = store::find_code(&state.db, &normalized).await?.filter(|row| row.patient_id == patient.id);
    let row = found.ok_or(AppError::invalid("code", Problem::ActivationNoMatch))?;
    let problem = if row.used {
        Some(Problem::ActivationUsed)
    } else if row.voided {
        Some(Problem::ActivationReplaced)
    } else if row.expires_at <= state.clock.now_ms() {
        Some(Problem::ActivationExpired)
    } else {
        None
    };
    match problem {
        Some(problem) => Err(AppError::invalid("code", problem)),
        None => Ok((patient, row.expires_at)),
    }
}

/// The patient's own language when the chart has one Portico writes, else the page's.
#[cfg(feature = "ssr")]
fn patient_language(patient: &crate::patients::store::PatientRow) -> MailLanguage {
    patient.language.as_deref().and_then(MailLanguage::from_tag).unwrap_or_else(MailLanguage::of_request)
}

/// A date in the words of a mail's or letter's language.
#[cfg(feature = "ssr")]
fn words_in(lang: MailLanguage, iso: &str) -> String {
    let locale = match lang {
        MailLanguage::English => crate::i18n::Locale::en,
        MailLanguage::Spanish => crate::i18n::Locale::es,
    };
    crate::ui::when::readable(iso, locale, crate::ui::when::Weekday::Shown)
}

/// The enrollment page's public address, with `code` in it for an e-mailed link. One that
/// cannot be built (a misconfigured PORTICO_PUBLIC_URL) is logged and refused, never a panic.
#[cfg(feature = "ssr")]
fn enroll_url(state: &AppState, code: Option<&str>) -> Result<String, AppError> {
    let Ok(mut url) = state.config.public_url.join("/enroll") else {
        tracing::error!("the public URL cannot carry an enrollment link");
        return Err(AppError::Unavailable);
    };
    if let Some(code) = code.and_then(rules::normalize_code) {
        url.query_pairs_mut().append_pair("code", &rules::format_code(&code));
    }
    Ok(url.to_string())
}

/// "jordan@example.org" → "j•••@example.org": enough for the patient at the desk to say
/// whether it is theirs, not the address itself on a screen others may see.
pub fn mask_email(address: &str) -> String {
    match address.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}•••@{domain}")
        }
        None => "•••".to_owned(),
    }
}
