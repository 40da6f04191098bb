-- "Break the glass": a clinician opening a chart outside their care relationships gives a
-- reason; the access lasts for that session (session_id: the sessions row may be gone by
-- the time HIM reviews it, so no foreign key) and HIM reviews each one.
CREATE TABLE break_glass (
    id            INTEGER PRIMARY KEY,
    session_id    INTEGER NOT NULL,
    staff_user_id INTEGER NOT NULL REFERENCES users (id),
    patient_id    INTEGER NOT NULL REFERENCES patients (id),
    reason        TEXT NOT NULL CHECK (reason IN ('emergency', 'covering', 'coordination', 'other')),
    note          TEXT NOT NULL DEFAULT '',
    at            INTEGER NOT NULL,
    reviewed_by   INTEGER REFERENCES users (id),
    reviewed_at   INTEGER
);
CREATE INDEX break_glass_session ON break_glass (session_id, patient_id);
CREATE INDEX break_glass_unreviewed ON break_glass (reviewed_at, at);
