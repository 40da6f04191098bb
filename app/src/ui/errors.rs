//! Turns an `AppError` into words in the reader's language, and shows it at its field.
use leptos::prelude::*;

use crate::{error::AppError, i18n::*, problem::Problem};

/// The words for a problem the server (or the page's own check) found. Exhaustive: a new
/// `Problem` does not compile until it has its words here.
pub fn problem_text(i18n: leptos_i18n::I18nContext<Locale>, problem: Problem) -> String {
    let text = match problem {
        Problem::SigninFailed => t_string!(i18n, err.signin_failed),
        Problem::PasswordTooShort => t_string!(i18n, err.password_too_short),
        Problem::PasswordTooLong => t_string!(i18n, err.password_too_long),
        Problem::PasswordTooWeak => t_string!(i18n, err.password_too_weak),
        Problem::PasswordMismatch => t_string!(i18n, err.password_mismatch),
        Problem::PasswordCurrentWrong => t_string!(i18n, err.password_current_wrong),
        Problem::PasswordUnchanged => t_string!(i18n, err.password_unchanged),
        Problem::TwoStepCodeWrong => t_string!(i18n, err.two_step_code_wrong),
        Problem::TwoStepAlreadyOn => t_string!(i18n, err.two_step_already_on),
        Problem::TwoStepRequiredForStaff => t_string!(i18n, err.two_step_required_for_staff),
        Problem::PasskeyFailed => t_string!(i18n, err.passkey_failed),
        Problem::PasskeyNameTooLong => t_string!(i18n, err.passkey_name_too_long),
        Problem::PasskeyLimit => t_string!(i18n, err.passkey_limit),
        Problem::PasskeyChoose => t_string!(i18n, err.passkey_choose),
        Problem::UsernameTooShort => t_string!(i18n, err.username_too_short),
        Problem::UsernameTooLong => t_string!(i18n, err.username_too_long),
        Problem::UsernameBadChars => t_string!(i18n, err.username_bad_chars),
        Problem::UsernameTaken => t_string!(i18n, err.username_taken),
        Problem::EmailInvalid => t_string!(i18n, err.email_invalid),
        Problem::EmailTooLong => t_string!(i18n, err.email_too_long),
        Problem::SignUpNameRequired => t_string!(i18n, err.sign_up_name_required),
        Problem::SignUpNameTooLong => t_string!(i18n, err.sign_up_name_too_long),
        Problem::SignUpBirthDateInvalid => t_string!(i18n, err.sign_up_birth_date_invalid),
        Problem::SignUpUnder18 => t_string!(i18n, err.sign_up_under_18),
        Problem::SignUpPostalCodeInvalid => t_string!(i18n, err.sign_up_postal_code_invalid),
        Problem::SignUpPhoneInvalid => t_string!(i18n, err.sign_up_phone_invalid),
        Problem::SignUpAnswerRequired => t_string!(i18n, err.sign_up_answer_required),
        Problem::SignUpNotVerified => t_string!(i18n, err.sign_up_not_verified),
        Problem::SignUpExpired => t_string!(i18n, err.sign_up_expired),
        Problem::EmailCodeWrong => t_string!(i18n, err.email_code_wrong),
        Problem::EmailCodeNone => t_string!(i18n, err.email_code_none),
        Problem::EmailUnchanged => t_string!(i18n, err.email_unchanged),
        Problem::InvitationGone => t_string!(i18n, err.invitation_gone),
        Problem::PersonalTooLong => t_string!(i18n, err.personal_too_long),
        Problem::PersonalBadChoice => t_string!(i18n, err.personal_bad_choice),
        Problem::PersonalDeclineAlone => t_string!(i18n, err.personal_decline_alone),
        Problem::CorrectionPending => t_string!(i18n, err.correction_pending),
        Problem::ActivationFormat => t_string!(i18n, err.activation_format),
        Problem::ActivationNoMatch => t_string!(i18n, err.activation_no_match),
        Problem::ActivationUsed => t_string!(i18n, err.activation_used),
        Problem::ActivationReplaced => t_string!(i18n, err.activation_replaced),
        Problem::ActivationExpired => t_string!(i18n, err.activation_expired),
        Problem::ActivationUnder13 => t_string!(i18n, err.activation_under_13),
        Problem::ActivationBirthDateInvalid => t_string!(i18n, err.birth_date_invalid),
        Problem::ResetWhoRequired => t_string!(i18n, err.reset_who_required),
        Problem::ResetCodeInvalid => t_string!(i18n, err.reset_code_invalid),
        Problem::ResetCodeExhausted => t_string!(i18n, err.reset_code_exhausted),
        Problem::PatientAlreadyEnrolled => t_string!(i18n, err.patient_already_enrolled),
        Problem::PatientNoEmail => t_string!(i18n, err.patient_no_email),
        Problem::SearchTooShort => t_string!(i18n, err.search_too_short),
        Problem::ResultsBadCode => t_string!(i18n, err.results_bad_code),
        Problem::ResultsBadPanel => t_string!(i18n, err.results_bad_panel),
        Problem::ResultsBadValues => t_string!(i18n, err.results_bad_values),
        Problem::ResultsBadValue => t_string!(i18n, err.results_bad_value),
        Problem::ResultsReasonTooLong => t_string!(i18n, err.results_reason_too_long),
        Problem::ResultsNoPatient => t_string!(i18n, err.results_no_patient),
        Problem::RenewalPharmacyRequired => t_string!(i18n, err.renewal_pharmacy_required),
        Problem::RenewalPharmacyTooLong => t_string!(i18n, err.renewal_pharmacy_too_long),
        Problem::RenewalCommentTooLong => t_string!(i18n, err.renewal_comment_too_long),
        Problem::RenewalAlreadyPending => t_string!(i18n, err.renewal_already_pending),
        Problem::RenewalBadRefills => t_string!(i18n, err.renewal_bad_refills),
        Problem::RenewalReasonRequired => t_string!(i18n, err.renewal_reason_required),
        Problem::RenewalReasonTooLong => t_string!(i18n, err.renewal_reason_too_long),
        Problem::MessagesToRequired => t_string!(i18n, err.messages_to_required),
        Problem::MessagesSubjectRequired => t_string!(i18n, err.messages_subject_required),
        Problem::MessagesSubjectTooLong => t_string!(i18n, err.messages_subject_too_long),
        Problem::MessagesBodyRequired => t_string!(i18n, err.messages_body_required),
        Problem::MessagesBodyTooLong => t_string!(i18n, err.messages_body_too_long),
        Problem::MessagesAttachmentTooBig => t_string!(i18n, err.messages_attachment_too_big),
        Problem::MessagesTooManyAttachments => t_string!(i18n, err.messages_too_many_attachments),
        Problem::MessagesAttachmentType => t_string!(i18n, err.messages_attachment_type),
        Problem::MessagesThreadDone => t_string!(i18n, err.messages_thread_done),
        Problem::ProxyNameRequired => t_string!(i18n, err.proxy_name_required),
        Problem::ProxyNameTooLong => t_string!(i18n, err.proxy_name_too_long),
        Problem::ProxyBirthDateInvalid => t_string!(i18n, err.proxy_birth_date_invalid),
        Problem::ProxyBirthDateFuture => t_string!(i18n, err.proxy_birth_date_future),
        Problem::ProxyNotAMinor => t_string!(i18n, err.proxy_not_a_minor),
        Problem::ProxyEndsOnInvalid => t_string!(i18n, err.proxy_ends_on_invalid),
        Problem::ProxyEndsOnPast => t_string!(i18n, err.proxy_ends_on_past),
        Problem::ProxyEndsOnTooFar => t_string!(i18n, err.proxy_ends_on_too_far),
        Problem::ProxyNotAnAdult => t_string!(i18n, err.proxy_not_an_adult),
        Problem::ProxyRelationshipRequired => t_string!(i18n, err.proxy_relationship_required),
        Problem::ProxyAttestRequired => t_string!(i18n, err.proxy_attest_required),
        Problem::ProxyFormRequired => t_string!(i18n, err.proxy_form_required),
        Problem::ProxySectionsRequired => t_string!(i18n, err.proxy_sections_required),
        Problem::ProxyMatchRequired => t_string!(i18n, err.proxy_match_required),
        Problem::ProxyBirthDateMismatch => t_string!(i18n, err.proxy_birth_date_mismatch),
        Problem::AccessBreakGlassRequired => t_string!(i18n, err.break_glass_required),
        Problem::BreakGlassReasonRequired => t_string!(i18n, err.break_glass_reason_required),
        Problem::BreakGlassNoteRequired => t_string!(i18n, err.break_glass_note_required),
        Problem::BreakGlassNoteTooLong => t_string!(i18n, err.break_glass_note_too_long),
        Problem::ProxyOwnChart => t_string!(i18n, err.proxy_own_chart),
        Problem::ProxyAlreadyDecided => t_string!(i18n, err.proxy_already_decided),
        Problem::ProxyReasonRequired => t_string!(i18n, err.proxy_reason_required),
        Problem::ProxyReasonTooLong => t_string!(i18n, err.proxy_reason_too_long),
        Problem::RestrictionNoteTooLong => t_string!(i18n, err.restriction_note_too_long),
        Problem::RestrictionPending => t_string!(i18n, err.restriction_pending),
        Problem::BillingAmountInvalid => t_string!(i18n, err.billing_amount_invalid),
        Problem::BillingAmountTooSmall => t_string!(i18n, err.billing_amount_too_small),
        Problem::BillingAmountTooLarge => t_string!(i18n, err.billing_amount_too_large),
        Problem::BillingNotPayable => t_string!(i18n, err.billing_not_payable),
        Problem::BillingSearchRequired => t_string!(i18n, err.billing_search_required),
        Problem::BillingSearchTooLong => t_string!(i18n, err.billing_search_too_long),
        Problem::BillingChooseKind => t_string!(i18n, err.billing_choose_kind),
        Problem::BillingReasonRequired => t_string!(i18n, err.billing_reason_required),
        Problem::BillingReasonTooLong => t_string!(i18n, err.billing_reason_too_long),
        Problem::BillingRefundTooLarge => t_string!(i18n, err.billing_refund_too_large),
        Problem::BillingChoosePatient => t_string!(i18n, err.billing_choose_patient),
        Problem::BillingPlanInForce => t_string!(i18n, err.billing_plan_in_force),
        Problem::BillingPlanNotOffered => t_string!(i18n, err.billing_plan_not_offered),
        Problem::BillingPlanTooSmall => t_string!(i18n, err.billing_plan_too_small),
        Problem::BillingPlanTooLarge => t_string!(i18n, err.billing_plan_too_large),
        Problem::BillingPlanDay => t_string!(i18n, err.billing_plan_day),
        Problem::GuestNumberRequired => t_string!(i18n, err.guest_number_required),
        Problem::GuestLastNameRequired => t_string!(i18n, err.guest_last_name_required),
        Problem::GuestAccountNotFound => t_string!(i18n, err.guest_not_found),
        Problem::GuestEnded => t_string!(i18n, err.guest_ended),
        Problem::DocumentsChooseVisit => t_string!(i18n, err.documents_choose_visit),
        Problem::DocumentsNoVisitsBetween => t_string!(i18n, err.documents_no_visits_between),
        Problem::DocumentsTooManyVisits => t_string!(i18n, err.documents_too_many_visits),
        Problem::DocumentsChoosePart => t_string!(i18n, err.documents_choose_part),
        Problem::DocumentsBadDate => t_string!(i18n, err.documents_bad_date),
        Problem::DocumentsDatesBackwards => t_string!(i18n, err.documents_dates_backwards),
        Problem::DocumentsReasonTooLong => t_string!(i18n, err.documents_reason_too_long),
        Problem::DocumentsRequestPending => t_string!(i18n, err.documents_request_pending),
        Problem::DocumentsDeclineReasonRequired => t_string!(i18n, err.documents_decline_reason_required),
        Problem::DocumentsAlreadyAnswered => t_string!(i18n, err.documents_already_answered),
        Problem::DocumentsFileTooBig => t_string!(i18n, err.documents_file_too_big),
        Problem::DocumentsChooseFile => t_string!(i18n, err.documents_choose_file),
        Problem::DocumentsCopyNotPdf => t_string!(i18n, err.documents_copy_not_pdf),
        Problem::DocumentsTitleRequired => t_string!(i18n, err.documents_title_required),
        Problem::DocumentsTitleTooLong => t_string!(i18n, err.documents_title_too_long),
        Problem::DocumentsSourceRequired => t_string!(i18n, err.documents_source_required),
        Problem::DocumentsSourceTooLong => t_string!(i18n, err.documents_source_too_long),
        Problem::DocumentsDateInFuture => t_string!(i18n, err.documents_date_in_future),
        Problem::DocumentsUnknownMrn => t_string!(i18n, err.documents_unknown_mrn),
        Problem::DocumentsRequesterNoAccess => t_string!(i18n, err.documents_requester_no_access),
        Problem::DocumentsExportWorking => t_string!(i18n, err.documents_export_working),
        Problem::AppsChooseKind => t_string!(i18n, err.apps_choose_kind),
        Problem::AppsChooseChart => t_string!(i18n, err.apps_choose_chart),
        Problem::AppsKindNotShared => t_string!(i18n, err.apps_kind_not_shared),
        Problem::AppsName => t_string!(i18n, err.apps_name),
        Problem::AppsRedirect => t_string!(i18n, err.apps_redirect),
        Problem::AppsUrl => t_string!(i18n, err.apps_url),
        Problem::ShareChooseScope => t_string!(i18n, err.share_choose_scope),
        Problem::ShareBadLength => t_string!(i18n, err.share_bad_length),
        Problem::ShareTooMany => t_string!(i18n, err.share_too_many),
        Problem::ShareCodeRequired => t_string!(i18n, err.share_code_required),
        Problem::ShareBirthDateRequired => t_string!(i18n, err.share_birth_date_required),
        Problem::ShareCodeWrong => t_string!(i18n, err.share_code_wrong),
        Problem::ShareEnded => t_string!(i18n, err.share_ended),
        Problem::BadRequest => t_string!(i18n, err.bad_request),
    };
    text.to_string()
}

pub fn error_text(i18n: leptos_i18n::I18nContext<Locale>, err: &AppError) -> String {
    match err {
        AppError::Invalid { problem, .. } => problem_text(i18n, *problem),
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
        AppError::Busy { .. } => t_string!(i18n, err.busy).to_string(),
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
        Some(Err(e)) => e.field_problem(&field).map(|p| problem_text(i18n, p)),
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
        _ => err.field_problem(pattern).is_some(),
    }
}

/// The error a server function `F` sent back in the URL after a plain form post (the
/// server sends the browser back to the page with it), as an action's result would be.
pub fn url_result<F, T>() -> Signal<Option<Result<T, AppError>>>
where
    F: server_fn::ServerFn<Error = AppError>,
    T: Send + Sync + Clone + 'static,
{
    let error = use_context::<leptos::server::ServerActionError>()
        .filter(|e| e.path() == F::PATH)
        .map(|e| server_fn::error::ServerFnUrlError::<AppError>::decode_err(e.err()));
    Signal::derive(move || error.clone().map(Err))
}
