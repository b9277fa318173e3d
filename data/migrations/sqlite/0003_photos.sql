-- Schema version 3: photos. The image itself is a file kept by its SHA-256 in the photo folder (docs/store.md);
-- the row holds its metadata, so a photo cannot change without its hash (and this row) disagreeing.

CREATE TABLE photos (
  id             INTEGER PRIMARY KEY,
  client_id      TEXT NOT NULL REFERENCES clients(id),
  session_id     INTEGER REFERENCES sessions(id),
  sha256         TEXT NOT NULL CHECK (length(sha256) = 64),
  media_type     TEXT NOT NULL CHECK (media_type IN ('image/jpeg', 'image/png')),
  size_bytes     INTEGER NOT NULL CHECK (size_bytes > 0),
  kind           TEXT NOT NULL CHECK (kind IN ('before', 'after', 'followup', 'other')),
  taken_at       TEXT NOT NULL,
  original_name  TEXT NOT NULL DEFAULT '',
  note           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX photos_client ON photos(client_id, taken_at);
