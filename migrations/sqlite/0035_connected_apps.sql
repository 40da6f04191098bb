-- Connected apps (issue 18): health apps a clinic's admin registered, the patient's
-- answers to them (grants), and the short-lived codes and tokens of SMART App Launch.
-- Codes and tokens are kept only as SHA-256 digests: a copy of the database lets no one in.
CREATE TABLE smart_apps (
    id            INTEGER PRIMARY KEY,
    client_id     TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    -- 'public' (a phone or browser app: PKCE only) or 'confidential' (a server: PKCE and
    -- its secret).
    kind          TEXT NOT NULL CHECK (kind IN ('public', 'confidential')),
    secret_hash   TEXT,
    -- Exact redirect URIs, one per line; the authorize request must name one of them.
    redirect_uris TEXT NOT NULL,
    logo_url      TEXT,
    terms_url     TEXT NOT NULL,
    privacy_url   TEXT NOT NULL,
    registered_by TEXT NOT NULL,
    registered_at INTEGER NOT NULL,
    disabled_at   INTEGER,
    CHECK ((kind = 'confidential') = (secret_hash IS NOT NULL))
);

-- An authorize request waiting for the patient's answer on the consent screen.
CREATE TABLE smart_requests (
    id             INTEGER PRIMARY KEY,
    request_hash   TEXT NOT NULL UNIQUE,
    app_id         INTEGER NOT NULL REFERENCES smart_apps (id),
    redirect_uri   TEXT NOT NULL,
    state          TEXT NOT NULL,
    scope          TEXT NOT NULL,
    code_challenge TEXT NOT NULL,
    nonce          TEXT,
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    answered_at    INTEGER
);

-- What a user allowed an app to read of one chart (their own or one they are a proxy for).
CREATE TABLE smart_grants (
    id           INTEGER PRIMARY KEY,
    app_id       INTEGER NOT NULL REFERENCES smart_apps (id),
    user_id      INTEGER NOT NULL REFERENCES users (id),
    patient_id   INTEGER NOT NULL REFERENCES patients (id),
    -- FHIR resource types, comma-separated (connected_apps::kinds::FhirType).
    types        TEXT NOT NULL,
    scope        TEXT NOT NULL,
    offline      INTEGER NOT NULL CHECK (offline IN (0, 1)),
    as_proxy     INTEGER NOT NULL CHECK (as_proxy IN (0, 1)),
    -- For a proxy: the proxy grants (ids, comma-separated) in force when the app was
    -- linked. The link lives while one of them does: a grant that ends and a new one
    -- that starts later does not revive it without the proxy's consent again.
    proxy_grants TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER,
    -- 'patient', 'refresh-reused', 'app-disabled'…
    revoked_why  TEXT
);
CREATE INDEX smart_grants_user ON smart_grants (user_id, revoked_at);

CREATE TABLE smart_codes (
    id             INTEGER PRIMARY KEY,
    code_hash      TEXT NOT NULL UNIQUE,
    grant_id       INTEGER NOT NULL REFERENCES smart_grants (id),
    redirect_uri   TEXT NOT NULL,
    code_challenge TEXT NOT NULL,
    nonce          TEXT,
    expires_at     INTEGER NOT NULL,
    used_at        INTEGER
);

CREATE TABLE smart_tokens (
    id         INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    grant_id   INTEGER NOT NULL REFERENCES smart_grants (id),
    kind       TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    -- A refresh token is used once: the next use of it revokes the grant.
    used_at    INTEGER
);
CREATE INDEX smart_tokens_grant ON smart_tokens (grant_id);

-- FHIR Observation search pages a patient's results newest first (issue 18's benchmark:
-- 10,000 results, a page of 50): the order comes from this index, not a sort.
CREATE INDEX observations_patient_time ON observations (patient_id, effective_at, id);
