 DROP TRIGGER audit_no_update; UPDATE audit SET hash = '00' WHERE seq = 2;
