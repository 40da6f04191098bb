-- The keys that sign connected apps' id_tokens (SMART `openid fhirUser`, issue 18).
-- The private half is sealed (AES-256-GCM) under a key derived from the audit key file:
-- a copy of the database alone cannot sign. The public halves are published at
-- /oauth/jwks. In the database, not in a file, so that every server in front of one
-- PostgreSQL signs with the same key and publishes the same set.
CREATE TABLE signing_keys (
    -- The key's RFC 7638 thumbprint (SHA-256), the `kid` of the tokens it signs.
    kid            TEXT PRIMARY KEY,
    alg            TEXT NOT NULL,
    -- The public half as a JWK (JSON), as /oauth/jwks serves it.
    public_jwk     TEXT NOT NULL,
    -- The private half, PKCS#1 DER in base64, sealed (infra::crypto::seal).
    private_sealed TEXT NOT NULL,
    created_at     BIGINT NOT NULL
);
