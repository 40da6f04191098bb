-- The document center (issue 16): the documents on file for one chart, as staff post them
-- (discharge summaries, operative reports, letters): a PDF or an image, at most 20 MB.
-- Visit records, the immunization record and blank forms are generated when asked for and
-- are not stored. A confidential document is never listed or sent to a proxy. Dates:
-- `document_date` is the clinical date (YYYY-MM-DD), `posted_at` epoch milliseconds.
CREATE TABLE documents (
    id            INTEGER PRIMARY KEY,
    patient_id    INTEGER NOT NULL REFERENCES patients (id),
    kind          TEXT NOT NULL CHECK (kind IN ('discharge-summary', 'operative-report', 'letter', 'other')),
    title         TEXT NOT NULL,
    document_date TEXT NOT NULL CHECK (document_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    source        TEXT NOT NULL,          -- the department or clinician it comes from
    confidential  INTEGER NOT NULL DEFAULT 0 CHECK (confidential IN (0, 1)),
    media_type    TEXT NOT NULL CHECK (media_type IN ('application/pdf', 'image/png', 'image/jpeg')),
    content       BLOB NOT NULL,
    byte_size     INTEGER NOT NULL CHECK (byte_size <= 20971520), -- 20 MB
    posted_by     INTEGER REFERENCES users (id),
    posted_at     INTEGER NOT NULL
);
CREATE INDEX documents_patient ON documents (patient_id, document_date);
