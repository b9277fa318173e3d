 DROP INDEX IF EXISTS audit_by_entity; INSERT INTO clients(id, name) VALUES ('C-3', 'Unaudited');
