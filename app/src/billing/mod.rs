//! Billing: the guarantor accounts a person pays for (the seed's "Billing Summary"), each
//! account's visits, charges, insurance and payments ("View account"), and whether "Pay Now"
//! is offered. Money is integer cents everywhere; a balance is the sum of ledger rows.
//!
//! An account belongs to its guarantor, a person on file, not to a chart: it may cover
//! several patients (a parent paying for two children). It is reached through the
//! guarantor's chart with `Section::Billing`: the guarantor themself, or a proxy whose grant
//! on the guarantor includes Billing.
pub mod api;
pub mod estimate_api;
pub mod guest_api;
pub mod guest_pages;
#[cfg(feature = "ssr")]
pub mod ledger;
pub mod office_api;
pub mod office_pages;
#[cfg(feature = "ssr")]
pub mod office_store;
pub mod pages;
pub mod pay_api;
pub mod pay_pages;
#[cfg(feature = "ssr")]
pub mod payments;
#[cfg(feature = "ssr")]
pub mod plan;
pub mod plan_api;
pub mod plan_pages;
#[cfg(feature = "ssr")]
pub mod statement;
#[cfg(feature = "ssr")]
pub mod store;

use serde::{Deserialize, Serialize};

/// An amount of money in cents (USD). Negative: money owed to the guarantor (a credit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Cents(pub i64);

impl Cents {
    /// "$1,234.56"; a credit as "-$12.00".
    pub fn display(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let dollars = (abs / 100).to_string();
        let mut grouped = String::new();
        for (i, digit) in dollars.chars().enumerate() {
            if i > 0 && (dollars.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(digit);
        }
        format!("{sign}${grouped}.{:02}", abs % 100)
    }
}

/// The last 4 digits of an account number: all a receipt names.
pub fn last_four(number: &str) -> String {
    let start = number.char_indices().rev().nth(3).map_or(0, |(i, _)| i);
    number[start..].to_owned()
}

/// Why an account shows "Pay Now", or why not (the seed's "I don't see a pay button").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PayNow {
    /// A balance is due and the service area takes payment through Portico.
    Offered,
    /// Nothing is due ($0.00).
    NothingDue,
    /// The guarantor has a credit: nothing to pay.
    Credit,
    /// A partner location that bills on its own: pay it directly, at this phone.
    ElsewhereOnly { area: String, phone: Option<String> },
    /// A balance is due, but this clinic takes no payment online (no processor set up).
    NotOnline,
    /// Less than the smallest online payment ($1.00) is due.
    BelowMinimum,
}

/// One guarantor account on the Billing Summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSummary {
    pub id: i64,
    pub number: String,
    pub guarantor: String,
    /// The patients the account's charges are for, by first name ("Emma, Leo").
    pub patients: Vec<String>,
    pub service_area: String,
    pub balance: Cents,
    pub last_statement: Option<StatementLine>,
    pub pay_now: PayNow,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementLine {
    pub id: i64,
    pub issued_on: String,
    pub due_on: String,
    /// The balance the statement showed: the ledger through its last row.
    pub balance: Cents,
}

/// Everything the Billing Summary shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingSummary {
    pub accounts: Vec<AccountSummary>,
    /// The clinic's billing department (`PORTICO_BILLING_PHONE`), for "if this is incorrect".
    pub billing_phone: Option<String>,
    /// The reader may write to billing from this chart ("Contact customer service").
    pub can_message: bool,
}

/// One visit (or one service without a visit) on an account, with what was charged, what
/// insurance paid and adjusted, and what is left for the guarantor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceGroup {
    pub service_date: String,
    pub patient: String,
    pub lines: Vec<ChargeLine>,
    pub charged: Cents,
    pub insurance_paid: Cents,
    pub insurance_adjusted: Cents,
    pub owed: Cents,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChargeLine {
    /// None: a confidential service the reader is not the patient of ("Confidential
    /// service").
    pub description: Option<String>,
    pub procedure_code: Option<String>,
    pub amount: Cents,
}

/// A payment, refund or billing-office adjustment: rows that belong to the account, not to
/// one visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountActivity {
    pub on: String,
    pub kind: ActivityKind,
    pub amount: Cents,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ActivityKind {
    Payment,
    Refund,
    Adjustment,
}

/// "View account".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountDetail {
    pub summary: AccountSummary,
    /// Newest service first.
    pub services: Vec<ServiceGroup>,
    /// Newest first.
    pub activity: Vec<AccountActivity>,
    /// Newest first.
    pub statements: Vec<StatementLine>,
    pub paperless: bool,
    pub billing_phone: Option<String>,
    pub can_message: bool,
    /// The payment plan in force, or what a new one may be (None: none offered).
    pub plan: PlanState,
    /// Estimates the billing office posted on the account, newest first.
    pub estimates: Vec<EstimateLine>,
}

/// A billing estimate on an account (a PDF the billing office posted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EstimateLine {
    pub id: i64,
    pub title: String,
    pub date: String,
}

/// A payment plan in force: the monthly amount, its day of the month, the next due date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanView {
    pub monthly: Cents,
    pub day: u8,
    pub next_due: String,
}

/// What a new plan may be: its monthly amount, from `min_monthly` (the balance paid within
/// the longest plan) to `max_monthly` (the whole balance).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanOffer {
    pub min_monthly: Cents,
    pub max_monthly: Cents,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PlanState {
    InForce(PlanView),
    Offered(PlanOffer),
    /// The balance is not over the clinic's minimum, or the location bills on its own.
    NotOffered,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_receipt_names_the_last_four_digits_only() {
        assert_eq!(last_four("4000017"), "0017");
        assert_eq!(last_four("017"), "017");
        assert_eq!(last_four(""), "");
    }
}
