-- Sign-up without an activation code (issue 14, part 1), and e-mail addresses confirmed
-- with a code before a reset or a notice is sent to them.

-- What the clinic has on file to match an applicant by: a postal code and a phone number
-- (digits only), each one more fact besides name and date of birth.
ALTER TABLE patients ADD COLUMN postal_code TEXT;
ALTER TABLE patients ADD COLUMN phone TEXT;

-- NULL until the account's owner typed the code mailed to `users.email`. Accounts made
-- before this change keep working: their addresses were given at the desk or at an
-- enrolment that predates the rule, and are taken as confirmed.
ALTER TABLE users ADD COLUMN email_confirmed_at BIGINT;
UPDATE users SET email_confirmed_at = created_at WHERE email IS NOT NULL AND email <> '';

-- A code mailed to `email` (the account's address, or the new one it is changing to).
-- One open code per account: a new one voids the last.
CREATE TABLE email_codes (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email      TEXT NOT NULL,
    code_hash  TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    attempts   BIGINT NOT NULL DEFAULT 0,
    used_at    BIGINT,
    voided_at  BIGINT
);
CREATE INDEX email_codes_user ON email_codes (user_id);

-- One sign-up in progress: what the applicant typed, the identity verifier's own state
-- (opaque here: for the built-in verifier, the chart and the right answers), and how far
-- it got. Reached by a random token the browser holds; rows are pruned after a day.
CREATE TABLE sign_ups (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash    TEXT NOT NULL UNIQUE,
    given_name    TEXT NOT NULL,
    family_name   TEXT NOT NULL,
    email         TEXT NOT NULL,
    verifier_state TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    answered_at   BIGINT,
    -- The chart the questions were about (NULL: decoys): its wrong answers are counted.
    asked_patient_id BIGINT REFERENCES patients (id),
    -- Set when every answer was right: the chart the new account opens.
    verified_patient_id BIGINT REFERENCES patients (id),
    completed_at  BIGINT
);
CREATE INDEX sign_ups_created ON sign_ups (created_at);
