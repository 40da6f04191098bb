-- A proxy's copy of the record is withdrawn when part of the chart becomes confidential
-- (issue 16): it was made when that part was not, and a confidential item exists for no
-- proxy. Its file is dropped and the proxy is told to ask again. (Their whole-record
-- archive expires at once, for the same reason.)
ALTER TABLE record_requests ADD COLUMN withdrawn_at INTEGER;
