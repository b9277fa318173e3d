-- #13: the dose charted per zone of a session: each zone (a skin region of the session's area, data/skin/
-- regions.toml) simulated by the physics engine with the passes and directions charted there, and the seed, so
-- the figures and the zone's heatmap can be reproduced (ClinicStore::chart with a zone, docs/store.md). One row
-- per zone: UNIQUE (session_id, zone) holds that even against a bug in the domain layer; charting a zone again
-- updates its row (audited as an update). A clinical record: audited and checked by `verify_audit`.
CREATE TABLE session_zones (
  id                  INTEGER PRIMARY KEY,
  session_id          INTEGER NOT NULL REFERENCES sessions(id),
  zone                TEXT NOT NULL CHECK (zone <> ''),
  physics_device      TEXT NOT NULL,
  passes              INTEGER NOT NULL CHECK (passes >= 1),
  directions_json     TEXT NOT NULL,
  density_per_cm2     REAL NOT NULL,
  effective_depth_mm  REAL NOT NULL,
  layers_json         TEXT NOT NULL,
  seed                INTEGER NOT NULL,
  charted_at          TEXT NOT NULL,
  UNIQUE (session_id, zone)
);
