-- The results list and Home's new results read a chart's released results newest first
-- (ORDER BY collected_at DESC, id DESC, at most 200). With only (patient_id, resulted_at)
-- to go by, SQLite sorted every report of the chart first. In this order, it reads the
-- newest rows and stops: the list's cost no longer grows with the chart, which matters
-- now that on SQLite these reads run on the request's own thread (infra/sqlite_inline.rs).
CREATE INDEX diagnostic_reports_patient_collected ON diagnostic_reports (patient_id, collected_at, id);
