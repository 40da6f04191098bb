-- The account's own settings. Sessions keep the browser's User-Agent (at most 512
-- characters), so "Signed-in devices" can say "Safari on iPhone" rather than an address.
ALTER TABLE sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';

-- E-mail notices a person has turned off (account::notices): one row per kind turned off,
-- none for the default (on). A proxy's choices are their own, as each row is per user.
CREATE TABLE notice_optouts (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind    TEXT NOT NULL,
    PRIMARY KEY (user_id, kind)
);
