//! Turns an `AppError` into words in the reader's language, and shows it at its field.
use leptos::prelude::*;

use crate::{error::AppError, i18n::*};

/// The message for an error key from the server (see `AppError::Invalid`).
pub fn key_text(i18n: leptos_i18n::I18nContext<Locale>, key: &str) -> String {
    let text = match key {
        "signin.failed" => t_string!(i18n, err.signin_failed),
        "password.too_short" => t_string!(i18n, err.password_too_short),
        "password.too_long" => t_string!(i18n, err.password_too_long),
        "password.too_weak" => t_string!(i18n, err.password_too_weak),
        "password.mismatch" => t_string!(i18n, err.password_mismatch),
        "username.too_short" => t_string!(i18n, err.username_too_short),
        "username.too_long" => t_string!(i18n, err.username_too_long),
        "username.bad_chars" => t_string!(i18n, err.username_bad_chars),
        "username.taken" => t_string!(i18n, err.username_taken),
        "email.invalid" => t_string!(i18n, err.email_invalid),
        "email.too_long" => t_string!(i18n, err.email_too_long),
        "activation.format" => t_string!(i18n, err.activation_format),
        "activation.no_match" => t_string!(i18n, err.activation_no_match),
        "activation.used" => t_string!(i18n, err.activation_used),
        "activation.replaced" => t_string!(i18n, err.activation_replaced),
        "activation.expired" => t_string!(i18n, err.activation_expired),
        "activation.under_13" => t_string!(i18n, err.activation_under_13),
        "activation.birth_date_invalid" => t_string!(i18n, err.birth_date_invalid),
        "reset.who_required" => t_string!(i18n, err.reset_who_required),
        "reset.code_invalid" => t_string!(i18n, err.reset_code_invalid),
        "reset.code_exhausted" => t_string!(i18n, err.reset_code_exhausted),
        "patient.already_enrolled" => t_string!(i18n, err.patient_already_enrolled),
        "search.too_short" => t_string!(i18n, err.search_too_short),
        "results.bad_code" => t_string!(i18n, err.results_bad_code),
        "results.bad_panel" => t_string!(i18n, err.results_bad_panel),
        "results.bad_values" => t_string!(i18n, err.results_bad_values),
        "results.bad_value" => t_string!(i18n, err.results_bad_value),
        "results.reason_too_long" => t_string!(i18n, err.results_reason_too_long),
        "results.no_patient" => t_string!(i18n, err.results_no_patient),
        "renewal.pharmacy_required" => t_string!(i18n, err.renewal_pharmacy_required),
        "renewal.pharmacy_too_long" => t_string!(i18n, err.renewal_pharmacy_too_long),
        "renewal.comment_too_long" => t_string!(i18n, err.renewal_comment_too_long),
        "renewal.already_pending" => t_string!(i18n, err.renewal_already_pending),
        "renewal.bad_refills" => t_string!(i18n, err.renewal_bad_refills),
        "renewal.reason_required" => t_string!(i18n, err.renewal_reason_required),
        "renewal.reason_too_long" => t_string!(i18n, err.renewal_reason_too_long),
        "messages.to_required" => t_string!(i18n, err.messages_to_required),
        "messages.subject_required" => t_string!(i18n, err.messages_subject_required),
        "messages.subject_too_long" => t_string!(i18n, err.messages_subject_too_long),
        "messages.body_required" => t_string!(i18n, err.messages_body_required),
        "messages.body_too_long" => t_string!(i18n, err.messages_body_too_long),
        "messages.attachment_too_big" => t_string!(i18n, err.messages_attachment_too_big),
        "messages.too_many_attachments" => t_string!(i18n, err.messages_too_many_attachments),
        "messages.attachment_type" => t_string!(i18n, err.messages_attachment_type),
        "messages.thread_done" => t_string!(i18n, err.messages_thread_done),
        "proxy.name_required" => t_string!(i18n, err.proxy_name_required),
        "proxy.name_too_long" => t_string!(i18n, err.proxy_name_too_long),
        "proxy.birth_date_invalid" => t_string!(i18n, err.proxy_birth_date_invalid),
        "proxy.birth_date_future" => t_string!(i18n, err.proxy_birth_date_future),
        "proxy.not_a_minor" => t_string!(i18n, err.proxy_not_a_minor),
        "proxy.ends_on_invalid" => t_string!(i18n, err.proxy_ends_on_invalid),
        "proxy.ends_on_past" => t_string!(i18n, err.proxy_ends_on_past),
        "proxy.ends_on_too_far" => t_string!(i18n, err.proxy_ends_on_too_far),
        "proxy.not_an_adult" => t_string!(i18n, err.proxy_not_an_adult),
        "proxy.relationship_required" => t_string!(i18n, err.proxy_relationship_required),
        "proxy.attest_required" => t_string!(i18n, err.proxy_attest_required),
        "proxy.form_required" => t_string!(i18n, err.proxy_form_required),
        "proxy.sections_required" => t_string!(i18n, err.proxy_sections_required),
        "proxy.match_required" => t_string!(i18n, err.proxy_match_required),
        "proxy.birth_date_mismatch" => t_string!(i18n, err.proxy_birth_date_mismatch),
        "access.break_glass_required" => t_string!(i18n, err.break_glass_required),
        "break_glass.reason_required" => t_string!(i18n, err.break_glass_reason_required),
        "break_glass.note_required" => t_string!(i18n, err.break_glass_note_required),
        "break_glass.note_too_long" => t_string!(i18n, err.break_glass_note_too_long),
        "proxy.own_chart" => t_string!(i18n, err.proxy_own_chart),
        "proxy.already_decided" => t_string!(i18n, err.proxy_already_decided),
        "proxy.reason_required" => t_string!(i18n, err.proxy_reason_required),
        "proxy.reason_too_long" => t_string!(i18n, err.proxy_reason_too_long),
        _ => t_string!(i18n, err.bad_request),
    };
    text.to_string()
}

pub fn error_text(i18n: leptos_i18n::I18nContext<Locale>, err: &AppError) -> String {
    match err {
        AppError::Invalid { message, .. } => key_text(i18n, message),
        AppError::TooManyAttempts { retry_after_secs } => {
            let minutes = retry_after_secs.div_ceil(60);
            t_string!(i18n, err.too_many_attempts, minutes).to_string()
        }
        AppError::NotSignedIn => t_string!(i18n, err.not_signed_in).to_string(),
        AppError::IdleTimeout { minutes } => {
            let minutes = *minutes;
            t_string!(i18n, signin.idle_signed_out, minutes).to_string()
        }
        AppError::Forbidden | AppError::CrossSite => t_string!(i18n, err.forbidden).to_string(),
        AppError::AccessEnded => t_string!(i18n, err.access_ended).to_string(),
        AppError::NotFound => t_string!(i18n, err.not_found).to_string(),
        AppError::Unavailable => t_string!(i18n, err.unavailable).to_string(),
    }
}

/// The error of the last submission, if it was about `field`.
pub fn field_error<T: Clone + Send + Sync + 'static>(
    result: Signal<Option<Result<T, AppError>>>,
    field: impl Into<String>,
) -> Signal<Option<String>> {
    let i18n = use_i18n();
    let field = field.into();
    Signal::derive(move || match result.get() {
        Some(Err(e)) => e.field_message(&field).map(|k| key_text(i18n, k)),
        _ => None,
    })
}

/// An error that belongs to no single field (shown above the form). A name in `fields`
/// ending in `*` stands for every field starting with what precedes it ("values[*").
pub fn form_error<T: Clone + Send + Sync + 'static>(
    result: Signal<Option<Result<T, AppError>>>,
    fields: &'static [&'static str],
) -> Signal<Option<String>> {
    let i18n = use_i18n();
    Signal::derive(move || match result.get() {
        Some(Err(e)) if !fields.iter().any(|f| belongs_to(&e, f)) => Some(error_text(i18n, &e)),
        _ => None,
    })
}

fn belongs_to(err: &AppError, pattern: &str) -> bool {
    match (err, pattern.strip_suffix('*')) {
        (AppError::Invalid { field, .. }, Some(prefix)) => field.starts_with(prefix),
        _ => err.field_message(pattern).is_some(),
    }
}
