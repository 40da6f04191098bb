-- Identity: the same schema as migrations/sqlite/0001_identity.sql, in PostgreSQL's dialect.

CREATE TABLE patients (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    mrn         TEXT NOT NULL UNIQUE,
    given_name  TEXT NOT NULL,
    family_name TEXT NOT NULL,
    birth_date  TEXT NOT NULL,
    email       TEXT,
    created_at  BIGINT NOT NULL
);
CREATE INDEX patients_family_name ON patients (family_name, given_name);

CREATE TABLE users (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    email         TEXT,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('patient','clinician','him','billing','support','admin')),
    patient_id    BIGINT UNIQUE REFERENCES patients (id),
    created_at    BIGINT NOT NULL,
    password_changed_at BIGINT NOT NULL
);

CREATE TABLE activation_codes (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    patient_id BIGINT NOT NULL REFERENCES patients (id),
    code_hash  TEXT NOT NULL UNIQUE,
    issued_by  BIGINT REFERENCES users (id),
    issued_at  BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT,
    voided_at  BIGINT
);
CREATE INDEX activation_codes_patient ON activation_codes (patient_id);

CREATE TABLE sessions (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash    TEXT NOT NULL UNIQUE,
    user_id       BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at    BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL,
    idle_limit_ms BIGINT NOT NULL,
    client_addr   TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE password_resets (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    attempts   BIGINT NOT NULL DEFAULT 0,
    used_at    BIGINT,
    voided_at  BIGINT
);
CREATE INDEX password_resets_user ON password_resets (user_id);

CREATE TABLE auth_failures (
    id    BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scope TEXT NOT NULL,
    key   TEXT NOT NULL,
    at    BIGINT NOT NULL
);
CREATE INDEX auth_failures_lookup ON auth_failures (scope, key, at);

CREATE TABLE audit_log (
    seq           BIGINT PRIMARY KEY,
    at            BIGINT NOT NULL,
    actor_user_id BIGINT,
    action        TEXT NOT NULL,
    patient_id    BIGINT,
    section       TEXT,
    as_proxy      BIGINT NOT NULL DEFAULT 0,
    client_addr   TEXT,
    detail        TEXT NOT NULL DEFAULT '',
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL
);
CREATE INDEX audit_log_patient ON audit_log (patient_id, at);

CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();

CREATE TABLE audit_head (
    id   BIGINT PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
