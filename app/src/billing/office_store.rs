//! SQL for the billing office (staff with the billing role): finding a guarantor account,
//! reading its whole ledger, posting an adjustment or a refund. Reached only through
//! `StaffAccess` (finding: rows released by `StaffAccess::show`, each guarantor's chart
//! audited) and the `ChartScope` it opens on the guarantor's chart.
use super::Cents;
use crate::{
    access::{ChartScope, StaffAccess, Unseen},
    input::IdempotencyKey,
};

/// The most accounts one search lists.
pub const FIND_LIMIT: i64 = 25;

/// An account found by its number or its guarantor's last name.
#[derive(Debug, sqlx::FromRow)]
pub struct FoundRow {
    pub id: i64,
    pub number: String,
    pub guarantor_id: i64,
    pub given_name: String,
    pub family_name: String,
    pub mrn: String,
    pub area: String,
    pub balance_cents: i64,
}

/// Accounts whose number is `number` or whose guarantor's last name is `last_name` (any
/// case), by number; not yet shown (each guarantor's chart is audited when they are).
pub async fn find_accounts(
    staff: &StaffAccess,
    number: &str,
    last_name: &str,
) -> Result<Unseen<FoundRow>, sqlx::Error> {
    let rows: Vec<FoundRow> = sqlx::query_as(
        "SELECT a.id, a.number, a.guarantor_id, g.given_name, g.family_name, g.mrn, s.name AS area, \
         CAST(COALESCE((SELECT SUM(e.amount_cents) FROM billing_entries e WHERE e.account_id = a.id), 0) \
         AS BIGINT) AS balance_cents \
         FROM billing_accounts a JOIN patients g ON g.id = a.guarantor_id \
         JOIN billing_service_areas s ON s.id = a.service_area_id \
         WHERE a.number = $1 OR LOWER(g.family_name) = LOWER($2) ORDER BY a.number LIMIT $3",
    )
    .bind(number)
    .bind(last_name)
    .bind(FIND_LIMIT)
    .fetch_all(&staff.db().read)
    .await?;
    Ok(Unseen::new(rows.into_iter().map(|r| (Some(r.guarantor_id), r)).collect()))
}

/// The guarantor whose chart an account is reached through (to open it, audited).
pub async fn guarantor_of(staff: &StaffAccess, account_id: i64) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT guarantor_id FROM billing_accounts WHERE id = $1")
        .bind(account_id)
        .fetch_optional(&staff.db().read)
        .await
}

/// A ledger row as the billing office reads it: everything, confidential services too
/// (staff see them), with who posted it and why.
#[derive(Debug, sqlx::FromRow)]
pub struct OfficeRow {
    pub id: i64,
    pub kind: String,
    pub service_date: Option<String>,
    pub patient: Option<String>,
    pub description: String,
    pub procedure_code: Option<String>,
    pub confidential: i64,
    pub amount_cents: i64,
    pub posted_at: i64,
    pub posted_by: Option<String>,
    pub reason: Option<String>,
}

/// The account's whole ledger, newest first.
pub async fn office_ledger(chart: &ChartScope, account_id: i64) -> Result<Vec<OfficeRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT e.id, e.kind, e.service_date, p.given_name AS patient, e.description, e.procedure_code, \
         e.confidential, e.amount_cents, e.posted_at, u.display_name AS posted_by, e.reason \
         FROM billing_entries e JOIN billing_accounts a ON a.id = e.account_id \
         LEFT JOIN patients p ON p.id = e.patient_id LEFT JOIN users u ON u.id = e.posted_by \
         WHERE e.account_id = $1 AND a.guarantor_id = $2 ORDER BY e.id DESC",
    )
    .bind(account_id)
    .bind(chart.patient_id())
    .fetch_all(&chart.db().read)
    .await
}

/// What the billing office posts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfficePosting {
    /// Lowers the amount due (a write-off, a courtesy discount, a correction).
    Credit(Cents),
    /// Raises it (a correction the other way).
    Debit(Cents),
    /// Money paid back to the guarantor, out of a credit: at most the credit.
    Refund(Cents),
}

impl OfficePosting {
    fn kind_and_amount(self) -> (&'static str, i64) {
        match self {
            OfficePosting::Credit(c) => ("adjustment", -c.0),
            OfficePosting::Debit(c) => ("adjustment", c.0),
            OfficePosting::Refund(c) => ("refund", c.0),
        }
    }
}

/// What posting did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Posted {
    New,
    /// This form posted before (a double click): nothing more.
    Again,
    /// A refund larger than the credit: nothing posted.
    RefundTooLarge,
}

/// Posts an adjustment or a refund on one of the chart's accounts, with the reason and the
/// staff member; once per form key. A refund never takes the account past $0.00: checked
/// and written under the account row's lock, so two refunds at once cannot both pass.
pub async fn post(
    chart: &ChartScope,
    account_id: i64,
    posting: OfficePosting,
    reason: &str,
    key: &IdempotencyKey,
    now_ms: i64,
) -> Result<Posted, sqlx::Error> {
    let mut tx = chart.db().write.begin().await?;
    // The account's row lock (PostgreSQL) or the write lock (SQLite), and the account is
    // the chart's.
    let locked =
        sqlx::query("UPDATE billing_accounts SET paperless = paperless WHERE id = $1 AND guarantor_id = $2")
            .bind(account_id)
            .bind(chart.patient_id())
            .execute(&mut *tx)
            .await?
            .rows_affected();
    if locked == 0 {
        return Err(sqlx::Error::RowNotFound);
    }
    let posted_before: Option<i64> = sqlx::query_scalar("SELECT id FROM billing_entries WHERE form_key = $1")
        .bind(key.as_str())
        .fetch_optional(&mut *tx)
        .await?;
    if posted_before.is_some() {
        return Ok(Posted::Again);
    }
    let (kind, amount_cents) = posting.kind_and_amount();
    if let OfficePosting::Refund(refund) = posting {
        let balance: i64 = sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM billing_entries WHERE account_id = $1",
        )
        .bind(account_id)
        .fetch_one(&mut *tx)
        .await?;
        if balance + refund.0 > 0 {
            return Ok(Posted::RefundTooLarge);
        }
    }
    sqlx::query(
        "INSERT INTO billing_entries (account_id, kind, amount_cents, posted_at, posted_by, reason, form_key) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(account_id)
    .bind(kind)
    .bind(amount_cents)
    .bind(now_ms)
    .bind(chart.reader_user_id())
    .bind(reason)
    .bind(key.as_str())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Posted::New)
}
