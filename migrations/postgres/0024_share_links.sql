-- A share as a SMART Health Link (issue 16): the same share, read by a health app that
-- scans its `shlink:/` QR code. The link names the share by a random id (only its keyed
-- digest is kept here, as for the code) and carries the key the app decrypts the record
-- with; the server keeps that key sealed under its own key (outside the database) because
-- it encrypts each answer afresh, from the chart as it is then. `link_failures` counts
-- wrong passcodes over the link's whole life: at five the link is dropped (its digest
-- cleared), the code still works. Shares made before this have no link.
ALTER TABLE record_shares ADD COLUMN link_hash TEXT;
ALTER TABLE record_shares ADD COLUMN link_key TEXT;
ALTER TABLE record_shares ADD COLUMN link_failures BIGINT NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX record_shares_link ON record_shares (link_hash);
