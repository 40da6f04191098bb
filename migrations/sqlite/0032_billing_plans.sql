-- Payment plans (issue 17): an agreement to pay an account's balance in monthly amounts, on
-- a day of the month, set up by the guarantor (for a balance over the clinic's minimum) or
-- by the billing office, and ended by either. One plan in force per account.
CREATE TABLE billing_plans (
    id            INTEGER PRIMARY KEY,
    account_id    INTEGER NOT NULL REFERENCES billing_accounts (id),
    monthly_cents INTEGER NOT NULL CHECK (monthly_cents >= 100),
    day_of_month  INTEGER NOT NULL CHECK (day_of_month BETWEEN 1 AND 28),
    started_at    INTEGER NOT NULL,
    started_by    INTEGER NOT NULL REFERENCES users (id),
    ended_at      INTEGER,
    ended_by      INTEGER REFERENCES users (id)
);
CREATE UNIQUE INDEX billing_plans_in_force ON billing_plans (account_id) WHERE ended_at IS NULL;
