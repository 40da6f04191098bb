//! SQL for guarantor accounts. A reader reaches only the accounts whose guarantor is the
//! chart they have open (`ChartScope` with `Section::Billing`); an account asked for by id
//! is looked up within those.
use super::{ledger::LedgerRow, Cents, StatementLine};
use crate::{
    access::{ChartScope, GuestPayer},
    infra::Db,
};

/// An account's row with its service area and balance (the sum of its ledger).
#[derive(Debug, sqlx::FromRow)]
pub struct AccountRow {
    pub id: i64,
    pub number: String,
    pub guarantor: String,
    pub paperless: i64,
    pub area: String,
    pub online_payments: i64,
    pub area_phone: Option<String>,
    pub balance_cents: i64,
}

/// The columns of `AccountRow`, and the tables they come from; a macro so that `concat!`
/// can add each query's WHERE.
macro_rules! account_select {
    () => {
        "SELECT a.id, a.number, g.given_name || ' ' || g.family_name AS guarantor, a.paperless, \
         s.name AS area, s.online_payments, s.billing_phone AS area_phone, \
         CAST(COALESCE((SELECT SUM(e.amount_cents) FROM billing_entries e WHERE e.account_id = a.id), 0) \
         AS BIGINT) AS balance_cents \
         FROM billing_accounts a JOIN billing_service_areas s ON s.id = a.service_area_id \
         JOIN patients g ON g.id = a.guarantor_id"
    };
}

/// The guarantor's accounts, by number.
pub async fn accounts(chart: &ChartScope) -> Result<Vec<AccountRow>, sqlx::Error> {
    sqlx::query_as(concat!(account_select!(), " WHERE a.guarantor_id = $1 ORDER BY a.number"))
        .bind(chart.patient_id())
        .fetch_all(&chart.db().read)
        .await
}

/// One of the guarantor's accounts; None for another guarantor's (or no such) account.
pub async fn account(chart: &ChartScope, account_id: i64) -> Result<Option<AccountRow>, sqlx::Error> {
    sqlx::query_as(concat!(account_select!(), " WHERE a.id = $1 AND a.guarantor_id = $2"))
        .bind(account_id)
        .bind(chart.patient_id())
        .fetch_optional(&chart.db().read)
        .await
}

/// The account a guest payer opened (`access::open_guest_account`).
pub async fn guest_account(guest: &GuestPayer) -> Result<Option<AccountRow>, sqlx::Error> {
    sqlx::query_as(concat!(account_select!(), " WHERE a.id = $1"))
        .bind(guest.account_id())
        .fetch_optional(&guest.db().read)
        .await
}

/// (account, first name) of each patient the guarantor's accounts cover.
pub async fn patients_served(chart: &ChartScope) -> Result<Vec<(i64, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT ap.account_id, p.given_name FROM billing_account_patients ap \
         JOIN billing_accounts a ON a.id = ap.account_id JOIN patients p ON p.id = ap.patient_id \
         WHERE a.guarantor_id = $1 ORDER BY ap.account_id, p.given_name",
    )
    .bind(chart.patient_id())
    .fetch_all(&chart.db().read)
    .await
}

#[derive(Debug, sqlx::FromRow)]
struct StatementRow {
    id: i64,
    account_id: i64,
    issued_on: String,
    due_on: String,
    balance_cents: i64,
}

/// (account, statement) for the guarantor's accounts, newest first; each statement's
/// balance is the ledger through the last row it holds.
pub async fn statements(chart: &ChartScope) -> Result<Vec<(i64, StatementLine)>, sqlx::Error> {
    let rows: Vec<StatementRow> = sqlx::query_as(
        "SELECT st.id, st.account_id, st.issued_on, st.due_on, \
         CAST(COALESCE((SELECT SUM(e.amount_cents) FROM billing_entries e \
         WHERE e.account_id = st.account_id AND e.id <= st.through_entry_id), 0) AS BIGINT) AS balance_cents \
         FROM billing_statements st JOIN billing_accounts a ON a.id = st.account_id \
         WHERE a.guarantor_id = $1 ORDER BY st.issued_on DESC, st.id DESC",
    )
    .bind(chart.patient_id())
    .fetch_all(&chart.db().read)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let line = StatementLine {
                id: r.id,
                issued_on: r.issued_on,
                due_on: r.due_on,
                balance: Cents(r.balance_cents),
            };
            (r.account_id, line)
        })
        .collect())
}

/// A statement of one of the chart's accounts: which account, its dates, and the last
/// ledger row it holds.
#[derive(Debug, sqlx::FromRow)]
pub struct StatementFound {
    pub account_id: i64,
    pub issued_on: String,
    pub due_on: String,
    pub through_entry_id: i64,
}

/// A statement by id, within the chart's accounts; None for any other.
pub async fn statement(chart: &ChartScope, statement_id: i64) -> Result<Option<StatementFound>, sqlx::Error> {
    sqlx::query_as(
        "SELECT st.account_id, st.issued_on, st.due_on, st.through_entry_id FROM billing_statements st \
         JOIN billing_accounts a ON a.id = st.account_id WHERE st.id = $1 AND a.guarantor_id = $2",
    )
    .bind(statement_id)
    .bind(chart.patient_id())
    .fetch_optional(&chart.db().read)
    .await
}

/// The ledger of an account already found within the chart (`account`), oldest first.
pub async fn ledger(chart: &ChartScope, account: &AccountRow) -> Result<Vec<LedgerRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT e.id, e.kind, e.applies_to, e.patient_id, p.given_name AS patient, e.encounter_id, \
         e.service_date, e.description, e.procedure_code, e.confidential, e.amount_cents, e.posted_at \
         FROM billing_entries e JOIN billing_accounts a ON a.id = e.account_id \
         LEFT JOIN patients p ON p.id = e.patient_id \
         WHERE e.account_id = $1 AND a.guarantor_id = $2 ORDER BY e.id",
    )
    .bind(account.id)
    .bind(chart.patient_id())
    .fetch_all(&chart.db().read)
    .await
}

/// Statements by e-mail notice only, or on paper too, for an account of the chart.
pub async fn set_paperless(chart: &ChartScope, account_id: i64, paperless: bool) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE billing_accounts SET paperless = $1 WHERE id = $2 AND guarantor_id = $3")
        .bind(paperless as i64)
        .bind(account_id)
        .bind(chart.patient_id())
        .execute(&chart.db().write)
        .await?;
    Ok(())
}

/// A billing estimate of one of the chart's accounts.
#[derive(Debug, sqlx::FromRow)]
pub struct EstimateRow {
    pub id: i64,
    pub account_id: i64,
    /// The patient the estimated service is for, and whether it is confidential.
    pub patient_id: i64,
    pub confidential: i64,
    pub title: String,
    pub document_date: String,
}

/// The estimates of the chart's accounts, newest first.
pub async fn estimates(chart: &ChartScope) -> Result<Vec<EstimateRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT e.id, e.account_id, e.patient_id, e.confidential, e.title, e.document_date FROM billing_estimates e \
         JOIN billing_accounts a ON a.id = e.account_id WHERE a.guarantor_id = $1 \
         ORDER BY e.document_date DESC, e.id DESC",
    )
    .bind(chart.patient_id())
    .fetch_all(&chart.db().read)
    .await
}

/// An estimate's PDF, within the chart's accounts: (the patient it is for, confidential,
/// the PDF).
pub async fn estimate_content(
    chart: &ChartScope,
    estimate_id: i64,
) -> Result<Option<(i64, i64, Vec<u8>)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT e.patient_id, e.confidential, e.content FROM billing_estimates e JOIN billing_accounts a ON a.id = e.account_id \
         WHERE e.id = $1 AND a.guarantor_id = $2",
    )
    .bind(estimate_id)
    .bind(chart.patient_id())
    .fetch_optional(&chart.db().read)
    .await
}

/// An estimate to post: for which of the account's patients, whether confidential.
pub struct NewEstimate<'a> {
    pub account_id: i64,
    pub served_id: i64,
    pub confidential: bool,
    pub title: &'a str,
    pub document_date: &'a str,
}

/// Posts an estimate (a PDF) on an account of the chart, for a patient the account covers;
/// None when the account is not the chart's or does not cover that patient.
pub async fn insert_estimate(
    chart: &ChartScope,
    new: &NewEstimate<'_>,
    pdf: &[u8],
    now_ms: i64,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO billing_estimates (account_id, patient_id, confidential, title, document_date, media_type, \
         content, posted_at, posted_by) \
         SELECT a.id, ap.patient_id, $1, $2, $3, 'application/pdf', $4, $5, $6 FROM billing_accounts a \
         JOIN billing_account_patients ap ON ap.account_id = a.id \
         WHERE a.id = $7 AND a.guarantor_id = $8 AND ap.patient_id = $9 RETURNING id",
    )
    .bind(i64::from(new.confidential))
    .bind(new.title)
    .bind(new.document_date)
    .bind(pdf)
    .bind(now_ms)
    .bind(chart.reader_user_id())
    .bind(new.account_id)
    .bind(chart.patient_id())
    .bind(new.served_id)
    .fetch_optional(&chart.db().write)
    .await
}

/// The patients an account of the chart covers: (id, full name), for the office's forms.
pub async fn covered(chart: &ChartScope, account_id: i64) -> Result<Vec<(i64, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT p.id, p.given_name || ' ' || p.family_name FROM billing_account_patients ap \
         JOIN billing_accounts a ON a.id = ap.account_id JOIN patients p ON p.id = ap.patient_id \
         WHERE ap.account_id = $1 AND a.guarantor_id = $2 ORDER BY p.given_name",
    )
    .bind(account_id)
    .bind(chart.patient_id())
    .fetch_all(&chart.db().read)
    .await
}

/// The payment plan in force on an account of the chart.
#[derive(Debug, sqlx::FromRow)]
pub struct PlanRow {
    pub monthly_cents: i64,
    pub day_of_month: i64,
}

pub async fn plan(chart: &ChartScope, account_id: i64) -> Result<Option<PlanRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT p.monthly_cents, p.day_of_month FROM billing_plans p JOIN billing_accounts a ON a.id = p.account_id \
         WHERE p.account_id = $1 AND a.guarantor_id = $2 AND p.ended_at IS NULL",
    )
    .bind(account_id)
    .bind(chart.patient_id())
    .fetch_optional(&chart.db().read)
    .await
}

/// Puts a plan in force on an account of the chart; false when one already is (another
/// tab, the billing office): the one in force stands.
pub async fn start_plan(
    chart: &ChartScope,
    account_id: i64,
    monthly_cents: i64,
    day_of_month: u8,
    now_ms: i64,
) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO billing_plans (account_id, monthly_cents, day_of_month, started_at, started_by) \
         SELECT a.id, $1, $2, $3, $4 FROM billing_accounts a WHERE a.id = $5 AND a.guarantor_id = $6 \
         ON CONFLICT DO NOTHING",
    )
    .bind(monthly_cents)
    .bind(i64::from(day_of_month))
    .bind(now_ms)
    .bind(chart.reader_user_id())
    .bind(account_id)
    .bind(chart.patient_id())
    .execute(&chart.db().write)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// Ends the plan in force on an account of the chart; false when none was.
pub async fn end_plan(chart: &ChartScope, account_id: i64, now_ms: i64) -> Result<bool, sqlx::Error> {
    let ended = sqlx::query(
        "UPDATE billing_plans SET ended_at = $1, ended_by = $2 WHERE account_id = $3 AND ended_at IS NULL \
         AND account_id IN (SELECT id FROM billing_accounts WHERE guarantor_id = $4)",
    )
    .bind(now_ms)
    .bind(chart.reader_user_id())
    .bind(account_id)
    .bind(chart.patient_id())
    .execute(&chart.db().write)
    .await?;
    Ok(ended.rows_affected() == 1)
}

// Writing (the demo and the tests; the billing office's posting comes with its pages).

pub async fn insert_service_area(
    db: &Db,
    name: &str,
    online_payments: bool,
    billing_phone: Option<&str>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO billing_service_areas (name, online_payments, billing_phone) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(name)
    .bind(online_payments as i64)
    .bind(billing_phone)
    .fetch_one(&db.write)
    .await
}

/// An account for `guarantor_id` covering `covered` (the patients its charges may name).
pub async fn insert_account(
    db: &Db,
    number: &str,
    guarantor_id: i64,
    covered: &[i64],
    service_area_id: i64,
    now_ms: i64,
) -> Result<i64, sqlx::Error> {
    let account: i64 = sqlx::query_scalar(
        "INSERT INTO billing_accounts (number, guarantor_id, service_area_id, created_at) \
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(number)
    .bind(guarantor_id)
    .bind(service_area_id)
    .bind(now_ms)
    .fetch_one(&db.write)
    .await?;
    for person in covered {
        sqlx::query("INSERT INTO billing_account_patients (account_id, patient_id) VALUES ($1, $2)")
            .bind(account)
            .bind(person)
            .execute(&db.write)
            .await?;
    }
    Ok(account)
}

/// A ledger row to post. `amount_cents` is what it adds to what the guarantor owes.
#[derive(Debug, Clone, Default)]
pub struct NewEntry<'a> {
    pub kind: &'a str,
    pub applies_to: Option<i64>,
    pub patient_id: Option<i64>,
    pub encounter_id: Option<i64>,
    pub service_date: Option<&'a str>,
    pub description: &'a str,
    pub procedure_code: Option<&'a str>,
    pub confidential: bool,
    pub amount_cents: i64,
    pub posted_at: i64,
}

pub async fn insert_entry(db: &Db, account_id: i64, e: &NewEntry<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO billing_entries (account_id, kind, applies_to, patient_id, encounter_id, service_date, \
         description, procedure_code, confidential, amount_cents, posted_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(account_id)
    .bind(e.kind)
    .bind(e.applies_to)
    .bind(e.patient_id)
    .bind(e.encounter_id)
    .bind(e.service_date)
    .bind(e.description)
    .bind(e.procedure_code)
    .bind(e.confidential as i64)
    .bind(e.amount_cents)
    .bind(e.posted_at)
    .fetch_one(&db.write)
    .await
}

/// A statement of the ledger through its newest row now.
pub async fn insert_statement(
    db: &Db,
    account_id: i64,
    issued_on: &str,
    due_on: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO billing_statements (account_id, issued_on, due_on, through_entry_id) \
         SELECT $1, $2, $3, MAX(id) FROM billing_entries WHERE account_id = $1 RETURNING id",
    )
    .bind(account_id)
    .bind(issued_on)
    .bind(due_on)
    .fetch_one(&db.write)
    .await
}
