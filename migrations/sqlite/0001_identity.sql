-- Identity: patients, accounts, activation codes, sessions, password resets,
-- failure counters and the hash-chained audit log. Timestamps are epoch milliseconds (UTC).

CREATE TABLE patients (
    id          INTEGER PRIMARY KEY,
    mrn         TEXT NOT NULL UNIQUE,
    given_name  TEXT NOT NULL,
    family_name TEXT NOT NULL,
    birth_date  TEXT NOT NULL,            -- YYYY-MM-DD
    email       TEXT,
    created_at  INTEGER NOT NULL
);
CREATE INDEX patients_family_name ON patients (family_name, given_name);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,    -- stored lower-case
    password_hash TEXT NOT NULL,
    email         TEXT,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('patient','clinician','him','billing','support','admin')),
    patient_id    INTEGER UNIQUE REFERENCES patients (id),
    created_at    INTEGER NOT NULL,
    password_changed_at INTEGER NOT NULL
);

CREATE TABLE activation_codes (
    id         INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patients (id),
    code_hash  TEXT NOT NULL UNIQUE,
    issued_by  INTEGER REFERENCES users (id),
    issued_at  INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER,
    voided_at  INTEGER
);
CREATE INDEX activation_codes_patient ON activation_codes (patient_id);

CREATE TABLE sessions (
    id            INTEGER PRIMARY KEY,
    token_hash    TEXT NOT NULL UNIQUE,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at    INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL,
    idle_limit_ms INTEGER NOT NULL,
    client_addr   TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE password_resets (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    used_at    INTEGER,
    voided_at  INTEGER
);
CREATE INDEX password_resets_user ON password_resets (user_id);

CREATE TABLE auth_failures (
    id    INTEGER PRIMARY KEY,
    scope TEXT NOT NULL,
    key   TEXT NOT NULL,
    at    INTEGER NOT NULL
);
CREATE INDEX auth_failures_lookup ON auth_failures (scope, key, at);

CREATE TABLE audit_log (
    seq           INTEGER PRIMARY KEY,
    at            INTEGER NOT NULL,
    actor_user_id INTEGER,
    action        TEXT NOT NULL,
    patient_id    INTEGER,
    section       TEXT,
    as_proxy      INTEGER NOT NULL DEFAULT 0,
    client_addr   TEXT,
    detail        TEXT NOT NULL DEFAULT '',
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL
);
CREATE INDEX audit_log_patient ON audit_log (patient_id, at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
