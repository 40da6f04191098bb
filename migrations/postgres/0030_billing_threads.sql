-- "Contact customer service" on a guarantor account (issue 17): the billing pool's thread
-- names the account it is about, so billing staff see the account beside the thread.
ALTER TABLE message_threads ADD COLUMN billing_account_id BIGINT REFERENCES billing_accounts (id);
