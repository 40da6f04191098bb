-- "Download my whole record" (issue 16): an archive (zip) of the record as a PDF and as a
-- FHIR bundle, with every document on file, made in the background for its requester (the
-- patient, or a proxy with Documents, at what they may see: `max_confidential` and the
-- sections of the grant when asked). The file is kept until `expires_at`, then dropped.
CREATE TABLE record_exports (
    id               INTEGER PRIMARY KEY,
    patient_id       INTEGER NOT NULL REFERENCES patients (id),
    requested_by     INTEGER NOT NULL REFERENCES users (id),
    max_confidential INTEGER NOT NULL CHECK (max_confidential IN (0, 1)),
    sections         TEXT NOT NULL,              -- "visits,results,documents"
    status           TEXT NOT NULL DEFAULT 'working' CHECK (status IN ('working', 'ready', 'failed')),
    progress         INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    created_at       INTEGER NOT NULL,
    finished_at      INTEGER,
    expires_at       INTEGER,
    byte_size        INTEGER,
    file_bytes       BLOB
);
CREATE INDEX record_exports_reader ON record_exports (patient_id, requested_by, created_at);
-- One archive in the making per reader and chart, even when two clicks arrive at once.
CREATE UNIQUE INDEX record_exports_one_working ON record_exports (patient_id, requested_by) WHERE status = 'working';
