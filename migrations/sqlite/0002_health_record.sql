-- The health record. Each table maps one-to-one onto a FHIR R4 resource, and keeps the
-- code and its system so that mapping needs no lookup later:
--   providers -> Practitioner(+Role)    encounters -> Encounter (+ DocumentReference for
--   diagnostic_reports -> DiagnosticReport      the After Visit Summary and progress note)
--   observations -> Observation         medications -> MedicationRequest
--   allergies -> AllergyIntolerance     immunizations -> Immunization
--   problems -> Condition               care_team -> CareTeam.participant
--   renewal_requests -> MedicationRequest (intent=proposal, basedOn the medication)
-- Timestamps are epoch milliseconds (UTC); clinical dates are YYYY-MM-DD text.

CREATE TABLE providers (
    id           INTEGER PRIMARY KEY,
    display_name TEXT NOT NULL,            -- "Dr. Alex Rivera, MD"
    specialty    TEXT NOT NULL,
    department   TEXT NOT NULL,
    npi          TEXT UNIQUE,
    user_id      INTEGER UNIQUE REFERENCES users (id)   -- their staff account, if any
);

CREATE TABLE care_team (
    patient_id  INTEGER NOT NULL REFERENCES patients (id),
    provider_id INTEGER NOT NULL REFERENCES providers (id),
    role        TEXT NOT NULL,             -- "Primary care provider", "Cardiologist"…
    PRIMARY KEY (patient_id, provider_id)
);

CREATE TABLE encounters (
    id          INTEGER PRIMARY KEY,
    patient_id  INTEGER NOT NULL REFERENCES patients (id),
    provider_id INTEGER REFERENCES providers (id),
    department  TEXT NOT NULL,
    kind        TEXT NOT NULL,             -- "Office visit", "Video visit", "Lab visit"
    class_code  TEXT NOT NULL DEFAULT 'AMB', -- FHIR v3 ActCode: AMB, VR
    status      TEXT NOT NULL CHECK (status IN ('planned','finished','cancelled')),
    start_at    INTEGER NOT NULL,
    end_at      INTEGER,
    reason      TEXT NOT NULL DEFAULT '',
    avs_text    TEXT,                      -- After Visit Summary, when one was written
    note_text   TEXT                       -- progress note, when shared
);
CREATE INDEX encounters_patient ON encounters (patient_id, start_at);

CREATE TABLE diagnostic_reports (
    id            INTEGER PRIMARY KEY,
    patient_id    INTEGER NOT NULL REFERENCES patients (id),
    encounter_id  INTEGER REFERENCES encounters (id),
    code          TEXT NOT NULL,           -- LOINC panel code
    code_system   TEXT NOT NULL DEFAULT 'http://loinc.org',
    name          TEXT NOT NULL,
    ordered_by    INTEGER REFERENCES providers (id),
    collected_at  INTEGER NOT NULL,
    resulted_at   INTEGER NOT NULL,
    released_at   INTEGER,                 -- NULL while held or not yet released
    held_reason   TEXT,
    held_by       INTEGER REFERENCES users (id),
    reviewed_by   INTEGER REFERENCES users (id),
    reviewed_at   INTEGER,
    patient_seen_at INTEGER                -- first opened by the patient ("new" until then)
);
CREATE INDEX diagnostic_reports_patient ON diagnostic_reports (patient_id, resulted_at);

CREATE TABLE observations (
    id           INTEGER PRIMARY KEY,
    report_id    INTEGER NOT NULL REFERENCES diagnostic_reports (id),
    patient_id   INTEGER NOT NULL REFERENCES patients (id),
    loinc        TEXT NOT NULL,
    name         TEXT NOT NULL,
    value_num    REAL,
    value_text   TEXT,
    unit         TEXT NOT NULL DEFAULT '', -- UCUM
    ref_low      REAL,
    ref_high     REAL,
    ref_text     TEXT,
    flag         TEXT CHECK (flag IN ('H','L','A')),
    effective_at INTEGER NOT NULL,
    position     INTEGER NOT NULL DEFAULT 0 -- order within the report
);
CREATE INDEX observations_report ON observations (report_id, position);
CREATE INDEX observations_series ON observations (patient_id, loinc, effective_at);

CREATE TABLE medications (
    id           INTEGER PRIMARY KEY,
    patient_id   INTEGER NOT NULL REFERENCES patients (id),
    rxnorm       TEXT NOT NULL,
    name         TEXT NOT NULL,
    dose         TEXT NOT NULL,
    sig          TEXT NOT NULL,            -- "Take 1 tablet by mouth daily"
    prescriber_id INTEGER REFERENCES providers (id),
    start_date   TEXT NOT NULL,
    end_date     TEXT,                     -- NULL while current
    refills_remaining INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX medications_patient ON medications (patient_id);

CREATE TABLE renewal_requests (
    id              INTEGER PRIMARY KEY,
    patient_id      INTEGER NOT NULL REFERENCES patients (id),
    medication_id   INTEGER NOT NULL REFERENCES medications (id),
    pharmacy        TEXT NOT NULL,
    comment         TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL CHECK (status IN ('pending','approved','denied')),
    requested_by    INTEGER NOT NULL REFERENCES users (id),
    requested_at    INTEGER NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    decided_by      INTEGER REFERENCES users (id),
    decided_at      INTEGER,
    refills_granted INTEGER,
    denial_reason   TEXT
);
-- One pending request per medication, enforced by the database under concurrency.
CREATE UNIQUE INDEX renewal_requests_one_pending ON renewal_requests (medication_id) WHERE status = 'pending';
CREATE INDEX renewal_requests_status ON renewal_requests (status, requested_at);

CREATE TABLE allergies (
    id           INTEGER PRIMARY KEY,
    patient_id   INTEGER NOT NULL REFERENCES patients (id),
    substance    TEXT NOT NULL,
    code         TEXT NOT NULL,            -- RxNorm or SNOMED CT
    code_system  TEXT NOT NULL,
    reaction     TEXT NOT NULL,
    severity     TEXT NOT NULL CHECK (severity IN ('mild','moderate','severe')),
    recorded_on  TEXT NOT NULL
);
CREATE INDEX allergies_patient ON allergies (patient_id);

CREATE TABLE immunizations (
    id          INTEGER PRIMARY KEY,
    patient_id  INTEGER NOT NULL REFERENCES patients (id),
    cvx         TEXT NOT NULL,
    name        TEXT NOT NULL,
    given_on    TEXT NOT NULL
);
CREATE INDEX immunizations_patient ON immunizations (patient_id, given_on);

CREATE TABLE problems (
    id          INTEGER PRIMARY KEY,
    patient_id  INTEGER NOT NULL REFERENCES patients (id),
    code        TEXT NOT NULL,             -- ICD-10-CM
    code_system TEXT NOT NULL DEFAULT 'http://hl7.org/fhir/sid/icd-10-cm',
    name        TEXT NOT NULL,
    onset_date  TEXT,
    status      TEXT NOT NULL CHECK (status IN ('active','resolved'))
);
CREATE INDEX problems_patient ON problems (patient_id);
