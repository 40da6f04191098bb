-- Requests for a copy of the record (issue 16): a patient, or a proxy with the Documents
-- section, asks Health Information Management for a copy (everything, or a date range and
-- the parts they choose); HIM answers within the 30 days HIPAA allows, with a copy made
-- from the chart or with a reason it declines. A copy is made as its requester may see the
-- chart: `max_confidential` 0 for a proxy (nothing confidential), 1 for the patient. Only
-- its requester sees a request and downloads its copy.
CREATE TABLE record_requests (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    patient_id       BIGINT NOT NULL REFERENCES patients (id),
    requested_by     BIGINT NOT NULL REFERENCES users (id),
    max_confidential BIGINT NOT NULL CHECK (max_confidential IN (0, 1)),
    from_date        TEXT,                 -- YYYY-MM-DD; NULL: from the first entry
    to_date          TEXT,                 -- NULL: up to the day the copy is made
    parts            TEXT NOT NULL,        -- "problems,visits,results"
    reason           TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'fulfilled', 'declined')),
    created_at       BIGINT NOT NULL,
    due_at           BIGINT NOT NULL,
    decided_by       BIGINT REFERENCES users (id),
    decided_at       BIGINT,
    decline_reason   TEXT,
    file_media_type  TEXT,
    file_bytes       BYTEA
);
CREATE INDEX record_requests_requester ON record_requests (patient_id, requested_by, created_at);
CREATE INDEX record_requests_queue ON record_requests (status, due_at);
-- One waiting request per requester and chart, even when two arrive at once.
CREATE UNIQUE INDEX record_requests_one_waiting ON record_requests (patient_id, requested_by) WHERE status = 'pending';
