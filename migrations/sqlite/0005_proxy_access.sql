-- Proxy access: one person's account reading another person's chart (a parent, a
-- guardian, a caregiver), the requests that lead to it, the chart a session has open, and
-- the items a clinician marks confidential (never shown to a proxy).
--
-- A grant's ages are not stored: whether a minor grant still applies, and whether it is
-- narrowed to the teen view, is worked out from the patient's birth date and the clock at
-- every request (access/grants.rs), so no job has to run on a birthday.

CREATE TABLE proxy_grants (
    id            INTEGER PRIMARY KEY,
    proxy_user_id INTEGER NOT NULL REFERENCES users (id),
    patient_id    INTEGER NOT NULL REFERENCES patients (id),
    -- 'minor': a parent or guardian of a child (ends at 18, teen view from 13);
    -- 'adult': an authorization signed for an adult (a caregiver, a healthcare agent).
    kind          TEXT NOT NULL CHECK (kind IN ('minor', 'adult')),
    relationship  TEXT NOT NULL CHECK (relationship IN
                  ('parent', 'legal-guardian', 'caregiver', 'healthcare-agent', 'spouse', 'adult-child')),
    sections      TEXT NOT NULL,          -- comma-separated access::Section names
    starts_at     INTEGER NOT NULL,
    ends_at       INTEGER,                -- NULL: until ended
    approved_by   INTEGER REFERENCES users (id),
    request_id    INTEGER,
    created_at    INTEGER NOT NULL,
    ended_at      INTEGER,
    ended_by      INTEGER REFERENCES users (id),
    end_reason    TEXT
);
CREATE INDEX proxy_grants_proxy ON proxy_grants (proxy_user_id, patient_id);
CREATE INDEX proxy_grants_patient ON proxy_grants (patient_id);

CREATE TABLE proxy_requests (
    id              INTEGER PRIMARY KEY,
    requester_id    INTEGER NOT NULL REFERENCES users (id),
    kind            TEXT NOT NULL CHECK (kind IN ('minor', 'adult')),
    patient_name    TEXT NOT NULL,        -- as the requester wrote it
    birth_date      TEXT NOT NULL,        -- YYYY-MM-DD, as the requester wrote it
    relationship    TEXT NOT NULL,
    attested_at     INTEGER NOT NULL,
    form_media_type TEXT,                 -- adult requests: the signed authorization
    form_file_name  TEXT,
    form_bytes      BLOB,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'denied')),
    created_at      INTEGER NOT NULL,
    due_at          INTEGER NOT NULL,     -- four business days
    matched_patient_id INTEGER REFERENCES patients (id),
    decided_by      INTEGER REFERENCES users (id),
    decided_at      INTEGER,
    decision_reason TEXT,
    idempotency_key TEXT NOT NULL,
    UNIQUE (requester_id, idempotency_key)
);
CREATE INDEX proxy_requests_queue ON proxy_requests (status, due_at);
CREATE INDEX proxy_requests_requester ON proxy_requests (requester_id, created_at);

-- The chart a session has open; NULL is the user's own.
ALTER TABLE sessions ADD COLUMN active_patient_id INTEGER REFERENCES patients (id);

-- Confidential items: 1 hides the item from every reader but the patient and staff.
ALTER TABLE diagnostic_reports ADD COLUMN confidential INTEGER NOT NULL DEFAULT 0 CHECK (confidential IN (0, 1));
ALTER TABLE encounters ADD COLUMN note_confidential INTEGER NOT NULL DEFAULT 0 CHECK (note_confidential IN (0, 1));
ALTER TABLE problems ADD COLUMN confidential INTEGER NOT NULL DEFAULT 0 CHECK (confidential IN (0, 1));
ALTER TABLE medications ADD COLUMN confidential INTEGER NOT NULL DEFAULT 0 CHECK (confidential IN (0, 1));
ALTER TABLE message_threads ADD COLUMN confidential INTEGER NOT NULL DEFAULT 0 CHECK (confidential IN (0, 1));

-- Who a message was sent for: the proxy's relationship when a proxy wrote it.
ALTER TABLE messages ADD COLUMN proxy_relationship TEXT;

-- A graph is kept per audience: 1 = every released value (the patient), 0 = without the
-- confidential reports (a proxy). Marking a report confidential changes what a proxy sees.
DROP TABLE result_series;
CREATE TABLE result_series (
    patient_id INTEGER NOT NULL REFERENCES patients (id),
    loinc      TEXT NOT NULL,
    audience   INTEGER NOT NULL CHECK (audience IN (0, 1)),
    version    INTEGER NOT NULL,
    name       TEXT NOT NULL,
    series     TEXT NOT NULL,
    PRIMARY KEY (patient_id, loinc, audience)
);
CREATE TRIGGER reports_confidential_changed AFTER UPDATE OF confidential ON diagnostic_reports
WHEN OLD.confidential IS NOT NEW.confidential BEGIN
    UPDATE patients SET results_version = results_version + 1 WHERE id = NEW.patient_id;
END;
