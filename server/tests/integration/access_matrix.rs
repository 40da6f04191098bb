//! THE access matrix: every server function the app registers (read from the server-fn
//! registry, so a new one cannot be forgotten), called as each kind of reader, against one
//! table of expected answers. It fails on an unexpected answer, on any confidential text
//! reaching someone other than the patient, on any of Leo's chart reaching someone without
//! access, on a registered function missing from the table, and on a row for a function
//! that no longer exists.
use std::collections::BTreeSet;

use crate::{
    common::TestApp,
    proxy_fixture::{family, grant, pdf, Family, LEO_MARK, SECRET},
};
use app::{
    access::{Relationship, Section},
    auth::Role,
    proxy::RequestKind,
};
use reqwest::{header, Client, StatusCode};

on_both_databases!(
    every_function_answers_every_reader_as_the_table_says,
    every_function_answers_every_staff_reader_as_expected
);

/// What a call must answer.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    /// 200.
    Ok,
    /// 403, the role or the grant does not allow it.
    Forbidden,
    /// 404: the object is not in the chart this reader may see.
    NotFound,
    /// 403 AccessEnded: the chart the session had open is closed now.
    Ended,
    /// 401.
    SignedOut,
    /// Signed-out functions (sign-in, enrollment…): anything but a server error.
    Public,
    /// Not called as this reader (it would end or replace the session under test).
    Skip,
    /// 422: refused at a field (for a clinician outside their patients: break the glass).
    Invalid,
}
use Expect::{
    Ended as E, Forbidden as F, Invalid as V, NotFound as N, Ok as O, Public as P, SignedOut as U, Skip as S,
};

/// The readers, in the table's column order.
const READERS: [&str; 8] = [
    "patient",
    "proxy (all sections)",
    "proxy without the section",
    "expired grant",
    "grant revoked mid-session",
    "parent of a 15-year-old",
    "unrelated patient",
    "signed out",
];

enum Call {
    Form(fn(&Ctx) -> Vec<(&'static str, String)>),
    Multipart(fn(&Ctx) -> Vec<(&'static str, String)>),
    Get(fn(&Ctx) -> String),
    /// A JSON post (a SMART Health Link app's): the query, then the body.
    Json(fn(&Ctx) -> (String, serde_json::Value)),
}

struct Row {
    path: &'static str,
    /// The section a "proxy without the section" lacks (Home for Home, else any other).
    section: Section,
    call: Call,
    expect: [Expect; 8],
}

const fn row(path: &'static str, section: Section, call: Call, expect: [Expect; 8]) -> Row {
    Row { path, section, call, expect }
}

fn none(_: &Ctx) -> Vec<(&'static str, String)> {
    Vec::new()
}

const STAFF: [Expect; 8] = [F, F, F, F, F, F, F, U];
const SIGNED_OUT_ONLY: [Expect; 8] = [S, S, S, S, S, S, S, P];
const SESSION: [Expect; 8] = [O, O, O, O, O, O, O, U];
/// A list in a section: the patient and proxies with the section see it (a proxy without
/// the confidential items), a closed chart is refused, an unrelated patient gets their own.
const LIST: [Expect; 8] = [O, O, F, E, E, O, O, U];
/// A confidential object of Leo's chart, by id.
const SECRET_OBJECT: [Expect; 8] = [O, N, F, E, E, N, N, U];

// Kept as a table, one row per function: the layout is the point.
#[rustfmt::skip]
fn table() -> Vec<Row> {
    use Section::*;
    vec![
        // Signing in and out, enrolling, resetting a password: for the signed-out.
        row("/api/auth/sign_in", Home, Call::Form(|_| vec![("username", "nobody".into()), ("password", "wrong".into())]), SIGNED_OUT_ONLY),
        row("/api/auth/sign_out", Home, Call::Form(none), SIGNED_OUT_ONLY),
        row("/api/auth/check_activation", Home, Call::Form(|_| vec![("code", "ABCDE-FGHJK-MNPQR".into()), ("birth_date", "2000-01-01".into())]), SIGNED_OUT_ONLY),
        row("/api/auth/enroll", Home, Call::Form(|_| vec![
            ("code", "ABCDE-FGHJK-MNPQR".into()), ("birth_date", "2000-01-01".into()), ("username", "someone".into()),
            ("email", "someone@example.org".into()), ("password", "long enough password 1".into()),
            ("password_again", "long enough password 1".into()),
        ]), SIGNED_OUT_ONLY),
        row("/api/auth/request_reset", Home, Call::Form(|_| vec![("who", "nobody".into())]), SIGNED_OUT_ONLY),
        row("/api/auth/reset_password", Home, Call::Form(|_| vec![
            ("who", "nobody".into()), ("code", "12345678".into()), ("password", "long enough password 1".into()),
            ("password_again", "long enough password 1".into()),
        ]), SIGNED_OUT_ONLY),
        // Sign-up without a code (sign_up.rs has its scenarios): for the signed-out.
        row("/api/signup/start", Home, Call::Form(|_| vec![
            ("given_name", "Nobody".into()), ("family_name", "Known".into()), ("birth_date", "1980-01-01".into()),
            ("postal_code", "00000".into()), ("phone", "5550000000".into()), ("email", "nobody@example.org".into()),
        ]), SIGNED_OUT_ONLY),
        row("/api/signup/answer", Home, Call::Form(|_| vec![
            ("token", "not-a-token".into()), ("answer_0", "0".into()), ("answer_1", "0".into()), ("answer_2", "0".into()),
        ]), SIGNED_OUT_ONLY),
        row("/api/signup/account", Home, Call::Form(|_| vec![
            ("token", "not-a-token".into()), ("username", "someone".into()),
            ("password", "long enough password 1".into()), ("password_confirm", "long enough password 1".into()),
        ]), SIGNED_OUT_ONLY),
        row("/api/site/language", Home, Call::Form(|_| vec![("lang", "es".into())]), SIGNED_OUT_ONLY),
        row("/api/site/org", Home, Call::Form(none), [O, O, O, O, O, O, O, O]),
        row("/api/auth/me", Home, Call::Form(none), [O, O, O, O, O, O, O, O]),
        row("/api/auth/keep_alive", Home, Call::Form(none), SESSION),
        // Two-step sign-in: the caller's own factor. Everyone here is signed in already (a
        // second "Continue" is answered as done); confirming a setup not begun finds no code.
        row("/api/auth/two_step/verify", Home, Call::Form(|_| vec![("code", "123456".into())]), SESSION),
        row("/api/auth/two_step/setup", Home, Call::Form(none), [S, S, S, S, S, S, S, U]),
        row("/api/auth/two_step/confirm", Home, Call::Form(|_| vec![("code", "123456".into())]), [V, V, V, V, V, V, V, U]),
        row("/api/auth/two_step/status", Home, Call::Form(none), SESSION),
        // Only a session at the new-password stage (none here) replaces a first password.
        row("/api/auth/two_step/new_password", Home, Call::Form(|_| vec![
            ("password", "long enough password 1".into()), ("password_confirm", "long enough password 1".into()),
        ]), [U, U, U, U, U, U, U, U]),
        row("/api/auth/two_step/turn_off", Home, Call::Form(|_| vec![("current_password", "not it".into())]), [V, V, V, V, V, V, V, U]),
        // Passkeys: the caller's own, never a chart. Anyone may start a passkey sign-in; an
        // answer to no ceremony is refused at the form; no session here waits for its
        // second step.
        // Adding a passkey asks for the password again: a wrong one is refused at its field.
        row("/api/passkeys/register_start", Home, Call::Form(|_| vec![("current_password", "not it".into())]), [V, V, V, V, V, V, V, U]),
        row("/api/passkeys/register_finish", Home, Call::Form(|_| vec![
            ("ceremony", "not-a-ceremony".into()), ("credential", "{}".into()),
        ]), [V, V, V, V, V, V, V, U]),
        row("/api/passkeys/sign_in_start", Home, Call::Form(none), [O, O, O, O, O, O, O, O]),
        row("/api/passkeys/sign_in_finish", Home, Call::Form(|_| vec![
            ("ceremony", "not-a-ceremony".into()), ("credential", "{}".into()),
        ]), [V, V, V, V, V, V, V, V]),
        row("/api/passkeys/second_step_methods", Home, Call::Form(none), [U, U, U, U, U, U, U, U]),
        row("/api/passkeys/second_step_start", Home, Call::Form(none), [U, U, U, U, U, U, U, U]),
        row("/api/passkeys/second_step_finish", Home, Call::Form(|_| vec![
            ("ceremony", "not-a-ceremony".into()), ("credential", "{}".into()),
        ]), [U, U, U, U, U, U, U, U]),
        row("/api/passkeys/list", Home, Call::Form(none), SESSION),
        row("/api/passkeys/remove", Home, Call::Form(|_| vec![
            ("id", "999999".into()), ("current_password", "not it".into()),
        ]), [V, V, V, V, V, V, V, U]),
        // The login's own settings (any role, staff too): the caller's own, never a chart.
        row("/api/account/overview", Home, Call::Form(none), SESSION),
        row("/api/account/change_password", Home, Call::Form(|_| vec![
            ("current_password", "not it at all".into()), ("password", "long enough password 1".into()),
            ("password_confirm", "long enough password 1".into()),
        ]), [V, V, V, V, V, V, V, U]),
        row("/api/account/devices", Home, Call::Form(none), SESSION),
        // Nobody's session by that id: none of another user's is ever reached (account.rs).
        row("/api/account/sign_out_device", Home, Call::Form(|_| vec![("id", "999999".into())]), [N, N, N, N, N, N, N, U]),
        row("/api/account/sign_out_others", Home, Call::Form(none), [S, S, S, S, S, S, S, U]),
        row("/api/account/notices", Home, Call::Form(none), SESSION),
        // Connected apps: the consent screen answers from this browser's request cookie
        // (none here: nothing to answer, whoever asks); the links listed and revoked are
        // the login's own, and no one's link has that id (connected_apps.rs).
        row("/api/apps/consent", Home, Call::Form(none), SESSION),
        row("/api/apps/consent/answer", Home, Call::Form(|_| vec![("request", "1".into()), ("decision", "deny".into())]), [N, N, N, N, N, N, N, U]),
        row("/api/apps/linked", Home, Call::Form(none), SESSION),
        row("/api/apps/revoke", Home, Call::Form(|_| vec![("id", "999999".into())]), [N, N, N, N, N, N, N, U]),
        // The login's own address: no code is open for anyone here, and the password is wrong.
        row("/api/account/email_status", Home, Call::Form(none), SESSION),
        row("/api/account/confirm_email", Home, Call::Form(|_| vec![("code", "12345678".into())]), [V, V, V, V, V, V, V, U]),
        row("/api/account/resend_email_code", Home, Call::Form(none), [V, V, V, V, V, V, V, U]),
        row("/api/account/change_email", Home, Call::Form(|_| vec![
            ("new_email", "new.address@example.org".into()), ("current_password", "not it at all".into()),
        ]), [V, V, V, V, V, V, V, U]),
        row("/api/account/set_notices", Home, Call::Form(|_| vec![("on", "message,result,renewal,access".into())]), SESSION),
        // Charts, sharing and requests: the session's own business.
        row("/api/proxy/charts", Home, Call::Form(none), SESSION),
        row("/api/proxy/switch", Home, Call::Form(|f| vec![("patient_id", f.leo.to_string())]), [O, O, O, N, N, O, N, U]),
        row("/api/proxy/sharing", Home, Call::Form(none), SESSION),
        // Personal information: the reader's own chart, whichever is open (personal.rs);
        // saved with a language that is not offered, to change nothing.
        row("/api/personal/load", Home, Call::Form(none), SESSION),
        row("/api/staff/personal/load", Home, Call::Form(|f| vec![("patient_id", f.leo.to_string())]), STAFF),
        row("/api/staff/personal/save", Home, Call::Form(|f| vec![
            ("patient_id", f.leo.to_string()), ("language", "klingon".into()),
        ]), STAFF),
        // Legal name and birth date corrections: the reader's own chart; HIM decides.
        row("/api/personal/corrections", Home, Call::Form(none), SESSION),
        row("/api/personal/request_correction", Home, Call::Form(|_| vec![
            ("given_name", " ".into()), ("family_name", "X".into()), ("birth_date", "1980-01-01".into()),
        ]), [V, V, V, V, V, V, V, U]),
        row("/api/staff/corrections/queue", Home, Call::Form(none), STAFF),
        row("/api/staff/corrections/decide", Home, Call::Form(|_| vec![("id", "999999".into()), ("approve", "true".into())]), STAFF),
        row("/api/personal/save", Home, Call::Form(|_| vec![("language", "klingon".into())]), [V, V, V, V, V, V, V, U]),
        // Invitations (invitations.rs has the scenarios). Sending is an adult's with a chart
        // of their own (here refused at the relationship, to send no mail); a link's token
        // is the invitee's credential (here none matches).
        row("/api/invitations/send", Sharing, Call::Form(|_| vec![
            ("name", "Someone".into()), ("email", "someone@example.org".into()), ("relationship", "parent".into()),
            ("sections", "home".into()),
        ]), [F, V, V, V, V, V, V, U]),
        row("/api/staff/invitations/send", Sharing, Call::Form(|f| vec![
            ("patient_id", f.leo.to_string()), ("name", "Someone".into()), ("email", "someone@example.org".into()),
            ("relationship", "spouse".into()), ("sections", "home".into()),
        ]), STAFF),
        // An adult's own invitations (Leo is 15: a teen's are HIM's, for a guardian).
        row("/api/invitations/waiting", Sharing, Call::Form(none), [F, O, O, O, O, O, O, U]),
        row("/api/invitations/withdraw", Sharing, Call::Form(|_| vec![("id", "999999".into())]), [F, N, N, N, N, N, N, U]),
        row("/api/invitations/load", Home, Call::Form(|_| vec![("token", "not-a-token".into())]), [N, N, N, N, N, N, N, N]),
        row("/api/invitations/accept", Home, Call::Form(|_| vec![("token", "not-a-token".into())]), [V, V, V, V, V, V, V, U]),
        row("/api/invitations/create_account", Home, Call::Form(|_| vec![
            ("token", "not-a-token".into()), ("username", "someone".into()),
            ("password", "long enough password 1".into()), ("password_confirm", "long enough password 1".into()),
        ]), SIGNED_OUT_ONLY),
        row("/api/proxy/access_log", Home, Call::Form(none), SESSION),
        row("/api/proxy/request_minor", Home, Call::Form(|_| vec![
            ("child_name", "Some Child".into()), ("birth_date", "2020-01-01".into()), ("relationship", "parent".into()),
            ("attest", "on".into()), ("key", "matrix-minor-request-1".into()),
        ]), SESSION),
        row("/api/proxy/request_adult", Home, Call::Multipart(|_| vec![
            ("patient_name", "Some Adult".into()), ("birth_date", "1950-01-01".into()), ("relationship", "caregiver".into()),
            ("attest", "on".into()), ("key", "matrix-adult-request-1".into()),
        ]), SESSION),
        // A grant on Leo's chart none of the readers holds; Leo is 15 and may not change it.
        row("/api/proxy/end_grant", Sharing, Call::Form(|f| vec![("id", f.spare_grant.to_string())]), [F, N, N, N, N, N, N, U]),
        row("/api/proxy/set_sections", Sharing, Call::Form(|f| vec![("id", f.spare_grant.to_string()), ("sections", "home".into())]), [F, N, N, N, N, N, N, U]),
        // Leo, 15, may ask HIM to narrow it; on anyone else's account the grant is not theirs.
        row("/api/proxy/restrict", Sharing, Call::Form(|f| vec![
            ("grant_id", f.spare_grant.to_string()), ("sections", "results".into()), ("key", "matrix-restrict-key-1".into()),
        ]), [O, N, N, N, N, N, N, U]),
        // The chart's sections.
        row("/api/home/overview", Home, Call::Form(none), LIST),
        row("/api/visits/list", Visits, Call::Form(none), LIST),
        row("/api/visits/document", Visits, Call::Form(|f| vec![("id", f.visit.to_string()), ("kind", "Note".into())]), SECRET_OBJECT),
        row("/api/results/list", Results, Call::Form(none), LIST),
        row("/api/results/get", Results, Call::Form(|f| vec![("id", f.secret_result.to_string())]), SECRET_OBJECT),
        row("/api/results/trend", Results, Call::Form(|_| vec![("loinc", "2093-3".into())]), [O, O, F, E, E, O, N, U]),
        // Medications are not in a parent's view of a teenager's chart.
        row("/api/medications/list", Medications, Call::Form(none), [O, O, F, E, E, F, O, U]),
        row("/api/medications/request_renewal", Medications, Call::Form(|f| vec![
            ("medication_id", f.secret_med.to_string()), ("pharmacy", "Main Street Pharmacy".into()), ("key", "matrix-renewal-key-1".into()),
        ]), [O, N, F, E, E, F, N, U]),
        row("/api/summary/get", HealthSummary, Call::Form(none), LIST),
        row("/api/reminders/list", Reminders, Call::Form(none), LIST),
        // Billing: the open chart's person as guarantor; another guarantor's account is 404.
        row("/api/billing/summary", Billing, Call::Form(none), LIST),
        row("/api/billing/account", Billing, Call::Form(|f| vec![("account_id", f.account.to_string())]), [O, O, F, E, E, O, N, U]),
        // Pay Now: no processor in this table's app, so a reader who may pay is told so at the field.
        row("/api/billing/pay_form", Billing, Call::Form(|f| vec![("account_id", f.account.to_string())]), [O, O, F, E, E, O, N, U]),
        row("/api/billing/pay", Billing, Call::Form(|f| vec![
            ("account_id", f.account.to_string()), ("whole", "balance".into()), ("amount", String::new()), ("key", "matrix-payment-key-1".into()),
        ]), [V, V, F, E, E, V, N, U]),
        row("/api/billing/payment", Billing, Call::Form(|_| vec![("payment_id", "999999".into())]), [N, N, F, E, E, N, N, U]),
        // Pay as Guest: the guest door, whoever asks (a session opens nothing here; a
        // number that is not one is refused before the door counts a try).
        row("/api/billing/guest_open", Billing, Call::Form(|_| vec![("number", "not-a-number".into()), ("last_name", "Rivera".into())]), [V; 8]),
        row("/api/billing/guest_account", Billing, Call::Form(none), [V; 8]),
        row("/api/billing/guest_pay", Billing, Call::Form(|_| vec![("whole", "balance".into()), ("key", "k".repeat(20))]), [V; 8]),
        row("/api/billing/guest_payment", Billing, Call::Form(|_| vec![("payment_id", "1".into())]), [V; 8]),
        row("/api/billing/guest_close", Billing, Call::Form(none), [O; 8]),
        row("/api/billing/contact", Billing, Call::Form(|f| vec![("account_id", f.account.to_string())]), [O, O, F, E, E, O, N, U]),
        // The fixture's one statement, as a PDF, from View account and from Documents.
        row("/api/billing/statement", Billing, Call::Get(|_| "id=1".into()), [O, O, F, E, E, O, N, U]),
        row("/api/documents/download", Billing, Call::Form(|_| vec![("key", "statement-1".into())]), [O, O, F, E, E, O, N, U]),
        // The fixture's $80.00 is under the plan minimum: no plan is offered, said at the field.
        row("/api/billing/plan_start", Billing, Call::Form(|f| vec![("account_id", f.account.to_string()), ("monthly", "10".into()), ("day", "1".into())]), [V, V, F, E, E, V, N, U]),
        row("/api/billing/plan_end", Billing, Call::Form(|f| vec![("account_id", f.account.to_string())]), [O, O, F, E, E, O, N, U]),
        row("/api/billing/estimate", Billing, Call::Get(|_| "id=999999".into()), [N, N, F, E, E, N, N, U]),
        row("/api/billing/paperless", Billing, Call::Form(|f| vec![("account_id", f.account.to_string()), ("paperless", "true".into())]), [O, O, F, E, E, O, N, U]),
        row("/api/documents/list", Documents, Call::Form(none), LIST),
        row("/api/documents/download", Documents, Call::Form(|f| vec![("key", format!("file-{}", f.secret_document))]), SECRET_OBJECT),
        row("/api/documents/download", Documents, Call::Form(|f| vec![("key", format!("file-{}", f.normal_document))]), [O, O, F, E, E, O, N, U]),
        row("/api/documents/download", Documents, Call::Form(|_| vec![("key", "immunizations".into())]), LIST),
        row("/api/documents/requests", Documents, Call::Form(none), LIST),
        row("/api/documents/request_copy", Documents, Call::Form(|_| vec![("parts[]", "visits".into())]), LIST),
        row("/api/documents/visit_records", Documents, Call::Form(|f| vec![("visits[]", f.visit.to_string())]), SECRET_OBJECT),
        row("/api/documents/visit_records_read", Documents, Call::Form(|f| vec![("visits[]", f.visit.to_string())]), SECRET_OBJECT),
        // The whole-record archive: the reader's own (none by that id here).
        row("/api/documents/export_status", Documents, Call::Form(none), LIST),
        row("/api/documents/export_download", Documents, Call::Form(|_| vec![("id", "999999".into())]), [N, N, F, E, E, N, N, U]),
        // Starting one makes an archive in the background for each reader allowed.
        row("/api/documents/export_start", Documents, Call::Form(none), LIST),
        // Share codes: the sharer's own codes on the open chart (a code ending 999999 is
        // nobody's); the clinician's side needs no account and opens nothing without a code.
        row("/api/share/list", Documents, Call::Form(none), LIST),
        row("/api/share/create", Documents, Call::Form(|_| vec![("scope", "summary".into()), ("hours", "1".into())]), LIST),
        row("/api/share/end", Documents, Call::Form(|_| vec![("id", "999999".into())]), [N, N, F, E, E, N, N, U]),
        row("/api/share/open", Documents, Call::Form(|_| vec![("code", "not-a-code".into()), ("birth_date", "2011-03-02".into())]), [V; 8]),
        row("/api/share/record", Documents, Call::Form(none), [V; 8]),
        row("/api/share/close", Documents, Call::Form(none), [O; 8]),
        // A SMART Health Link's app: no session read, an unknown link or ticket is not found.
        row("/api/shl/manifest", Documents, Call::Json(|_| ("link=not-a-link".into(), serde_json::json!({"recipient": "Matrix", "passcode": "2011-03-02"}))), [N; 8]),
        row("/api/shl/file", Documents, Call::Get(|_| "ticket=1.4102444800000.00".into()), [N; 8]),
        row("/api/messages/inbox", Messages, Call::Form(none), LIST),
        row("/api/messages/unread", Messages, Call::Form(none), LIST),
        row("/api/messages/recipients", Messages, Call::Form(none), LIST),
        row("/api/messages/thread", Messages, Call::Form(|f| vec![("id", f.secret_thread.to_string())]), SECRET_OBJECT),
        row("/api/messages/send", Messages, Call::Multipart(|f| vec![
            ("thread", f.secret_thread.to_string()), ("body", "A reply".into()), ("key", "matrix-message-key-1".into()),
        ]), SECRET_OBJECT),
        row("/api/messages/attachment", Messages, Call::Get(|f| format!("id={}", f.secret_attachment)), SECRET_OBJECT),
        // Staff functions: no patient or proxy passes the role check.
        // The administrators' (connected_apps.rs): no reader here is one.
        row("/api/staff/apps/list", Home, Call::Form(none), STAFF),
        row("/api/staff/apps/register", Home, Call::Form(|_| vec![
            ("name", "An app".into()), ("kind", "public".into()), ("redirect_uris", "https://a.example/cb".into()),
            ("terms_url", "https://a.example/t".into()), ("privacy_url", "https://a.example/p".into()),
        ]), STAFF),
        row("/api/staff/billing/find", Billing, Call::Form(|_| vec![("query", "Quinn".into())]), STAFF),
        row("/api/staff/billing/account", Billing, Call::Form(|f| vec![("account_id", f.account.to_string())]), STAFF),
        row("/api/staff/billing/post", Billing, Call::Form(|f| vec![
            ("account_id", f.account.to_string()), ("kind", "credit".into()), ("amount", "1.00".into()), ("reason", String::new()),
        ]), STAFF),
        row("/api/staff/billing/plan_start", Billing, Call::Form(|f| vec![("account_id", f.account.to_string()), ("monthly", "10".into()), ("day", "1".into())]), STAFF),
        row("/api/staff/billing/plan_end", Billing, Call::Form(|f| vec![("account_id", f.account.to_string())]), STAFF),
        row("/api/staff/billing/estimate", Billing, Call::Multipart(|f| vec![("account_id", f.account.to_string())]), STAFF),
        row("/api/staff/find_patients", Home, Call::Form(|_| vec![("query", "Quinn".into())]), STAFF),
        row("/api/staff/issue_activation_code", Home, Call::Form(|f| vec![("patient_id", f.emma.to_string())]), STAFF),
        row("/api/staff/email_enrollment_link", Home, Call::Form(|f| vec![
            ("patient_id", f.emma.to_string()), ("code", "ABCDE-FGHJK-MNPQR".into()),
        ]), STAFF),
        row("/api/staff/activation_letter", Home, Call::Form(|f| vec![
            ("patient_id", f.emma.to_string()), ("code", "ABCDE-FGHJK-MNPQR".into()),
        ]), STAFF),
        row("/api/staff/results/queue", Results, Call::Form(none), STAFF),
        row("/api/staff/results/enter", Results, Call::Form(|_| vec![
            ("mrn", "MRN-LEO".into()), ("panel", "4548-4".into()), ("values[0]", "5.5".into()),
        ]), STAFF),
        row("/api/staff/results/release", Results, Call::Form(|f| vec![("id", f.secret_result.to_string())]), STAFF),
        row("/api/staff/results/review", Results, Call::Form(|f| vec![("id", f.secret_result.to_string())]), STAFF),
        row("/api/staff/renewals/queue", Medications, Call::Form(none), STAFF),
        row("/api/staff/renewals/decide", Medications, Call::Form(|_| vec![("id", "1".into()), ("approve", "true".into())]), STAFF),
        row("/api/staff/messages/inbox", Messages, Call::Form(|_| vec![("view", "open".into())]), STAFF),
        row("/api/staff/messages/thread", Messages, Call::Form(|f| vec![("id", f.secret_thread.to_string())]), STAFF),
        row("/api/staff/messages/claim", Messages, Call::Form(|f| vec![("id", f.secret_thread.to_string())]), STAFF),
        row("/api/staff/messages/done", Messages, Call::Form(|f| vec![("id", f.secret_thread.to_string())]), STAFF),
        row("/api/staff/messages/reply", Messages, Call::Form(|f| vec![
            ("id", f.secret_thread.to_string()), ("body", "Hi".into()), ("key", "matrix-staff-reply-key".into()),
        ]), STAFF),
        row("/api/staff/messages/attachment", Messages, Call::Get(|f| format!("id={}", f.secret_attachment)), STAFF),
        row("/api/staff/proxy/queue", Sharing, Call::Form(none), STAFF),
        row("/api/staff/records/queue", Documents, Call::Form(none), STAFF),
        row("/api/staff/documents/post", Documents, Call::Multipart(|_| vec![
            ("mrn", "MRN-LEO".into()), ("kind", "letter".into()), ("title", "Matrix letter".into()),
            ("document_date", "2025-01-01".into()), ("source", "Family Medicine".into()),
        ]), STAFF),
        row("/api/staff/records/fulfil", Documents, Call::Form(|_| vec![("id", "1".into())]), STAFF),
        row("/api/staff/records/fulfil_file", Documents, Call::Multipart(none), STAFF),
        row("/api/staff/records/decline", Documents, Call::Form(|_| vec![("id", "1".into()), ("reason", "No".into())]), STAFF),
        row("/api/staff/proxy/request", Sharing, Call::Form(|_| vec![("id", "1".into())]), STAFF),
        row("/api/staff/proxy/approve", Sharing, Call::Form(|f| vec![
            ("id", "1".into()), ("patient_id", f.leo.to_string()), ("sections", "home".into()),
        ]), STAFF),
        row("/api/staff/proxy/deny", Sharing, Call::Form(|_| vec![("id", "1".into()), ("reason", "No".into())]), STAFF),
        row("/api/staff/proxy/form", Sharing, Call::Get(|_| "id=1".into()), STAFF),
        row("/api/staff/proxy/grants", Sharing, Call::Form(|f| vec![("patient_id", f.leo.to_string())]), STAFF),
        row("/api/staff/proxy/end_grant", Sharing, Call::Form(|f| vec![("id", f.spare_grant.to_string()), ("reason", "No".into())]), STAFF),
        row("/api/staff/proxy/set_sections", Sharing, Call::Form(|f| vec![("id", f.spare_grant.to_string()), ("sections", "home".into())]), STAFF),
        row("/api/staff/proxy/restrictions", Sharing, Call::Form(none), STAFF),
        row("/api/staff/proxy/restriction/apply", Sharing, Call::Form(|_| vec![("id", "1".into())]), STAFF),
        row("/api/staff/proxy/restriction/decline", Sharing, Call::Form(|_| vec![("id", "1".into()), ("reason", "No".into())]), STAFF),
        row("/api/staff/confidential/items", Home, Call::Form(|f| vec![("patient_id", f.leo.to_string())]), STAFF),
        row("/api/staff/break_glass", Home, Call::Form(|f| vec![("patient_id", f.leo.to_string()), ("reason", "emergency".into())]), STAFF),
        row("/api/staff/break_glass/list", Home, Call::Form(none), STAFF),
        row("/api/staff/break_glass/reviewed", Home, Call::Form(|_| vec![("id", "1".into())]), STAFF),
        row("/api/staff/confidential/set", Home, Call::Form(|f| vec![
            ("patient_id", f.leo.to_string()), ("kind", "Result".into()), ("id", f.secret_result.to_string()),
            ("confidential", "false".into()),
        ]), STAFF),
    ]
}

/// The family, and a grant on Leo's chart held by someone outside the table's readers.
struct Ctx {
    family: Family,
    spare_grant: i64,
}

impl std::ops::Deref for Ctx {
    type Target = Family;
    fn deref(&self) -> &Family {
        &self.family
    }
}

/// A proxy with their own chart and a grant to Leo's; signed in with Leo's chart open.
async fn proxy(
    app: &TestApp,
    f: &Family,
    name: &str,
    kind: RequestKind,
    sections: &[Section],
) -> (Client, i64) {
    app.add_patient_user(name).await;
    let user = app.count(&format!("SELECT id FROM users WHERE username = '{name}'")).await;
    grant(app, user, f.leo, kind, Relationship::Caregiver, sections).await;
    let client = app.signed_in(name).await;
    let (status, body) = app.call(&client, "proxy/switch", &[("patient_id", &f.leo.to_string())]).await;
    assert_eq!(status, StatusCode::OK, "{name} opens Leo's chart: {body}");
    (client, user)
}

async fn every_function_answers_every_reader_as_the_table_says(app: &TestApp) {
    let f = family(app).await;
    let all = Section::GRANTABLE;
    let patient = app.signed_in("leo").await;
    let (proxy_all, _) = proxy(app, &f, "kim", RequestKind::Adult, &all).await;
    let (home_only, _) = proxy(app, &f, "homeonly", RequestKind::Adult, &[Section::Home]).await;
    let (visits_only, _) = proxy(app, &f, "visitsonly", RequestKind::Adult, &[Section::Visits]).await;
    let (expired, expired_user) = proxy(app, &f, "expired", RequestKind::Adult, &all).await;
    app.execute(&format!(
        "UPDATE proxy_grants SET ends_at = {} WHERE proxy_user_id = {expired_user}",
        app.clock.now_ms() + 60_000
    ))
    .await;
    let (revoked, revoked_user) = proxy(app, &f, "revoked", RequestKind::Adult, &all).await;
    // Jordan, Leo's parent: a minor grant, so the teen view.
    let parent = app.signed_in("jordan").await;
    grant(app, f.jordan_user, f.leo, RequestKind::Minor, Relationship::Parent, &all).await;
    assert_eq!(
        app.call(&parent, "proxy/switch", &[("patient_id", &f.leo.to_string())]).await.0,
        StatusCode::OK
    );
    app.add_patient_user("avery").await;
    let unrelated = app.signed_in("avery").await;
    let signed_out = app.client();
    app.add_patient_user("spare").await;
    let spare_user = app.count("SELECT id FROM users WHERE username = 'spare'").await;
    let spare = grant(app, spare_user, f.leo, RequestKind::Adult, Relationship::Caregiver, &all).await;
    let f = Ctx { family: f, spare_grant: spare };

    // The grant expires (two minutes pass: no session idles out) and HIM ends the other.
    app.clock.advance_ms(120_000);
    let him = app.signed_in("him.lee").await;
    let revoked_grant =
        app.count(&format!("SELECT id FROM proxy_grants WHERE proxy_user_id = {revoked_user}")).await;
    let (status, body) = app
        .call(
            &him,
            "staff/proxy/end_grant",
            &[("id", &revoked_grant.to_string()), ("reason", "Relationship ended")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let table = table();
    let registered: BTreeSet<String> =
        leptos::server_fn::axum::server_fn_paths().map(|(path, _)| path.to_owned()).collect();
    let listed: BTreeSet<String> = table.iter().map(|r| r.path.to_owned()).collect();
    let missing: Vec<_> = registered.difference(&listed).collect();
    assert!(missing.is_empty(), "server functions missing from the access matrix: {missing:?}");
    let stale: Vec<_> = listed.difference(&registered).collect();
    assert!(stale.is_empty(), "rows for functions that are not registered: {stale:?}");

    let mut failures = Vec::new();
    let mut calls = 0;
    for row in &table {
        for (column, expect) in row.expect.iter().enumerate() {
            if *expect == S {
                continue;
            }
            let client = match column {
                0 => &patient,
                1 => &proxy_all,
                2 if row.section == Section::Home => &visits_only,
                2 => &home_only,
                3 => &expired,
                4 => &revoked,
                5 => &parent,
                6 => &unrelated,
                _ => &signed_out,
            };
            // Every call meets the closed chart still open in the session, as the first
            // request after the grant ended would.
            for closed in [expired_user, revoked_user] {
                app.execute(&format!(
                    "UPDATE sessions SET active_patient_id = {} WHERE user_id = {closed}",
                    f.leo
                ))
                .await;
            }
            let (status, body) = call(app, client, row, &f).await;
            calls += 1;
            let reader = READERS[column];
            let answered = match (expect, status) {
                (O, StatusCode::OK) | (N, StatusCode::NOT_FOUND) | (U, StatusCode::UNAUTHORIZED) => true,
                (V, StatusCode::UNPROCESSABLE_ENTITY) => true,
                (F, StatusCode::FORBIDDEN) => body.contains("Forbidden"),
                (E, StatusCode::FORBIDDEN) => body.contains("AccessEnded"),
                (P, status) => !status.is_server_error(),
                _ => false,
            };
            if !answered {
                failures
                    .push(format!("{} as {reader}: expected {expect:?}, got {status} {body:.200}", row.path));
            }
            if column != 0 && body.contains(SECRET) {
                failures.push(format!("LEAK: {} as {reader} saw a confidential item: {body:.300}", row.path));
            }
            if (3..=7).contains(&column) && column != 5 && body.contains(LEO_MARK) {
                failures.push(format!("LEAK: {} as {reader} saw Leo's chart: {body:.300}", row.path));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {calls} calls answered wrongly:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

async fn call(app: &TestApp, client: &Client, row: &Row, f: &Ctx) -> (StatusCode, String) {
    let url = format!("{}{}", app.base, row.path);
    let request = match &row.call {
        Call::Form(args) => client.post(&url).form(&args(f)),
        Call::Multipart(args) => {
            let mut form = reqwest::multipart::Form::new();
            for (name, value) in args(f) {
                form = form.text(name, value);
            }
            let file = reqwest::multipart::Part::bytes(pdf("signed")).file_name("signed.pdf");
            client.post(&url).multipart(form.part("attachment", file))
        }
        Call::Get(query) => client.get(format!("{url}?{}", query(f))),
        Call::Json(args) => {
            let (query, body) = args(f);
            client.post(format!("{url}?{query}")).json(&body)
        }
    };
    let response = request
        .header(header::ORIGIN, &app.origin)
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .unwrap();
    let status = response.status();
    let bytes = response.bytes().await.unwrap();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// The staff readers, in the order of `staff_expect`'s arrays.
const STAFF_READERS: [&str; 4] =
    ["clinician of another department", "clinician after break-the-glass", "billing", "support"];

/// What each staff reader gets from every function (issue 12): a clinician outside Leo's
/// care reaches none of his chart (a field error asking for a reason), the same clinician
/// after breaking the glass does, billing and support get no clinical function, and HIM's
/// functions are HIM's alone. The patient side refuses every staff member.
fn staff_expect(row: &Row) -> [Expect; 4] {
    let path = row.path;
    if row.expect == SIGNED_OUT_ONLY {
        return [S; 4];
    }
    if !path.starts_with("/api/staff/") {
        return match path {
            "/api/site/org"
            | "/api/auth/me"
            | "/api/auth/keep_alive"
            | "/api/share/close"
            | "/api/billing/guest_close" => [O; 4],
            // The guest door: no opening, no account, whoever asks.
            "/api/billing/guest_open"
            | "/api/billing/guest_account"
            | "/api/billing/guest_pay"
            | "/api/billing/guest_payment" => [V; 4],
            // The share door: no code, no chart, whoever asks.
            "/api/share/open" | "/api/share/record" => [V; 4],
            "/api/shl/manifest" | "/api/shl/file" => [N; 4],
            // Anyone may open a link; this one matches no invitation.
            "/api/invitations/load" => [N; 4],
            "/api/auth/two_step/verify" => [O; 4],
            "/api/auth/two_step/setup" => [S; 4],
            // Staff have a confirmed factor: a setup is refused ("already on"), and so is
            // turning it off.
            "/api/auth/two_step/confirm" | "/api/auth/two_step/turn_off" => [V; 4],
            "/api/auth/two_step/status" => [O; 4],
            "/api/auth/two_step/new_password" => [U; 4],
            "/api/passkeys/sign_in_start" | "/api/passkeys/list" => [O; 4],
            "/api/passkeys/register_start"
            | "/api/passkeys/register_finish"
            | "/api/passkeys/sign_in_finish"
            | "/api/passkeys/remove" => [V; 4],
            _ if path.starts_with("/api/passkeys/") => [U; 4],
            // Staff have a login of their own too.
            "/api/account/change_password"
            | "/api/account/confirm_email"
            | "/api/account/resend_email_code"
            | "/api/account/change_email" => [V; 4],
            "/api/account/sign_out_device" => [N; 4],
            // A login's own links to apps: none for staff, and nobody's by that id.
            "/api/apps/linked" => [O; 4],
            "/api/apps/revoke" => [N; 4],
            "/api/account/sign_out_others" => [S; 4],
            _ if path.starts_with("/api/account/") => [O; 4],
            _ => [F; 4],
        };
    }
    match path {
        "/api/staff/find_patients" => [O, O, F, O],
        "/api/staff/apps/list" | "/api/staff/apps/register" => [F; 4],
        // The billing office's own: nobody else's (a posting without its reason is refused).
        "/api/staff/billing/find" | "/api/staff/billing/account" => [F, F, O, F],
        "/api/staff/billing/post" | "/api/staff/billing/plan_start" | "/api/staff/billing/estimate" => {
            [F, F, V, F]
        }
        "/api/staff/billing/plan_end" => [F, F, O, F],
        // Emma is 9: too young for an account of her own.
        "/api/staff/issue_activation_code"
        | "/api/staff/email_enrollment_link"
        | "/api/staff/activation_letter" => [V, V, F, V],
        // A clinician outside the patient's care is asked for a reason first (the glass).
        "/api/staff/personal/load" => [V, O, F, O],
        "/api/staff/documents/post" => [V, O, F, F],
        // Saved with a language not offered: refused at the field by whoever may open it.
        "/api/staff/personal/save" => [V, V, F, V],
        "/api/staff/corrections/queue" | "/api/staff/corrections/decide" | "/api/staff/invitations/send" => {
            [F; 4]
        }
        "/api/staff/results/queue" | "/api/staff/renewals/queue" => [O, O, F, F],
        "/api/staff/results/enter"
        | "/api/staff/results/release"
        | "/api/staff/results/review"
        | "/api/staff/confidential/items"
        | "/api/staff/confidential/set" => [V, O, F, F],
        // No renewal request exists in this fixture.
        "/api/staff/renewals/decide" => [N, N, F, F],
        "/api/staff/messages/inbox" => [O, O, O, O],
        // Leo's threads are technical support's: support's own work, nobody else's.
        "/api/staff/messages/thread"
        | "/api/staff/messages/claim"
        | "/api/staff/messages/done"
        | "/api/staff/messages/reply"
        | "/api/staff/messages/attachment" => [N, N, N, O],
        // Breaking the glass opens the chart for the session: not done by the first column,
        // whose refusals are the point (staff_reach tests it).
        "/api/staff/break_glass" => [S, O, F, F],
        _ if path.starts_with("/api/staff/proxy/")
            || path.starts_with("/api/staff/break_glass/")
            || path.starts_with("/api/staff/records/") =>
        {
            [F; 4]
        }
        _ => panic!("no staff expectation for {path}"),
    }
}

async fn every_function_answers_every_staff_reader_as_expected(app: &TestApp) {
    let f = family(app).await;
    let f = Ctx { family: f, spare_grant: 0 };
    let mut readers = Vec::new();
    for name in ["dr.stone", "dr.cole"] {
        app.add_clinician(name, &[]).await;
        sqlx::query("UPDATE providers SET department = 'Cardiology' WHERE display_name = $1")
            .bind(name)
            .execute(&app.state.db.write)
            .await
            .unwrap();
        readers.push(app.signed_in(name).await);
    }
    let glass = [("patient_id", f.leo.to_string()), ("reason", "covering".to_string())];
    let (status, body) = app.call_owned(&readers[1], "staff/break_glass", glass.to_vec()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for (name, role) in [("billing.kim", Role::Billing), ("support.sam", Role::Support)] {
        app.add_user(name, role, None, &format!("{name}@example.org")).await;
        readers.push(app.signed_in(name).await);
    }

    let mut failures = Vec::new();
    let mut calls = 0;
    for row in &table() {
        for (column, expect) in staff_expect(row).into_iter().enumerate() {
            if expect == S {
                continue;
            }
            let (status, body) = call(app, &readers[column], row, &f).await;
            calls += 1;
            let reader = STAFF_READERS[column];
            let answered = match (expect, status) {
                (O, StatusCode::OK) | (N, StatusCode::NOT_FOUND) | (U, StatusCode::UNAUTHORIZED) => true,
                (F, StatusCode::FORBIDDEN) => body.contains("Forbidden"),
                (V, StatusCode::UNPROCESSABLE_ENTITY) => true,
                _ => false,
            };
            if !answered {
                failures
                    .push(format!("{} as {reader}: expected {expect:?}, got {status} {body:.200}", row.path));
            }
            // Only the clinician who broke the glass reaches Leo's chart (a search result
            // names him, and the front desk's personal-information page shows his name and
            // address: who a patient is, not what is in the chart, and logged on it).
            let identity_path = matches!(row.path, "/api/staff/find_patients" | "/api/staff/personal/load");
            let identity_only = identity_path && !body.contains(SECRET);
            // Support answers the threads written to its pool, Leo's among them.
            let own_pool = column == 3 && row.path.starts_with("/api/staff/messages/");
            // The billing office reads guarantor accounts whole, confidential services
            // included (billing them is its work), each read logged on the chart.
            let own_accounts = column == 2 && row.path.starts_with("/api/staff/billing/");
            if column != 1
                && !identity_only
                && !own_pool
                && !own_accounts
                && (body.contains(LEO_MARK) || body.contains(SECRET))
            {
                failures.push(format!("LEAK: {} as {reader} saw Leo's chart: {body:.300}", row.path));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {calls} calls answered wrongly:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
