-- The document center (issue 16): the documents on file for one chart, as staff post them
-- (discharge summaries, operative reports, letters): a PDF or an image, at most 20 MB.
-- Visit records, the immunization record and blank forms are generated when asked for and
-- are not stored. A confidential document is never listed or sent to a proxy. Dates:
-- `document_date` is the clinical date (YYYY-MM-DD), `posted_at` epoch milliseconds.
CREATE TABLE documents (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    patient_id    BIGINT NOT NULL REFERENCES patients (id),
    kind          TEXT NOT NULL CHECK (kind IN ('discharge-summary', 'operative-report', 'letter', 'other')),
    title         TEXT NOT NULL,
    document_date TEXT NOT NULL CHECK (document_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
    source        TEXT NOT NULL,          -- the department or clinician it comes from
    confidential  BIGINT NOT NULL DEFAULT 0 CHECK (confidential IN (0, 1)),
    media_type    TEXT NOT NULL CHECK (media_type IN ('application/pdf', 'image/png', 'image/jpeg')),
    content       BYTEA NOT NULL,
    byte_size     BIGINT NOT NULL CHECK (byte_size <= 20971520), -- 20 MB
    posted_by     BIGINT REFERENCES users (id),
    posted_at     BIGINT NOT NULL
);
CREATE INDEX documents_patient ON documents (patient_id, document_date);
