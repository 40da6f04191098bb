-- A patient of 13 to 17 asking the Release of Information team to narrow what a parent's
-- (or guardian's) grant on their chart covers. The seed: parents "have full access to the
-- minor's account, except for information that has been restricted at the request of the
-- patient". HIM applies (the grant loses `sections`) or declines with a reason.
CREATE TABLE restriction_requests (
    id              INTEGER PRIMARY KEY,
    grant_id        INTEGER NOT NULL REFERENCES proxy_grants (id),
    patient_id      INTEGER NOT NULL REFERENCES patients (id),
    requester_id    INTEGER NOT NULL REFERENCES users (id),
    sections        TEXT NOT NULL,          -- comma-separated access::Section names to hide
    note            TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'applied', 'declined')),
    created_at      INTEGER NOT NULL,
    due_at          INTEGER NOT NULL,       -- four business days, as a minor's request
    decided_by      INTEGER REFERENCES users (id),
    decided_at      INTEGER,
    decision_reason TEXT,
    idempotency_key TEXT NOT NULL,
    UNIQUE (requester_id, idempotency_key)
);
CREATE INDEX restriction_requests_queue ON restriction_requests (status, due_at);
CREATE INDEX restriction_requests_grant ON restriction_requests (grant_id, status);
-- One request waiting per grant: a second, sent in parallel, is refused by the database.
CREATE UNIQUE INDEX restriction_requests_one_pending ON restriction_requests (grant_id) WHERE status = 'pending';
