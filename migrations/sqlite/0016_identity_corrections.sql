-- Corrections of a legal name or date of birth (issue 14, part 2): a patient asks, the
-- Medical Records team (HIM) approves, which changes `patients`, or denies with a reason.
-- `current_*` keep the chart's identity as it was when the request was made.
CREATE TABLE identity_corrections (
    id                 INTEGER PRIMARY KEY,
    patient_id         INTEGER NOT NULL REFERENCES patients (id),
    requested_by       INTEGER NOT NULL REFERENCES users (id),
    current_name       TEXT NOT NULL,
    current_birth_date TEXT NOT NULL,
    given_name         TEXT NOT NULL,
    family_name        TEXT NOT NULL,
    birth_date         TEXT NOT NULL,
    note               TEXT NOT NULL DEFAULT '',
    status             TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'denied')),
    reason             TEXT,
    created_at         INTEGER NOT NULL,
    decided_by         INTEGER REFERENCES users (id),
    decided_at         INTEGER
);
CREATE INDEX identity_corrections_patient ON identity_corrections (patient_id, created_at);
CREATE INDEX identity_corrections_status ON identity_corrections (status, id);
