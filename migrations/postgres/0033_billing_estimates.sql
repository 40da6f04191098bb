-- Billing estimates (issue 17): what a planned service is expected to cost the guarantor,
-- a PDF the billing office posts on an account for one of the patients it covers. The
-- guarantor's side finds it on the account and in the Documents center, with the
-- statements; a confidential one only the patient it serves does.
CREATE TABLE billing_estimates (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id    BIGINT NOT NULL REFERENCES billing_accounts (id),
    patient_id    BIGINT NOT NULL REFERENCES patients (id),
    -- A service a teen may consent to alone (or one marked so): shown only to its patient.
    confidential  BIGINT NOT NULL DEFAULT 0 CHECK (confidential IN (0, 1)),
    title         TEXT NOT NULL,
    document_date TEXT NOT NULL,
    media_type    TEXT NOT NULL CHECK (media_type = 'application/pdf'),
    content       BYTEA NOT NULL,
    posted_at     BIGINT NOT NULL,
    posted_by     BIGINT REFERENCES users (id),
    FOREIGN KEY (account_id, patient_id) REFERENCES billing_account_patients (account_id, patient_id)
);
CREATE INDEX billing_estimates_account ON billing_estimates (account_id, document_date);
