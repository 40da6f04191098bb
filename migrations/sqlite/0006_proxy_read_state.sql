-- Read state of each proxy, apart from the patient's own (message_threads.patient_read_upto):
-- a parent opening a reply must not clear it from the teen's inbox, nor one parent from the
-- other's. One row per proxy and thread they have opened, holding the highest message id
-- they have seen; a missing row means nothing read.
CREATE TABLE proxy_thread_reads (
    thread_id  INTEGER NOT NULL REFERENCES message_threads (id),
    user_id    INTEGER NOT NULL REFERENCES users (id),
    read_upto  INTEGER NOT NULL,
    PRIMARY KEY (thread_id, user_id)
);

-- Until now a proxy shared the patient's mark: each proxy with a grant in place keeps what
-- that mark said, so nothing they had read turns unread.
INSERT INTO proxy_thread_reads (thread_id, user_id, read_upto)
SELECT DISTINCT t.id, g.proxy_user_id, t.patient_read_upto
FROM message_threads t JOIN proxy_grants g ON g.patient_id = t.patient_id
WHERE g.ended_at IS NULL AND t.patient_read_upto > 0;
