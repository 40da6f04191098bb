-- Messaging: threads between a patient's chart and a pool of staff (FHIR: Communication,
-- one per message, grouped by a thread id; attachments are Communication.payload).
--
-- Pools are derived from staff roles, not stored per member: 'care' threads belong to the
-- care team of one department (every clinician whose provider record is in it) and may also
-- name one provider; 'billing', 'support' and 'records' are the customer-service pools of the
-- Billing, Support and HIM roles.
CREATE TABLE message_threads (
    id              INTEGER PRIMARY KEY,
    patient_id      INTEGER NOT NULL REFERENCES patients (id),
    pool            TEXT NOT NULL CHECK (pool IN ('care', 'billing', 'support', 'records')),
    department      TEXT,                                  -- 'care': whose care team answers
    provider_id     INTEGER REFERENCES providers (id),     -- 'care': the clinician written to
    subject         TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
    claimed_by      INTEGER REFERENCES users (id),
    created_at      INTEGER NOT NULL,
    last_message_at INTEGER NOT NULL,
    -- Read state per side, as the highest message id each side has seen; the last message
    -- of each side is kept here so an inbox of a thousand threads needs no join to count.
    last_patient_message_id INTEGER NOT NULL DEFAULT 0,
    last_staff_message_id   INTEGER NOT NULL DEFAULT 0,
    patient_read_upto       INTEGER NOT NULL DEFAULT 0,
    staff_read_upto         INTEGER NOT NULL DEFAULT 0,
    CHECK ((pool = 'care') = (department IS NOT NULL))
);
CREATE INDEX message_threads_patient ON message_threads (patient_id, last_message_at);
CREATE INDEX message_threads_pool ON message_threads (pool, department, status, last_message_at);
CREATE INDEX message_threads_provider ON message_threads (provider_id, status, last_message_at);

CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    thread_id       INTEGER NOT NULL REFERENCES message_threads (id),
    author_id       INTEGER NOT NULL REFERENCES users (id),
    from_patient    INTEGER NOT NULL CHECK (from_patient IN (0, 1)), -- the patient's side (or a proxy)
    body            TEXT NOT NULL,
    -- Staff answered "please schedule an appointment"; why (complex, images, unrelated…).
    schedule_reason TEXT,
    sent_at         INTEGER NOT NULL,
    idempotency_key TEXT NOT NULL,
    UNIQUE (author_id, idempotency_key)
);
CREATE INDEX messages_thread ON messages (thread_id, id);
-- Rate limit: a chart's recent messages from the patient's side.
CREATE INDEX messages_sent ON messages (author_id, sent_at);

-- Bytes live in the database, committed with their message: nothing on disk to lose,
-- orphan or share between machines. Names are chosen by the server; the patient's file
-- name is kept only to show.
CREATE TABLE message_attachments (
    id            INTEGER PRIMARY KEY,
    message_id    INTEGER NOT NULL REFERENCES messages (id),
    patient_id    INTEGER NOT NULL REFERENCES patients (id),
    media_type    TEXT NOT NULL CHECK (media_type IN ('image/png', 'image/jpeg', 'application/pdf')),
    size_bytes    INTEGER NOT NULL,
    original_name TEXT NOT NULL,
    content       BLOB NOT NULL
);
CREATE INDEX message_attachments_message ON message_attachments (message_id);

-- Sent messages are part of the permanent record: no edit, no delete, whatever the caller.
CREATE TRIGGER messages_are_permanent_update BEFORE UPDATE ON messages BEGIN
    SELECT RAISE(ABORT, 'messages are part of the record');
END;
CREATE TRIGGER messages_are_permanent_delete BEFORE DELETE ON messages BEGIN
    SELECT RAISE(ABORT, 'messages are part of the record');
END;
CREATE TRIGGER attachments_are_permanent_update BEFORE UPDATE ON message_attachments BEGIN
    SELECT RAISE(ABORT, 'messages are part of the record');
END;
CREATE TRIGGER attachments_are_permanent_delete BEFORE DELETE ON message_attachments BEGIN
    SELECT RAISE(ABORT, 'messages are part of the record');
END;
