-- #14 (home maintenance, S2): a client's own home roller, registered with its lot, and the home sessions the
-- client does with it. Both are clinical records: audited on insert (a retirement as an update) and checked by
-- `verify_audit`. The rules (a home device of the pack, the lot not recalled, the pack's maintenance interval)
-- are ClinicStore's (docs/store.md, **Home maintenance**); the constraints here hold the shape even against a
-- bug in the domain layer: a session names a roller of the same client.
CREATE TABLE home_rollers (
  id              INTEGER PRIMARY KEY,
  client_id       TEXT NOT NULL REFERENCES clients(id),
  device          TEXT NOT NULL CHECK (device <> ''),
  lot             TEXT NOT NULL CHECK (lot <> ''),
  registered_on   TEXT NOT NULL,
  retired_at      TEXT,
  retired_reason  TEXT NOT NULL DEFAULT '',
  UNIQUE (id, client_id)
);
CREATE INDEX home_rollers_by_client ON home_rollers(client_id, id);

CREATE TABLE home_sessions (
  id              INTEGER PRIMARY KEY,
  client_id       TEXT NOT NULL REFERENCES clients(id),
  home_roller_id  INTEGER NOT NULL,
  area            TEXT NOT NULL CHECK (area <> ''),
  performed_on    TEXT NOT NULL,
  logged_at       TEXT NOT NULL,
  logged_by       TEXT NOT NULL,
  note            TEXT NOT NULL DEFAULT '',
  FOREIGN KEY (home_roller_id, client_id) REFERENCES home_rollers(id, client_id)
);
CREATE INDEX home_sessions_by_client ON home_sessions(client_id, performed_on, id);
