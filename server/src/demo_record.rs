//! Avery's health record for the demo: three years of visits with notes, a lipid panel,
//! HbA1c and basic metabolic panel repeated over time (some out of range), current and
//! past medications, two allergies, childhood and adult immunizations, upcoming
//! appointments, and reminders that are due and overdue. Dates count back from today, so
//! the demo reads the same whenever it is loaded.
use app::{
    dates::DAY_MS,
    infra::{clock::utc_start_of_day, AppState, Db},
    medications::store::{insert_medication, NewMedication},
    patients::store::NewProvider,
    results::{
        catalog::{BASIC_METABOLIC_PANEL, HBA1C, LIPID_PANEL},
        store::{insert_report, NewReport},
    },
    summary::store::{insert_allergy, insert_immunization, insert_problem},
    visits::store::{insert_encounter, NewEncounter},
};
use time::{Date, Duration};

use crate::anyhow_lite::Result;

const CLINIC: &str = "Portico Family Medicine";

/// Creates the record once; a second run finds Avery's visits and does nothing.
pub async fn avery(state: &AppState, patient_id: i64, clinician_user_id: i64) -> Result<bool> {
    let db = &state.db;
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM encounters WHERE patient_id = $1")
        .bind(patient_id)
        .fetch_one(&db.read)
        .await?;
    if existing > 0 {
        return Ok(false);
    }
    let today = state.clock.today();
    let rivera =
        provider(db, "Dr. Alex Rivera, MD", "Internal Medicine", Some(clinician_user_id), "1689000001")
            .await?;
    let patel = provider(db, "Dr. Priya Patel, MD", "Endocrinology", None, "1689000002").await?;
    for (id, role) in [(rivera, "Primary care provider"), (patel, "Endocrinologist")] {
        app::patients::store::add_to_care_team(db, patient_id, id, role).await?;
    }
    visits(db, patient_id, today, rivera, patel).await?;
    results(db, patient_id, today, rivera, clinician_user_id).await?;
    medications(db, patient_id, today, rivera, patel).await?;
    summary(db, patient_id, today).await?;
    documents(state, patient_id, today).await?;
    Ok(true)
}

async fn provider(db: &Db, name: &str, specialty: &str, user_id: Option<i64>, npi: &str) -> Result<i64> {
    let new = NewProvider { display_name: name, specialty, department: CLINIC, npi: Some(npi), user_id };
    Ok(app::patients::store::insert_provider(db, &new).await?)
}

fn at(day: Date, hour: i64, minute: i64) -> i64 {
    utc_start_of_day(day) + hour * 3_600_000 + minute * 60_000
}

fn days_ago(today: Date, days: i64) -> Date {
    today - Duration::days(days)
}

/// (days from today, provider, kind, status, reason, After Visit Summary, progress note)
type VisitPlan<'a> = (i64, i64, &'a str, &'a str, &'a str, Option<&'a str>, Option<&'a str>);

async fn visits(db: &Db, patient_id: i64, today: Date, rivera: i64, patel: i64) -> Result<()> {
    let plan: &[VisitPlan] = &[
        (
            -1090,
            rivera,
            "Office visit",
            "finished",
            "Annual physical",
            Some(AVS_PHYSICAL),
            Some(NOTE_PHYSICAL),
        ),
        (-900, rivera, "Office visit", "finished", "Blood pressure follow-up", Some(AVS_BP), Some(NOTE_BP)),
        (
            -730,
            rivera,
            "Office visit",
            "finished",
            "Annual physical; high blood sugar",
            Some(AVS_DIABETES),
            Some(NOTE_DIABETES),
        ),
        (
            -700,
            patel,
            "Office visit",
            "finished",
            "New diagnosis of type 2 diabetes",
            Some(AVS_ENDO),
            Some(NOTE_ENDO),
        ),
        (-540, rivera, "Lab visit", "finished", "Blood draw", None, None),
        (-365, rivera, "Office visit", "finished", "Annual physical", Some(AVS_YEAR2), Some(NOTE_YEAR2)),
        (-200, patel, "Video visit", "finished", "Diabetes follow-up", Some(AVS_VIDEO), None),
        (-190, rivera, "Office visit", "cancelled", "Follow-up (rescheduled)", None, None),
        (-6, rivera, "Lab visit", "finished", "Blood draw", None, None),
        (12, rivera, "Office visit", "planned", "Diabetes and blood pressure follow-up", None, None),
        (40, patel, "Video visit", "planned", "Endocrinology follow-up", None, None),
    ];
    for &(offset, provider, kind, status, reason, avs, note) in plan {
        let day = today + Duration::days(offset);
        insert_encounter(
            db,
            &NewEncounter {
                patient_id,
                provider_id: Some(provider),
                department: if provider == patel { "Endocrinology" } else { CLINIC },
                kind,
                class_code: if kind == "Video visit" { "VR" } else { "AMB" },
                status,
                start_at: at(day, 9, 30),
                minutes: if kind == "Lab visit" { 15 } else { 30 },
                reason,
                avs_text: avs,
                note_text: note,
            },
        )
        .await?;
    }
    Ok(())
}

/// An Emergency Department visit (FHIR class EMER) on `day`, with no provider of the
/// clinic's: its tests may not be followed up by the ordering provider.
async fn emergency_visit(db: &Db, patient_id: i64, day: Date) -> Result<i64> {
    let visit = NewEncounter {
        patient_id,
        provider_id: None,
        department: "Emergency Department",
        kind: "Emergency visit",
        class_code: "EMER",
        status: "finished",
        start_at: at(day, 5, 0),
        minutes: 300,
        reason: "Chest pain (heart attack ruled out)",
        avs_text: None,
        note_text: None,
    };
    Ok(insert_encounter(db, &visit).await?)
}

async fn results(db: &Db, patient_id: i64, today: Date, rivera: i64, reviewer: i64) -> Result<()> {
    // Collected days ago, then values: lipids (total, TG, HDL, LDL), HbA1c, BMP.
    let draws: &[(i64, [f64; 4], f64, [f64; 8])] = &[
        (1092, [248.0, 210.0, 38.0, 168.0], 5.9, [104.0, 14.0, 0.9, 140.0, 4.1, 102.0, 25.0, 9.4]),
        (902, [236.0, 190.0, 39.0, 159.0], 6.2, [108.0, 15.0, 0.9, 139.0, 4.3, 101.0, 24.0, 9.5]),
        (732, [229.0, 205.0, 40.0, 148.0], 7.4, [142.0, 16.0, 1.0, 138.0, 4.4, 100.0, 26.0, 9.6]),
        (540, [205.0, 170.0, 42.0, 129.0], 7.1, [121.0, 15.0, 1.0, 140.0, 4.2, 103.0, 25.0, 9.3]),
        (367, [192.0, 160.0, 44.0, 116.0], 6.9, [112.0, 14.0, 0.9, 141.0, 4.0, 104.0, 24.0, 9.4]),
        (189, [181.0, 148.0, 45.0, 106.0], 6.6, [101.0, 13.0, 0.9, 139.0, 4.1, 102.0, 25.0, 9.5]),
        (6, [176.0, 141.0, 46.0, 102.0], 6.4, [98.0, 13.0, 1.3, 140.0, 5.4, 102.0, 25.0, 9.6]),
    ];
    // Two years ago a night in the Emergency Department (chest pain, ruled out): that
    // draw was done there, and its results say the ordering provider may not call.
    let emergency = emergency_visit(db, patient_id, days_ago(today, draws[2].0)).await?;
    for (index, &(ago, lipids, a1c, bmp)) in draws.iter().enumerate() {
        let collected = at(days_ago(today, ago), 8, 10);
        let resulted = collected + 6 * 3_600_000;
        let latest = index == draws.len() - 1;
        for (panel, values) in
            [(&LIPID_PANEL, &lipids[..]), (&HBA1C, &[a1c][..]), (&BASIC_METABOLIC_PANEL, &bmp[..])]
        {
            // The latest draw was released before Dr. Rivera looked at it (the Cures Act
            // default): the patient sees the "may not have reviewed it yet" notice.
            let reviewed = (!latest).then_some((reviewer, resulted + 2 * DAY_MS));
            insert_report(
                db,
                &NewReport {
                    patient_id,
                    panel,
                    values,
                    ordered_by: Some(rivera),
                    collected_at: collected,
                    resulted_at: resulted,
                    released_at: Some(resulted),
                    held_reason: None,
                    held_by: None,
                    reviewed,
                    seen_at: (!latest).then_some(resulted + 3 * DAY_MS),
                    encounter_id: (index == 2).then_some(emergency),
                },
            )
            .await?;
        }
    }
    Ok(())
}

/// Two documents on file (the document center): the Emergency Department's discharge
/// summary of the night of chest pain (the visit and draw two years ago), and the operative
/// report of a knee arthroscopy at a partner hospital five years ago. Posted as PDFs, as
/// Health Information Management would scan or receive them.
async fn documents(state: &AppState, patient_id: i64, today: Date) -> Result<()> {
    let posted: [(&str, &str, i64, &str, &[&str]); 2] = [
        (
            "discharge-summary",
            "Emergency Department discharge summary",
            732,
            "Emergency Department",
            &[
                "Reason for visit: chest pain at rest, 2 hours.",
                "Findings: ECG normal sinus rhythm; two high-sensitivity troponins normal 3 hours apart; chest X-ray clear. Heart attack ruled out. Likely muscular pain.",
                "Treatment: ibuprofen 400 mg by mouth once.",
                "Discharge instructions: rest, ibuprofen with food as needed for 3 days. Return at once, or call 911, for chest pain with sweating, shortness of breath or fainting. Follow up with your primary care provider within a week; your blood sugar was high (HbA1c 7.4 %).",
            ],
        ),
        (
            "operative-report",
            "Operative report: right knee arthroscopy",
            1_850,
            "Orthopedic Surgery, Lakeside Surgical Center",
            &[
                "Surgeon: Dr. Sam Okafor, MD. Anesthesia: general.",
                "Preoperative and postoperative diagnosis: tear of the medial meniscus, right knee.",
                "Procedure: arthroscopic partial medial meniscectomy, right knee. The torn segment was trimmed to a stable rim; cartilage intact. No complications; blood loss minimal.",
                "Disposition: home the same day, weight bearing as tolerated, physical therapy for 6 weeks.",
            ],
        ),
    ];
    for (kind, title, ago, source, paragraphs) in posted {
        let day = days_ago(today, ago);
        let mut pdf = app::infra::pdf::TextDocument::new(title);
        pdf.heading(title);
        pdf.strong("Avery Smith, born 1984-03-12");
        pdf.paragraph(&format!("{source} - {day}"));
        for paragraph in paragraphs {
            pdf.paragraph(paragraph);
        }
        let content = pdf.finish();
        let new = app::documents::store::NewDocument {
            patient_id,
            kind,
            title,
            document_date: &day.to_string(),
            source,
            confidential: false,
            media_type: "application/pdf",
            content: &content,
            posted_by: None,
            posted_at: at(day, 18, 0),
        };
        app::documents::store::insert_document(&state.db, &new).await?;
    }
    Ok(())
}

/// A copy of her record Avery asked for last spring, which Health Information Management
/// answered with the copy it sent her by mail too (a scanned letter and summary).
pub async fn answered_copy_request(
    state: &AppState,
    patient_id: i64,
    avery_user: i64,
    him_user: i64,
) -> Result<()> {
    let today = state.clock.today();
    let asked = at(days_ago(today, 210), 10, 0);
    let answered = at(days_ago(today, 196), 15, 0);
    let mut pdf = app::infra::pdf::TextDocument::new("Copy of your health record");
    pdf.heading("Copy of your health record");
    pdf.strong("Avery Smith, born 1984-03-12");
    pdf.paragraph("As you asked, here are your visits and test results of the last two years. Health Information Management");
    pdf.paragraph(
        "Problems: type 2 diabetes (E11.9), essential hypertension (I10), high cholesterol (E78.5).",
    );
    pdf.paragraph("Visits: annual physicals, a diabetes follow-up by video, an Emergency Department visit for chest pain (heart attack ruled out).");
    let content = pdf.finish();
    sqlx::query(
        "INSERT INTO record_requests (patient_id, requested_by, max_confidential, from_date, to_date, parts, reason, \
         status, created_at, due_at, decided_by, decided_at, file_media_type, file_bytes) \
         VALUES ($1, $2, 1, $3, NULL, 'visits,results', 'For my new endocrinologist', 'fulfilled', $4, $5, $6, $7, \
         'application/pdf', $8)",
    )
    .bind(patient_id)
    .bind(avery_user)
    .bind(days_ago(today, 940).to_string())
    .bind(asked)
    .bind(asked + 30 * DAY_MS)
    .bind(him_user)
    .bind(answered)
    .bind(content)
    .execute(&state.db.write)
    .await?;
    Ok(())
}

/// The demo's share code (README: a clinician elsewhere opens /share with it and Avery's
/// birth date): Avery's health summary for seven days from the seeding. A real code is
/// random and shown once; this one is printed in the README so the demo can be tried.
pub const DEMO_SHARE_CODE: &str = "DEM0SHARE7Q4";

pub async fn share_code(state: &AppState, patient_id: i64, avery_user: i64) -> Result<()> {
    let now = state.clock.now_ms();
    sqlx::query(
        "INSERT INTO record_shares (patient_id, created_by, max_confidential, scope, visit_ids, code_hash, code_hint, \
         created_at, expires_at) VALUES ($1, $2, 1, 'summary', '', $3, $4, $5, $6)",
    )
    .bind(patient_id)
    .bind(avery_user)
    .bind(app::access::share_code_hash(&state.db, DEMO_SHARE_CODE))
    .bind(&DEMO_SHARE_CODE[DEMO_SHARE_CODE.len() - 4..])
    .bind(now)
    .bind(now + 7 * DAY_MS)
    .execute(&state.db.write)
    .await?;
    Ok(())
}

async fn medications(db: &Db, patient_id: i64, today: Date, rivera: i64, patel: i64) -> Result<()> {
    let started = |days: i64| days_ago(today, days).to_string();
    let current = [
        (
            "860975",
            "Metformin",
            "500 mg tablet",
            "Take 1 tablet by mouth twice a day with meals",
            patel,
            started(700),
            2,
        ),
        (
            "617310",
            "Atorvastatin",
            "20 mg tablet",
            "Take 1 tablet by mouth at bedtime",
            rivera,
            started(730),
            0,
        ),
        (
            "314076",
            "Lisinopril",
            "10 mg tablet",
            "Take 1 tablet by mouth once a day",
            rivera,
            started(900),
            1,
        ),
    ];
    for (rxnorm, name, dose, sig, prescriber, start, refills) in current {
        let m = NewMedication {
            patient_id,
            rxnorm,
            name,
            dose,
            sig,
            prescriber_id: Some(prescriber),
            start_date: &start,
            end_date: None,
            refills_remaining: refills,
        };
        insert_medication(db, &m).await?;
    }
    let (start, end) = (started(420), started(415));
    let past = NewMedication {
        patient_id,
        rxnorm: "312617",
        name: "Prednisone",
        dose: "20 mg tablet",
        sig: "Take 2 tablets by mouth once a day for 5 days",
        prescriber_id: Some(rivera),
        start_date: &start,
        end_date: Some(&end),
        refills_remaining: 0,
    };
    insert_medication(db, &past).await?;
    Ok(())
}

async fn summary(db: &Db, patient_id: i64, today: Date) -> Result<()> {
    let recorded = days_ago(today, 1090).to_string();
    insert_allergy(
        db,
        patient_id,
        ("Penicillin", "7980", "http://www.nlm.nih.gov/research/umls/rxnorm", "Hives", "moderate", &recorded),
    )
    .await?;
    insert_allergy(
        db,
        patient_id,
        ("Peanut", "256349002", "http://snomed.info/sct", "Anaphylaxis", "severe", &recorded),
    )
    .await?;
    let problems = [
        ("I10", "Essential hypertension", 900),
        ("E78.5", "Hyperlipidemia", 1090),
        ("E11.9", "Type 2 diabetes mellitus without complications", 730),
    ];
    for (code, name, onset) in problems {
        insert_problem(db, patient_id, code, name, Some(&days_ago(today, onset).to_string()), "active")
            .await?;
    }
    insert_problem(
        db,
        patient_id,
        "J20.9",
        "Acute bronchitis",
        Some(&days_ago(today, 420).to_string()),
        "resolved",
    )
    .await?;

    // Childhood series from the birth date, then adult doses relative to today.
    let birth = Date::from_calendar_date(1984, time::Month::March, 12)?;
    let childhood: &[(&str, &str, i64)] = &[
        ("08", "Hepatitis B, pediatric", 0),
        ("08", "Hepatitis B, pediatric", 60),
        ("20", "DTaP", 61),
        ("10", "Polio (IPV)", 61),
        ("20", "DTaP", 122),
        ("10", "Polio (IPV)", 122),
        ("08", "Hepatitis B, pediatric", 183),
        ("20", "DTaP", 183),
        ("03", "MMR", 366),
        ("20", "DTaP", 487),
        ("10", "Polio (IPV)", 487),
        ("03", "MMR", 1461),
        ("20", "DTaP", 1500),
        ("10", "Polio (IPV)", 1500),
        ("21", "Varicella", 4000),
    ];
    for &(cvx, name, day) in childhood {
        insert_immunization(db, patient_id, cvx, name, &(birth + Duration::days(day)).to_string()).await?;
    }
    // The Tdap booster is just past its 10 years (overdue); last autumn's flu shot is
    // more than a year old (overdue); the HbA1c every 6 months is due this week.
    insert_immunization(db, patient_id, "115", "Tdap", &days_ago(today, 3760).to_string()).await?;
    for ago in [1500, 1140, 775, 410] {
        insert_immunization(
            db,
            patient_id,
            "197",
            "Influenza, injectable, quadrivalent",
            &days_ago(today, ago).to_string(),
        )
        .await?;
    }
    insert_immunization(db, patient_id, "208", "COVID-19, mRNA", &days_ago(today, 1800).to_string()).await?;
    Ok(())
}

const AVS_PHYSICAL: &str = "Thank you for coming in for your annual physical.\n\nWhat we talked about: your blood pressure was a little high today (138/88). Your cholesterol test is in Test Results.\n\nWhat to do next: walk 30 minutes most days, limit salty foods, and come back in 6 months to recheck your blood pressure.";
const NOTE_PHYSICAL: &str = "Subjective: 39-year-old here for annual exam. No complaints. Non-smoker. Family history of type 2 diabetes (mother).\n\nObjective: BP 138/88, BMI 29.4. Exam unremarkable.\n\nAssessment and plan: Elevated blood pressure, lifestyle changes, recheck in 6 months. Hyperlipidemia: LDL 168, discussed diet; revisit statin at follow-up.";
const AVS_BP: &str = "Your blood pressure is still above goal (142/90), so we started lisinopril 10 mg once a day.\n\nCall us if you feel dizzy or get a dry cough that does not go away. We will check your kidney function and potassium with your next blood test.";
const NOTE_BP: &str = "Follow-up for elevated BP. Home readings 135-145/85-92. Starting lisinopril 10 mg daily. BMP in 3 months.";
const AVS_DIABETES: &str = "Your hemoglobin A1c was 7.4%, which means you have type 2 diabetes.\n\nWe started atorvastatin 20 mg at bedtime for your cholesterol and referred you to Dr. Patel in Endocrinology. Check your feet every day and keep your appointment with Dr. Patel.";
const NOTE_DIABETES: &str = "Annual exam. HbA1c 7.4% (prior 6.2%): new type 2 diabetes. LDL 148 despite diet: start atorvastatin 20 mg. Referral to endocrinology. Diabetes education provided.";
const AVS_ENDO: &str = "We started metformin 500 mg twice a day with meals. Stomach upset is common in the first weeks and usually passes.\n\nGoal: hemoglobin A1c below 7%. We will check it every 6 months.";
const NOTE_ENDO: &str = "New T2DM, HbA1c 7.4%. No complications. Start metformin 500 mg BID. Diabetes self-management education. HbA1c every 6 months.";
const AVS_YEAR2: &str = "Your diabetes is improving (hemoglobin A1c 6.9%) and your cholesterol is closer to goal.\n\nKeep taking your medicines as prescribed. Get a flu shot this fall.";
const NOTE_YEAR2: &str = "Annual exam. T2DM improving on metformin, HbA1c 6.9%. LDL 116 on atorvastatin. BP 128/80 on lisinopril. Continue current regimen.";
const AVS_VIDEO: &str =
    "Your hemoglobin A1c is 6.6%, on target. Keep metformin at the same dose. Next check in 6 months.";

/// Riley Chen's small record: enough for the sign-up questions (`signup::chart_quiz`) to
/// ask about, and for the README to say what the answers are. Riley has no account: the
/// demo's "Sign up online" is for them. Fixed dates (2025), so the answers stay the same.
pub async fn riley(state: &AppState, patient_id: i64) -> Result<bool> {
    let db = &state.db;
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM encounters WHERE patient_id = $1")
        .bind(patient_id)
        .fetch_one(&db.read)
        .await?;
    if existing > 0 {
        return Ok(false);
    }
    let martinez = provider(db, "Dr. Sofia Martinez, MD", "Family Medicine", None, "1689000003").await?;
    // Providers Riley never saw: decoys for everyone's questions.
    provider(db, "Dr. Ben Okafor, MD", "Cardiology", None, "1689000004").await?;
    provider(db, "Dr. Hana Sato, DO", "Dermatology", None, "1689000005").await?;
    app::patients::store::add_to_care_team(db, patient_id, martinez, "Primary care provider").await?;
    for (day, reason) in [("2025-03-14", "Annual physical"), ("2025-10-02", "Cough that will not go away")] {
        let date = app::dates::parse_date(day).ok_or("bad demo date")?;
        let visit = NewEncounter {
            patient_id,
            provider_id: Some(martinez),
            department: CLINIC,
            kind: "Office visit",
            class_code: "AMB",
            status: "finished",
            start_at: at(date, 16, 0),
            minutes: 30,
            reason,
            avs_text: None,
            note_text: None,
        };
        insert_encounter(db, &visit).await?;
    }
    let medications = [
        ("10582", "Levothyroxine", "50 mcg tablet", "Take 1 tablet by mouth every morning", "2025-03-14"),
        (
            "745679",
            "Albuterol",
            "90 mcg/actuation inhaler",
            "Inhale 2 puffs every 4 hours as needed",
            "2025-10-02",
        ),
    ];
    for (rxnorm, name, dose, sig, start_date) in medications {
        let m = NewMedication {
            patient_id,
            rxnorm,
            name,
            dose,
            sig,
            prescriber_id: Some(martinez),
            start_date,
            end_date: None,
            refills_remaining: 3,
        };
        insert_medication(db, &m).await?;
    }
    insert_immunization(db, patient_id, "88", "Influenza, unspecified formulation", "2025-10-02").await?;
    Ok(true)
}
