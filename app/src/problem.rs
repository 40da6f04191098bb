//! What was wrong with a request, as one typed list: the server returns a `Problem` with
//! the field it belongs to (`AppError::Invalid`), and the page says it in the reader's
//! language (`ui::errors::problem_text`, an exhaustive match: a problem without words is a
//! compile error, not a silent "bad request").
//!
//! On the wire a problem is its key ("password.too_short"): stable, readable in logs and in
//! the integration tests, and the same for every client.
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Declares the problems and their wire keys once; `key`, `from_key` and `ALL` follow.
macro_rules! problems {
    ($($name:ident = $key:literal,)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Problem {
            $($name,)*
        }

        impl Problem {
            pub const ALL: &'static [Problem] = &[$(Problem::$name,)*];

            /// The wire key ("password.too_short").
            pub fn key(self) -> &'static str {
                match self {
                    $(Problem::$name => $key,)*
                }
            }

            pub fn from_key(key: &str) -> Option<Problem> {
                match key {
                    $($key => Some(Problem::$name),)*
                    _ => None,
                }
            }
        }
    };
}

problems! {
    SigninFailed = "signin.failed",

    PasswordTooShort = "password.too_short",
    PasswordTooLong = "password.too_long",
    PasswordTooWeak = "password.too_weak",
    PasswordMismatch = "password.mismatch",
    PasswordCurrentWrong = "password.current_wrong",
    PasswordUnchanged = "password.unchanged",

    TwoStepCodeWrong = "two_step.code_wrong",
    TwoStepAlreadyOn = "two_step.already_on",
    TwoStepRequiredForStaff = "two_step.required_for_staff",

    PasskeyFailed = "passkey.failed",
    PasskeyNameTooLong = "passkey.name_too_long",
    PasskeyLimit = "passkey.limit",
    PasskeyChoose = "passkey.choose",

    UsernameTooShort = "username.too_short",
    UsernameTooLong = "username.too_long",
    UsernameBadChars = "username.bad_chars",
    UsernameTaken = "username.taken",

    EmailInvalid = "email.invalid",
    EmailTooLong = "email.too_long",

    ActivationFormat = "activation.format",
    ActivationNoMatch = "activation.no_match",
    ActivationUsed = "activation.used",
    ActivationReplaced = "activation.replaced",
    ActivationExpired = "activation.expired",
    ActivationUnder13 = "activation.under_13",
    ActivationBirthDateInvalid = "activation.birth_date_invalid",

    SignUpNameRequired = "sign_up.name_required",
    SignUpNameTooLong = "sign_up.name_too_long",
    SignUpBirthDateInvalid = "sign_up.birth_date_invalid",
    SignUpUnder18 = "sign_up.under_18",
    SignUpPostalCodeInvalid = "sign_up.postal_code_invalid",
    SignUpPhoneInvalid = "sign_up.phone_invalid",
    SignUpAnswerRequired = "sign_up.answer_required",
    SignUpNotVerified = "sign_up.not_verified",
    SignUpExpired = "sign_up.expired",

    EmailCodeWrong = "email.code_wrong",
    EmailCodeNone = "email.code_none",
    EmailUnchanged = "email.unchanged",

    InvitationGone = "invitation.gone",

    PersonalTooLong = "personal.too_long",
    PersonalBadChoice = "personal.bad_choice",
    PersonalDeclineAlone = "personal.decline_alone",
    CorrectionPending = "correction.pending",

    ResetWhoRequired = "reset.who_required",
    ResetCodeInvalid = "reset.code_invalid",
    ResetCodeExhausted = "reset.code_exhausted",

    PatientAlreadyEnrolled = "patient.already_enrolled",
    PatientNoEmail = "patient.no_email",

    SearchTooShort = "search.too_short",

    ResultsBadCode = "results.bad_code",
    ResultsBadPanel = "results.bad_panel",
    ResultsBadValues = "results.bad_values",
    ResultsBadValue = "results.bad_value",
    ResultsReasonTooLong = "results.reason_too_long",
    ResultsNoPatient = "results.no_patient",

    RenewalPharmacyRequired = "renewal.pharmacy_required",
    RenewalPharmacyTooLong = "renewal.pharmacy_too_long",
    RenewalCommentTooLong = "renewal.comment_too_long",
    RenewalAlreadyPending = "renewal.already_pending",
    RenewalBadRefills = "renewal.bad_refills",
    RenewalReasonRequired = "renewal.reason_required",
    RenewalReasonTooLong = "renewal.reason_too_long",

    MessagesToRequired = "messages.to_required",
    MessagesSubjectRequired = "messages.subject_required",
    MessagesSubjectTooLong = "messages.subject_too_long",
    MessagesBodyRequired = "messages.body_required",
    MessagesBodyTooLong = "messages.body_too_long",
    MessagesAttachmentTooBig = "messages.attachment_too_big",
    MessagesTooManyAttachments = "messages.too_many_attachments",
    MessagesAttachmentType = "messages.attachment_type",
    MessagesThreadDone = "messages.thread_done",

    ProxyNameRequired = "proxy.name_required",
    ProxyNameTooLong = "proxy.name_too_long",
    ProxyBirthDateInvalid = "proxy.birth_date_invalid",
    ProxyBirthDateFuture = "proxy.birth_date_future",
    ProxyNotAMinor = "proxy.not_a_minor",
    ProxyEndsOnInvalid = "proxy.ends_on_invalid",
    ProxyEndsOnPast = "proxy.ends_on_past",
    ProxyEndsOnTooFar = "proxy.ends_on_too_far",
    ProxyNotAnAdult = "proxy.not_an_adult",
    ProxyRelationshipRequired = "proxy.relationship_required",
    ProxyAttestRequired = "proxy.attest_required",
    ProxyFormRequired = "proxy.form_required",
    ProxySectionsRequired = "proxy.sections_required",
    ProxyMatchRequired = "proxy.match_required",
    ProxyBirthDateMismatch = "proxy.birth_date_mismatch",

    AccessBreakGlassRequired = "access.break_glass_required",

    BreakGlassReasonRequired = "break_glass.reason_required",
    BreakGlassNoteRequired = "break_glass.note_required",
    BreakGlassNoteTooLong = "break_glass.note_too_long",

    ProxyOwnChart = "proxy.own_chart",
    ProxyAlreadyDecided = "proxy.already_decided",
    ProxyReasonRequired = "proxy.reason_required",
    ProxyReasonTooLong = "proxy.reason_too_long",

    RestrictionNoteTooLong = "restriction.note_too_long",
    RestrictionPending = "restriction.pending",

    BillingAmountInvalid = "billing.amount_invalid",
    BillingAmountTooSmall = "billing.amount_too_small",
    BillingAmountTooLarge = "billing.amount_too_large",
    BillingNotPayable = "billing.not_payable",
    BillingSearchRequired = "billing.search_required",
    BillingSearchTooLong = "billing.search_too_long",
    BillingChooseKind = "billing.choose_kind",
    BillingReasonRequired = "billing.reason_required",
    BillingReasonTooLong = "billing.reason_too_long",
    BillingRefundTooLarge = "billing.refund_too_large",
    BillingChoosePatient = "billing.choose_patient",
    BillingPlanInForce = "billing.plan_in_force",
    BillingPlanNotOffered = "billing.plan_not_offered",
    BillingPlanTooSmall = "billing.plan_too_small",
    BillingPlanTooLarge = "billing.plan_too_large",
    BillingPlanDay = "billing.plan_day",
    GuestNumberRequired = "billing.guest_number_required",
    GuestLastNameRequired = "billing.guest_last_name_required",
    GuestAccountNotFound = "billing.guest_not_found",
    GuestEnded = "billing.guest_ended",

    DocumentsChooseVisit = "documents.choose_visit",
    DocumentsTooManyVisits = "documents.too_many_visits",
    DocumentsNoVisitsBetween = "documents.no_visits_between",
    DocumentsChoosePart = "documents.choose_part",
    DocumentsBadDate = "documents.bad_date",
    DocumentsDatesBackwards = "documents.dates_backwards",
    DocumentsReasonTooLong = "documents.reason_too_long",
    DocumentsRequestPending = "documents.request_pending",
    DocumentsDeclineReasonRequired = "documents.decline_reason_required",
    DocumentsAlreadyAnswered = "documents.already_answered",
    DocumentsFileTooBig = "documents.file_too_big",
    DocumentsChooseFile = "documents.choose_file",
    DocumentsCopyNotPdf = "documents.copy_not_pdf",
    DocumentsTitleRequired = "documents.title_required",
    DocumentsTitleTooLong = "documents.title_too_long",
    DocumentsSourceRequired = "documents.source_required",
    DocumentsSourceTooLong = "documents.source_too_long",
    DocumentsDateInFuture = "documents.date_in_future",
    DocumentsUnknownMrn = "documents.unknown_mrn",
    DocumentsRequesterNoAccess = "documents.requester_no_access",
    DocumentsExportWorking = "documents.export_working",

    AppsChooseKind = "apps.choose_kind",
    AppsChooseChart = "apps.choose_chart",
    AppsKindNotShared = "apps.kind_not_shared",
    AppsName = "apps.name",
    AppsRedirect = "apps.redirect",
    AppsUrl = "apps.url",

    ShareChooseScope = "share.choose_scope",
    ShareBadLength = "share.bad_length",
    ShareTooMany = "share.too_many",
    ShareCodeRequired = "share.code_required",
    ShareBirthDateRequired = "share.birth_date_required",
    ShareCodeWrong = "share.code_wrong",
    ShareEnded = "share.ended",

    BadRequest = "error.bad_request",
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

impl Serialize for Problem {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.key())
    }
}

impl<'de> Deserialize<'de> for Problem {
    /// A key this build does not know (a newer server) reads as a bad request rather than
    /// failing the whole error: the reader still gets a message.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let key = std::borrow::Cow::<str>::deserialize(deserializer)?;
        Ok(Problem::from_key(&key).unwrap_or(Problem::BadRequest))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_distinct_and_reads_back() {
        for &p in Problem::ALL {
            assert_eq!(Problem::from_key(p.key()), Some(p), "{p:?}: its key belongs to another problem");
        }
    }

    #[test]
    fn a_problem_travels_as_its_key() {
        let json = serde_json::to_string(&Problem::PasswordTooShort).unwrap();
        assert_eq!(json, "\"password.too_short\"");
        assert_eq!(serde_json::from_str::<Problem>(&json).unwrap(), Problem::PasswordTooShort);
        assert_eq!(serde_json::from_str::<Problem>("\"from.a_newer_server\"").unwrap(), Problem::BadRequest);
    }
}
