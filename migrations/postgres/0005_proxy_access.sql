-- Proxy access: one person's account reading another person's chart (a parent, a
-- guardian, a caregiver), the requests that lead to it, the chart a session has open, and
-- the items a clinician marks confidential (never shown to a proxy).
--
-- A grant's ages are not stored: whether a minor grant still applies, and whether it is
-- narrowed to the teen view, is worked out from the patient's birth date and the clock at
-- every request (access/grants.rs), so no job has to run on a birthday.

CREATE TABLE proxy_grants (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    proxy_user_id BIGINT NOT NULL REFERENCES users (id),
    patient_id    BIGINT NOT NULL REFERENCES patients (id),
    kind          TEXT NOT NULL CHECK (kind IN ('minor', 'adult')),
    relationship  TEXT NOT NULL CHECK (relationship IN
                  ('parent', 'legal-guardian', 'caregiver', 'healthcare-agent', 'spouse', 'adult-child')),
    sections      TEXT NOT NULL,
    starts_at     BIGINT NOT NULL,
    ends_at       BIGINT,
    approved_by   BIGINT REFERENCES users (id),
    request_id    BIGINT,
    created_at    BIGINT NOT NULL,
    ended_at      BIGINT,
    ended_by      BIGINT REFERENCES users (id),
    end_reason    TEXT
);
CREATE INDEX proxy_grants_proxy ON proxy_grants (proxy_user_id, patient_id);
CREATE INDEX proxy_grants_patient ON proxy_grants (patient_id);

CREATE TABLE proxy_requests (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    requester_id    BIGINT NOT NULL REFERENCES users (id),
    kind            TEXT NOT NULL CHECK (kind IN ('minor', 'adult')),
    patient_name    TEXT NOT NULL,
    birth_date      TEXT NOT NULL,
    relationship    TEXT NOT NULL,
    attested_at     BIGINT NOT NULL,
    form_media_type TEXT,
    form_file_name  TEXT,
    form_bytes      BYTEA,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'denied')),
    created_at      BIGINT NOT NULL,
    due_at          BIGINT NOT NULL,
    matched_patient_id BIGINT REFERENCES patients (id),
    decided_by      BIGINT REFERENCES users (id),
    decided_at      BIGINT,
    decision_reason TEXT,
    idempotency_key TEXT NOT NULL,
    UNIQUE (requester_id, idempotency_key)
);
CREATE INDEX proxy_requests_queue ON proxy_requests (status, due_at);
CREATE INDEX proxy_requests_requester ON proxy_requests (requester_id, created_at);

ALTER TABLE sessions ADD COLUMN active_patient_id BIGINT REFERENCES patients (id);

ALTER TABLE diagnostic_reports ADD COLUMN confidential BIGINT NOT NULL DEFAULT 0 CHECK (confidential IN (0, 1));
ALTER TABLE encounters ADD COLUMN note_confidential BIGINT NOT NULL DEFAULT 0 CHECK (note_confidential IN (0, 1));
ALTER TABLE problems ADD COLUMN confidential BIGINT NOT NULL DEFAULT 0 CHECK (confidential IN (0, 1));
ALTER TABLE medications ADD COLUMN confidential BIGINT NOT NULL DEFAULT 0 CHECK (confidential IN (0, 1));
ALTER TABLE message_threads ADD COLUMN confidential BIGINT NOT NULL DEFAULT 0 CHECK (confidential IN (0, 1));

ALTER TABLE messages ADD COLUMN proxy_relationship TEXT;

-- A graph is kept per audience: 1 = every released value (the patient), 0 = without the
-- confidential reports (a proxy).
DROP TABLE result_series;
CREATE TABLE result_series (
    patient_id BIGINT NOT NULL REFERENCES patients (id),
    loinc      TEXT NOT NULL,
    audience   BIGINT NOT NULL CHECK (audience IN (0, 1)),
    version    BIGINT NOT NULL,
    name       TEXT NOT NULL,
    series     TEXT NOT NULL,
    PRIMARY KEY (patient_id, loinc, audience)
);
-- Marking a report confidential changes what a proxy's graph may hold, like a release.
CREATE OR REPLACE FUNCTION bump_results_version_on_release() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE patients SET results_version = results_version + 1
    WHERE id IN (SELECT n.patient_id FROM new_reports n JOIN old_reports o ON o.id = n.id
                 WHERE n.released_at IS DISTINCT FROM o.released_at
                    OR n.confidential IS DISTINCT FROM o.confidential);
    RETURN NULL;
END $$;
