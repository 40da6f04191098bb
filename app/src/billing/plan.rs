//! Payment plans: paying a balance in monthly amounts on a chosen day of the month. Offered
//! for a balance over the clinic's minimum (`PORTICO_BILLING_PLAN_MINIMUM`) at a location
//! that takes payment through Portico; the monthly amount pays the balance within
//! `PLAN_MAX_MONTHS` and is at least `PLAN_MIN_MONTHLY_CENTS`. One plan in force per
//! account; the guarantor (or a proxy with Billing) and the billing office set it up or end
//! it, each audited. A plan is an agreement, not a stored card: each month's amount is paid
//! with Pay Now (Portico never holds a card).
use super::{Cents, PlanOffer};

/// A plan pays the balance off within this many months.
pub const PLAN_MAX_MONTHS: i64 = 24;
/// The smallest monthly amount ($10.00).
pub const PLAN_MIN_MONTHLY_CENTS: i64 = 1_000;
/// Days of the month a plan's payment may fall on (every month has them).
pub const PLAN_DAYS: std::ops::RangeInclusive<u8> = 1..=28;

/// What may be chosen for an account with `balance`, or None when no plan is offered.
pub fn offer(balance: Cents, minimum: Cents, area_online: bool) -> Option<PlanOffer> {
    if !area_online || balance.0 <= minimum.0 || balance.0 <= 0 {
        return None;
    }
    let fastest_allowed = (balance.0 + PLAN_MAX_MONTHS - 1) / PLAN_MAX_MONTHS;
    let min_monthly = fastest_allowed.max(PLAN_MIN_MONTHLY_CENTS).min(balance.0);
    Some(PlanOffer { min_monthly: Cents(min_monthly), max_monthly: balance })
}

/// Why a chosen plan is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanProblem {
    Amount,
    TooSmall,
    TooLarge,
    Day,
}

/// The monthly amount (typed in dollars) and the day, checked against the offer.
pub fn choose(offer: &PlanOffer, monthly: &str, day: &str) -> Result<(Cents, u8), PlanProblem> {
    let cents = super::ledger::parse_dollars(monthly).ok_or(PlanProblem::Amount)?;
    if cents < offer.min_monthly.0 {
        return Err(PlanProblem::TooSmall);
    }
    if cents > offer.max_monthly.0 {
        return Err(PlanProblem::TooLarge);
    }
    let day: u8 = day.trim().parse().map_err(|_| PlanProblem::Day)?;
    if !PLAN_DAYS.contains(&day) {
        return Err(PlanProblem::Day);
    }
    Ok((Cents(cents), day))
}

/// The next day the plan's payment is due, from `today` (today itself when it is the day).
pub fn next_due(today: time::Date, day: u8) -> time::Date {
    let this_month = today.replace_day(day).unwrap_or(today);
    if this_month >= today {
        return this_month;
    }
    let first_of_next = today.replace_day(1).unwrap_or(today) + time::Duration::days(32);
    first_of_next.replace_day(day).unwrap_or(first_of_next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_plan_is_offered_over_the_minimum_and_pays_off_within_two_years() {
        let minimum = Cents(20_000);
        assert_eq!(offer(Cents(20_000), minimum, true), None, "not at the minimum itself");
        assert_eq!(offer(Cents(50_000), minimum, false), None, "not at a partner location");
        let o = offer(Cents(120_000), minimum, true).unwrap();
        assert_eq!((o.min_monthly, o.max_monthly), (Cents(5_000), Cents(120_000)));
        let small = offer(Cents(20_100), minimum, true).unwrap();
        assert_eq!(small.min_monthly, Cents(PLAN_MIN_MONTHLY_CENTS));
        // $1,000.01 over 24 months rounds the monthly amount up, not down.
        assert_eq!(offer(Cents(100_001), minimum, true).unwrap().min_monthly, Cents(4_167));
    }

    #[test]
    fn a_chosen_plan_is_checked_against_the_offer() {
        let o = offer(Cents(120_000), Cents(20_000), true).unwrap();
        assert_eq!(choose(&o, "50", "15"), Ok((Cents(5_000), 15)));
        assert_eq!(choose(&o, "49.99", "15"), Err(PlanProblem::TooSmall));
        assert_eq!(choose(&o, "1200.01", "15"), Err(PlanProblem::TooLarge));
        assert_eq!(choose(&o, "fifty", "15"), Err(PlanProblem::Amount));
        assert_eq!(choose(&o, "50", "29"), Err(PlanProblem::Day));
        assert_eq!(choose(&o, "50", "0"), Err(PlanProblem::Day));
        assert_eq!(choose(&o, "50", ""), Err(PlanProblem::Day));
    }

    #[test]
    fn the_next_payment_falls_on_the_day_this_month_or_next() {
        assert_eq!(next_due(date!(2026 - 11 - 30), 15), date!(2026 - 12 - 15));
        assert_eq!(next_due(date!(2026 - 11 - 10), 15), date!(2026 - 11 - 15));
        assert_eq!(next_due(date!(2026 - 11 - 15), 15), date!(2026 - 11 - 15));
        assert_eq!(next_due(date!(2026 - 12 - 31), 28), date!(2027 - 01 - 28));
        assert_eq!(next_due(date!(2027 - 01 - 31), 1), date!(2027 - 02 - 01));
    }
}
