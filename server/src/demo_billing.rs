//! The billing demo: Avery's three guarantor accounts (one with a balance due, one at
//! $0.00, one at a partner location that bills on its own) and Jordan's account for Emma and
//! Leo (Leo's confidential test is on it: Jordan sees the amount, not the service).
use app::{
    billing::store::{insert_account, insert_entry, insert_service_area, insert_statement, NewEntry},
    infra::{AppState, Db},
};
use time::Duration;

use crate::anyhow_lite::Result;

/// The guarantors, by their records.
pub struct Guarantors {
    pub avery: i64,
    pub jordan: i64,
    pub emma: i64,
    pub leo: i64,
}

/// Avery's account with a balance due, printed by the seed (Pay as Guest will take it with
/// the last name "Smith").
pub const AVERY_ACCOUNT_DUE: &str = "4000017";

/// Creates the accounts once; returns whether it did.
pub async fn create(state: &AppState, g: &Guarantors) -> Result<bool> {
    let db = &state.db;
    let existing: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM billing_accounts").fetch_one(&db.read).await?;
    if existing > 0 {
        return Ok(false);
    }
    let now = state.clock.now_ms();
    let clinic = insert_service_area(db, "Portico Health", true, None).await?;
    let harbor = insert_service_area(db, "Harbor Urgent Care", false, Some("555-0142")).await?;
    let visits = finished_visits(db, g.avery).await?;
    let day = |ms: i64| state.clock.date_of(ms);
    let today = state.clock.today();

    // A balance due: the latest office visit, less what insurance paid and adjusted and a
    // first payment.
    let due = insert_account(db, AVERY_ACCOUNT_DUE, g.avery, &[g.avery], clinic, now).await?;
    let (visit, at) = visits.first().copied().ok_or("Avery has no finished visit")?;
    let office = charge(
        db,
        due,
        g.avery,
        Some(visit),
        &day(at),
        "Office visit, established patient",
        "99214",
        24_500,
        now,
    )
    .await?;
    let panel = charge(db, due, g.avery, Some(visit), &day(at), "Lipid panel", "80061", 6_800, now).await?;
    settle(db, due, office, -14_000, -4_500, now).await?;
    settle(db, due, panel, -3_900, -1_200, now).await?;
    let statement_day = today - Duration::days(12);
    insert_statement(db, due, &statement_day.to_string(), &(statement_day + Duration::days(30)).to_string())
        .await?;
    post(
        db,
        due,
        NewEntry { kind: "patient-payment", amount_cents: -2_500, posted_at: now, ..Default::default() },
    )
    .await?;

    // Paid in full.
    let paid = insert_account(db, "4000025", g.avery, &[g.avery], clinic, now).await?;
    let (visit, at) = visits.get(1).copied().ok_or("Avery has one finished visit only")?;
    let office = charge(
        db,
        paid,
        g.avery,
        Some(visit),
        &day(at),
        "Office visit, established patient",
        "99213",
        16_500,
        now,
    )
    .await?;
    settle(db, paid, office, -11_000, -3_500, now).await?;
    post(
        db,
        paid,
        NewEntry { kind: "patient-payment", amount_cents: -2_000, posted_at: now, ..Default::default() },
    )
    .await?;

    // A partner location: a balance, but payable only there.
    let partner = insert_account(db, "7100033", g.avery, &[g.avery], harbor, now).await?;
    let seen = (today - Duration::days(60)).to_string();
    let urgent = charge(db, partner, g.avery, None, &seen, "Urgent care visit", "99203", 18_000, now).await?;
    settle(db, partner, urgent, -9_000, -2_000, now).await?;

    // Jordan pays for Emma and Leo; Leo's confidential test is on the account.
    let family = insert_account(db, "4000041", g.jordan, &[g.emma, g.leo], clinic, now).await?;
    if let Some(&(visit, at)) = finished_visits(db, g.emma).await?.first() {
        let well =
            charge(db, family, g.emma, Some(visit), &day(at), "Well-child visit", "99393", 21_000, now)
                .await?;
        settle(db, family, well, -16_800, 0, now).await?;
    }
    let drawn = (today - Duration::days(30)).to_string();
    let lipids = charge(db, family, g.leo, None, &drawn, "Lipid panel", "80061", 6_800, now).await?;
    settle(db, family, lipids, -5_000, -1_000, now).await?;
    let hiv = post(
        db,
        family,
        NewEntry {
            kind: "charge",
            patient_id: Some(g.leo),
            service_date: Some(&drawn),
            description: "HIV-1 RNA (viral load)",
            procedure_code: Some("87536"),
            confidential: true,
            amount_cents: 12_000,
            posted_at: now,
            ..Default::default()
        },
    )
    .await?;
    settle(db, family, hiv, -12_000, 0, now).await?;
    insert_statement(
        db,
        family,
        &statement_day.to_string(),
        &(statement_day + Duration::days(30)).to_string(),
    )
    .await?;
    estimate(db, due, g.avery, &today.to_string(), now).await?;
    Ok(true)
}

/// An estimate the billing office posted for Avery: a knee MRI he is scheduled for.
async fn estimate(db: &Db, account: i64, patient: i64, date: &str, now: i64) -> Result<()> {
    use app::infra::pdf::TextDocument;
    let mut doc = TextDocument::new("Estimate: MRI of the right knee");
    doc.heading("Estimate: MRI of the right knee");
    doc.strong("Portico Health billing office");
    for (label, amount) in [
        ("MRI, lower extremity joint, without contrast (73721)", "$1,450.00"),
        ("Radiologist's reading", "$210.00"),
        ("Expected insurance payment", "-$1,160.00"),
        ("Your estimated share (deductible and coinsurance)", "$500.00"),
    ] {
        doc.field(label, amount);
    }
    doc.paragraph("An estimate, not a bill: what you owe is on your statement after the service.");
    sqlx::query(
        "INSERT INTO billing_estimates (account_id, patient_id, title, document_date, media_type, content, posted_at) \
         VALUES ($1, $2, 'MRI of the right knee', $3, 'application/pdf', $4, $5)",
    )
    .bind(account)
    .bind(patient)
    .bind(date)
    .bind(doc.finish())
    .bind(now)
    .execute(&db.write)
    .await?;
    Ok(())
}

/// A patient's finished visits, newest first: (visit, start).
async fn finished_visits(db: &Db, patient: i64) -> Result<Vec<(i64, i64)>> {
    Ok(sqlx::query_as(
        "SELECT id, start_at FROM encounters WHERE patient_id = $1 AND status = 'finished' \
         AND note_confidential = 0 ORDER BY start_at DESC",
    )
    .bind(patient)
    .fetch_all(&db.read)
    .await?)
}

#[allow(clippy::too_many_arguments)]
async fn charge(
    db: &Db,
    account: i64,
    patient: i64,
    visit: Option<i64>,
    on: &str,
    description: &str,
    code: &str,
    amount_cents: i64,
    now: i64,
) -> Result<i64> {
    let entry = NewEntry {
        kind: "charge",
        patient_id: Some(patient),
        encounter_id: visit,
        service_date: Some(on),
        description,
        procedure_code: Some(code),
        amount_cents,
        posted_at: now,
        ..Default::default()
    };
    post(db, account, entry).await
}

/// What insurance paid and adjusted on a charge (0: nothing).
async fn settle(db: &Db, account: i64, charge: i64, paid: i64, adjusted: i64, now: i64) -> Result<()> {
    for (kind, amount_cents) in [("insurance-payment", paid), ("insurance-adjustment", adjusted)] {
        if amount_cents != 0 {
            let entry = NewEntry {
                kind,
                applies_to: Some(charge),
                amount_cents,
                posted_at: now,
                ..Default::default()
            };
            post(db, account, entry).await?;
        }
    }
    Ok(())
}

async fn post(db: &Db, account: i64, entry: NewEntry<'_>) -> Result<i64> {
    Ok(insert_entry(db, account, &entry).await?)
}
