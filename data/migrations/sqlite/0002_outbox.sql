-- Schema version 2: what a session was started with (cocktail, conditions on the day), so its aftercare sheet can
-- be written when it finishes, and the outbox of aftercare messages to hand or send to the client.

ALTER TABLE sessions ADD COLUMN cocktail INTEGER NOT NULL DEFAULT 0 CHECK (cocktail IN (0, 1));
ALTER TABLE sessions ADD COLUMN conditions_json TEXT NOT NULL DEFAULT '[]';

CREATE TABLE outbox (
  id          INTEGER PRIMARY KEY,
  client_id   TEXT NOT NULL REFERENCES clients(id),
  session_id  INTEGER REFERENCES sessions(id),
  kind        TEXT NOT NULL CHECK (kind IN ('aftercare')),
  subject     TEXT NOT NULL,
  body        TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  sent_at     TEXT,
  sent_by     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_unsent ON outbox(sent_at, id);
