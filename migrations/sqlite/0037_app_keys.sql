-- Confidential apps that prove themselves with a signed JWT (private_key_jwt, SMART's
-- "client-confidential-asymmetric") instead of a shared secret: their public keys (JWKS),
-- public halves only. Such an app is kind 'confidential' and, because the table's CHECK
-- asks every confidential app for a secret digest, has one of a random secret no one was
-- ever told; the token endpoint refuses a secret from an app that registered keys.
ALTER TABLE smart_apps ADD COLUMN jwks TEXT;

-- The ids (jti) of the assertions already used, until they expire: one assertion, one use.
CREATE TABLE smart_assertions (
    jti_hash   TEXT PRIMARY KEY,
    app_id     INTEGER NOT NULL REFERENCES smart_apps (id),
    expires_at INTEGER NOT NULL
);
