-- Schema version 10: a client's contact details, the audit log's filter indexes, a photo's own area (as
-- SQLite's 0010; text COLLATE "C" as in 0001).
-- Clients: email and phone, NULL when not given (ClinicStore::update_client changes them, with the name and date
-- of birth). A record audited before this version has them NULL, and its JSON leaves them out while empty, so
-- its digest — and its audit entry — stays what it was.
ALTER TABLE clients ADD COLUMN email TEXT COLLATE "C";
ALTER TABLE clients ADD COLUMN phone TEXT COLLATE "C";

-- Photos: the treatment area a photo shows (an area id of the pack), NULL when not given; then its session's
-- area is the one it shows. A baseline photo at intake has no session, and now can have an area.
ALTER TABLE photos ADD COLUMN area TEXT COLLATE "C";

-- The audit listing's filters (Store::audit_entries with an AuditFilter): each index leads with a filtered
-- column and ends with seq, so a page of entries of one table, record, actor or action is a range read in seq
-- order however long the log is; the time index bounds a from/to window. Five more index entries per write.
CREATE INDEX audit_by_entity ON audit(entity, entity_id, seq);
CREATE INDEX audit_by_entity_id ON audit(entity_id, seq);
CREATE INDEX audit_by_actor ON audit(actor, seq);
CREATE INDEX audit_by_action ON audit(action, seq);
CREATE INDEX audit_by_at ON audit(at);
