-- Home and Reminders read the reminder rules' facts on every load (issue 13): the latest
-- dose per vaccine and the latest report per test code. With only (patient_id, date)
-- indexes SQLite grouped each in a temporary B-tree per request; with the code second,
-- the groups come out of the index in order (EXPLAIN QUERY PLAN: "USING COVERING INDEX",
-- no "TEMP B-TREE FOR GROUP BY").
CREATE INDEX immunizations_patient_code ON immunizations (patient_id, cvx, given_on);
CREATE INDEX diagnostic_reports_patient_code ON diagnostic_reports (patient_id, code, collected_at);
