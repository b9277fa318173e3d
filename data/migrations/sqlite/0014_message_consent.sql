-- #14: the client's consent to messages, recorded (no consent, no message; docs/mail.md). Each change is a
-- record of its own — given or withdrawn, when, by whom and how (at the clinic, in the client pages, or by the
-- unsubscribe link of a message) — so the consent in force at any time can be shown; the latest one holds. A
-- clinical record: audited on insert and checked by `verify_audit`.
CREATE TABLE message_consents (
  id           INTEGER PRIMARY KEY,
  client_id    TEXT NOT NULL REFERENCES clients(id),
  agreed       INTEGER NOT NULL CHECK (agreed IN (0, 1)),
  recorded_at  TEXT NOT NULL,
  recorded_by  TEXT NOT NULL,
  via          TEXT NOT NULL CHECK (via IN ('clinic', 'portal', 'unsubscribe_link'))
);
CREATE INDEX message_consents_client ON message_consents(client_id, recorded_at, id);

-- The token of each client's unsubscribe link (one per client, made when a message first needs it). It only
-- ever withdraws that client's consent, and it is in every message sent to them anyway, so it is kept as it
-- is (not hashed): a message is re-rendered with the same link. Not a clinical record.
CREATE TABLE unsubscribe_tokens (
  client_id   TEXT PRIMARY KEY REFERENCES clients(id),
  token       TEXT NOT NULL UNIQUE CHECK (length(token) >= 32),
  created_at  TEXT NOT NULL
);
