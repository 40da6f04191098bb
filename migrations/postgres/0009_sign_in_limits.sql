-- Browsers that have signed in to an account (OWASP's device cookie): the cookie holds a
-- random token, this table its hash and the accounts it signed in to. Wrong passwords from
-- such a browser count against that browser alone, so a flood of guesses from elsewhere,
-- which locks the account for everyone else, does not lock its owner out. A password reset
-- forgets the account's devices (whoever reset it may be recovering from a break-in).
CREATE TABLE trusted_devices (
    token_hash   TEXT NOT NULL,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL,
    PRIMARY KEY (token_hash, user_id)
);
CREATE INDEX trusted_devices_user ON trusted_devices (user_id);

-- One row per throttled key (throttle::reserve): taking its row lock in the transaction
-- that counts a key's attempts and records a new one makes "count, then record" one step
-- for that key, so parallel requests cannot all pass one count.
CREATE TABLE throttle_keys (
    scope TEXT NOT NULL,
    key   TEXT NOT NULL,
    PRIMARY KEY (scope, key)
);

-- `throttle::prune` forgets attempts by age.
CREATE INDEX auth_failures_at ON auth_failures (at);
CREATE INDEX trusted_devices_last_used ON trusted_devices (last_used_at);
