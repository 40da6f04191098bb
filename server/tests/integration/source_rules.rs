//! The two doors, checked over the source (issue 12): the compiler already refuses a store
//! function that takes `&ChartScope` or `&StaffAccess` without one; these rules catch what a
//! type cannot, and each is shown failing on a planted example first.
//!
//! 1. Every `#[server]` function goes through a door (`access::require`, `access::account`,
//!    `access::staff`, `access::signed_in` for the login's own settings, or a helper in its
//!    own file that does), or is on `PUBLIC` below with
//!    its reason. Outside `auth`, none reaches the session or the raw state directly
//!    (`session::current`, `state()`).
//! 2. No public store function outside `access` takes a bare patient id or a `Visibility`
//!    for a read: a chart's data is reached through a `ChartScope`. Writers used by the seed
//!    and look-ups by identity are on `PATIENT_ID_ALLOWED` with their reason.
//! 3. No SQL is built with `format!` in the app: statements are literals (or `concat!` of
//!    literals, whole at compile time) and every value is a bound parameter.
use std::path::{Path, PathBuf};

use quote::ToTokens;

/// Server functions without a door, and why they need none.
const PUBLIC: &[(&str, &str)] = &[
    ("sign_in", "signing in is how a session starts"),
    ("sign_out", "ends whatever session the cookie names"),
    ("check_activation", "enrolment: the activation code and birth date are the credential"),
    ("enroll", "enrolment: the activation code and birth date are the credential"),
    ("request_password_reset", "answers the same whether or not the account exists"),
    ("reset_password", "the e-mailed code is the credential"),
    ("current_user", "the session itself (staff too); its charts come from access::charts_of"),
    ("keep_alive", "touches the session, reads no chart"),
    ("load_org_info", "the clinic's configured name and numbers"),
    ("choose_language", "sets a cookie"),
    ("verify_two_step", "the second step of signing in: a session at that stage, no chart"),
    ("begin_two_step_setup", "sets up the caller's own authenticator, at any stage past the password"),
    ("confirm_two_step", "finishes the caller's own setup"),
    ("load_two_step_status", "the caller's own factor, no chart"),
    ("turn_off_two_step", "the caller's own factor, with their password"),
    ("set_first_password", "the last step of a first sign-in: a session at that stage, no chart"),
    ("load_invitation", "an invitation link: its token is the credential; shows the chart's name only"),
    (
        "accept_with_new_account",
        "an invitation link: its token is the credential; the new account has no chart",
    ),
    ("start_passkey_registration", "the caller's own passkey, at a stage past the password"),
    ("finish_passkey_registration", "the caller's own passkey, with the ceremony its start began"),
    ("start_passkey_sign_in", "signing in with a passkey: no session yet, no account named"),
    ("finish_passkey_sign_in", "signing in with a passkey: the signed answer is the credential"),
    ("load_second_step_methods", "the second step of signing in: a session at that stage, no chart"),
    ("start_passkey_second_step", "the second step of signing in: a session at that stage, no chart"),
    ("finish_passkey_second_step", "the second step of signing in: a session at that stage, no chart"),
    ("list_passkeys", "the caller's own passkeys, no chart"),
    ("remove_passkey", "the caller's own passkey, with their password"),
    ("start_sign_up", "sign-up: the applicant has no session; a chart is only matched, never shown"),
    ("answer_sign_up", "sign-up: the token from step 1 and the answers are the credential"),
    ("create_sign_up_account", "sign-up: a token whose answers were all right"),
    ("close_share", "forgets a share's view token in this browser; reads nothing"),
    ("close_guest", "ends a guest payer's opening in this browser; reads nothing"),
];

/// Public store functions that take a patient id, and why that is not a chart read.
const PATIENT_ID_ALLOWED: &[(&str, &str)] = &[
    ("insert_report", "a writer: the seed, and staff after StaffAccess::open_chart"),
    ("insert_medication", "a writer for the seed"),
    ("insert_encounter", "a writer for the seed"),
    ("insert_allergy", "a writer for the seed"),
    ("insert_immunization", "a writer for the seed"),
    ("insert_problem", "a writer for the seed"),
    ("issue_activation_code", "a writer: staff after access::staff, and the admin CLI"),
    ("patient_by_id", "identity (name, MRN, birth date) for the staff door and the account's switcher"),
    ("record_break_glass", "a writer: the break-the-glass row itself, after access::staff(Need::Clinician)"),
    (
        "chart_facts",
        "identity questions at sign-up: names and months only, audited on the chart (identity-quiz)",
    ),
    ("add_to_care_team", "a writer: the seed and the tests put a clinician on a care team"),
];

/// The doors, as they appear in a token stream.
const DOORS: &[&str] = &[
    "access :: require (",
    "access :: account (",
    "access :: staff (",
    "access :: signed_in (",
    "access :: open_share_code (",
    "access :: open_shared (",
    "access :: open_share_link (",
    "access :: open_share_link_file (",
    "access :: open_guest_account (",
    "access :: guest_payer (",
];

struct Finding {
    file: String,
    function: String,
    rule: &'static str,
}

impl std::fmt::Debug for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}: {}", self.file, self.function, self.rule)
    }
}

fn source_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read app/src") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            source_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

fn is_server_fn(item: &syn::ItemFn) -> bool {
    item.attrs.iter().any(|a| a.path().segments.last().is_some_and(|s| s.ident == "server"))
}

fn tokens(item: &syn::ItemFn) -> String {
    item.block.to_token_stream().to_string()
}

/// A call of a free function `name()` (not a method `.name()`).
fn calls_free_fn(body: &str, name: &str) -> bool {
    let needle = format!("{name} (");
    body.match_indices(&needle).any(|(at, _)| {
        let before = body[..at].trim_end();
        let ident_char = |c: char| c.is_alphanumeric() || c == '_';
        !before.ends_with('.') && !before.ends_with(|c: char| ident_char(c))
    })
}

/// Rule 1 over one file's source.
fn check_server_fns(file: &str, source: &str) -> Vec<Finding> {
    let parsed = syn::parse_file(source).unwrap_or_else(|e| panic!("{file} does not parse: {e}"));
    let fns: Vec<&syn::ItemFn> =
        parsed.items.iter().filter_map(|i| if let syn::Item::Fn(f) = i { Some(f) } else { None }).collect();
    // Helpers of this file that open a door (`him()`, `staff_scope()`, `thread_chart()`).
    let helpers: Vec<String> = fns
        .iter()
        .filter(|f| !is_server_fn(f) && DOORS.iter().any(|d| tokens(f).contains(d)))
        .map(|f| f.sig.ident.to_string())
        .collect();
    let in_auth = file.contains("/auth/");
    let mut findings = Vec::new();
    for f in fns.iter().filter(|f| is_server_fn(f)) {
        let name = f.sig.ident.to_string();
        let body = tokens(f);
        let finding = |rule| Finding { file: file.to_owned(), function: name.clone(), rule };
        let through_door =
            DOORS.iter().any(|d| body.contains(d)) || helpers.iter().any(|h| calls_free_fn(&body, h));
        let public = PUBLIC.iter().any(|(p, _)| *p == name);
        if !through_door && !public {
            findings.push(finding("a server function reaches no door (access::require, account or staff)"));
        }
        if !in_auth && !public && (body.contains("session :: current") || calls_free_fn(&body, "state")) {
            findings
                .push(finding("a server function outside auth reaches the session or the state directly"));
        }
    }
    findings
}

/// Rule 2 over one store file's source.
fn check_store_fns(file: &str, source: &str) -> Vec<Finding> {
    let parsed = syn::parse_file(source).unwrap_or_else(|e| panic!("{file} does not parse: {e}"));
    let mut findings = Vec::new();
    for item in &parsed.items {
        let syn::Item::Fn(f) = item else { continue };
        if !matches!(f.vis, syn::Visibility::Public(_)) {
            continue;
        }
        let name = f.sig.ident.to_string();
        for input in &f.sig.inputs {
            let syn::FnArg::Typed(arg) = input else { continue };
            let param = arg.pat.to_token_stream().to_string();
            let ty = arg.ty.to_token_stream().to_string();
            let bare_patient =
                param.contains("patient") && !PATIENT_ID_ALLOWED.iter().any(|(a, _)| *a == name);
            if bare_patient || ty.contains("Visibility") {
                findings.push(Finding {
                    file: file.to_owned(),
                    function: name.clone(),
                    rule: "a store function takes a bare patient id or Visibility instead of &ChartScope",
                });
            }
        }
    }
    findings
}

fn app_sources() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../app/src");
    let mut files = Vec::new();
    source_files(&root, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let name = path.strip_prefix(&root).unwrap_or(&path).display().to_string();
            (format!("/{name}"), std::fs::read_to_string(&path).expect("read source"))
        })
        .collect()
}

fn is_store_file(file: &str) -> bool {
    !file.starts_with("/access/") && (file.ends_with("/store.rs") || file.ends_with("_store.rs"))
}

/// Rule 3 over one file: a `format!` whose text reads as SQL.
fn check_no_formatted_sql(file: &str, source: &str) -> Vec<Finding> {
    const SQL_WORDS: [&str; 5] = ["SELECT ", "UPDATE ", "INSERT INTO", "DELETE FROM", " WHERE "];
    let mut findings = Vec::new();
    for (at, _) in source.match_indices("format!(") {
        let call = &source[at..(at + 400).min(source.len())];
        let literal = call.split('"').nth(1).unwrap_or_default();
        if SQL_WORDS.iter().any(|w| literal.contains(w)) {
            let line = source[..at].lines().count() + 1;
            findings.push(Finding {
                file: file.to_owned(),
                function: format!("line {line}"),
                rule: "SQL built with format! (use a literal or concat! and bound parameters)",
            });
        }
    }
    findings
}

/// The layers, lowest first: a module may use those below it, never those above. `dates`
/// and `problem` are plain values; `infra` is the server's plumbing; `patients` says who
/// people are; `auth` knows sessions and roles; `access` (the doors) knows charts.
/// (Capabilities sit above them all.)
const LAYERS: &[(&str, &[&str])] = &[
    ("/dates.rs", &["infra", "auth", "access"]),
    ("/problem.rs", &["infra", "auth", "access"]),
    ("/infra/", &["auth", "access"]),
    ("/patients/", &["auth", "access"]),
    ("/auth/", &["access"]),
];

/// Every `crate::…` path a file names: in `use` trees (flattened) and inline.
fn crate_paths(source: &str) -> Vec<String> {
    fn flatten(tree: &syn::UseTree, prefix: String, out: &mut Vec<String>) {
        match tree {
            syn::UseTree::Path(p) => flatten(&p.tree, format!("{prefix}{}::", p.ident), out),
            syn::UseTree::Name(n) => out.push(format!("{prefix}{}", n.ident)),
            syn::UseTree::Rename(r) => out.push(format!("{prefix}{}", r.ident)),
            syn::UseTree::Glob(_) => out.push(format!("{prefix}*")),
            syn::UseTree::Group(g) => g.items.iter().for_each(|t| flatten(t, prefix.clone(), out)),
        }
    }
    let parsed = syn::parse_file(source).expect("parses");
    let mut paths = Vec::new();
    for item in &parsed.items {
        if let syn::Item::Use(u) = item {
            flatten(&u.tree, String::new(), &mut paths);
        }
    }
    let tokens = parsed.to_token_stream().to_string().replace(' ', "");
    paths.extend(tokens.split("crate::").skip(1).map(|rest| format!("crate::{rest}")));
    paths.into_iter().filter(|p| p.starts_with("crate::")).collect()
}

fn check_layers(file: &str, source: &str) -> Vec<Finding> {
    let Some((_, above)) = LAYERS.iter().find(|(layer, _)| file.starts_with(layer)) else {
        return Vec::new();
    };
    crate_paths(source)
        .into_iter()
        .filter(|path| above.iter().any(|m| path.starts_with(&format!("crate::{m}::"))))
        .map(|path| Finding {
            file: file.to_owned(),
            function: path.chars().take(60).collect(),
            rule: "a lower layer uses a higher one (see LAYERS)",
        })
        .collect()
}

#[test]
fn layers_run_one_way() {
    let planted =
        "use crate::{error::AppError, access::{Charts, Section}};\nfn f() { crate::auth::rules::x(); }";
    assert_eq!(check_layers("/infra/x.rs", planted).len(), 3, "the rule can fail");
    assert_eq!(check_layers("/auth/x.rs", planted).len(), 2, "auth may use infra, not access");
    let findings: Vec<Finding> =
        app_sources().iter().flat_map(|(file, source)| check_layers(file, source)).collect();
    assert!(findings.is_empty(), "layers that run the wrong way:\n{findings:#?}");
}

/// Rule 5 over one file: rows are read through `#[derive(sqlx::FromRow)]` structs or typed
/// tuples (`query_as`), not column by column with `try_get` (a typo in a column name is then
/// a failed read at run time, found by no compiler).
fn check_rows_by_type(file: &str, source: &str) -> Vec<Finding> {
    let parsed = syn::parse_file(source).unwrap_or_else(|e| panic!("{file} does not parse: {e}"));
    let tokens = parsed.to_token_stream().to_string();
    tokens
        .match_indices(". try_get")
        .map(|(at, _)| Finding {
            file: file.to_owned(),
            function: format!("token {at}"),
            rule: "a row read column by column (use a FromRow struct or query_as with a tuple)",
        })
        .collect()
}

#[test]
fn rows_are_read_by_type() {
    let planted = r#"fn f(row: AnyRow) -> i64 { row.try_get("id").unwrap() }"#;
    assert_eq!(check_rows_by_type("/x.rs", planted).len(), 1, "the rule can fail");
    let findings: Vec<Finding> =
        app_sources().iter().flat_map(|(file, source)| check_rows_by_type(file, source)).collect();
    assert!(findings.is_empty(), "rows read column by column:\n{findings:#?}");
}

#[test]
fn no_sql_is_built_with_format() {
    let planted = r#"let sql = format!("SELECT * FROM users WHERE id = {id}");"#;
    assert_eq!(check_no_formatted_sql("/x.rs", planted).len(), 1, "the rule can fail");
    let findings: Vec<Finding> =
        app_sources().iter().flat_map(|(file, source)| check_no_formatted_sql(file, source)).collect();
    assert!(findings.is_empty(), "SQL built with format!:\n{findings:#?}");
}

#[test]
fn the_rules_catch_a_planted_bypass() {
    let server_fn = r#"
        #[server(endpoint = "x/leak")]
        pub async fn leak(id: i64) -> Result<Vec<Thing>, AppError> {
            let state = state()?;
            Ok(super::store::things(&state.db, id).await?)
        }
        #[server(endpoint = "x/fine")]
        pub async fn fine() -> Result<Vec<Thing>, AppError> {
            let chart = access::require(Section::Home, "x.fine").await?;
            Ok(super::store::things(&chart).await?)
        }
        async fn him() -> Result<StaffAccess, AppError> { access::staff(Need::Him).await }
        #[server(endpoint = "x/staff")]
        pub async fn by_helper() -> Result<(), AppError> { let staff = him().await?; Ok(()) }
    "#;
    let found = check_server_fns("/x/api.rs", server_fn);
    let names: Vec<&str> = found.iter().map(|f| f.function.as_str()).collect();
    assert_eq!(names, ["leak", "leak"], "{found:?}");

    let store_fn = r#"
        pub async fn things(db: &Db, patient_id: i64, vis: Visibility) -> Result<Vec<Thing>, sqlx::Error> { Ok(Vec::new()) }
        pub async fn scoped(chart: &ChartScope) -> Result<Vec<Thing>, sqlx::Error> { Ok(Vec::new()) }
        async fn private_helper(db: &Db, patient_id: i64) {}
    "#;
    let found = check_store_fns("/x/store.rs", store_fn);
    assert_eq!(found.len(), 2, "both the patient id and the Visibility: {found:?}");
    assert!(found.iter().all(|f| f.function == "things"), "{found:?}");
}

#[test]
fn every_server_function_goes_through_a_door() {
    let sources = app_sources();
    let findings: Vec<Finding> =
        sources.iter().flat_map(|(file, source)| check_server_fns(file, source)).collect();
    assert!(findings.is_empty(), "server functions that bypass the doors:\n{findings:#?}");
    // The allow-list names only functions that exist (a renamed one must not linger).
    let all = sources.iter().map(|(_, s)| s.as_str()).collect::<Vec<_>>().join("\n");
    for (name, _) in PUBLIC {
        assert!(all.contains(&format!("fn {name}(")), "PUBLIC names {name}, which no longer exists");
    }
}

#[test]
fn no_store_read_takes_a_bare_patient_id() {
    let sources = app_sources();
    let stores: Vec<&(String, String)> = sources.iter().filter(|(file, _)| is_store_file(file)).collect();
    assert!(stores.len() >= 8, "the store files were found: {}", stores.len());
    let findings: Vec<Finding> =
        stores.iter().flat_map(|(file, source)| check_store_fns(file, source)).collect();
    assert!(findings.is_empty(), "store functions outside the scope:\n{findings:#?}");
}
