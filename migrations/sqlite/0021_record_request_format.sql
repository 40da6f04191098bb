-- A copy of the record is asked for as a PDF to read and print, or as FHIR R4 JSON (a
-- Bundle) for another clinic's system or a health app (issue 16). Requests filed before
-- this asked for a PDF.
ALTER TABLE record_requests ADD COLUMN format TEXT NOT NULL DEFAULT 'pdf' CHECK (format IN ('pdf', 'fhir'));
