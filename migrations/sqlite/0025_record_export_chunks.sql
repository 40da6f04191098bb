-- A whole-record archive is stored, and sent, in pieces of at most 1 MiB (issue 16: a
-- large record's archive is never held whole in memory, neither while it is made nor
-- while it is downloaded). `record_exports.file_bytes` is no longer written; archives made
-- before this (kept a day at most) expire with it.
CREATE TABLE record_export_chunks (
    export_id INTEGER NOT NULL REFERENCES record_exports (id),
    seq       INTEGER NOT NULL,
    bytes     BLOB NOT NULL,
    PRIMARY KEY (export_id, seq)
);
UPDATE record_exports SET file_bytes = NULL, expires_at = finished_at WHERE status = 'ready';
