-- Payment plans (issue 17): an agreement to pay an account's balance in monthly amounts, on
-- a day of the month, set up by the guarantor (for a balance over the clinic's minimum) or
-- by the billing office, and ended by either. One plan in force per account.
CREATE TABLE billing_plans (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id    BIGINT NOT NULL REFERENCES billing_accounts (id),
    monthly_cents BIGINT NOT NULL CHECK (monthly_cents >= 100),
    day_of_month  BIGINT NOT NULL CHECK (day_of_month BETWEEN 1 AND 28),
    started_at    BIGINT NOT NULL,
    started_by    BIGINT NOT NULL REFERENCES users (id),
    ended_at      BIGINT,
    ended_by      BIGINT REFERENCES users (id)
);
CREATE UNIQUE INDEX billing_plans_in_force ON billing_plans (account_id) WHERE ended_at IS NULL;
