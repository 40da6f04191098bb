-- Share codes (issue 16): a patient, or a proxy whose grant includes Documents, shares
-- part of the record with a clinician elsewhere for a while (one hour to seven days). The
-- clinician opens /share, types the code and the patient's date of birth, and reads a
-- page with no account. Only the code's hash is kept (the patient sees it once, and its
-- last four characters after). `max_confidential` is the sharer's visibility when they
-- made it: a proxy's share holds nothing confidential.
CREATE TABLE record_shares (
    id               INTEGER PRIMARY KEY,
    patient_id       INTEGER NOT NULL REFERENCES patients (id),
    created_by       INTEGER NOT NULL REFERENCES users (id),
    max_confidential INTEGER NOT NULL CHECK (max_confidential IN (0, 1)),
    scope            TEXT NOT NULL CHECK (scope IN ('summary', 'visits')),
    visit_ids        TEXT NOT NULL DEFAULT '',   -- "12,15" when scope is 'visits'
    code_hash        TEXT NOT NULL UNIQUE,
    code_hint        TEXT NOT NULL,              -- the code's last four characters
    created_at       INTEGER NOT NULL,
    expires_at       INTEGER NOT NULL,
    ended_at         INTEGER
);
CREATE INDEX record_shares_patient ON record_shares (patient_id, created_by, created_at);

-- Each time the code was opened: a view token (its hash) kept in the clinician's browser
-- for at most 30 minutes, and when and from where, for the patient to see.
CREATE TABLE record_share_views (
    id          INTEGER PRIMARY KEY,
    share_id    INTEGER NOT NULL REFERENCES record_shares (id),
    token_hash  TEXT NOT NULL UNIQUE,
    opened_at   INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    client_addr TEXT NOT NULL,
    user_agent  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX record_share_views_share ON record_share_views (share_id, opened_at);
