-- Schema version 11 (as data/migrations/sqlite/0011_outbox_delivery.sql): the outbox delivered by mail. A
-- message carries the address it goes to (taken at queue time), an optional HTML part and attachment (an .ics
-- event), its delivery state (queued, sent, failed, withheld), attempts, the next attempt (or "not before"),
-- the relay's last answer, its RFC 5322 Message-ID (fixed at the first attempt) and an optional dedupe key
-- (a scheduler queues a message at most once). PostgreSQL changes the kind CHECK in place; rows sent before
-- are 'sent', the rest 'queued' with no recipient (the mailer leaves them to be handed over as before).
ALTER TABLE outbox DROP CONSTRAINT outbox_kind_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_check
  CHECK (kind IN ('aftercare', 'reminder', 'followup_prompt', 'recall_notice', 'portal_link', 'home_aftercare'));
ALTER TABLE outbox ADD COLUMN recipient TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN body_html TEXT COLLATE "C";
ALTER TABLE outbox ADD COLUMN attachment_name TEXT COLLATE "C";
ALTER TABLE outbox ADD COLUMN attachment_type TEXT COLLATE "C";
ALTER TABLE outbox ADD COLUMN attachment TEXT COLLATE "C";
ALTER TABLE outbox ADD COLUMN state TEXT COLLATE "C" NOT NULL DEFAULT 'queued'
  CHECK (state IN ('queued', 'sent', 'failed', 'withheld'));
ALTER TABLE outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN next_attempt_at TEXT COLLATE "C";
ALTER TABLE outbox ADD COLUMN last_error TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN message_id TEXT COLLATE "C";
ALTER TABLE outbox ADD COLUMN dedupe_key TEXT COLLATE "C" UNIQUE;
UPDATE outbox SET state = 'sent' WHERE sent_at IS NOT NULL;
-- The mailer's query: queued rows whose next attempt is due (ClinicStore::due_messages).
CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
