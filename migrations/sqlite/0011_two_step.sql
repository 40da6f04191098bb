-- Two-step sign-in (auth::two_step). A session starts at a stage: 'full' (signed in),
-- 'second-step' (the password was right; an authenticator code is still due) or 'enroll'
-- (a staff member without a second factor: setting one up is all it may do) or
-- 'new-password' (a first password an administrator was given: it must be replaced).
ALTER TABLE sessions ADD COLUMN stage TEXT NOT NULL DEFAULT 'full' CHECK (stage IN ('full', 'second-step', 'enroll', 'new-password'));

-- An authenticator app's shared secret (RFC 6238, base32). Until confirmed_at is set it is
-- a setup in progress (pending_codes: its recovery codes, shown again on a reload for 15
-- minutes, hashed into recovery_codes at confirmation) and signs nobody in. last_step: the
-- newest 30-second step a code was accepted for (a code works once).
CREATE TABLE totp_factors (
    user_id       INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret        TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    confirmed_at  INTEGER,
    last_step     INTEGER NOT NULL DEFAULT 0,
    pending_codes TEXT NOT NULL DEFAULT ''
);

-- Ten single-use recovery codes per factor, hashed (SHA-256: 50 random bits each).
CREATE TABLE recovery_codes (
    id        INTEGER PRIMARY KEY,
    user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at   INTEGER
);
CREATE INDEX recovery_codes_user ON recovery_codes (user_id);

-- Staff signed in before two-step sign-in existed are signed out: their next sign-in sets
-- up a second factor.
DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE role <> 'patient');
