-- Needlework clinic records, schema version 1 (docs/store.md). Applied once, inside a transaction, by
-- open_sqlite; recorded in schema_version with the SHA-256 of this text. Never edit an applied migration:
-- add 0002_*.sql instead.
-- Times are UTC ISO 8601 text ("2026-11-23T10:00:00Z"), dates "YYYY-MM-DD": both sort as text.

CREATE TABLE users (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE CHECK (name <> ''),
  role        TEXT NOT NULL,
  created_at  TEXT NOT NULL
);

CREATE TABLE clients (
  id             TEXT PRIMARY KEY CHECK (id <> ''),
  name           TEXT NOT NULL CHECK (name <> ''),
  date_of_birth  TEXT,
  created_at     TEXT NOT NULL
);

CREATE TABLE intakes (
  id            INTEGER PRIMARY KEY,
  client_id     TEXT NOT NULL REFERENCES clients(id),
  intake_date   TEXT NOT NULL,
  intake_json   TEXT NOT NULL,
  decision      TEXT NOT NULL,
  areas_json    TEXT NOT NULL,
  reasons_json  TEXT NOT NULL,
  pack          TEXT NOT NULL,
  recorded_at   TEXT NOT NULL
);
CREATE INDEX intakes_client ON intakes(client_id, id);

CREATE TABLE consents (
  id            INTEGER PRIMARY KEY,
  client_id     TEXT NOT NULL REFERENCES clients(id),
  text_sha256   TEXT NOT NULL CHECK (length(text_sha256) = 64),
  signer        TEXT NOT NULL CHECK (signer <> ''),
  signed_at     TEXT NOT NULL,
  withdrawn_at  TEXT,
  withdrawn_by  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX consents_client ON consents(client_id, id);

CREATE TABLE courses (
  id          INTEGER PRIMARY KEY,
  client_id   TEXT NOT NULL REFERENCES clients(id),
  intake_id   INTEGER NOT NULL REFERENCES intakes(id),
  start_date  TEXT NOT NULL,
  plan_json   TEXT NOT NULL,
  pack        TEXT NOT NULL,
  created_at  TEXT NOT NULL
);

CREATE TABLE appointments (
  id                INTEGER PRIMARY KEY,
  client_id         TEXT NOT NULL REFERENCES clients(id),
  course_id         INTEGER REFERENCES courses(id),
  area              TEXT NOT NULL,
  needle_length_mm  REAL NOT NULL CHECK (needle_length_mm > 0),
  at                TEXT NOT NULL,
  state             TEXT NOT NULL CHECK (state IN ('booked', 'done', 'cancelled'))
);
CREATE INDEX appointments_client ON appointments(client_id, at);

-- S9: a roller's client is set once (assigned) and never changes; the trigger below holds that even against
-- a bug in the domain layer.
CREATE TABLE rollers (
  id                INTEGER PRIMARY KEY,
  lot               TEXT NOT NULL CHECK (lot <> ''),
  serial            TEXT NOT NULL CHECK (serial <> ''),
  udi               TEXT NOT NULL DEFAULT '',
  device            TEXT NOT NULL,
  needle_count      INTEGER NOT NULL CHECK (needle_count > 0),
  needle_length_mm  REAL NOT NULL CHECK (needle_length_mm > 0),
  expiry            TEXT NOT NULL,
  state             TEXT NOT NULL CHECK (state IN ('new', 'assigned', 'used', 'disposed')),
  client_id         TEXT REFERENCES clients(id),
  uses              INTEGER NOT NULL DEFAULT 0,
  disposal_reason   TEXT NOT NULL DEFAULT '',
  registered_at     TEXT NOT NULL,
  UNIQUE (lot, serial)
);
CREATE INDEX rollers_lot ON rollers(lot);
CREATE TRIGGER rollers_never_cross_clients BEFORE UPDATE OF client_id ON rollers
  WHEN OLD.client_id IS NOT NULL AND (NEW.client_id IS NULL OR NEW.client_id <> OLD.client_id)
  BEGIN SELECT RAISE(ABORT, 'a roller never crosses clients (S9)'); END;

CREATE TABLE sessions (
  id                  INTEGER PRIMARY KEY,
  client_id           TEXT NOT NULL REFERENCES clients(id),
  appointment_id      INTEGER REFERENCES appointments(id),
  intake_id           INTEGER NOT NULL REFERENCES intakes(id),
  consent_id          INTEGER NOT NULL REFERENCES consents(id),
  roller_id           INTEGER NOT NULL REFERENCES rollers(id),
  area                TEXT NOT NULL,
  device              TEXT NOT NULL,
  needle_length_mm    REAL NOT NULL CHECK (needle_length_mm > 0),
  pack                TEXT NOT NULL,
  started_at          TEXT NOT NULL,
  finished_at         TEXT,
  passes              INTEGER CHECK (passes IS NULL OR passes >= 0),
  density_per_cm2     REAL,
  effective_depth_mm  REAL,
  notes               TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_client ON sessions(client_id, started_at);
CREATE INDEX sessions_roller ON sessions(roller_id);

CREATE TABLE session_steps (
  id          INTEGER PRIMARY KEY,
  session_id  INTEGER NOT NULL REFERENCES sessions(id),
  step        TEXT NOT NULL,
  at          TEXT NOT NULL,
  UNIQUE (session_id, step)
);

CREATE TABLE followups (
  id                 INTEGER PRIMARY KEY,
  session_id         INTEGER NOT NULL REFERENCES sessions(id),
  observed_at        TEXT NOT NULL,
  observations_json  TEXT NOT NULL,
  triage             TEXT NOT NULL CHECK (triage IN ('normal', 'see_doctor')),
  result_json        TEXT NOT NULL,
  pack               TEXT NOT NULL
);
CREATE INDEX followups_session ON followups(session_id);

CREATE TABLE escalations (
  id           INTEGER PRIMARY KEY,
  session_id   INTEGER NOT NULL REFERENCES sessions(id),
  followup_id  INTEGER NOT NULL REFERENCES followups(id),
  client_id    TEXT NOT NULL REFERENCES clients(id),
  opened_at    TEXT NOT NULL,
  reason       TEXT NOT NULL,
  closed_at    TEXT,
  closed_by    TEXT NOT NULL DEFAULT '',
  close_note   TEXT NOT NULL DEFAULT ''
);

-- The audit log: one row per write, hash-chained (docs/store.md). Append-only: the triggers refuse UPDATE
-- and DELETE through SQL; a change made around them (dropping a trigger, editing the file) is found by
-- `needlework audit verify`. audit_head keeps the last seq and hash, so removing the newest rows shows too.
CREATE TABLE audit (
  seq            INTEGER PRIMARY KEY,
  at             TEXT NOT NULL,
  actor          TEXT NOT NULL,
  action         TEXT NOT NULL,
  entity         TEXT NOT NULL,
  entity_id      TEXT NOT NULL,
  before_sha256  TEXT NOT NULL,
  after_sha256   TEXT NOT NULL,
  prev_hash      TEXT NOT NULL,
  hash           TEXT NOT NULL
);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

CREATE TABLE audit_head (
  id    INTEGER PRIMARY KEY CHECK (id = 1),
  seq   INTEGER NOT NULL,
  hash  TEXT NOT NULL
);
