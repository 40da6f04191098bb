-- The trend of one analyte, kept ready to read: a patient can have thousands of values of
-- one analyte (a glucose meter, a long admission), and aggregating them on every view costs
-- 10–20 ms, against a 5 ms budget.
--
-- `patients.results_version` counts every change to a patient's observations or to the
-- release of their reports; the triggers below bump it, so no write path (the app, the
-- generator, a hand-written fix in a SQL shell) can forget to. A stored series is used only
-- while its `version` still equals the patient's: one stale by even one change is rebuilt.
ALTER TABLE patients ADD COLUMN results_version INTEGER NOT NULL DEFAULT 0;

CREATE TABLE result_series (
    patient_id INTEGER NOT NULL REFERENCES patients (id),
    loinc      TEXT NOT NULL,
    version    INTEGER NOT NULL, -- patients.results_version when it was built
    name       TEXT NOT NULL,
    series     TEXT NOT NULL,    -- records split by U+001E, fields by U+001F (results/store.rs)
    PRIMARY KEY (patient_id, loinc)
);

CREATE TRIGGER observations_inserted AFTER INSERT ON observations BEGIN
    UPDATE patients SET results_version = results_version + 1 WHERE id = NEW.patient_id;
END;
CREATE TRIGGER observations_updated AFTER UPDATE ON observations BEGIN
    UPDATE patients SET results_version = results_version + 1 WHERE id IN (OLD.patient_id, NEW.patient_id);
END;
CREATE TRIGGER observations_deleted AFTER DELETE ON observations BEGIN
    UPDATE patients SET results_version = results_version + 1 WHERE id = OLD.patient_id;
END;
-- Release (or a withdrawn release) changes what the patient may see.
CREATE TRIGGER reports_release_changed AFTER UPDATE OF released_at ON diagnostic_reports
WHEN OLD.released_at IS NOT NEW.released_at BEGIN
    UPDATE patients SET results_version = results_version + 1 WHERE id = NEW.patient_id;
END;
CREATE TRIGGER reports_deleted AFTER DELETE ON diagnostic_reports BEGIN
    UPDATE patients SET results_version = results_version + 1 WHERE id = OLD.patient_id;
END;
