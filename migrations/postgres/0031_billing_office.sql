-- The billing office's own postings (issue 17): an adjustment or a refund, each with the
-- reason and who posted it (billing_entries.reason, posted_by), and the key of the form
-- that posted it, so that a double click or a resent form posts once.
ALTER TABLE billing_entries ADD COLUMN form_key TEXT;
CREATE UNIQUE INDEX billing_entries_form_key ON billing_entries (form_key);
