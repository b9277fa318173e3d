-- Schema version 4: the two indexes a client's history (ClinicStore::history, `needlework clients show`) was
-- missing. Without them the courses and the escalations of one client were found by reading the whole table:
-- about 1 ms per thousand courses (each holds its plan), so 100 ms in a clinic of 100k clients
-- (docs/performance.md, "Clinic store"). IF NOT EXISTS: a database rebuilt by hand to an older version may
-- still have them.
CREATE INDEX IF NOT EXISTS courses_client ON courses(client_id, id);
CREATE INDEX IF NOT EXISTS escalations_client ON escalations(client_id, opened_at);
