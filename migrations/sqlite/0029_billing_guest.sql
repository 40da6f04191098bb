-- Pay as Guest (issue 17): a guarantor account opened from the sign-in page with its
-- number and the guarantor's last name, no account needed. An opening lasts minutes; the
-- browser holds its random token (this table keeps only its digest). The guest sees the
-- amount due and the service area, pays, and sees the receipt of payments made in that
-- opening (`billing_payments.guest_view_id`), nothing else of the account.
CREATE TABLE billing_guest_views (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES billing_accounts (id),
    token_hash  TEXT NOT NULL UNIQUE,
    opened_at   INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    client_addr TEXT NOT NULL
);
CREATE INDEX billing_guest_views_account ON billing_guest_views (account_id, opened_at);
ALTER TABLE billing_payments ADD COLUMN guest_view_id INTEGER REFERENCES billing_guest_views (id);
