-- #12/#13: a recall of a lot, recorded (a manufacturer's notice: a sterility failure, bent needles). Once a
-- lot is recalled, no roller of it is registered, assigned, sterilised for reuse or used in a session
-- (ClinicStore::recall_lot, docs/store.md). One recall per lot: UNIQUE (lot) holds that even against a bug in
-- the domain layer. A recall is a clinical record: audited on insert and checked by `verify_audit`.
CREATE TABLE lot_recalls (
  id           INTEGER PRIMARY KEY,
  lot          TEXT NOT NULL UNIQUE CHECK (lot <> ''),
  reason       TEXT NOT NULL CHECK (reason <> ''),
  recalled_at  TEXT NOT NULL,
  recorded_by  TEXT NOT NULL
);
