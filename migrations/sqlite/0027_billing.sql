-- Billing (issue 17). A guarantor account belongs to the person responsible for paying (a
-- parent for two children, or the patient themself), named here by that person's record;
-- it covers the patients its charges name and one service area. A service area that bills
-- on its own (a partner location) cannot take payment through Portico and has its own
-- billing phone.
-- Money is integer cents. The balance is never stored: it is the sum of the ledger's rows
-- (a credit is a negative sum); a statement names the last row it holds, not a total.
CREATE TABLE billing_service_areas (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL,
    online_payments INTEGER NOT NULL CHECK (online_payments IN (0, 1)),
    billing_phone   TEXT            -- a partner's own; NULL: the clinic's (configuration)
);

CREATE TABLE billing_accounts (
    id              INTEGER PRIMARY KEY,
    number          TEXT NOT NULL UNIQUE,   -- as printed on statements
    guarantor_id    INTEGER NOT NULL REFERENCES patients (id),
    service_area_id INTEGER NOT NULL REFERENCES billing_service_areas (id),
    paperless       INTEGER NOT NULL DEFAULT 0 CHECK (paperless IN (0, 1)),
    created_at      INTEGER NOT NULL
);
CREATE INDEX billing_accounts_guarantor ON billing_accounts (guarantor_id);

-- The patients an account covers (a parent's account: their children). A charge names one
-- of them.
CREATE TABLE billing_account_patients (
    account_id INTEGER NOT NULL REFERENCES billing_accounts (id),
    patient_id INTEGER NOT NULL REFERENCES patients (id),
    PRIMARY KEY (account_id, patient_id)
);

-- One row per charge, insurance payment or adjustment, patient payment, refund or
-- adjustment by the billing office. `amount_cents` is what the row adds to what the
-- guarantor owes (payments and write-offs lower it). Insurance rows name the charge they
-- settle (`applies_to`); a charge names the patient served and, when there was one, the
-- visit. `confidential`: a service a teen may consent to alone (or any the clinician marked
-- so): its description and code are shown only to the patient it served.
CREATE TABLE billing_entries (
    id             INTEGER PRIMARY KEY,
    account_id     INTEGER NOT NULL REFERENCES billing_accounts (id),
    kind           TEXT NOT NULL CHECK (kind IN ('charge','insurance-payment','insurance-adjustment',
                                                 'patient-payment','refund','adjustment')),
    applies_to     INTEGER REFERENCES billing_entries (id),
    patient_id     INTEGER REFERENCES patients (id),
    encounter_id   INTEGER REFERENCES encounters (id),
    service_date   TEXT,
    description    TEXT NOT NULL DEFAULT '',
    procedure_code TEXT,
    confidential   INTEGER NOT NULL DEFAULT 0 CHECK (confidential IN (0, 1)),
    amount_cents   INTEGER NOT NULL,
    posted_at      INTEGER NOT NULL,
    posted_by      INTEGER REFERENCES users (id),
    reason         TEXT,
    CHECK ((kind = 'charge' AND amount_cents > 0 AND patient_id IS NOT NULL AND service_date IS NOT NULL)
        OR (kind IN ('insurance-payment','insurance-adjustment') AND amount_cents < 0 AND applies_to IS NOT NULL)
        OR (kind = 'patient-payment' AND amount_cents < 0)
        OR (kind = 'refund' AND amount_cents > 0)
        OR (kind = 'adjustment' AND amount_cents <> 0)),
    FOREIGN KEY (account_id, patient_id) REFERENCES billing_account_patients (account_id, patient_id)
);
-- Balances and statements sum `amount_cents` over an account's rows (up to an id): the
-- index holds all three, so the sum reads no table row.
CREATE INDEX billing_entries_account ON billing_entries (account_id, id, amount_cents);

-- A statement: the ledger up to and including `through_entry_id`, sent on `issued_on`.
CREATE TABLE billing_statements (
    id               INTEGER PRIMARY KEY,
    account_id       INTEGER NOT NULL REFERENCES billing_accounts (id),
    issued_on        TEXT NOT NULL,
    due_on           TEXT NOT NULL,
    through_entry_id INTEGER NOT NULL REFERENCES billing_entries (id)
);
CREATE INDEX billing_statements_account ON billing_statements (account_id, issued_on);
