-- Billing estimates (issue 17): what a planned service is expected to cost the guarantor,
-- a PDF the billing office posts on an account. The guarantor's side finds it on the
-- account and in the Documents center, with the statements.
CREATE TABLE billing_estimates (
    id            INTEGER PRIMARY KEY,
    account_id    INTEGER NOT NULL REFERENCES billing_accounts (id),
    title         TEXT NOT NULL,
    document_date TEXT NOT NULL,
    media_type    TEXT NOT NULL CHECK (media_type = 'application/pdf'),
    content       BLOB NOT NULL,
    posted_at     INTEGER NOT NULL,
    posted_by     INTEGER REFERENCES users (id)
);
CREATE INDEX billing_estimates_account ON billing_estimates (account_id, document_date);
