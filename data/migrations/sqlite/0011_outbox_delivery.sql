-- Schema version 11: the outbox delivered by mail (src/mail/, docs/mail.md). A message now carries the address
-- it goes to (taken at queue time), an optional HTML part and attachment (an .ics event), and its delivery
-- state: queued → sent, or failed after the relay refused it or the attempts ran out; withheld when the client
-- has no email address (never tried). attempts, next_attempt_at (the next try, or "not before" for a message
-- queued for later) and last_error (the relay's last answer) drive the retries; message_id is the RFC 5322
-- Message-ID, fixed at the first attempt so a retry reuses it; dedupe_key lets a scheduler queue a message at
-- most once ("reminder for appointment 12").
--
-- SQLite cannot change a CHECK in place (kind gains new values): the table is rebuilt, keeping every row and
-- its id, and its index. Rows sent before are 'sent'; the rest 'queued' with no recipient, so the mailer leaves
-- them to be handed over as before. A row audited before this version keeps its digest: the new members are
-- left out of its JSON while empty, and state/attempts at what this migration gave it are its form of then
-- (fields.hpp `earlier_forms`).
CREATE TABLE outbox_v11 (
  id              INTEGER PRIMARY KEY,
  client_id       TEXT NOT NULL REFERENCES clients(id),
  session_id      INTEGER REFERENCES sessions(id),
  kind            TEXT NOT NULL CHECK (kind IN ('aftercare', 'reminder', 'followup_prompt', 'recall_notice',
                                                'portal_link', 'home_aftercare')),
  subject         TEXT NOT NULL,
  body            TEXT NOT NULL,
  created_at      TEXT NOT NULL,
  sent_at         TEXT,
  sent_by         TEXT NOT NULL DEFAULT '',
  recipient       TEXT NOT NULL DEFAULT '',
  body_html       TEXT,
  attachment_name TEXT,
  attachment_type TEXT,
  attachment      TEXT,
  state           TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sent', 'failed', 'withheld')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT,
  last_error      TEXT NOT NULL DEFAULT '',
  message_id      TEXT,
  dedupe_key      TEXT UNIQUE
);
INSERT INTO outbox_v11 (id, client_id, session_id, kind, subject, body, created_at, sent_at, sent_by, state)
  SELECT id, client_id, session_id, kind, subject, body, created_at, sent_at, sent_by,
         CASE WHEN sent_at IS NULL THEN 'queued' ELSE 'sent' END
  FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_v11 RENAME TO outbox;
CREATE INDEX outbox_unsent ON outbox(sent_at, id);
-- The mailer's query: queued rows whose next attempt is due (ClinicStore::due_messages).
CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
