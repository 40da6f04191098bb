//! The Quinn family and the Carters for the proxy-access demo: `jordan` is a parent with
//! access to Emma (9, no account of her own) and Leo (15, his own account, so Jordan sees
//! the teen view, and never Leo's confidential result or message); `sam` has no chart of
//! their own and is a caregiver for `grandpa.joe` with messages and medications only.
use app::{
    access::{Relationship, Section},
    dates::DAY_MS,
    infra::{clock::utc_start_of_day, AppState, Db},
    medications::store::{insert_medication, NewMedication},
    messages::{store::Route, Pool},
    proxy::{
        store::{insert_grant, NewGrant},
        RequestKind,
    },
    results::{
        catalog::{Analyte, Panel, BASIC_METABOLIC_PANEL, LIPID_PANEL},
        store::{insert_report, NewReport},
    },
    summary::store::insert_immunization,
    visits::store::{insert_encounter, NewEncounter},
};
use time::Duration;

use crate::{
    anyhow_lite::Result,
    demo_messages::{thread, DemoPeople},
};

/// A test a teen may consent to alone: marked confidential in the demo.
const HIV_RNA: Panel = Panel {
    loinc: "20447-9",
    name: "HIV-1 RNA (viral load)",
    analytes: &[Analyte {
        loinc: "20447-9",
        name: "HIV-1 RNA",
        unit: "copies/mL",
        low: None,
        high: Some(20.0),
    }],
};

pub struct Family {
    pub jordan_user: i64,
    pub emma: i64,
    pub leo: i64,
    pub leo_user: i64,
    pub joe: i64,
    pub joe_user: i64,
    pub rivera_user: i64,
    pub him_user: i64,
}

/// Creates the grants and records once; returns whether it did.
pub async fn create(state: &AppState, f: &Family) -> Result<bool> {
    let db = &state.db;
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM proxy_grants WHERE proxy_user_id = $1")
        .bind(f.jordan_user)
        .fetch_one(&db.read)
        .await?;
    if existing > 0 {
        return Ok(false);
    }
    let now = state.clock.now_ms();
    let year_ago = now - 365 * DAY_MS;
    let all = Section::GRANTABLE;
    for (proxy, patient, kind, relationship, sections) in [
        (f.jordan_user, f.emma, RequestKind::Minor, Relationship::Parent, &all[..]),
        (f.jordan_user, f.leo, RequestKind::Minor, Relationship::Parent, &all[..]),
    ] {
        let grant = NewGrant {
            proxy_user_id: proxy,
            patient_id: patient,
            kind,
            relationship,
            sections,
            starts_at: year_ago,
            ends_at: None,
            approved_by: Some(f.him_user),
            now,
        };
        insert_grant(&db.write, &grant).await?;
    }
    let rivera = app::patients::store::provider_of_user(db, f.rivera_user).await?.ok_or("no provider")?;
    for patient in [f.emma, f.leo, f.joe] {
        app::patients::store::add_to_care_team(db, patient, rivera, "Primary care provider").await?;
    }
    emma(state, f.emma, rivera).await?;
    leo(state, f, rivera).await?;
    joe(state, f, rivera).await?;
    Ok(true)
}

async fn emma(state: &AppState, emma: i64, rivera: i64) -> Result<()> {
    let db = &state.db;
    let today = state.clock.today();
    let visit_day = today - Duration::days(120);
    // (start, status, reason, After Visit Summary): a well-child visit, an ear check ahead.
    let plan = [
        (
            utc_start_of_day(visit_day) + 9 * 3_600_000,
            "finished",
            "Well-child visit",
            Some("Emma is growing well. Next well-child visit in one year. Flu shot given today."),
        ),
        (utc_start_of_day(today + Duration::days(21)) + 15 * 3_600_000, "planned", "Ear check", None),
    ];
    for (start_at, status, reason, avs_text) in plan {
        let visit = NewEncounter {
            patient_id: emma,
            provider_id: Some(rivera),
            department: "Portico Family Medicine",
            kind: "Office visit",
            class_code: "AMB",
            status,
            start_at,
            minutes: 20,
            reason,
            avs_text,
            note_text: None,
        };
        insert_encounter(db, &visit).await?;
    }
    for (cvx, name, day) in [
        ("141", "Influenza, seasonal, injectable", visit_day),
        ("21", "Varicella", today - Duration::days(2000)),
    ] {
        insert_immunization(db, emma, cvx, name, &day.to_string()).await?;
    }
    Ok(())
}

async fn leo(state: &AppState, f: &Family, rivera: i64) -> Result<()> {
    let db = &state.db;
    let today = state.clock.today();
    let drawn = utc_start_of_day(today - Duration::days(30)) + 8 * 3_600_000;
    let report = |panel: &'static Panel, values: &'static [f64]| NewReport {
        patient_id: f.leo,
        panel,
        values,
        ordered_by: Some(rivera),
        collected_at: drawn,
        resulted_at: drawn + 6 * 3_600_000,
        released_at: Some(drawn + 6 * 3_600_000),
        held_reason: None,
        held_by: None,
        reviewed: Some((f.rivera_user, drawn + DAY_MS)),
        seen_at: None,
        encounter_id: None,
    };
    insert_report(db, &report(&LIPID_PANEL, &[162.0, 88.0, 52.0, 92.0])).await?;
    insert_report(db, &report(&BASIC_METABOLIC_PANEL, &[88.0, 12.0, 0.8, 140.0, 4.2, 103.0, 25.0, 9.6]))
        .await?;
    let hiv = insert_report(db, &report(&HIV_RNA, &[0.0])).await?;
    sqlx::query("UPDATE diagnostic_reports SET confidential = 1 WHERE id = $1")
        .bind(hiv)
        .execute(&db.write)
        .await?;

    let care = care_route(db, rivera).await?;
    let people = people(f.leo, f.leo_user, f.rivera_user);
    thread(
        state,
        &people,
        &care,
        "Sports physical form",
        &[
            (true, 20, "Can you sign the school sports physical form from my visit?"),
            (false, 19, "Yes: the signed form is ready at the front desk."),
        ],
    )
    .await?;
    let private = thread(
        state,
        &people,
        &care,
        "A private question",
        &[
            (true, 10, "I have a question I do not want my parents to see."),
            (false, 9, "This conversation is confidential. Your parents cannot see it. Ask us anything."),
        ],
    )
    .await?;
    sqlx::query("UPDATE message_threads SET confidential = 1 WHERE id = $1")
        .bind(private)
        .execute(&db.write)
        .await?;
    Ok(())
}

async fn joe(state: &AppState, f: &Family, rivera: i64) -> Result<()> {
    let db = &state.db;
    let started = (state.clock.today() - Duration::days(800)).to_string();
    for (rxnorm, name, dose, sig) in [
        ("314076", "Lisinopril", "10 mg tablet", "Take 1 tablet by mouth every morning"),
        ("617311", "Atorvastatin", "40 mg tablet", "Take 1 tablet by mouth at bedtime"),
    ] {
        let med = NewMedication {
            patient_id: f.joe,
            rxnorm,
            name,
            dose,
            sig,
            prescriber_id: Some(rivera),
            start_date: &started,
            end_date: None,
            refills_remaining: 2,
        };
        insert_medication(db, &med).await?;
    }
    let care = care_route(db, rivera).await?;
    thread(state, &people(f.joe, f.joe_user, f.rivera_user), &care, "Dizzy in the mornings", &[
        (true, 6, "I feel dizzy when I stand up in the morning. Is it my blood pressure pill?"),
        (false, 5, "Please check your blood pressure sitting and standing for three days and send us the numbers."),
    ])
    .await?;
    Ok(())
}

/// The chart's patient writes, Dr. Rivera answers (a care-team thread).
fn people(patient_id: i64, patient_user: i64, rivera_user: i64) -> DemoPeople {
    DemoPeople { patient_id, patient_user, rivera_user, billing_user: rivera_user }
}

async fn care_route(db: &Db, rivera: i64) -> Result<Route> {
    let department = app::patients::store::department_of(db, rivera).await?;
    Ok((Pool::Care, Some(department), Some(rivera)))
}
