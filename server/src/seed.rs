//! Demo data (`portico seed --demo`): the accounts listed in the README. Idempotent:
//! running it again creates nothing twice, and prints a fresh activation code for the
//! demo patient who has not enrolled yet.
use app::{
    auth::{store, Role},
    infra::{
        audit::{self, AuditEvent},
        AppState,
    },
};

use crate::anyhow_lite::Result;

pub const DEMO_PASSWORD: &str = "Portico-Demo-2026!";

struct DemoStaff {
    username: &'static str,
    name: &'static str,
    role: Role,
}

const STAFF: &[DemoStaff] = &[
    DemoStaff { username: "dr.rivera", name: "Dr. Alex Rivera", role: Role::Clinician },
    DemoStaff { username: "him.lee", name: "Morgan Lee", role: Role::Him },
    DemoStaff { username: "billing.kim", name: "Kim Park", role: Role::Billing },
    DemoStaff { username: "support.sam", name: "Sam Ortiz", role: Role::Support },
    DemoStaff { username: "admin", name: "Portico Administrator", role: Role::Admin },
];

struct DemoPatient {
    mrn: &'static str,
    given: &'static str,
    family: &'static str,
    birth_date: &'static str,
    email: &'static str,
    /// What sign-up matches an applicant by, besides name and birth date.
    postal_code: &'static str,
    phone: &'static str,
    /// `None`: not enrolled yet.
    username: Option<&'static str>,
}

/// The demo patient whose activation code `seed --demo` prints.
const PRINTED_CODE_MRN: &str = "100002";

const PATIENTS: &[DemoPatient] = &[
    DemoPatient {
        mrn: "100001",
        postal_code: "97201",
        phone: "5035550101",
        given: "Avery",
        family: "Smith",
        birth_date: "1984-03-12",
        email: "avery@example.org",
        username: Some("avery"),
    },
    DemoPatient {
        mrn: "100002",
        postal_code: "97202",
        phone: "5035550102",
        given: "Blake",
        family: "Jones",
        birth_date: "1990-07-04",
        email: "blake@example.org",
        username: None,
    },
    // A teenager staff can issue a code to from the Activation codes page.
    DemoPatient {
        mrn: "100003",
        postal_code: "97203",
        phone: "5035550103",
        given: "Casey",
        family: "Nguyen",
        birth_date: "2010-05-20",
        email: "casey@example.org",
        username: None,
    },
    // Proxy access (demo_proxy.rs): the Quinns and Joe Carter.
    DemoPatient {
        mrn: "100004",
        postal_code: "97204",
        phone: "5035550104",
        given: "Jordan",
        family: "Quinn",
        birth_date: "1985-09-14",
        email: "jordan@example.org",
        username: Some("jordan"),
    },
    DemoPatient {
        mrn: "100005",
        postal_code: "97204",
        phone: "5035550104",
        given: "Emma",
        family: "Quinn",
        birth_date: "2017-06-10",
        email: "",
        username: None,
    },
    DemoPatient {
        mrn: "100006",
        postal_code: "97204",
        phone: "5035550104",
        given: "Leo",
        family: "Quinn",
        birth_date: "2011-03-02",
        email: "leo@example.org",
        username: Some("leo"),
    },
    DemoPatient {
        mrn: "100007",
        postal_code: "97205",
        phone: "5035550107",
        given: "Joe",
        family: "Carter",
        birth_date: "1941-02-08",
        email: "joe@example.org",
        username: Some("grandpa.joe"),
    },
    // No account: "Sign up online" is for Riley (the questions' answers are in the README).
    DemoPatient {
        mrn: "100008",
        postal_code: "97206",
        phone: "5035550142",
        given: "Riley",
        family: "Chen",
        birth_date: "1979-11-02",
        email: "riley@example.org",
        username: None,
    },
];

/// The demo staff's authenticator secret (base32), printed in the README. A real clinic's
/// staff each set up their own at their first sign-in.
pub const DEMO_TOTP_SECRET: &str = "PORTICODEMOSTAFFTOTPSECRETABCDEF";

pub async fn demo(state: &AppState) -> Result<()> {
    let now = state.clock.now_ms();
    let hash = state.hasher.hash(DEMO_PASSWORD).await.map_err(|e| format!("{e}"))?;
    for s in STAFF {
        if store::user_by_username(&state.db, s.username).await?.is_none() {
            let user = store::NewUser {
                username: s.username,
                password_hash: &hash,
                email: Some(&format!("{}@staff.example.org", s.username)),
                display_name: s.name,
                role: s.role,
                patient_id: None,
                email_confirmed: true,
            };
            let id = store::insert_user(&state.db.write, &user, now).await?;
            // Staff must sign in in two steps: the demo's authenticator secret is in the
            // README (any authenticator app, or `oathtool --totp -b`).
            app::auth::two_step::enroll_confirmed(&state.db, id, DEMO_TOTP_SECRET, now).await?;
            println!("created staff {} ({})", s.username, s.role.as_str());
        }
    }
    for p in PATIENTS {
        let patient = match app::patients::store::patient_by_mrn(&state.db, p.mrn).await? {
            Some(found) => found,
            None => {
                let new = app::patients::store::NewPatient {
                    mrn: p.mrn,
                    given_name: p.given,
                    family_name: p.family,
                    birth_date: p.birth_date,
                    email: Some(p.email).filter(|e| !e.is_empty()),
                    postal_code: Some(p.postal_code),
                    phone: Some(p.phone),
                };
                app::patients::store::insert_patient(&state.db, &new, now).await?;
                app::patients::store::patient_by_mrn(&state.db, p.mrn).await?.ok_or("patient vanished")?
            }
        };
        match p.username {
            Some(username) if store::user_by_username(&state.db, username).await?.is_none() => {
                let display_name = format!("{} {}", p.given, p.family);
                let user = store::NewUser {
                    username,
                    password_hash: &hash,
                    email: Some(p.email),
                    display_name: &display_name,
                    role: Role::Patient,
                    patient_id: Some(patient.id),
                    email_confirmed: true,
                };
                store::insert_user(&state.db.write, &user, now).await?;
                println!("created patient {username} ({display_name}, MRN {})", p.mrn);
            }
            None if !patient.enrolled && p.mrn == PRINTED_CODE_MRN => {
                let issued = store::issue_activation_code(&state.db, patient.id, None, now).await?;
                println!(
                    "Demo activation code for {} {} (MRN {}, born {}): {}",
                    p.given, p.family, p.mrn, p.birth_date, issued.code
                );
            }
            _ => {}
        }
    }
    demo_health_record(state).await?;
    demo_proxy_access(state, &hash).await?;
    demo_connected_app(state).await?;
    audit_cli(state, "demo-seed", None).await?;
    Ok(())
}

/// The demo's client id for SMART on FHIR (README: "Connected apps").
pub const DEMO_APP_CLIENT_ID: &str = "portico-demo-app";

/// One registered public app, so a developer can run the SMART flow with any client: a
/// local one on 127.0.0.1 (any port, path /callback) or Postman's OAuth 2.0 helper.
async fn demo_connected_app(state: &AppState) -> Result<()> {
    use app::connected_apps::{registry, store as apps};
    if apps::app_by_client_id(&state.db, DEMO_APP_CLIENT_ID).await?.is_some() {
        return Ok(());
    }
    let origin = state.config.public_origin();
    let typed = registry::Typed {
        name: "Portico demo app".into(),
        confidential: false,
        redirect_uris: vec![
            "http://127.0.0.1:8000/callback".into(),
            "https://oauth.pstmn.io/v1/callback".into(),
        ],
        logo_url: None,
        terms_url: format!("{origin}/help"),
        privacy_url: format!("{origin}/privacy"),
        registered_by: state.config.org.name.clone(),
        jwks: None,
    };
    // Its terms and privacy pages are this server's own, which must be https (or on this
    // machine): a demo served at another http address goes without the app.
    let app = match registry::check(typed) {
        Ok(app) => app,
        Err(refusal) => {
            println!("demo SMART app not registered ({}: {})", refusal.field, refusal.reason);
            return Ok(());
        }
    };
    apps::register(&state.db, state.clock.now_ms(), &app, Some(DEMO_APP_CLIENT_ID)).await?;
    println!("registered the demo SMART app: client id {DEMO_APP_CLIENT_ID}, redirect http://127.0.0.1:8000/callback");
    Ok(())
}

/// Avery's visits, results, medications, allergies, immunizations and messages (once).
async fn demo_health_record(state: &AppState) -> Result<()> {
    let avery =
        store::user_by_username(&state.db, "avery").await?.and_then(|u| u.patient_id).ok_or("no avery")?;
    let rivera = store::user_by_username(&state.db, "dr.rivera").await?.ok_or("no dr.rivera")?;
    if crate::demo_record::avery(state, avery, rivera.id).await? {
        println!("created Avery's health record (3 years of visits, results, medications)");
        let avery_user = store::user_by_username(&state.db, "avery").await?.ok_or("no avery")?;
        let him = store::user_by_username(&state.db, "him.lee").await?.ok_or("no him.lee")?;
        crate::demo_record::answered_copy_request(state, avery, avery_user.id, him.id).await?;
        crate::demo_record::share_code(state, avery, avery_user.id).await?;
    }
    let riley = app::patients::store::patient_by_mrn(&state.db, "100008").await?.ok_or("no Riley")?;
    if crate::demo_record::riley(state, riley.id).await? {
        println!("created Riley Chen's record (for the demo's \"Sign up online\")");
    }
    let avery_user = store::user_by_username(&state.db, "avery").await?.ok_or("no avery")?;
    let billing = store::user_by_username(&state.db, "billing.kim").await?.ok_or("no billing.kim")?;
    let people = crate::demo_messages::DemoPeople {
        patient_id: avery,
        patient_user: avery_user.id,
        rivera_user: rivera.id,
        billing_user: billing.id,
    };
    if crate::demo_messages::avery(state, &people).await? {
        println!("created Avery's messages (one answered by Dr. Rivera, one unread from billing)");
    }
    Ok(())
}

/// Sam (a caregiver with no chart of their own) and the grants, records and messages of
/// the proxy demo (once).
async fn demo_proxy_access(state: &AppState, hash: &str) -> Result<()> {
    let now = state.clock.now_ms();
    if store::user_by_username(&state.db, "sam").await?.is_none() {
        sam_by_invitation(state, hash, now).await?;
        println!("created sam (Sam Carter, caregiver, no chart of their own) by accepting grandpa.joe's invitation");
    }
    let user = |name: &'static str| async move {
        let found = store::user_by_username(&state.db, name).await.map_err(|e| e.to_string())?;
        found.ok_or_else(|| format!("no {name}"))
    };
    let chart = |mrn: &'static str| async move {
        let found = app::patients::store::patient_by_mrn(&state.db, mrn).await.map_err(|e| e.to_string())?;
        found.map(|p| p.id).ok_or_else(|| format!("no MRN {mrn}"))
    };
    let family = crate::demo_proxy::Family {
        jordan_user: user("jordan").await?.id,
        emma: chart("100005").await?,
        leo: chart("100006").await?,
        leo_user: user("leo").await?.id,
        joe: chart("100007").await?,
        joe_user: user("grandpa.joe").await?.id,
        rivera_user: user("dr.rivera").await?.id,
        him_user: user("him.lee").await?.id,
    };
    if crate::demo_proxy::create(state, &family).await? {
        println!("created proxy access: jordan -> Emma (9) and Leo (15); sam -> Joe Carter (messages, medications)");
    }
    let avery = user("avery").await?.patient_id.ok_or("avery has no chart")?;
    let guarantors = crate::demo_billing::Guarantors {
        avery,
        jordan: chart("100004").await?,
        emma: family.emma,
        leo: family.leo,
    };
    if crate::demo_billing::create(state, &guarantors).await? {
        println!(
            "created billing: Avery's accounts {} (balance due), 4000025 ($0.00) and 7100033 (Harbor Urgent Care); \
             Jordan's 4000041 for Emma and Leo",
            crate::demo_billing::AVERY_ACCOUNT_DUE
        );
        println!(
            "Pay as Guest (sign-in page): account {} with the last name Smith",
            crate::demo_billing::AVERY_ACCOUNT_DUE
        );
    }
    Ok(())
}

/// Sam's account, made the way a caregiver's is: Joe invites Sam (messages and
/// medications), and the invitation is accepted with a new account of no chart of its own.
async fn sam_by_invitation(state: &AppState, hash: &str, now: i64) -> Result<()> {
    use app::{
        access::{Relationship, Section},
        infra::crypto,
        invitations::store as invitations,
    };
    let joe = store::user_by_username(&state.db, "grandpa.joe").await?.ok_or("no grandpa.joe")?;
    let token_hash = crypto::sha256_hex(&crypto::random_token(32));
    let invitation = invitations::NewInvitation {
        token_hash: &token_hash,
        patient_id: joe.patient_id.ok_or("grandpa.joe has no chart")?,
        invited_by: joe.id,
        name: "Sam Carter",
        email: "sam@example.org",
        kind: app::proxy::RequestKind::Adult,
        relationship: Relationship::Caregiver,
        sections: &[Section::Messages, Section::Medications],
        ends_at: None,
    };
    invitations::insert(&state.db, &invitation, now).await?;
    let open =
        invitations::open_invitation(&state.db, &token_hash, now).await?.ok_or("the invitation vanished")?;
    let sam = store::NewUser {
        username: "sam",
        password_hash: hash,
        email: Some("sam@example.org"),
        display_name: "Sam Carter",
        role: Role::Patient,
        patient_id: None,
        email_confirmed: true,
    };
    match invitations::accept(&state.db, &open, &invitations::Invitee::New(sam), now).await? {
        invitations::Accepted::Grant { .. } => {}
        _ => return Err("sam's invitation was not accepted".into()),
    }
    signed_authorization_for_sam(state, joe.patient_id.ok_or("grandpa.joe has no chart")?, now).await
}

/// The signed adult authorization Joe also gave the clinic for Sam: on file in Joe's
/// Document Center ("Proxy authorization (signed)").
async fn signed_authorization_for_sam(state: &AppState, joe: i64, now: i64) -> Result<()> {
    let sam = store::user_by_username(&state.db, "sam").await?.ok_or("no sam")?;
    let him = store::user_by_username(&state.db, "him.lee").await?.ok_or("no him.lee")?;
    let mut form = app::infra::pdf::TextDocument::new("Authorization for proxy access (adult patient)");
    form.heading("Authorization for proxy access (adult patient)");
    form.field("Patient's full name", "Joe Carter");
    form.field("Proxy's full name", "Sam Carter");
    form.field("Relationship to the patient", "Caregiver");
    form.field("Sections the proxy may see", "Messages, Medications");
    form.field(
        "Patient's signature",
        "Joe Carter (signed on paper; scanned by Health Information Management)",
    );
    let bytes = form.finish();
    sqlx::query(
        "INSERT INTO proxy_requests (requester_id, kind, patient_name, birth_date, relationship, attested_at, \
         form_media_type, form_file_name, form_bytes, status, created_at, due_at, matched_patient_id, decided_by, \
         decided_at, idempotency_key) VALUES ($1, 'adult', 'Joe Carter', '1941-02-08', 'caregiver', $2, \
         'application/pdf', 'signed-authorization.pdf', $3, 'approved', $2, $2, $4, $5, $2, 'demo-signed-form')",
    )
    .bind(sam.id)
    .bind(now)
    .bind(bytes)
    .bind(joe)
    .bind(him.id)
    .execute(&state.db.write)
    .await?;
    Ok(())
}

/// Audits an action taken from the command line (no user, no client address).
pub async fn audit_cli(state: &AppState, action: &str, patient_id: Option<i64>) -> Result<()> {
    audit::append(
        &state.db,
        state.clock.now_ms(),
        AuditEvent { action, patient_id, client_addr: Some("cli"), ..Default::default() },
    )
    .await?;
    Ok(())
}
