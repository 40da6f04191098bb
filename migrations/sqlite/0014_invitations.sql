-- Invitations (issue 14, part 4): an adult patient invites a caregiver to see their chart.
-- The e-mailed link's token is stored hashed; accepting it (once, within 14 days) makes
-- the grant it describes, for a new account with no chart of its own or an existing one.
CREATE TABLE invitations (
    id               INTEGER PRIMARY KEY,
    token_hash       TEXT NOT NULL UNIQUE,
    patient_id       INTEGER NOT NULL REFERENCES patients (id),
    invited_by       INTEGER NOT NULL REFERENCES users (id),
    name             TEXT NOT NULL,
    email            TEXT NOT NULL,
    -- 'adult', or 'minor' when HIM invites a parent or guardian to a child's chart.
    kind             TEXT NOT NULL DEFAULT 'adult' CHECK (kind IN ('adult', 'minor')),
    relationship     TEXT NOT NULL,
    sections         TEXT NOT NULL,
    ends_at          INTEGER,
    created_at       INTEGER NOT NULL,
    expires_at       INTEGER NOT NULL,
    accepted_at      INTEGER,
    accepted_user_id INTEGER REFERENCES users (id),
    voided_at        INTEGER
);
CREATE INDEX invitations_sender ON invitations (invited_by, created_at);
CREATE INDEX invitations_patient ON invitations (patient_id);
