-- Reminder notices (issue 14, part 5): which reminders have been announced, so each comes
-- due in an e-mail once. `occurrence` is the date of the last dose or test the reminder
-- follows ('never' when there is none): a new dose, and later its own due date, is a new
-- occurrence. The patient's account and the chart's proxies are told separately
-- (`audience`), because a proxy does not see what is confidential.
CREATE TABLE reminder_notices (
    patient_id INTEGER NOT NULL REFERENCES patients (id),
    kind       TEXT NOT NULL,
    occurrence TEXT NOT NULL,
    audience   TEXT NOT NULL CHECK (audience IN ('patient', 'proxy')),
    sent_at    INTEGER NOT NULL,
    PRIMARY KEY (patient_id, kind, occurrence, audience)
);
