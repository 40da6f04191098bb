//! The rules of an account's ledger, apart from the database: a balance is the sum of its
//! rows; each visit's charges gather the insurance rows that settle them; "Pay Now" is
//! offered only when something is due and the service area takes payment through Portico;
//! a confidential service's description reaches only the patient it served.
use std::collections::BTreeMap;

use super::{AccountActivity, ActivityKind, Cents, ChargeLine, PayNow, ServiceGroup};

/// A ledger row as stored (see migrations/*/0027_billing.sql).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct LedgerRow {
    pub id: i64,
    pub kind: String,
    pub applies_to: Option<i64>,
    pub patient_id: Option<i64>,
    /// The served patient's first name, for a charge.
    pub patient: Option<String>,
    pub encounter_id: Option<i64>,
    pub service_date: Option<String>,
    pub description: String,
    pub procedure_code: Option<String>,
    pub confidential: i64,
    pub amount_cents: i64,
    pub posted_at: i64,
}

/// What the guarantor owes now: every row's amount, summed (negative: a credit).
pub fn balance(rows: &[LedgerRow]) -> Cents {
    Cents(rows.iter().map(|r| r.amount_cents).sum())
}

/// The seed's rules for the "Pay Now" button, in the order a guarantor needs them: a
/// partner location never takes payment here (whatever the balance, so the phone is
/// shown); then nothing due or a credit; then whether this clinic takes payment online at
/// all (`clinic_online`: a processor is configured).
pub fn pay_now(
    balance: Cents,
    area_online: bool,
    area: &str,
    area_phone: Option<&str>,
    clinic_online: bool,
) -> PayNow {
    if !area_online {
        PayNow::ElsewhereOnly { area: area.to_owned(), phone: area_phone.map(str::to_owned) }
    } else if balance.0 == 0 {
        PayNow::NothingDue
    } else if balance.0 < 0 {
        PayNow::Credit
    } else if !clinic_online {
        PayNow::NotOnline
    } else if balance.0 < MIN_PAYMENT_CENTS {
        PayNow::BelowMinimum
    } else {
        PayNow::Offered
    }
}

/// The smallest payment taken online ($1.00; the database refuses less).
pub const MIN_PAYMENT_CENTS: i64 = 100;

/// The most a typed amount may say ($10,000,000.00): more digits are a typo, not a payment.
pub const MAX_TYPED_CENTS: i64 = 1_000_000_000;

/// A typed amount in dollars ("25", "25.5", "$1,025.00") as cents; None for anything else
/// (a sign, letters, more than two decimals, more than `MAX_TYPED_CENTS`).
pub fn parse_dollars(text: &str) -> Option<i64> {
    let text = text.trim();
    let text = text.strip_prefix('$').unwrap_or(text).replace(',', "");
    let (dollars, cents) = text.split_once('.').unwrap_or((&text, ""));
    let digits = |s: &str| !s.is_empty() && s.len() <= 10 && s.bytes().all(|b| b.is_ascii_digit());
    let has_point = text.contains('.');
    if !digits(dollars) || (has_point && !digits(cents)) || cents.len() > 2 {
        return None;
    }
    let cents = match cents.len() {
        0 => 0,
        1 => cents.parse::<i64>().ok()? * 10,
        _ => cents.parse::<i64>().ok()?,
    };
    let total = dollars.parse::<i64>().ok()?.checked_mul(100)?.checked_add(cents)?;
    (total <= MAX_TYPED_CENTS).then_some(total)
}

/// Sorts an account's rows into its services (a visit's charges with the insurance rows
/// that settle them; a charge without a visit alone), newest first, and the rows that
/// belong to the account as a whole (payments, refunds, office adjustments), newest first.
/// `shows_confidential(patient_id)` says whether the reader may see what a confidential
/// service was for that patient; `date_of` turns a posting time into the clinic's date.
pub fn services_and_activity(
    rows: &[LedgerRow],
    shows_confidential: impl Fn(i64) -> bool,
    date_of: impl Fn(i64) -> String,
) -> (Vec<ServiceGroup>, Vec<AccountActivity>) {
    // Each charge's group: its visit, or (without one) itself. Keys keep the order of the
    // first charge of each group.
    let mut group_of_charge: BTreeMap<i64, GroupKey> = BTreeMap::new();
    let mut groups: BTreeMap<GroupKey, ServiceGroup> = BTreeMap::new();
    let mut activity = Vec::new();
    for row in rows.iter().filter(|r| r.kind == "charge") {
        let key = match row.encounter_id {
            Some(visit) => GroupKey::Visit(visit),
            None => GroupKey::Charge(row.id),
        };
        group_of_charge.insert(row.id, key);
        let group = groups.entry(key).or_insert_with(|| ServiceGroup {
            service_date: row.service_date.clone().unwrap_or_default(),
            patient: row.patient.clone().unwrap_or_default(),
            lines: Vec::new(),
            charged: Cents(0),
            insurance_paid: Cents(0),
            insurance_adjusted: Cents(0),
            owed: Cents(0),
        });
        let hidden = row.confidential != 0 && !row.patient_id.is_some_and(&shows_confidential);
        group.lines.push(ChargeLine {
            description: (!hidden).then(|| row.description.clone()),
            procedure_code: if hidden { None } else { row.procedure_code.clone() },
            amount: Cents(row.amount_cents),
        });
        group.charged.0 += row.amount_cents;
        group.owed.0 += row.amount_cents;
    }
    for row in rows.iter().filter(|r| r.kind != "charge") {
        let group = row.applies_to.and_then(|c| group_of_charge.get(&c)).and_then(|k| groups.get_mut(k));
        match (row.kind.as_str(), group) {
            ("insurance-payment", Some(group)) => {
                group.insurance_paid.0 += row.amount_cents;
                group.owed.0 += row.amount_cents;
            }
            ("insurance-adjustment", Some(group)) => {
                group.insurance_adjusted.0 += row.amount_cents;
                group.owed.0 += row.amount_cents;
            }
            (kind, _) => activity.push(AccountActivity {
                on: date_of(row.posted_at),
                kind: match kind {
                    "patient-payment" => ActivityKind::Payment,
                    "refund" => ActivityKind::Refund,
                    _ => ActivityKind::Adjustment,
                },
                amount: Cents(row.amount_cents),
            }),
        }
    }
    let mut services: Vec<ServiceGroup> = groups.into_values().collect();
    services.sort_by(|a, b| b.service_date.cmp(&a.service_date));
    activity.reverse();
    (services, activity)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum GroupKey {
    Visit(i64),
    Charge(i64),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i64, kind: &str, amount: i64) -> LedgerRow {
        LedgerRow {
            id,
            kind: kind.to_owned(),
            applies_to: None,
            patient_id: Some(1),
            patient: Some("Emma".to_owned()),
            encounter_id: None,
            service_date: Some("2026-10-01".to_owned()),
            description: format!("service {id}"),
            procedure_code: Some("99213".to_owned()),
            confidential: 0,
            amount_cents: amount,
            posted_at: id * 1000,
        }
    }

    #[test]
    fn cents_read_as_dollars_with_thousands_and_credit_sign() {
        assert_eq!(Cents(0).display(), "$0.00");
        assert_eq!(Cents(5).display(), "$0.05");
        assert_eq!(Cents(123_456_78).display(), "$123,456.78");
        assert_eq!(Cents(1_000_000_00).display(), "$1,000,000.00");
        assert_eq!(Cents(-1200).display(), "-$12.00");
    }

    #[test]
    fn typed_dollars_read_as_cents_and_nothing_else_does() {
        for (typed, cents) in
            [("25", 2_500), ("25.5", 2_550), ("25.05", 2_505), (" $1,025.00 ", 102_500), ("0.99", 99)]
        {
            assert_eq!(parse_dollars(typed), Some(cents), "{typed}");
        }
        for typed in
            ["", "-5", "5.001", "abc", "1e3", "5.", ".5", "$", "12.3.4", "99999999999", "10000000.01"]
        {
            assert_eq!(parse_dollars(typed), None, "{typed}");
        }
        assert_eq!(parse_dollars("10000000.00"), Some(MAX_TYPED_CENTS));
    }

    #[test]
    fn pay_now_follows_the_seed_rules() {
        assert_eq!(pay_now(Cents(100), true, "Clinic", None, true), PayNow::Offered);
        assert_eq!(pay_now(Cents(99), true, "Clinic", None, true), PayNow::BelowMinimum);
        assert_eq!(pay_now(Cents(1), true, "Clinic", None, false), PayNow::NotOnline);
        assert_eq!(pay_now(Cents(0), true, "Clinic", None, true), PayNow::NothingDue);
        assert_eq!(pay_now(Cents(-500), true, "Clinic", None, true), PayNow::Credit);
        // A partner location says where to pay even with a balance due.
        assert_eq!(
            pay_now(Cents(9900), false, "Harbor Urgent Care", Some("555-0142"), true),
            PayNow::ElsewhereOnly { area: "Harbor Urgent Care".into(), phone: Some("555-0142".into()) }
        );
    }

    #[test]
    fn a_visit_gathers_its_charges_and_the_insurance_rows_that_settle_them() {
        let mut office = row(1, "charge", 18_000);
        office.encounter_id = Some(7);
        let mut lab = row(2, "charge", 4_500);
        lab.encounter_id = Some(7);
        let mut paid = row(3, "insurance-payment", -12_000);
        paid.applies_to = Some(1);
        let mut adjusted = row(4, "insurance-adjustment", -3_000);
        adjusted.applies_to = Some(2);
        let payment = row(5, "patient-payment", -2_000);
        let rows = vec![office, lab, paid, adjusted, payment];
        let (services, activity) = services_and_activity(&rows, |_| true, |ms| ms.to_string());
        assert_eq!(services.len(), 1);
        let visit = &services[0];
        assert_eq!(
            (visit.charged, visit.insurance_paid, visit.insurance_adjusted),
            (Cents(22_500), Cents(-12_000), Cents(-3_000))
        );
        assert_eq!(visit.owed, Cents(7_500));
        assert_eq!(
            activity,
            vec![AccountActivity { on: "5000".into(), kind: ActivityKind::Payment, amount: Cents(-2_000) }]
        );
        // What the visits leave owed, less what was paid, is the balance.
        assert_eq!(balance(&rows), Cents(visit.owed.0 - 2_000));
    }

    #[test]
    fn a_confidential_service_is_named_only_to_its_patient() {
        let mut secret = row(1, "charge", 9_000);
        secret.confidential = 1;
        secret.patient_id = Some(42);
        let rows = vec![secret];
        let (for_parent, _) = services_and_activity(&rows, |patient| patient != 42, |ms| ms.to_string());
        assert_eq!(for_parent[0].lines[0].description, None);
        assert_eq!(for_parent[0].lines[0].procedure_code, None);
        // The amount still adds up: the guarantor owes it.
        assert_eq!(for_parent[0].owed, Cents(9_000));
        let (for_teen, _) = services_and_activity(&rows, |patient| patient == 42, |ms| ms.to_string());
        assert_eq!(for_teen[0].lines[0].description.as_deref(), Some("service 1"));
    }

    #[test]
    fn services_are_newest_first() {
        let mut old = row(1, "charge", 100);
        old.service_date = Some("2025-01-01".into());
        let new = row(2, "charge", 100);
        let (services, _) = services_and_activity(&[old, new], |_| true, |ms| ms.to_string());
        assert_eq!(services[0].service_date, "2026-10-01");
    }
}
