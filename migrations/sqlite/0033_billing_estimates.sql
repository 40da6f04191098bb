-- Billing estimates (issue 17): what a planned service is expected to cost the guarantor,
-- a PDF the billing office posts on an account for one of the patients it covers. The
-- guarantor's side finds it on the account and in the Documents center, with the
-- statements; a confidential one only the patient it serves does.
CREATE TABLE billing_estimates (
    id            INTEGER PRIMARY KEY,
    account_id    INTEGER NOT NULL REFERENCES billing_accounts (id),
    patient_id    INTEGER NOT NULL REFERENCES patients (id),
    -- A service a teen may consent to alone (or one marked so): shown only to its patient.
    confidential  INTEGER NOT NULL DEFAULT 0 CHECK (confidential IN (0, 1)),
    title         TEXT NOT NULL,
    document_date TEXT NOT NULL,
    media_type    TEXT NOT NULL CHECK (media_type = 'application/pdf'),
    content       BLOB NOT NULL,
    posted_at     INTEGER NOT NULL,
    posted_by     INTEGER REFERENCES users (id),
    FOREIGN KEY (account_id, patient_id) REFERENCES billing_account_patients (account_id, patient_id)
);
CREATE INDEX billing_estimates_account ON billing_estimates (account_id, document_date);
