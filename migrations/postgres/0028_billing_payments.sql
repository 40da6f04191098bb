-- Online payments (issue 17). Portico never sees a card: it opens a checkout at the
-- processor for an amount (`billing_payments`, one per Pay Now form, by its idempotency
-- key) and learns what was charged from the processor's signed webhook. The ledger row of a
-- charge carries the processor's own id for it (`processor_charge`, unique): a webhook
-- delivered twice, or after a crash, records the charge once.
CREATE TABLE billing_payments (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id      BIGINT NOT NULL REFERENCES billing_accounts (id),
    amount_cents    BIGINT NOT NULL CHECK (amount_cents >= 100),
    idempotency_key TEXT NOT NULL UNIQUE,
    processor       TEXT NOT NULL,
    checkout_ref    TEXT UNIQUE,
    status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'paid', 'failed', 'expired')),
    started_by      BIGINT REFERENCES users (id),   -- NULL: a guest
    started_at      BIGINT NOT NULL,
    settled_at      BIGINT
);
CREATE INDEX billing_payments_account ON billing_payments (account_id, started_at);
ALTER TABLE billing_entries ADD COLUMN payment_id BIGINT REFERENCES billing_payments (id);
ALTER TABLE billing_entries ADD COLUMN processor_charge TEXT;
CREATE UNIQUE INDEX billing_entries_processor_charge ON billing_entries (processor_charge);

-- The built-in test processor's own books (PORTICO_PAYMENTS=test: the demo and the tests).
-- A real processor keeps these on its side; this one keeps them here, apart from Portico's.
-- Its events wait in `test_processor_events` until the webhook accepted them, and are sent
-- again after a restart, as a processor retries.
CREATE TABLE test_processor_checkouts (
    id              TEXT PRIMARY KEY,
    amount_cents    BIGINT NOT NULL,
    reference       TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    success_url     TEXT NOT NULL,
    cancel_url      TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('open', 'complete', 'expired')),
    charge_id       TEXT UNIQUE,
    created_at      BIGINT NOT NULL
);
CREATE TABLE test_processor_events (
    id           TEXT PRIMARY KEY,
    body         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    delivered_at BIGINT,
    attempts     BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX test_processor_events_waiting ON test_processor_events (delivered_at, created_at);
