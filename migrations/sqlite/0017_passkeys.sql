-- Passkeys (issue 14, part 3): WebAuthn credentials, as the second step or instead of the
-- password. `passkey` is webauthn-rs' record of the credential as JSON: its public key
-- and signature counter, nothing secret. `user_handle` is the random id the
-- authenticator keeps for the account (the same for all of one user's passkeys).
CREATE TABLE passkeys (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id),
    user_handle   TEXT NOT NULL,
    credential_id TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    passkey       TEXT NOT NULL,
    -- The authenticator's signature counter as last seen (also inside `passkey`): a
    -- sign-in moves it forward in one conditional statement, so two sign-ins with one
    -- counter value cannot both pass.
    sign_count    INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER
);
CREATE INDEX passkeys_user ON passkeys (user_id);

-- A ceremony between its two requests (the challenge sent, the answer not yet back):
-- webauthn-rs' state as JSON, found by the hash of a random token the browser holds,
-- used once (deleted when the answer comes) and good for five minutes. `network` (the
-- client's address or IPv6 /64) bounds the sign-in ceremonies one network keeps open.
CREATE TABLE passkey_ceremonies (
    token_hash TEXT PRIMARY KEY,
    purpose    TEXT NOT NULL CHECK (purpose IN ('register', 'sign-in', 'second-step')),
    user_id    INTEGER REFERENCES users (id),
    session_id INTEGER,
    network    TEXT NOT NULL DEFAULT '',
    state      TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX passkey_ceremonies_created ON passkey_ceremonies (created_at);
CREATE INDEX passkey_ceremonies_network ON passkey_ceremonies (network, created_at);
