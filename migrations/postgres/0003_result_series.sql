-- The trend of one analyte, kept ready to read: a patient can have thousands of values of
-- one analyte (a glucose meter, a long admission), and aggregating them on every view costs
-- 10–20 ms, against a 5 ms budget.
--
-- `patients.results_version` counts every change to a patient's observations or to the
-- release of their reports; the triggers below bump it, so no write path (the app, the
-- generator, a hand-written fix in psql) can forget to. A stored series is used only while
-- its `version` still equals the patient's: one stale by even one change is rebuilt.
-- Statement-level triggers with transition tables: a bulk load bumps each patient once per
-- statement, not once per row.
ALTER TABLE patients ADD COLUMN results_version BIGINT NOT NULL DEFAULT 0;

CREATE TABLE result_series (
    patient_id BIGINT NOT NULL REFERENCES patients (id),
    loinc      TEXT NOT NULL,
    version    BIGINT NOT NULL, -- patients.results_version when it was built
    name       TEXT NOT NULL,
    series     TEXT NOT NULL,   -- records split by U+001E, fields by U+001F (results/store.rs)
    PRIMARY KEY (patient_id, loinc)
);

CREATE FUNCTION bump_results_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE patients SET results_version = results_version + 1
    WHERE id IN (SELECT DISTINCT patient_id FROM changed);
    RETURN NULL;
END $$;

CREATE TRIGGER observations_inserted AFTER INSERT ON observations
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_results_version();
-- (An observation never moves to another patient, so the old rows name the patient.)
CREATE TRIGGER observations_updated AFTER UPDATE ON observations
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_results_version();
CREATE TRIGGER observations_deleted AFTER DELETE ON observations
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_results_version();
-- Release (or a withdrawn release) changes what the patient may see; opening or reviewing a
-- report does not, and must not throw the series away.
CREATE FUNCTION bump_results_version_on_release() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE patients SET results_version = results_version + 1
    WHERE id IN (SELECT n.patient_id FROM new_reports n JOIN old_reports o ON o.id = n.id
                 WHERE n.released_at IS DISTINCT FROM o.released_at);
    RETURN NULL;
END $$;
CREATE TRIGGER reports_release_changed AFTER UPDATE ON diagnostic_reports
    REFERENCING OLD TABLE AS old_reports NEW TABLE AS new_reports
    FOR EACH STATEMENT EXECUTE FUNCTION bump_results_version_on_release();
CREATE TRIGGER reports_deleted AFTER DELETE ON diagnostic_reports
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_results_version();
